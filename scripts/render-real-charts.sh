#!/usr/bin/env bash
# Render real public Helm charts with the project's Helm and lint them with the full rule pack:
# the false-positive survey of docs/real-charts.md.
#
#   scripts/render-real-charts.sh OUTDIR > docs/real-charts.md
#
# The charts are the ones that ship inside Go modules, so they come through the Go module proxy
# like every other outside code here (`go mod download`, pinned versions, Go's module cache; a
# second run downloads nothing). Each chart is rendered with its default values:
#
#   .tools/bin/helm template <name> <chartdir> --namespace <name>   > OUTDIR/<name>.yaml
#   k8s-constitution lint OUTDIR/<name>.yaml --format json --fail-on never > OUTDIR/<name>.json
#
# and the markdown report (per chart: objects and findings; per rule: findings in each chart) is
# printed on stdout. Progress goes to stderr.
#
# Helm comes from scripts/install-tools.sh (cached; it waits for a concurrent run instead of
# building twice); the linter is $K8SC_BIN, else target/release/k8s-constitution (cargo build
# --release). Needs go and jq.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELM=$REPO_ROOT/.tools/bin/helm
K8SC=${K8SC_BIN:-$REPO_ROOT/${CARGO_TARGET_DIR:-target}/release/k8s-constitution}

# ---- the charts --------------------------------------------------------------
# name | module@version | chart directory inside the module | extra helm arguments
#
# Versions: the newest the module proxy serves that this Go (GOTOOLCHAIN=local, go1.26) can
# download. external-dns v0.23.0 and metrics-server v0.9.1 declare a newer `go` line (1.27.0,
# 1.26.10) and are refused, so the release before each is pinned. ingress-nginx tags its
# releases controller-vX / helm-chart-X, which are not module versions: the proxy serves only the
# pseudo-version of one main-branch commit (2024-07-08; chart 4.11.x).
#
# Extra arguments only where the defaults do not render: external-dns' chart requires `policy`
# and has had no default since chart 1.20 (it used to be upsert-only, which is set here).
CHARTS=(
  "ingress-nginx|k8s.io/ingress-nginx@v0.0.0-20240708192948-52c50467d67d|charts/ingress-nginx"
  "cert-manager|github.com/cert-manager/cert-manager@v1.21.2|deploy/charts/cert-manager"
  "external-dns|sigs.k8s.io/external-dns@v0.22.0|charts/external-dns|--set policy=upsert-only"
  "metrics-server|sigs.k8s.io/metrics-server@v0.9.0|charts/metrics-server"
  "kyverno|github.com/kyverno/kyverno@v1.19.1|charts/kyverno"
  "gatekeeper|github.com/open-policy-agent/gatekeeper/v3@v3.23.1|charts/gatekeeper"
)

log() { printf 'render-real-charts: %s\n' "$*" >&2; }
die() { printf 'render-real-charts: error: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 && $1 != -* ]] || {
  sed -n '2,17s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
}
OUT=$1
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

command -v go >/dev/null 2>&1 || die "go is not installed"
command -v jq >/dev/null 2>&1 || die "jq is not installed"
"$REPO_ROOT/scripts/install-tools.sh" helm >&2
[[ -x $K8SC ]] || die "no linter at $K8SC: run cargo build --release (or set K8SC_BIN)"

# go mod download -json MODULE@VERSION outside any module; prints the module's directory.
mod_dir() {
  local json
  json=$(cd / && GOTOOLCHAIN=local GOWORK=off GO111MODULE=on GOFLAGS="" \
    go mod download -json "$1") || {
    printf '%s\n' "$json" >&2
    return 1
  }
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -n1
}

# A writable copy of a chart with the dependencies that live in a remote chart repository removed
# from Chart.yaml (and Chart.lock dropped): they are not in the module, and no chart repository
# can be reached here. Prints the names removed on stderr and the copy's path on stdout.
without_remote_deps() {
  local src=$1 dst=$2 removed
  rm -rf "$dst"
  cp -R "$src" "$dst"
  chmod -R u+w "$dst"
  rm -f "$dst/Chart.lock"
  # Items of the top-level `dependencies:` list; an item with an http(s) repository is dropped.
  awk '
    function flush() { if (item != "" && item !~ /repository:[[:space:]]*"?https?:/) printf "%s", item; item = "" }
    /^dependencies:/ { indeps = 1; print; next }
    indeps && /^[^[:space:]#-]/ { flush(); indeps = 0 }
    indeps && /^[[:space:]]*- / { flush() }
    indeps { item = item $0 "\n"; next }
    { print }
    END { flush() }
  ' "$src/Chart.yaml" >"$dst/Chart.yaml"
  removed=$(awk '
    function flush() { if (item ~ /repository:[[:space:]]*"?https?:/) print name; item = ""; name = "" }
    /^dependencies:/ { indeps = 1; next }
    indeps && /^[^[:space:]#-]/ { flush(); indeps = 0 }
    indeps && /^[[:space:]]*- / { flush() }
    indeps && /name:/ { n = $0; sub(/.*name:[[:space:]]*/, "", n); name = n }
    indeps { item = item $0 "\n" }
    END { flush() }
  ' "$src/Chart.yaml" | paste -sd, -)
  printf '%s\n' "$removed"
}

declare -A MODVER CHARTVER OBJECTS ERRORS WARNINGS STATUS NOTE
NAMES=()
for entry in "${CHARTS[@]}"; do
  IFS='|' read -r name modver chartpath extra <<<"$entry"
  read -ra extra_args <<<"${extra:-}"
  NAMES+=("$name")
  MODVER[$name]=$modver
  NOTE[$name]=""
  log "$name: $modver"
  dir=$(mod_dir "$modver") || { STATUS[$name]="module not downloadable"; continue; }
  chart=$dir/$chartpath
  [[ -f $chart/Chart.yaml ]] || { STATUS[$name]="no Chart.yaml at $chartpath"; continue; }
  CHARTVER[$name]=$(sed -n 's/^version:[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$chart/Chart.yaml" | head -n1)

  if grep -qE 'repository:[[:space:]]*"?https?:' "$chart/Chart.yaml"; then
    copy=$OUT/.charts/$name
    mkdir -p "$OUT/.charts"
    removed=$(without_remote_deps "$chart" "$copy")
    NOTE[$name]="rendered without its remote-repository subcharts ($removed), which no module ships"
    chart=$copy
  fi

  if [[ -n ${extra:-} ]]; then
    NOTE[$name]+="${NOTE[$name]:+; }not the defaults: \`$extra\` (required, no default)"
  fi
  if ! "$HELM" template "$name" "$chart" --namespace "$name" ${extra_args[@]+"${extra_args[@]}"} \
    >"$OUT/$name.yaml" 2>"$OUT/$name.helm.err"; then
    STATUS[$name]="helm template failed: $(tr '\n' ' ' <"$OUT/$name.helm.err" | cut -c1-300)"
    log "$name: ${STATUS[$name]}"
    continue
  fi
  "$K8SC" lint "$OUT/$name.yaml" --format json --fail-on never >"$OUT/$name.json" ||
    { STATUS[$name]="lint failed (exit $?)"; continue; }
  OBJECTS[$name]=$(jq '.summary.resources' "$OUT/$name.json")
  ERRORS[$name]=$(jq '.summary.errors' "$OUT/$name.json")
  WARNINGS[$name]=$(jq '.summary.warnings' "$OUT/$name.json")
  [[ $(jq '.errors | length' "$OUT/$name.json") == 0 ]] ||
    NOTE[$name]+="${NOTE[$name]:+; }input errors: $(jq -c '[.errors[].message]' "$OUT/$name.json")"
  STATUS[$name]=ok
  log "$name: ${OBJECTS[$name]} objects, ${ERRORS[$name]} error and ${WARNINGS[$name]} warning findings"
done

# ---- report ----------------------------------------------------------------
rel_out=$OUT
[[ $OUT == "$REPO_ROOT"/* ]] && rel_out=${OUT#"$REPO_ROOT"/}
cat <<EOF
# Real public charts under the rule pack

Public Helm charts that ship inside Go modules, fetched through the Go module proxy at pinned
versions, rendered with the project's Helm ($("$HELM" version --short)) with **default values**
and linted with the full rule pack. Produced by:

\`\`\`sh
cargo build --release
scripts/render-real-charts.sh $rel_out > docs/real-charts.md
\`\`\`

Everything above the closing section *Reading the findings* is that command's output; the
closing section is written by hand (keep it when regenerating).

Each chart: \`helm template <name> <chartdir> --namespace <name>\` (plus the notes' arguments), then
\`k8s-constitution lint <name>.yaml --format json --fail-on never\`. Objects are
\`summary.resources\`; error and warning counts are the findings of that severity (none are
exempted: the charts carry no exemption annotations and no config is used).

| chart | module@version | chart version | objects | error findings | warning findings | notes |
|---|---|---|---:|---:|---:|---|
EOF
for name in "${NAMES[@]}"; do
  if [[ ${STATUS[$name]} == ok ]]; then
    printf '| %s | `%s` | %s | %s | %s | %s | %s |\n' "$name" "${MODVER[$name]}" \
      "${CHARTVER[$name]:-}" "${OBJECTS[$name]}" "${ERRORS[$name]}" "${WARNINGS[$name]}" "${NOTE[$name]}"
  else
    printf '| %s | `%s` | %s | – | – | – | **not rendered**: %s |\n' "$name" "${MODVER[$name]}" \
      "${CHARTVER[$name]:-}" "${STATUS[$name]//|/\\|}"
  fi
done

ok=()
for name in "${NAMES[@]}"; do [[ ${STATUS[$name]} == ok ]] && ok+=("$name"); done
rules_json=$("$K8SC" rules --format json)
printf '\n## Findings per rule\n\nEvery rule of the pack (`k8s-constitution rules`); a cell is the number of findings of that rule in that chart'"'"'s render.\n\n'
printf '| rule | severity | pss |'
for name in "${ok[@]}"; do printf ' %s |' "$name"; done
printf ' total |\n|---|---|---|'
for _ in "${ok[@]}"; do printf -- '---:|'; done
printf -- '---:|\n'
while IFS=$'\t' read -r rule severity pss; do
  total=0
  printf '| `%s` | %s | %s |' "$rule" "$severity" "$pss"
  for name in "${ok[@]}"; do
    n=$(jq --arg r "$rule" '[.findings[] | select(.rule == $r)] | length' "$OUT/$name.json")
    total=$((total + n))
    printf ' %s |' "$n"
  done
  printf ' %s |\n' "$total"
done < <(jq -r '.[] | [.id, .severity, (.pss // "")] | @tsv' <<<"$rules_json")

printf '\n## Objects per kind\n\n| chart | kinds |\n|---|---|\n'
for name in "${ok[@]}"; do
  kinds=$(grep -E '^kind: ' "$OUT/$name.yaml" | sed 's/^kind: //' | sort | uniq -c |
    awk '{printf "%s%s %s", sep, $2, $1; sep=", "}')
  printf '| %s | %s |\n' "$name" "$kinds"
done

printf '\n## Every finding\n\nBy chart, rule and object; the paths are where the findings point (a `[i]` index is the container).\n\n| chart | rule | object | findings | paths |\n|---|---|---|---:|---|\n'
for name in "${ok[@]}"; do
  jq -r --arg chart "$name" '
    .findings | group_by([.rule, .resource.kind, .resource.name])[] |
    "| \($chart) | `\(.[0].rule)` | \(.[0].resource.kind)/\(.[0].resource.name) | \(length) | \([.[].path] | unique | map("`" + . + "`") | join(", ")) |"
  ' "$OUT/$name.json"
done
