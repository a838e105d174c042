#!/usr/bin/env bash
# Output-format benchmark (not a test): the same findings rendered in every format, over one
# stream of N resources (stdin) and over the same N resources in 100 files. Prints a table of
# wall times, best of five runs each (RUNS=n to change), and each format's time relative to JSON.
#   scripts/bench-formats.sh [resources=10000] [binary=target/release/k8s-constitution]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
bin=${2:-target/release/k8s-constitution}
files_corpus=target/bench-corpus-$n
stream_corpus=target/bench-corpus-$n-stream
if [[ $# -lt 2 ]]; then
  cargo build --release --locked --quiet
fi
[[ -d $files_corpus ]] || cargo run --release --locked --quiet --example gen_corpus -- "$n" "$files_corpus" 100 >/dev/null
[[ -d $stream_corpus ]] || cargo run --release --locked --quiet --example gen_corpus -- "$n" "$stream_corpus" 1 >/dev/null
stream=$(ls "$stream_corpus"/*.yaml)

formats=(human json sarif junit github)
if "$bin" lint --help | grep -q compact; then formats+=(compact); fi

runs=${RUNS:-5}
# Wall seconds of one run of the command.
wall() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  echo "($end - $start) / 1000000000" | bc -l
}

# Rounds of every format in turn, keeping each one's best: a slow spell of the machine (this
# benchmark runs on shared VMs) then hits every format alike instead of one.
declare -A stream_t files_t
for f in "${formats[@]}"; do stream_t[$f]=999999; files_t[$f]=999999; done
for ((round = 0; round < runs; round++)); do
  for f in "${formats[@]}"; do
    t=$(wall sh -c '"$0" lint - --format "$1" --fail-on never < "$2"' "$bin" "$f" "$stream")
    if (( $(echo "$t < ${stream_t[$f]}" | bc) )); then stream_t[$f]=$t; fi
    t=$(wall "$bin" lint "$files_corpus" --format "$f" --fail-on never)
    if (( $(echo "$t < ${files_t[$f]}" | bc) )); then files_t[$f]=$t; fi
  done
done

echo "$n resources: one stream ($(du -h "$stream" | cut -f1)) and 100 files; $bin; best of $runs wall times"
printf '| %-8s | %14s | %10s | %14s | %10s |\n' format "one stream (s)" "vs JSON" "100 files (s)" "vs JSON"
printf '|%s|%s|%s|%s|%s|\n' ---------- ---------------- ------------ ---------------- ------------
for f in "${formats[@]}"; do
  printf '| %-8s | %14.2f | %9.2f× | %14.2f | %9.2f× |\n' "$f" \
    "${stream_t[$f]}" "$(echo "${stream_t[$f]} / ${stream_t[json]}" | bc -l)" \
    "${files_t[$f]}" "$(echo "${files_t[$f]} / ${files_t[json]}" | bc -l)"
done
