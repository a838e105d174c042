# shellcheck shell=bash
# A throwaway Kubernetes control plane on loopback: etcd + kube-apiserver (no scheduler, no
# controller-manager, no kubelet: objects are admitted and stored, pods never run), plus the
# k8s-constitution webhook registered from deploy/base/webhook.yaml.
#
# Sourced by scripts/e2e.sh and scripts/bench-admission.sh. The caller sets `set -euo pipefail`
# and calls `cp_init` first; `cp_cleanup` (installed as the EXIT trap by cp_init) stops every
# process started here and removes the temporary directory.
#
# Binaries: etcd, kube-apiserver, kubectl, helm from .tools/bin (scripts/install-tools.sh),
# k8s-constitution from $K8SC (default: target/release/k8s-constitution).

CP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CP_TOOLS="$CP_ROOT/.tools/bin"
K8SC="${K8SC:-${CARGO_TARGET_DIR:-$CP_ROOT/target}/release/k8s-constitution}"
case "$K8SC" in /*) ;; *) K8SC="$CP_ROOT/$K8SC" ;; esac
CP_PIDS=()
CP_DIR=""
CP_KEEP="${CP_KEEP:-0}" # 1: keep the temp dir (logs) after the run

cp_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

cp_die() {
  printf '\nFAILED: %s\n' "$*" >&2
  exit 1
}

# Tail of a component's log, for failure messages.
cp_show_log() {
  local name=$1
  if [ -f "$CP_DIR/$name.log" ]; then
    printf -- '--- last lines of %s.log ---\n' "$name" >&2
    tail -n "${2:-25}" "$CP_DIR/$name.log" >&2 || true
  fi
}

cp_cleanup() {
  local rc=$?
  set +e
  local pid t0=$SECONDS
  for pid in "${CP_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  # Up to 5 s in all for clean exits, then SIGKILL (nothing here holds state worth keeping).
  local deadline=$((SECONDS + 5))
  for pid in "${CP_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  CP_PIDS=()
  [ $((SECONDS - t0)) -lt 3 ] || cp_log "stopped everything in $((SECONDS - t0))s"
  if [ -n "$CP_DIR" ] && [ -d "$CP_DIR" ]; then
    if [ "$CP_KEEP" = 1 ] || { [ "$rc" -ne 0 ] && [ "${CP_KEEP_ON_FAILURE:-0}" = 1 ]; }; then
      cp_log "kept $CP_DIR (logs: *.log)"
    else
      rm -rf "$CP_DIR"
    fi
  fi
  return "$rc"
}

cp_init() {
  for tool in etcd kube-apiserver kubectl helm; do
    [ -x "$CP_TOOLS/$tool" ] || cp_die "$CP_TOOLS/$tool is missing: run scripts/install-tools.sh"
  done
  [ -x "$K8SC" ] || cp_die "$K8SC is missing: run cargo build --release"
  command -v openssl >/dev/null || cp_die "openssl is needed to make the control plane's certificates"
  command -v jq >/dev/null || cp_die "jq is needed"
  command -v curl >/dev/null || cp_die "curl is needed"
  export PATH="$CP_TOOLS:$PATH"
  CP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/k8sc-e2e.XXXXXX")"
  trap cp_cleanup EXIT
  trap 'exit 130' INT TERM
  export KUBECONFIG="$CP_DIR/admin.kubeconfig"
  # Helm keeps its state in the cluster; its caches and config stay in the temp dir.
  export HELM_CACHE_HOME="$CP_DIR/helm/cache" HELM_CONFIG_HOME="$CP_DIR/helm/config" \
    HELM_DATA_HOME="$CP_DIR/helm/data"
}

# Sets variable $1 to a TCP port nobody listens on at the moment (loopback), not handed out
# earlier in this run either. Ports come from below the kernel's ephemeral range: a port in
# that range can be the local end of an outgoing connection (kube-apiserver to etcd, say),
# which the probe below does not see but which makes the listener's bind fail (a CI run lost
# the webhook to "Address already in use" on 39334 that way).
cp_free_port() {
  local port low=32768 _high
  read -r low _high 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range || true
  if ((low <= 20000 + 2000)); then cp_die "the ephemeral port range starts at $low: no room below it"; fi
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % (low - 20000)))
    case " ${CP_PORTS:-} " in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      CP_PORTS="${CP_PORTS:-} $port"
      printf -v "$1" '%s' "$port"
      return 0
    fi
  done
  cp_die "no free loopback port found"
}

# Runs a program in the background, its output in $CP_DIR/<name>.log; remembers the pid.
cp_spawn() {
  local name=$1
  shift
  "$@" >"$CP_DIR/$name.log" 2>&1 &
  local pid=$!
  CP_PIDS+=("$pid")
  eval "CP_PID_${name//-/_}=$pid"
}

# Stops one process started by cp_spawn (SIGTERM, then SIGKILL after 10 s).
cp_stop() {
  local name=$1 pid
  pid=$(eval "echo \${CP_PID_${name//-/_}:-}")
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local kept=()
  for p in "${CP_PIDS[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  CP_PIDS=("${kept[@]}")
  eval "CP_PID_${name//-/_}="
}

# Waits until `cmd...` succeeds, at most $1 seconds; the process named $2 must stay alive.
cp_wait_for() {
  local timeout=$1 name=$2
  shift 2
  local deadline=$((SECONDS + timeout)) pid
  until "$@" >/dev/null 2>&1; do
    pid=$(eval "echo \${CP_PID_${name//-/_}:-}")
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      cp_show_log "$name" 40
      cp_die "$name exited while starting"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      cp_show_log "$name" 40
      cp_die "$name not ready after ${timeout}s"
    fi
    sleep 0.3
  done
}

# Issues a certificate signed by the run's CA. usage: cp_issue NAME SUBJECT EKU [SAN]
cp_issue() {
  local name=$1 subject=$2 eku=$3 san=${4:-}
  local pki="$CP_DIR/pki"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "$subject" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 2 -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
}

cp_make_pki() {
  local pki="$CP_DIR/pki"
  mkdir -p "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" -subj "/CN=k8sc-e2e-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  cp_issue etcd "/CN=etcd" serverAuth,clientAuth "IP:127.0.0.1,DNS:localhost"
  cp_issue etcd-client "/CN=kube-apiserver-etcd-client" clientAuth
  cp_issue apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  cp_issue admin "/O=system:masters/CN=e2e-admin" clientAuth
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/sa.key" 2>/dev/null
  openssl ec -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

cp_start_etcd() {
  local pki="$CP_DIR/pki"
  local peer
  cp_free_port CP_ETCD_PORT
  cp_free_port peer
  mkdir -p "$CP_DIR/etcd"
  cp_spawn etcd etcd --name e2e --data-dir "$CP_DIR/etcd" \
    --listen-client-urls "https://127.0.0.1:$CP_ETCD_PORT" \
    --advertise-client-urls "https://127.0.0.1:$CP_ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "e2e=http://127.0.0.1:$peer" \
    --cert-file "$pki/etcd.crt" --key-file "$pki/etcd.key" \
    --trusted-ca-file "$pki/ca.crt" --client-cert-auth \
    --unsafe-no-fsync --log-level warn
  cp_wait_for 30 etcd curl -sf --cacert "$pki/ca.crt" --cert "$pki/etcd-client.crt" \
    --key "$pki/etcd-client.key" "https://127.0.0.1:$CP_ETCD_PORT/health"
  cp_log "etcd ready on 127.0.0.1:$CP_ETCD_PORT"
}

cp_start_apiserver() {
  local pki="$CP_DIR/pki"
  cp_free_port CP_API_PORT
  CP_API_URL="https://127.0.0.1:$CP_API_PORT"
  cp_spawn kube-apiserver kube-apiserver \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$CP_API_PORT" \
    --etcd-servers "https://127.0.0.1:$CP_ETCD_PORT" \
    --etcd-cafile "$pki/ca.crt" --etcd-certfile "$pki/etcd-client.crt" \
    --etcd-keyfile "$pki/etcd-client.key" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-key-file "$pki/sa.pub" \
    --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --api-audiences https://kubernetes.default.svc.cluster.local \
    --authorization-mode RBAC \
    --enable-admission-plugins NamespaceLifecycle,ValidatingAdmissionWebhook,MutatingAdmissionWebhook \
    --service-cluster-ip-range 10.0.0.0/24 \
    --endpoint-reconciler-type none \
    --profiling=false \
    --cert-dir "$CP_DIR/apiserver-certs"
  cp_wait_for 90 kube-apiserver curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" \
    --key "$pki/admin.key" "$CP_API_URL/readyz"
  kubectl config set-cluster e2e --server "$CP_API_URL" \
    --certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
  kubectl config set-credentials e2e-admin --client-certificate "$pki/admin.crt" \
    --client-key "$pki/admin.key" --embed-certs >/dev/null
  kubectl config set-context e2e --cluster e2e --user e2e-admin >/dev/null
  kubectl config use-context e2e >/dev/null
  # The default namespace is created by the API server shortly after it is ready.
  cp_wait_for 30 kube-apiserver kubectl get namespace default
  cp_log "kube-apiserver $(kube-apiserver --version | cut -d' ' -f2) ready on $CP_API_URL"
}

# curl against the API server as the admin.
cp_curl() {
  local pki="$CP_DIR/pki"
  curl -sS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "$@"
}

# Serving certificate for the webhook from `k8s-constitution certs`, laid out as a mounted
# Secret: <dir>/..<generation>/tls.{crt,key}, <dir>/..data -> ..<generation>, and
# <dir>/tls.crt -> ..data/tls.crt (what the kubelet does; serve re-reads content, so an
# atomic swap of ..data is a rotation).
cp_webhook_certs() {
  local generation=$1
  "$K8SC" certs --out "$CP_DIR/webhook-certs/$generation" --host 127.0.0.1 --host localhost \
    --days 2 >/dev/null 2>>"$CP_DIR/certs.log"
  local mount="$CP_DIR/webhook-tls"
  mkdir -p "$mount/..$generation"
  cp "$CP_DIR/webhook-certs/$generation/tls.crt" "$CP_DIR/webhook-certs/$generation/tls.key" \
    "$mount/..$generation/"
}

cp_webhook_mount() {
  local generation=$1 mount="$CP_DIR/webhook-tls"
  ln -sfn "..$generation" "$mount/..data_tmp"
  mv -T "$mount/..data_tmp" "$mount/..data" # rename(2): atomic, as the kubelet does
  [ -L "$mount/tls.crt" ] || ln -s ..data/tls.crt "$mount/tls.crt"
  [ -L "$mount/tls.key" ] || ln -s ..data/tls.key "$mount/tls.key"
}

# Extra arguments go to `serve`.
# shellcheck disable=SC2120
cp_start_webhook() {
  [ -n "${CP_WEBHOOK_PORT:-}" ] || cp_free_port CP_WEBHOOK_PORT
  [ -n "${CP_METRICS_PORT:-}" ] || cp_free_port CP_METRICS_PORT
  local mount="$CP_DIR/webhook-tls"
  # Run from the temp dir so that no .k8s-constitution.yaml of the checkout is picked up.
  (cd "$CP_DIR" && exec "$K8SC" serve --cert "$mount/tls.crt" --key "$mount/tls.key" \
    --addr "127.0.0.1:$CP_WEBHOOK_PORT" --metrics-addr "127.0.0.1:$CP_METRICS_PORT" \
    --cert-poll-ms 200 "$@") >>"$CP_DIR/webhook.log" 2>&1 &
  CP_PID_webhook=$!
  CP_PIDS+=("$CP_PID_webhook")
  cp_wait_for 30 webhook curl -sf --cacert "$CP_DIR/webhook-certs/${CP_WEBHOOK_CA_GEN:-gen1}/ca.crt" \
    "https://127.0.0.1:$CP_WEBHOOK_PORT/readyz"
  cp_log "webhook ready on https://127.0.0.1:$CP_WEBHOOK_PORT/validate"
}

# Registers deploy/base/webhook.yaml with clientConfig pointing at the loopback server and the
# given CA bundle file(s) (concatenated), then waits until the API server calls it.
cp_register_webhook() {
  local bundle
  bundle=$(cat "$@" | base64 -w0)
  kubectl create --dry-run=client -o json -f "$CP_ROOT/deploy/base/webhook.yaml" |
    jq --arg url "https://127.0.0.1:$CP_WEBHOOK_PORT/validate" --arg ca "$bundle" \
      '.webhooks |= map(.clientConfig = {url: $url, caBundle: $ca})' \
      >"$CP_DIR/webhook-config.json"
  kubectl apply -f "$CP_DIR/webhook-config.json" >/dev/null
  cp_wait_webhook_active
}

cp_unregister_webhook() {
  kubectl delete validatingwebhookconfiguration k8s-constitution --ignore-not-found >/dev/null
  # The API server's webhook informer lags the delete: wait until a bad ConfigMap passes.
  local deadline=$((SECONDS + 30))
  until cp_probe_configmap | grep -q '^configmap/'; do
    [ "$SECONDS" -lt "$deadline" ] || cp_die "the API server still calls the webhook 30 s after it was unregistered"
    sleep 0.3
  done
}

# A ConfigMap holding a credential (configmap-secrets, error), created with server-side
# dry run: nothing is stored, the webhook is called.
cp_probe_configmap() {
  kubectl create configmap e2e-probe -n default --from-literal=DB_PASSWORD=hunter2hunter2 \
    --dry-run=server -o name 2>&1 || true
}

cp_wait_webhook_active() {
  local deadline=$((SECONDS + 30))
  until cp_probe_configmap | grep -q 'denied the request'; do
    [ "$SECONDS" -lt "$deadline" ] || {
      cp_probe_configmap >&2
      cp_show_log webhook
      cp_die "the API server does not call the webhook 30 s after it was registered"
    }
    sleep 0.3
  done
}

# Everything up to a registered webhook.
cp_up() {
  cp_make_pki
  cp_start_etcd
  cp_start_apiserver
  cp_webhook_certs gen1
  cp_webhook_mount gen1
  cp_start_webhook
  cp_register_webhook "$CP_DIR/webhook-certs/gen1/ca.crt"
  cp_log "webhook registered (failurePolicy from deploy/base/webhook.yaml)"
}
