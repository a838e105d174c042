#!/usr/bin/env bash
# The release binary, optimised with the profile of a lint run (PGO): ~15 % fewer instructions
# than a plain `cargo build --release` for the same findings (README "Performance").
#
#   scripts/build-release.sh        # prints the binary's path: target/pgo/release/k8s-constitution
#
# Three steps:
#   1. build an instrumented binary (-Cprofile-generate), in target/pgo-gen;
#   2. train it: lint a generated corpus of 2,000 resources (examples/gen_corpus.rs) in JSON,
#      and the repository's fixtures in every output format, so the profile covers loading,
#      evaluation, exemptions and the reports; the benchmark corpus itself is not used;
#   3. merge the profile with llvm-profdata and build again with -Cprofile-use, in target/pgo.
#
# llvm-profdata must read the raw profiles of rustc's own LLVM. The one from rustup's
# llvm-tools component does, when it is installed; otherwise Debian's llvm-19 package (installed
# here if missing), whose reader handles the raw format rustc 1.95 (LLVM 22) writes. The plain
# `cargo build --release` binary (target/release) is untouched; `cargo test` and CI's other steps
# use that one, and scripts/test.sh checks that both give the same findings.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
gen_dir=$root/target/pgo-gen
use_dir=$root/target/pgo
profiles=$root/target/pgo-profiles

log() { printf '  [pgo] %s\n' "$*" >&2; }

find_profdata() {
  local host sysroot candidate
  host=$(rustc -vV | sed -n 's/^host: //p')
  sysroot=$(rustc --print sysroot)
  for candidate in "$sysroot/lib/rustlib/$host/bin/llvm-profdata" /usr/lib/llvm-{22,21,20,19}/bin/llvm-profdata; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

profdata=$(find_profdata || true)
if [ -z "$profdata" ]; then
  log "no llvm-profdata for rustc's LLVM; installing Debian's llvm-19"
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  $sudo apt-get install -y -q llvm-19 >/dev/null || {
    $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q llvm-19 >/dev/null
  }
  profdata=$(find_profdata) || { echo "llvm-profdata not found after installing llvm-19" >&2; exit 1; }
fi
log "llvm-profdata: $profdata"

log "1/3 instrumented build (target/pgo-gen)"
RUSTFLAGS="-Cprofile-generate=$profiles" CARGO_TARGET_DIR=$gen_dir \
  cargo build --release --locked --quiet --bin k8s-constitution

log "2/3 training run"
# Build scripts of the instrumented build wrote profiles of their own: only the runs below count.
rm -rf "$profiles"
mkdir -p "$profiles"
corpus=$root/target/pgo-training-corpus
cargo run --release --locked --quiet --example gen_corpus -- 2000 "$corpus" 20 >/dev/null
bin=$gen_dir/release/k8s-constitution
"$bin" lint "$corpus" --format json --fail-on never >/dev/null
for format in human json sarif junit github; do
  NO_COLOR=1 "$bin" lint fixtures --format "$format" --fail-on never >/dev/null 2>&1 || true
done
"$bin" rules >/dev/null

log "3/3 optimised build with the profile (target/pgo)"
"$profdata" merge -o "$profiles/merged.profdata" "$profiles"/*.profraw
RUSTFLAGS="-Cprofile-use=$profiles/merged.profdata" CARGO_TARGET_DIR=$use_dir \
  cargo build --release --locked --quiet --bin k8s-constitution
pgo_bin=$use_dir/release/k8s-constitution

# The profile changes code layout and inlining, never a verdict: the binary is handed out only
# if it prints exactly what the plain release build prints (scripts/same-output.sh: fixtures and
# the 10,000-resource corpus, every format). This check runs wherever the binary is built, so
# it is not repeated in CI (two more full builds of every dependency, for a build nobody ships
# from CI).
log "checking: the same output as the plain release build"
cargo build --release --locked --quiet --bin k8s-constitution
scripts/same-output.sh "${CARGO_TARGET_DIR:-$root/target}/release/k8s-constitution" "$pgo_bin" >&2 ||
  { echo "the profile-guided binary's output differs from the plain build's" >&2; exit 1; }
echo "$pgo_bin"
