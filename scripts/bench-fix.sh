#!/usr/bin/env bash
# `lint --fix` benchmark (not a test): the 10,000-resource corpus of examples/gen_corpus.rs in
# 100 files, without its `# Source:` lines (Helm-rendered files are never rewritten), linted
# plainly (JSON), with `--fix --diff`, and with `--fix` (writes every file, then lints again);
# each on a fresh copy, best of three wall times, and each relative to the plain lint.
#   scripts/bench-fix.sh [resources=10000] [binary=target/release/k8s-constitution]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
bin=${2:-target/release/k8s-constitution}
corpus=target/bench-corpus-$n
if [[ $# -lt 2 ]]; then
  cargo build --release --locked --quiet
fi
[[ -d $corpus ]] || cargo run --release --locked --quiet --example gen_corpus -- "$n" "$corpus" 100 >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/k8sc-bench-fix.XXXXXX")
trap 'rm -rf "$work"' EXIT

fresh_copy() {
  rm -rf "$work/c"
  cp -r "$corpus" "$work/c"
  sed -i '/^# Source:/d' "$work"/c/*.yaml
}

best_of_3() { # args... -> best wall seconds of three runs, each on a fresh copy
  local best=999999 start end t
  for _ in 1 2 3; do
    fresh_copy
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    t=$(echo "($end - $start) / 1000000000" | bc -l)
    if (( $(echo "$t < $best" | bc) )); then best=$t; fi
  done
  echo "$best"
}

plain=$(best_of_3 "$bin" lint "$work/c" --config none --format json --fail-on never)
diff=$(best_of_3 "$bin" lint "$work/c" --config none --fix --diff)
fix=$(best_of_3 "$bin" lint "$work/c" --config none --fix --format json --fail-on never)
fresh_copy
fixed=$( { "$bin" lint "$work/c" --config none --fix --diff 2>&1 >/dev/null || true; } | tail -1)
echo "$n resources in 100 files; $bin; best of 3 wall times; $fixed"
printf '| %-22s | %8s | %10s |\n' run "wall (s)" "vs lint"
printf '|%s|%s|%s|\n' ------------------------ ---------- ------------
for row in "lint (JSON):$plain" "lint --fix --diff:$diff" "lint --fix (JSON):$fix"; do
  printf '| %-22s | %8.2f | %9.2f× |\n' "${row%%:*}" "${row##*:}" "$(echo "${row##*:} / $plain" | bc -l)"
done
