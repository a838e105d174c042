#!/usr/bin/env bash
# The one command that installs what the tests need and runs every test.
# CI (.ci/run) calls exactly this. Safe to re-run: tool builds are cached outside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says when it starts (seconds since the start), so a slow step shows in the log.
step() { printf '\n==> [%ds] %s\n' "$SECONDS" "$*"; }

step "tools: helm, kubectl, kube-apiserver, etcd built from the Go module proxy (cached)"
scripts/install-tools.sh
export PATH="$PWD/.tools/bin:$PATH"

step "format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

step "build (release, once; the tests and scripts reuse it)"
cargo build --release --locked

step "Rego unit tests of the rule pack"
"${CARGO_TARGET_DIR:-target}/release/k8s-constitution" test

step "cargo test: unit, integration (real binary), fixtures, snapshots, chart, conformance and webhook tests"
if [ -n "${K8SC_SKIP_HELM:-}" ] && [ -n "${CI:-}" ]; then
  echo "K8SC_SKIP_HELM is set in CI: the chart tests would be skipped; refusing" >&2
  exit 1
fi
K8SC_PSA_TESTDATA=$(scripts/fetch-psa-testdata.sh)
export K8SC_PSA_TESTDATA
K8SC_REQUIRE_TOOLS=1 cargo test --release --locked

step "mutation testing of the last commit (scripts/mutants.sh --in-diff HEAD~1: Rust and Rego, 10-minute budget)"
# HEAD~1 exists: CI runs in a full clone; in a shallow one mutants.sh fails with a message
# rather than pass on an empty diff. Installing cargo-mutants and building the dependencies of
# the test targets (both cached outside the repo, seconds when warm) are not part of the
# budget; the mutation run itself is, and overrunning it fails CI, never skips.
bash scripts/mutants.sh --prepare --in-diff HEAD~1 --fast
mutants_rc=0
# --fast: the Rust mutants run against the unit tests and tests/mutants_*.rs only.
timeout --kill-after=30 600 bash scripts/mutants.sh --in-diff HEAD~1 --fast || mutants_rc=$?
if ((mutants_rc == 124 || mutants_rc == 137)); then
  echo "mutation testing of the last commit took more than its 10-minute budget and was stopped:" >&2
  echo "  the commit changes too much code for one in-diff run; run 'scripts/mutants.sh --in-diff HEAD~1 --fast'" >&2
  echo "  locally (or per file with --file) and split the change. Failing: a stopped check is not a pass." >&2
  exit 1
elif ((mutants_rc != 0)); then
  exit "$mutants_rc"
fi

step "end to end on a real kube-apiserver + etcd"
# Run with bash, not through the exec bit: a lost exec bit must fail CI, never skip the checks.
bash scripts/e2e.sh
