#!/usr/bin/env bash
# Proves a behaviour-preserving change: lint output byte-identical between two binaries on every
# fixture and on the generated 10,000-resource benchmark corpus, in every output format.
#
#   git stash && cargo build --release && cp target/release/k8s-constitution /tmp/before
#   git stash pop && cargo build --release
#   scripts/same-output.sh /tmp/before target/release/k8s-constitution
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -eq 2 && -x $1 && -x $2 ]] || { echo "usage: scripts/same-output.sh BEFORE_BINARY AFTER_BINARY" >&2; exit 2; }
before=$1 after=$2
corpus=target/same-output-corpus
[[ -d $corpus ]] || cargo run --release --locked --quiet --example gen_corpus -- 10000 "$corpus" 100 >/dev/null
differ=0
for input in fixtures "$corpus"; do
  for format in human compact json sarif junit github; do
    if cmp -s <(NO_COLOR=1 COLUMNS=100 "$before" lint "$input" --format "$format" --fail-on never 2>&1) \
              <(NO_COLOR=1 COLUMNS=100 "$after" lint "$input" --format "$format" --fail-on never 2>&1); then
      echo "identical: lint $input --format $format"
    else
      echo "DIFFERENT: lint $input --format $format" >&2
      differ=1
    fi
  done
done
exit "$differ"
