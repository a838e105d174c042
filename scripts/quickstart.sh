#!/usr/bin/env bash
# Builds everything needed and runs the main job on the shipped defaults: render the todo
# chart with real Helm and lint it, then lint the deliberately non-compliant chart to show
# what findings look like. Exit status is the todo chart's lint result.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh helm >/dev/null
cargo build --release --locked --quiet
bin=target/release/k8s-constitution
helm=.tools/bin/helm

echo "== helm template charts/todo-app | k8s-constitution lint -"
status=0
"$helm" template todo charts/todo-app | "$bin" lint - || status=$?

echo
echo "== the non-compliant example (fixtures/charts/noncompliant-todo), findings expected:"
"$helm" template bad fixtures/charts/noncompliant-todo | "$bin" lint - || true
exit $status
