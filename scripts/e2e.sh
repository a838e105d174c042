#!/usr/bin/env bash
# End to end on a real control plane: etcd + kube-apiserver on loopback (built from source by
# scripts/install-tools.sh), the k8s-constitution webhook registered from deploy/base/webhook.yaml,
# then real `helm install`s and kubectl requests through it, and `k8s-constitution audit` against
# what was admitted. Run by scripts/test.sh; takes about a minute.
#
#   scripts/e2e.sh               # needs .tools/bin (scripts/install-tools.sh) and a release build
#   CP_KEEP=1 scripts/e2e.sh     # keep the temp dir with every component's log
#
# Everything it starts it stops (EXIT trap), also on failure; a failed check prints
# "FAILED: check N ..." with the output that disproved it, and the exit code is 1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/controlplane.sh
source scripts/lib/controlplane.sh

CP_KEEP_ON_FAILURE=${CP_KEEP_ON_FAILURE:-0}
START=$SECONDS
PASSED=()

pass() {
  PASSED+=("$1")
  printf 'PASS  %s\n' "$1"
}

# fail CHECK MESSAGE [FILE...]: the files' content (the evidence) goes to stderr first.
fail() {
  local check=$1 message=$2
  shift 2
  local f
  for f in "$@"; do
    [ -f "$f" ] && { printf -- '--- %s ---\n' "$(basename "$f")" >&2; cat "$f" >&2; }
  done
  cp_die "check $check: $message"
}

# A Deployment that meets every per-object rule; replicas 1 gives one warning (min-replicas).
# usage: deployment NAME NAMESPACE [READONLY_ROOT true|false] [ANNOTATIONS_YAML]
deployment() {
  local name=$1 ns=$2 readonly_root=${3:-true} annotations=${4:-"{}"}
  cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $name
  namespace: $ns
  annotations: $annotations
spec:
  replicas: 1
  selector:
    matchLabels: {app: $name}
  template:
    metadata:
      labels: {app: $name}
    spec:
      serviceAccountName: $name
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: app
          image: registry.example.com/$name:1.0.0
          ports: [{containerPort: 8080}]
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: $readonly_root
            capabilities: {drop: ["ALL"]}
          resources:
            requests: {cpu: 50m, memory: 64Mi}
            limits: {cpu: 200m, memory: 128Mi}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          readinessProbe: {httpGet: {path: /readyz, port: 8080}}
EOF
}

cp_init
cp_log "temp dir $CP_DIR; binary $K8SC"
cp_up
OUT="$CP_DIR/out"
mkdir -p "$OUT"
kubectl create namespace e2e >/dev/null

# ---------------------------------------------------------------------------------------------
check=1
cp_log "check $check: helm install of the compliant todo chart"
if ! helm install todo charts/todo-app -n todo --create-namespace >"$OUT/helm-todo.txt" 2>&1; then
  fail $check "helm install todo charts/todo-app failed" "$OUT/helm-todo.txt"
fi
helm get manifest todo -n todo >"$OUT/todo-manifest.yaml"
kubectl create --dry-run=client -o json -f "$OUT/todo-manifest.yaml" |
  jq -r 'if .kind == "List" then .items[] else . end | "\(.kind)/\(.metadata.name)"' |
  sort >"$OUT/todo-expected.txt"
kubectl get -n todo -o json -f "$OUT/todo-manifest.yaml" 2>"$OUT/todo-get.err" |
  jq -r 'if .kind == "List" then .items[] else . end | "\(.kind)/\(.metadata.name)"' |
  sort >"$OUT/todo-live.txt" || true
if ! diff -u "$OUT/todo-expected.txt" "$OUT/todo-live.txt" >"$OUT/todo-diff.txt"; then
  fail $check "objects rendered by the chart are missing from the cluster" "$OUT/todo-diff.txt" "$OUT/todo-get.err"
fi
expected_count=$(wc -l <"$OUT/todo-expected.txt")
[ "$expected_count" -ge 10 ] || fail $check "the chart rendered only $expected_count objects" "$OUT/todo-expected.txt"
status=$(helm status todo -n todo -o json | jq -r .info.status)
[ "$status" = deployed ] || fail $check "helm status is $status, not deployed"
pass "check $check: helm install todo charts/todo-app: deployed, all $expected_count objects exist ($(cut -d/ -f1 "$OUT/todo-live.txt" | sort -u | paste -sd, -))"

# ---------------------------------------------------------------------------------------------
check=2
cp_log "check $check: helm install of the non-compliant chart is refused"
if helm install bad fixtures/charts/noncompliant-todo -n bad --create-namespace >"$OUT/helm-bad.txt" 2>&1; then
  fail $check "helm install of fixtures/charts/noncompliant-todo succeeded" "$OUT/helm-bad.txt"
fi
grep -q 'admission webhook "validate.k8s-constitution.dev" denied the request' "$OUT/helm-bad.txt" ||
  fail $check "helm failed, but not because the webhook denied a request" "$OUT/helm-bad.txt"
# What lint says about the same rendering: error-severity, per-object findings of each object.
helm template bad fixtures/charts/noncompliant-todo -n bad >"$OUT/bad-rendered.yaml"
"$K8SC" rules --format json | jq -r '.[] | select(.needs_all_resources) | .id' >"$OUT/set-rules.txt"
"$K8SC" lint "$OUT/bad-rendered.yaml" --format json --fail-on never >"$OUT/bad-lint.json"
denied=$(grep -oE 'denied the request: [A-Za-z]+ [a-z0-9.-]+/[a-z0-9.-]+ breaks [0-9]+ rules?' "$OUT/helm-bad.txt" |
  sed -E 's/denied the request: //' | sort -u)
[ -n "$denied" ] || fail $check "no '<Kind> <ns>/<name> breaks N rules' in helm's error" "$OUT/helm-bad.txt"
while read -r kind nsname _ n _; do
  name=${nsname#*/}
  jq -r --arg k "$kind" --arg n "$name" --rawfile set "$OUT/set-rules.txt" '
      ($set | split("\n")) as $setrules
      | .findings[]
      | select(.resource.kind == $k and .resource.name == $n and .severity == "error"
               and (.exempted | not) and ((.rule | IN($setrules[])) | not))
      | "- [\(.rule)] \(.path)"' "$OUT/bad-lint.json" | sort >"$OUT/bad-expected-$name.txt"
  # The listed violations of that object in helm's message (one "- [rule] path: msg" per line,
  # before "How to fix:").
  awk -v head="$kind $nsname breaks" '
      index($0, head) { on = 1; next }
      on && /^How to fix:/ { exit }
      on && /^- \[/ { sub(/: .*/, ""); print }' "$OUT/helm-bad.txt" | sort >"$OUT/bad-listed-$name.txt"
  [ "$(wc -l <"$OUT/bad-expected-$name.txt")" = "$n" ] ||
    fail $check "$kind $nsname: the webhook counted $n violations, lint finds $(wc -l <"$OUT/bad-expected-$name.txt")" \
      "$OUT/helm-bad.txt" "$OUT/bad-expected-$name.txt"
  [ -s "$OUT/bad-listed-$name.txt" ] || fail $check "$kind $nsname: helm's message lists no '[rule] path' line" "$OUT/helm-bad.txt"
  # Exactly lint's pairs: none missing, none extra (the PASS line says "named", so all are).
  if ! diff -u "$OUT/bad-expected-$name.txt" "$OUT/bad-listed-$name.txt" >"$OUT/bad-diff-$name.txt"; then
    fail $check "$kind $nsname: the [rule] field pairs in helm's message differ from lint's" "$OUT/bad-diff-$name.txt"
  fi
  first=$(head -n1 "$OUT/bad-listed-$name.txt")
  pass "check $check: helm install bad refused: $kind $nsname, $n violations named with rule and field (e.g. '$first')"
done <<<"$denied"
status=$(helm status bad -n bad -o json 2>/dev/null | jq -r .info.status || true)
[ "$status" != deployed ] || fail $check "the bad release is marked deployed"

# ---------------------------------------------------------------------------------------------
check=3
cp_log "check $check: warnings only: admitted, warnings printed"
deployment warn-only e2e >"$OUT/warn.yaml"
if ! kubectl apply -f "$OUT/warn.yaml" >"$OUT/warn.out" 2>"$OUT/warn.err"; then
  fail $check "a Deployment with only a warning-level finding was refused" "$OUT/warn.err"
fi
grep -q '^Warning: \[min-replicas\] spec.replicas' "$OUT/warn.err" ||
  fail $check "kubectl printed no min-replicas warning" "$OUT/warn.out" "$OUT/warn.err"
kubectl get deployment warn-only -n e2e >/dev/null || fail $check "deployment warn-only does not exist"
pass "check $check: warning-only Deployment admitted; kubectl printed: $(grep -m1 '^Warning:' "$OUT/warn.err" | cut -c1-90)…"

# ---------------------------------------------------------------------------------------------
check=4
cp_log "check $check: exemptions"
exempt='{"k8s-constitution.dev/exempt": "read-only-root-filesystem", "k8s-constitution.dev/exempt-reason": "e2e: writes a cache to its root filesystem (TICKET-1)", "k8s-constitution.dev/exempt-until": "2099-12-31"}'
deployment exempt-ok e2e false "$exempt" >"$OUT/exempt-ok.yaml"
kubectl apply -f "$OUT/exempt-ok.yaml" >"$OUT/exempt-ok.out" 2>&1 ||
  fail $check "an object exempted with a reason was refused" "$OUT/exempt-ok.out"
expired='{"k8s-constitution.dev/exempt": "read-only-root-filesystem", "k8s-constitution.dev/exempt-reason": "e2e: temporary", "k8s-constitution.dev/exempt-until": "2020-01-31"}'
deployment exempt-expired e2e false "$expired" >"$OUT/exempt-expired.yaml"
if kubectl apply -f "$OUT/exempt-expired.yaml" >"$OUT/exempt-expired.out" 2>&1; then
  fail $check "an object whose exemption expired was admitted" "$OUT/exempt-expired.out"
fi
grep -q 'read-only-root-filesystem.*expired on 2020-01-31' "$OUT/exempt-expired.out" ||
  fail $check "the refusal does not say the exemption expired" "$OUT/exempt-expired.out"
noreason='{"k8s-constitution.dev/exempt": "read-only-root-filesystem"}'
deployment exempt-noreason e2e false "$noreason" >"$OUT/exempt-noreason.yaml"
if kubectl apply -f "$OUT/exempt-noreason.yaml" >"$OUT/exempt-noreason.out" 2>&1; then
  fail $check "an exemption without a reason was honoured" "$OUT/exempt-noreason.out"
fi
# An exemption the guard cannot read exempts nothing (it used to apply forever on a bad date).
for bad in 'baddate|read-only-root-filesystem|next week' \
           'nodate|read-only-root-filesystem|2099-02-30' \
           'typo|read-only-root-filesystem,no-latest-tags|2099-12-31'; do
  IFS='|' read -r name rules until <<<"$bad"
  annotations="{\"k8s-constitution.dev/exempt\": \"$rules\", \"k8s-constitution.dev/exempt-reason\": \"e2e\", \"k8s-constitution.dev/exempt-until\": \"$until\"}"
  deployment "exempt-$name" e2e false "$annotations" >"$OUT/exempt-$name.yaml"
  if kubectl apply -f "$OUT/exempt-$name.yaml" >"$OUT/exempt-$name.out" 2>&1; then
    fail $check "an unreadable exemption ($name) was honoured" "$OUT/exempt-$name.out"
  fi
  grep -q '\[read-only-root-filesystem\]' "$OUT/exempt-$name.out" ||
    fail $check "the refusal of the unreadable exemption ($name) does not name the finding" "$OUT/exempt-$name.out"
done
pass "check $check: exemption with reason admitted; expired exemption refused ('$(grep -o '\[read-only-root-filesystem\][^(]*(its exemption expired on 2020-01-31)' "$OUT/exempt-expired.out" | head -n1 | sed -E 's/: .*\(/: … (/')'); exemption without reason refused; exemptions with an unreadable date (next week, 2099-02-30) or an unknown rule id refused"

# ---------------------------------------------------------------------------------------------
check=6
cp_log "check $check: certificate rotation while the API server keeps calling the webhook"
cp_webhook_certs gen2
# First trust both CAs (what an operator does when the CA itself changes), then swap the
# mounted certificate, then drop the old CA.
cp_register_webhook "$CP_DIR/webhook-certs/gen1/ca.crt" "$CP_DIR/webhook-certs/gen2/ca.crt"
sleep 2 # the API server's webhook informer picks up the new caBundle
served_fingerprint() {
  openssl s_client -connect "127.0.0.1:$CP_WEBHOOK_PORT" -servername localhost </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2
}
gen1_fp=$(openssl x509 -noout -fingerprint -sha256 -in "$CP_DIR/webhook-certs/gen1/tls.crt" | cut -d= -f2)
gen2_fp=$(openssl x509 -noout -fingerprint -sha256 -in "$CP_DIR/webhook-certs/gen2/tls.crt" | cut -d= -f2)
[ "$(served_fingerprint)" = "$gen1_fp" ] || fail $check "the webhook does not serve the first certificate before the rotation"
# The load: compliant ConfigMaps (admitted only if the webhook answers: failurePolicy is Fail)
# and a credential-holding one (refused by the webhook), in a loop until told to stop.
rotation_load() {
  local i=0
  while [ ! -f "$OUT/rotation.stop" ]; do
    i=$((i + 1))
    if kubectl create configmap "rot-$i" -n e2e --from-literal=color=blue >/dev/null 2>"$OUT/rot-$i.err"; then
      echo "ok $i" >>"$OUT/rotation.log"
    else
      echo "FAILED $i: $(tr '\n' ' ' <"$OUT/rot-$i.err")" >>"$OUT/rotation.log"
    fi
    if kubectl create configmap "rot-bad-$i" -n e2e --from-literal=DB_PASSWORD=hunter2hunter2 \
      >/dev/null 2>"$OUT/rot-bad-$i.err"; then
      echo "FAILED bad $i: admitted" >>"$OUT/rotation.log"
    elif grep -q 'denied the request' "$OUT/rot-bad-$i.err"; then
      echo "ok denied $i" >>"$OUT/rotation.log"
    else
      echo "FAILED bad $i: $(tr '\n' ' ' <"$OUT/rot-bad-$i.err")" >>"$OUT/rotation.log"
    fi
  done
}
: >"$OUT/rotation.log"
rotation_load &
load_pid=$!
CP_PIDS+=("$load_pid")
sleep 3
reloads_before=$(curl -s "http://127.0.0.1:$CP_METRICS_PORT/metrics" | awk '/^k8sc_certificate_reloads_total\{result="loaded"\}/ {print $2}')
cp_webhook_mount gen2
deadline=$((SECONDS + 15))
until [ "$(served_fingerprint)" = "$gen2_fp" ]; do
  [ "$SECONDS" -lt "$deadline" ] || {
    touch "$OUT/rotation.stop"
    fail $check "the webhook still serves the old certificate 15 s after the swap"
  }
  sleep 0.2
done
requests_at_swap=$(wc -l <"$OUT/rotation.log")
sleep 3
cp_register_webhook "$CP_DIR/webhook-certs/gen2/ca.crt" # old CA no longer trusted
sleep 3
touch "$OUT/rotation.stop"
wait "$load_pid" || true
total=$(wc -l <"$OUT/rotation.log")
after=$((total - requests_at_swap))
reloads_after=$(curl -s "http://127.0.0.1:$CP_METRICS_PORT/metrics" | awk '/^k8sc_certificate_reloads_total\{result="loaded"\}/ {print $2}')
if grep -q FAILED "$OUT/rotation.log"; then
  fail $check "requests failed during the rotation" "$OUT/rotation.log"
fi
[ "$after" -ge 4 ] || fail $check "only $after requests after the swap; not a test" "$OUT/rotation.log"
# The served certificate changed (above) because the webhook reloaded it: its counter rose.
[[ "${reloads_after:-}" =~ ^[0-9]+$ ]] || fail $check "no k8sc_certificate_reloads_total{result=\"loaded\"} after the swap"
[ "${reloads_after%.*}" -gt "${reloads_before:-0}" ] ||
  fail $check "the reload counter did not rise: ${reloads_before:-0} -> $reloads_after"
pass "check $check: certificate rotated (new CA, ..data symlink swap, reloads ${reloads_before:-0}→${reloads_after}) under load: $total requests, $after after the swap, all answered (admitted or denied by the webhook)"

# ---------------------------------------------------------------------------------------------
check=5
policy=$(jq -r '.webhooks[] | select(.name == "validate.k8s-constitution.dev") | .failurePolicy' "$CP_DIR/webhook-config.json")
cp_log "check $check: webhook stopped; failurePolicy is $policy"
cp_stop webhook
# The shipped configuration fails closed; the PASS line says "refused", so it must be.
[ "$policy" = Fail ] || fail $check "the shipped webhook's failurePolicy is $policy, not Fail" "$CP_DIR/webhook-config.json"
if kubectl create configmap down-1 -n e2e --from-literal=color=blue >"$OUT/down.out" 2>&1; then
  fail $check "failurePolicy Fail, webhook down, yet a ConfigMap was admitted" "$OUT/down.out"
fi
grep -q 'failed calling webhook "validate.k8s-constitution.dev"' "$OUT/down.out" ||
  fail $check "refused, but not for failing to call the webhook" "$OUT/down.out"
# Namespaces the namespaceSelector excludes are never sent to the webhook.
excluded=$(jq -r '.webhooks[] | select(.name == "validate.k8s-constitution.dev") | .namespaceSelector.matchExpressions[] | select(.key == "kubernetes.io/metadata.name" and .operator == "NotIn") | .values[]' "$CP_DIR/webhook-config.json")
[ -n "$excluded" ] || fail $check "the webhook's namespaceSelector excludes no namespace; nothing to check" "$CP_DIR/webhook-config.json"
for ns in $excluded; do
  kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns" >/dev/null
  kubectl create configmap down-excluded -n "$ns" --from-literal=color=blue >"$OUT/down-$ns.out" 2>&1 ||
    fail $check "webhook down: a ConfigMap in excluded namespace $ns was refused" "$OUT/down-$ns.out"
done
# RBAC objects go to the fail-open webhook.
kubectl create clusterrole e2e-reader --verb=get --resource=configmaps >"$OUT/down-rbac.out" 2>&1 ||
  fail $check "webhook down: a ClusterRole was refused (its webhook fails open)" "$OUT/down-rbac.out"
pass "check $check: webhook down: failurePolicy $policy → ConfigMap in e2e refused ('failed calling webhook'); admitted in excluded namespaces ($(echo "$excluded" | tr '\n' ' ' | sed 's/ $//; s/ /,/g')) and the fail-open RBAC webhook's ClusterRole"

# ---------------------------------------------------------------------------------------------
check=7
cp_log "check $check: audit of the live objects"
# Non-compliant objects, created while the webhook is unregistered (as if they predated it).
cp_unregister_webhook
kubectl create namespace legacy >/dev/null
cat >"$OUT/legacy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy-web, namespace: legacy}
spec:
  replicas: 1
  selector: {matchLabels: {app: legacy-web}}
  template:
    metadata: {labels: {app: legacy-web}}
    spec:
      containers:
        - name: web
          image: nginx:latest
---
apiVersion: v1
kind: Service
metadata: {name: legacy-orphan, namespace: legacy}
spec:
  selector: {app: renamed-long-ago}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: legacy-config, namespace: legacy}
data: {DB_PASSWORD: hunter2hunter2}
EOF
kubectl apply -f "$OUT/legacy.yaml" >"$OUT/legacy.out" 2>&1 || fail $check "could not create the legacy objects" "$OUT/legacy.out"
rc=0
"$K8SC" audit --namespace legacy --format json >"$OUT/audit-legacy.json" 2>"$OUT/audit-legacy.err" || rc=$?
[ "$rc" = 1 ] || fail $check "audit --namespace legacy exited $rc, not 1 (error findings)" "$OUT/audit-legacy.err" "$OUT/audit-legacy.json"
for expect in \
  'Deployment legacy-web no-latest-tag spec.template.spec.containers[0].image' \
  'Deployment legacy-web run-as-non-root spec.template.spec.containers[0].securityContext.runAsNonRoot' \
  'Service legacy-orphan service-selector-matches spec.selector' \
  'Deployment legacy-web namespace-default-deny metadata.namespace' \
  'ConfigMap legacy-config configmap-secrets data.DB_PASSWORD'; do
  jq -r '.findings[] | "\(.resource.kind) \(.resource.name) \(.rule) \(.path)"' "$OUT/audit-legacy.json" |
    grep -qxF "$expect" || fail $check "audit did not report: $expect" "$OUT/audit-legacy.json"
done
jq -e '[.findings[] | .file | startswith("cluster/legacy/")] | all' "$OUT/audit-legacy.json" >/dev/null ||
  fail $check "audit findings are not named cluster/legacy/<kind>/<name>" "$OUT/audit-legacy.json"
! grep -q hunter2 "$OUT/audit-legacy.json" || fail $check "audit output shows a secret value" "$OUT/audit-legacy.json"
# Live objects (defaults filled in by the API server) get the same findings as their manifest.
finding_keys='.findings[] | "\(.resource.kind) \(.resource.name) \(.rule) \(.severity) \(.path) exempted=\(.exempted)"'
"$K8SC" lint "$OUT/legacy.yaml" --format json --fail-on never | jq -r "$finding_keys" | sort >"$OUT/legacy-lint.txt"
jq -r "$finding_keys" "$OUT/audit-legacy.json" | sort >"$OUT/legacy-audit.txt"
diff -u "$OUT/legacy-lint.txt" "$OUT/legacy-audit.txt" >"$OUT/legacy-diff.txt" ||
  fail $check "audit of the live objects and lint of their manifest disagree" "$OUT/legacy-diff.txt"
legacy_counts=$(jq -r '.summary | "\(.resources) resources, \(.errors) errors, \(.warnings) warnings"' "$OUT/audit-legacy.json")

# The compliant chart, live (with the API server's defaults filled in): clean, like its lint.
rc=0
"$K8SC" audit --namespace todo --format json >"$OUT/audit-todo.json" 2>"$OUT/audit-todo.err" || rc=$?
[ "$rc" = 0 ] || fail $check "audit --namespace todo exited $rc: the compliant chart has error findings live" "$OUT/audit-todo.err" "$OUT/audit-todo.json"
"$K8SC" lint "$OUT/todo-manifest.yaml" --format json --fail-on never | jq -r "$finding_keys" | sort >"$OUT/todo-lint.txt"
jq -r "$finding_keys" "$OUT/audit-todo.json" | sort >"$OUT/todo-audit.txt"
diff -u "$OUT/todo-lint.txt" "$OUT/todo-audit.txt" >"$OUT/todo-audit-diff.txt" ||
  fail $check "audit of the live todo release and lint of its manifest disagree" "$OUT/todo-audit-diff.txt"
todo_counts=$(jq -r '.summary | "\(.resources) resources, \(.errors) errors, \(.warnings) warnings, \(.exempted) exempted"' "$OUT/audit-todo.json")

# The whole cluster: the exempted Deployment is reported as exempted, not as an error.
rc=0
"$K8SC" audit --format json >"$OUT/audit-all.json" 2>"$OUT/audit-all.err" || rc=$?
[ "$rc" = 1 ] || fail $check "audit (all namespaces) exited $rc, not 1" "$OUT/audit-all.err"
jq -e '[.findings[] | select(.resource.name == "exempt-ok" and .rule == "read-only-root-filesystem")] | length > 0 and all(.exempted)' \
  "$OUT/audit-all.json" >/dev/null || fail $check "the exempted Deployment is not reported as exempted" "$OUT/audit-all.json"
all_counts=$(jq -r '.summary | "\(.resources) resources, \(.errors) errors, \(.warnings) warnings, \(.exempted) exempted"' "$OUT/audit-all.json")

# The other formats render the same report.
for format in human sarif junit github; do
  rc=0
  "$K8SC" audit --namespace legacy --format "$format" >"$OUT/audit.$format" 2>&1 || rc=$?
  if [ "$rc" != 1 ] || [ ! -s "$OUT/audit.$format" ]; then
    fail $check "audit --format $format exited $rc" "$OUT/audit.$format"
  fi
done
rc=0
"$K8SC" audit --namespace legacy --fail-on never >/dev/null 2>&1 || rc=$?
[ "$rc" = 0 ] || fail $check "audit --fail-on never exited $rc"

# Clear errors, exit 2: no such kubeconfig, nothing listening, no permission.
rc=0
"$K8SC" audit --kubeconfig "$CP_DIR/missing.kubeconfig" >"$OUT/audit-nokc.txt" 2>&1 || rc=$?
if [ "$rc" != 2 ] || ! grep -qi kubeconfig "$OUT/audit-nokc.txt"; then
  fail $check "missing kubeconfig: exit $rc" "$OUT/audit-nokc.txt"
fi
sed "s|$CP_API_URL|https://127.0.0.1:1|" "$KUBECONFIG" >"$CP_DIR/closed.kubeconfig"
rc=0
timeout 60 "$K8SC" audit --kubeconfig "$CP_DIR/closed.kubeconfig" >"$OUT/audit-closed.txt" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail $check "unreachable API server: exit $rc, not 2" "$OUT/audit-closed.txt"
cp_issue nobody "/CN=e2e-nobody" clientAuth
cp "$KUBECONFIG" "$CP_DIR/nobody.kubeconfig"
KUBECONFIG="$CP_DIR/nobody.kubeconfig" kubectl config set-credentials e2e-admin \
  --client-certificate "$CP_DIR/pki/nobody.crt" --client-key "$CP_DIR/pki/nobody.key" --embed-certs >/dev/null
rc=0
"$K8SC" audit --kubeconfig "$CP_DIR/nobody.kubeconfig" --namespace legacy >"$OUT/audit-forbidden.txt" 2>&1 || rc=$?
if [ "$rc" != 2 ] || ! grep -qi forbidden "$OUT/audit-forbidden.txt"; then
  fail $check "no permission: exit $rc" "$OUT/audit-forbidden.txt"
fi
# A namespace that does not exist is a usage error, not a clean audit.
rc=0
"$K8SC" audit --namespace does-not-exist >"$OUT/audit-nons.txt" 2>&1 || rc=$?
if [ "$rc" != 2 ] || ! grep -q 'does-not-exist does not exist' "$OUT/audit-nons.txt"; then
  fail $check "audit of a namespace that does not exist: exit $rc" "$OUT/audit-nons.txt"
fi
# A forbidden audit never shows a check mark.
rc=0
"$K8SC" audit --kubeconfig "$CP_DIR/nobody.kubeconfig" >"$OUT/audit-forbidden-human.txt" 2>&1 || rc=$?
if [ "$rc" != 2 ] || grep -q '✔' "$OUT/audit-forbidden-human.txt"; then
  fail $check "forbidden audit: exit $rc or a check mark" "$OUT/audit-forbidden-human.txt"
fi
pass "check $check: audit: legacy namespace ($legacy_counts) reports latest tag, non-root, orphan Service selector, missing default-deny, credential in ConfigMap — the same findings as lint of their manifest; todo namespace clean, as lint of its manifest ($todo_counts); whole cluster ($all_counts) with the exemption honoured; all 5 formats; exit 2 with a message for a missing kubeconfig, an unreachable server, a forbidden list (no check mark), a namespace that does not exist"

check=8
cp_log "check $check: audit never prints a credential (issue #17)"
# The corpus of fake credentials, applied with `kubectl apply` (so each object also carries the
# last-applied-configuration annotation with its secrets again), webhook still unregistered.
# The custom resource of the corpus is left out (no CRD here).
kubectl create namespace secrets-corpus >/dev/null
# No controller-manager here: the namespace's default ServiceAccount, which a Pod needs, is made by hand.
kubectl create serviceaccount default -n secrets-corpus >/dev/null
awk 'BEGIN{RS="\n---\n"; ORS="\n---\n"} !/kind: Database/' fixtures/secrets-corpus/*.yaml >"$OUT/secrets-corpus.yaml"
kubectl apply -f "$OUT/secrets-corpus.yaml" >"$OUT/secrets-apply.out" 2>&1 ||
  fail $check "could not create the secrets corpus" "$OUT/secrets-apply.out"
printf 'exemptions:\n  - rules: [env-literal-secrets, annotation-secrets]\n    namespace: secrets-corpus\n    reason: fake credentials\n' >"$OUT/secrets-exempt.yaml"
audits=0
for config in none "$OUT/secrets-exempt.yaml"; do
  for format in human json sarif junit github; do
    for extra in "" --show-exempted --redact-all-values; do
      out="$OUT/audit-secrets-$(basename "$config" .yaml)$extra.$format"
      rc=0
      # shellcheck disable=SC2086 # $extra is one flag or none
      COLUMNS=60 "$K8SC" audit --namespace secrets-corpus --config "$config" --format "$format" $extra >"$out" 2>>"$OUT/audit-secrets-stderr.txt" || rc=$?
      [ "$rc" = 1 ] || fail $check "audit --format $format $extra exited $rc, not 1" "$out"
      audits=$((audits + 1))
    done
  done
done
python3 scripts/lib/secret_leaks.py "$OUT"/audit-secrets-* "$OUT/secrets-apply.out" >"$OUT/secrets-leaks.txt" ||
  fail $check "audit output shows credentials" "$OUT/secrets-leaks.txt"
secret_findings=$(jq '[.findings[] | select(.rule | test("secrets$"))] | length' "$OUT/audit-secrets-none.json")
# audit judges the live objects, without kubectl's last-applied copy of them (src/audit.rs).
[ "$secret_findings" -ge 30 ] || fail $check "only $secret_findings secret findings in the audit of the corpus" "$OUT/audit-secrets-none.json"
pass "check $check: audit of $(grep -vc '^#' fixtures/secrets-corpus/secrets.txt) fake credentials in env, args, annotations, ConfigMap data/binaryData and a Secret (each also in kubectl's last-applied-configuration): $secret_findings secret findings, none of $audits outputs (5 formats, exempted shown or not, all values masked or not) shows a credential, its base64 or any 8-character piece"

checks=$(printf '%s\n' "${PASSED[@]}" | cut -d: -f1 | sort -u | wc -l)
printf '\nAll %d end-to-end checks passed in %ds (kube-apiserver %s, etcd %s, helm %s).\n' \
  "$checks" "$((SECONDS - START))" "$(kube-apiserver --version | cut -d' ' -f2)" \
  "$(etcd --version | head -n1 | cut -d' ' -f3)" "$(helm version --template '{{.Version}}')"
