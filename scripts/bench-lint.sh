#!/usr/bin/env bash
# Lint throughput benchmark (not a test): generates a realistic corpus and measures
# resources/s end to end (1 and 2 threads), peak RSS, and start-up on a single small file,
# for the release binary (profile-guided, scripts/build-release.sh) and for the plain
# `cargo build --release` one.
#   scripts/bench-lint.sh [resources=10000]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
corpus=target/bench-corpus-$n
cargo build --release --locked --quiet
cargo run --release --locked --quiet --example gen_corpus -- "$n" "$corpus" 100
pgo_bin=$(scripts/build-release.sh)

run() { # binary threads -> prints "seconds peak_kb"
  local bin=$1 threads=$2 best=999999 rss=0
  for _ in 1 2 3; do
    local start end t
    start=$(date +%s.%N)
    RAYON_NUM_THREADS=$threads /usr/bin/time -f '%M' -o target/bench-rss "$bin" lint "$corpus" --format json --fail-on never >/dev/null
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if (( $(echo "$t < $best" | bc) )); then best=$t; fi
    rss=$(cat target/bench-rss)
  done
  echo "$best $rss"
}

bench() { # label binary
  local label=$1 bin=$2 t1 rss1 t2 rss2
  read -r t1 rss1 < <(run "$bin" 1)
  read -r t2 rss2 < <(run "$bin" 2)
  echo "$label ($bin)"
  printf '  1 thread : %6.3f s  %8.0f resources/s  peak RSS %d MB\n' "$t1" "$(echo "$n / $t1" | bc -l)" $((rss1 / 1024))
  printf '  2 threads: %6.3f s  %8.0f resources/s  peak RSS %d MB\n' "$t2" "$(echo "$n / $t2" | bc -l)" $((rss2 / 1024))

  local small=fixtures/lint/mixed/nested/pod.yml start end
  # Twenty runs timed together, so the figure is the binary's own wall time per run (process
  # creation included), not that of the `date` calls around it.
  start=$(date +%s%N)
  for _ in $(seq 20); do
    "$bin" lint "$small" --fail-on never >/dev/null
  done
  end=$(date +%s%N)
  printf '  start-up, single small file: %.1f ms (mean of 20)\n' "$(echo "($end - $start) / 20 / 1000000" | bc -l)"
}

echo "corpus: $n resources in 100 files ($(du -sh "$corpus" | cut -f1))"
bench "release, profile-guided" "$pgo_bin"
bench "plain cargo build --release" target/release/k8s-constitution
