#!/usr/bin/env bash
# Builds everything needed and runs the main job on the shipped defaults: render the todo
# chart with real Helm and lint it, then lint the deliberately non-compliant chart to show
# what findings look like. Exit status is the todo chart's lint result.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step says what it does; the slow ones (Helm from source on the first run, the Rust
# build: minutes on 2 cores) show their own progress instead of a silent wait.
echo "== Helm, built from the Go module proxy on the first run (cached afterwards)"
scripts/install-tools.sh helm
echo "== cargo build --release (the first build takes several minutes)"
cargo build --release --locked
bin=target/release/k8s-constitution
helm=.tools/bin/helm

echo "== helm template charts/todo-app | k8s-constitution lint -"
status=0
"$helm" template todo charts/todo-app | "$bin" lint - || status=$?

echo
echo "== the non-compliant example (fixtures/charts/noncompliant-todo), findings expected:"
"$helm" template bad fixtures/charts/noncompliant-todo | "$bin" lint - || true
exit $status
