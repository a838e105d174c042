#!/usr/bin/env bash
# The webhook's cost to the API server: latency of object creation (POST to kube-apiserver, as
# a client sees it) with and without the k8s-constitution webhook registered, on the loopback
# control plane of scripts/e2e.sh (etcd + kube-apiserver built from source, the webhook from
# target/release).
#
#   scripts/bench-admission.sh [N] [ROUNDS]     # N creations per kind and setting per round
#                                               # (default 200), ROUNDS alternations (default 2)
#
# Requests go through one curl process over one kept-alive HTTPS connection (no process start,
# no handshake per request), so the figures are the API server's own latency: authn/authz,
# admission (the webhook call when registered), etcd write. Rounds alternate without/with, so
# drift on a shared machine hits both alike. Objects: ConfigMaps and compliant Deployments
# (both are sent to the webhook; a Deployment is the heavier review: every pod-spec rule runs).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/controlplane.sh
source scripts/lib/controlplane.sh

N=${1:-200}
ROUNDS=${2:-2}
WARMUP=20

cp_init
cp_make_pki
cp_start_etcd
cp_start_apiserver
cp_webhook_certs gen1
cp_webhook_mount gen1
cp_start_webhook --log-format json
kubectl create namespace bench >/dev/null
BODIES="$CP_DIR/bodies"
RESULTS="$CP_DIR/results"
mkdir -p "$BODIES" "$RESULTS"

configmap_body() {
  printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","namespace":"bench"},"data":{"color":"blue","size":"10"}}' "$1"
}

deployment_body() {
  cat <<EOF
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"$1","namespace":"bench"},
 "spec":{"replicas":2,"selector":{"matchLabels":{"app":"$1"}},
  "template":{"metadata":{"labels":{"app":"$1"}},
   "spec":{"serviceAccountName":"bench","automountServiceAccountToken":false,
    "securityContext":{"runAsNonRoot":true,"runAsUser":10001,"runAsGroup":10001,"fsGroup":10001,
                       "seccompProfile":{"type":"RuntimeDefault"}},
    "topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"kubernetes.io/hostname",
      "whenUnsatisfiable":"ScheduleAnyway","labelSelector":{"matchLabels":{"app":"$1"}}}],
    "containers":[{"name":"app","image":"registry.example.com/app:1.0.0",
      "ports":[{"containerPort":8080}],
      "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,
                         "capabilities":{"drop":["ALL"]}},
      "resources":{"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"128Mi"}},
      "livenessProbe":{"httpGet":{"path":"/healthz","port":8080}},
      "readinessProbe":{"httpGet":{"path":"/readyz","port":8080}}}]}}}}
EOF
}

# run LABEL KIND COUNT: COUNT creations over one connection; "<http code> <seconds>" per line.
run() {
  local label=$1 kind=$2 count=$3 path config="$CP_DIR/curl-$1.cfg"
  case $kind in
    configmap) path="api/v1/namespaces/bench/configmaps" ;;
    deployment) path="apis/apps/v1/namespaces/bench/deployments" ;;
  esac
  : >"$config"
  for i in $(seq 1 "$count"); do
    local name="$label-$i"
    "${kind}_body" "$name" >"$BODIES/$name.json"
    cat >>"$config" <<EOF
url = "$CP_API_URL/$path"
request = "POST"
header = "Content-Type: application/json"
data-binary = "@$BODIES/$name.json"
cacert = "$CP_DIR/pki/ca.crt"
cert = "$CP_DIR/pki/admin.crt"
key = "$CP_DIR/pki/admin.key"
output = "/dev/null"
write-out = "%{http_code} %{time_total}\n"
next
EOF
  done
  sed -i '$ d' "$config" # no `next` after the last request
  curl -sS -K "$config" >"$RESULTS/$label.txt"
  local bad
  bad=$(awk '$1 != 201' "$RESULTS/$label.txt" | head -n3)
  [ -z "$bad" ] || cp_die "$label: creations failed (http code, seconds): $bad"
}

# Percentiles (ms) of the second column of the given files.
stats() {
  cat "$@" | awk '{print $2 * 1000}' | sort -n | awk '
    { v[NR] = $1; sum += $1 }
    END {
      p50 = v[int(NR * 0.50 + 0.5)]; p90 = v[int(NR * 0.90 + 0.5)]; p99 = v[int(NR * 0.99 + 0.5)]
      printf "n=%d p50=%.2f p90=%.2f p99=%.2f mean=%.2f", NR, p50, p90, p99, sum / NR
    }'
}

registered=0
set_webhook() {
  if [ "$1" = on ] && [ $registered = 0 ]; then
    cp_register_webhook "$CP_DIR/webhook-certs/gen1/ca.crt"
    registered=1
  elif [ "$1" = off ] && [ $registered = 1 ]; then
    cp_unregister_webhook
    registered=0
  fi
}

cp_log "warm-up ($WARMUP creations of each kind, each setting)"
for setting in off on; do
  set_webhook $setting
  run "warm-$setting-cm" configmap $WARMUP
  run "warm-$setting-deploy" deployment $WARMUP
done
for round in $(seq 1 "$ROUNDS"); do
  for setting in off on; do
    set_webhook $setting
    cp_log "round $round, webhook $setting: $N ConfigMaps, $N Deployments"
    run "r$round-$setting-cm" configmap "$N"
    run "r$round-$setting-deploy" deployment "$N"
  done
done

echo
echo "Object creation latency through kube-apiserver $(kube-apiserver --version | cut -d' ' -f2), ms ($ROUNDS rounds x $N per kind and setting, $(nproc) CPUs):"
for kind in cm deploy; do
  off=$(stats "$RESULTS"/r*-off-$kind.txt)
  on=$(stats "$RESULTS"/r*-on-$kind.txt)
  printf '  %-10s without webhook: %s\n' "$kind" "$off"
  printf '  %-10s with webhook:    %s\n' "$kind" "$on"
  p50_off=$(echo "$off" | sed -E 's/.*p50=([0-9.]+).*/\1/')
  p50_on=$(echo "$on" | sed -E 's/.*p50=([0-9.]+).*/\1/')
  p99_off=$(echo "$off" | sed -E 's/.*p99=([0-9.]+).*/\1/')
  p99_on=$(echo "$on" | sed -E 's/.*p99=([0-9.]+).*/\1/')
  printf '  %-10s added by the webhook: p50 %+.2f ms, p99 %+.2f ms\n' "$kind" \
    "$(awk -v a="$p50_on" -v b="$p50_off" 'BEGIN {print a - b}')" \
    "$(awk -v a="$p99_on" -v b="$p99_off" 'BEGIN {print a - b}')"
done
# The webhook's own time per review (its JSON log: request read to response ready), for the
# measured creations only.
echo "Webhook-side review latency (from its log), ms:"
for kind in cm deploy; do
  jq -r --arg re "^r[0-9]+-on-$kind-" '(.fields // .) | select(.message == "review")
      | select((.name // "") | test($re)) | "x \(.latency_ms / 1000)"' "$CP_DIR/webhook.log" \
    >"$RESULTS/server-$kind.txt" 2>/dev/null || true
  if [ -s "$RESULTS/server-$kind.txt" ]; then
    printf '  %-10s %s\n' "$kind" "$(stats "$RESULTS/server-$kind.txt")"
  fi
done
