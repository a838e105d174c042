#!/usr/bin/env bash
# Build the Kubernetes tooling this project tests against from source, using
# only the Go module proxy (no prebuilt binaries are downloaded from anywhere),
# and install Microsoft's SARIF validator from npm, the registry it is published on.
#
#   scripts/install-tools.sh                 # helm kubectl kube-apiserver etcd opa conftest
#   scripts/install-tools.sh helm etcd       # just these
#
# Binaries end up in <repo>/.tools/bin (git-ignored). The real cache lives
# outside the repo so fresh clones (CI) reuse it:
#
#   ${K8SC_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-constitution/tools}/<name>-<version>/<name>
#
# A tool is rebuilt only when its cached binary is missing or does not report
# the pinned version, so a second run takes seconds. Go's own module and build
# caches are used as usual, so even a rebuild after wiping the tool cache is
# much faster than the first one.
#
# How the builds work:
#   * helm: a throw-away wrapper module that requires helm.sh/helm/v3 at the
#     pinned version; `go build helm.sh/helm/v3/cmd/helm`.
#   * etcd: same, requiring go.etcd.io/etcd/server/v3 (whose root package is
#     etcd's main). `go install ...@version` refuses it because its go.mod has
#     replace directives; a wrapper module does not care.
#   * kubectl, kube-apiserver: k8s.io/kubernetes requires its staging modules
#     (k8s.io/api, k8s.io/client-go, ...) at v0.0.0 and replaces them with
#     ./staging directories that are not part of the module zip. The wrapper
#     module requires k8s.io/kubernetes and replaces every such staging module
#     with its published v0.<minor>.<patch> release; the list is read from
#     kubernetes' own go.mod, so it follows the pinned version automatically.
#
# Versions are stamped via -ldflags exactly where upstream's Makefiles put
# them, so `helm version`, `kubectl version --client`, `kube-apiserver
# --version` and `etcd --version` report the real release.
set -euo pipefail

# ---- pinned versions -------------------------------------------------------
# Mutually compatible: helm v3.22.0 is built against k8s.io/* v0.37, and
# kubernetes v1.37 is developed and tested against etcd 3.7.x.
HELM_VERSION=v3.22.0     # newest helm v3 release (not v4)
KUBE_VERSION=v1.37.2     # kubectl and kube-apiserver
ETCD_VERSION=v3.7.3      # etcd server; kubernetes v1.37 ships etcd 3.7.0
OPA_VERSION=v1.22.4      # the reference Rego engine: `opa check --strict`, `opa test`, parity (#19)
CONFTEST_VERSION=v0.71.1 # runs `rules export --format conftest` in the tests (embeds its own OPA)
SARIF_MULTITOOL_VERSION=5.7.0 # Microsoft's SARIF validator (npm; a self-contained binary), for SARIF output

ALL_TOOLS=(helm kubectl kube-apiserver etcd opa conftest sarif-multitool)
MIN_GO_MINOR=26          # the pinned modules declare `go 1.26.0`

# ---- paths -----------------------------------------------------------------
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=$REPO_ROOT/.tools/bin
CACHE_DIR=${K8SC_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-constitution/tools}
SRC_DIR=$CACHE_DIR/src   # wrapper modules (go.mod/go.sum), kept for reuse

log() { printf 'install-tools: %s\n' "$*" >&2; }
die() { printf 'install-tools: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
usage: scripts/install-tools.sh [TOOL...]

Builds the pinned Kubernetes tools from source into .tools/bin.
TOOL is one of: ${ALL_TOOLS[*]} (default: all of them).

Pinned: helm $HELM_VERSION, kubectl/kube-apiserver $KUBE_VERSION, etcd $ETCD_VERSION, opa $OPA_VERSION,
        conftest $CONFTEST_VERSION, sarif-multitool $SARIF_MULTITOOL_VERSION (npm)
Cache:  $CACHE_DIR (override with K8SC_TOOLS_CACHE)
EOF
}

# ---- per-tool facts --------------------------------------------------------
tool_version() {
  case $1 in
    helm) echo "$HELM_VERSION" ;;
    kubectl | kube-apiserver) echo "$KUBE_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    opa) echo "$OPA_VERSION" ;;
    conftest) echo "$CONFTEST_VERSION" ;;
    sarif-multitool) echo "$SARIF_MULTITOOL_VERSION" ;;
    *) return 1 ;;
  esac
}

# Runs the tool's own version command.
tool_report() {
  local name=$1 bin=$2
  case $name in
    helm) "$bin" version --short ;;
    kubectl) "$bin" version --client ;;
    kube-apiserver) "$bin" --version ;;
    etcd) "$bin" --version ;;
    opa) "$bin" version ;;
    conftest) "$bin" --version ;;
    sarif-multitool) "$bin" --version ;;
  esac
}

# The text the version command must contain for the pinned release.
tool_expect() {
  local name=$1 version=$2
  case $name in
    helm) echo "$version" ;;
    kubectl) echo "Client Version: $version" ;;
    kube-apiserver) echo "Kubernetes $version" ;;
    etcd) echo "etcd Version: ${version#v}" ;;
    opa) echo "Version: ${version#v}" ;;
    conftest) echo "Conftest: ${version#v}" ;;
    sarif-multitool) echo "SARIF Multitool $version" ;;
  esac
}

# True when $bin exists, runs, and reports the pinned version.
reports_version() {
  local name=$1 bin=$2 version=$3 out
  [[ -x $bin ]] || return 1
  out=$(tool_report "$name" "$bin" 2>&1) || return 1
  grep -qF -- "$(tool_expect "$name" "$version")" <<<"$out"
}

# ---- Go environment --------------------------------------------------------
check_go() {
  command -v go >/dev/null 2>&1 || die "go is not installed (need go1.$MIN_GO_MINOR or newer)"
  local v
  v=$(GOTOOLCHAIN=local go env GOVERSION) || die "cannot run 'go env GOVERSION'"
  if [[ $v =~ ^go1\.([0-9]+) ]]; then
    ((BASH_REMATCH[1] >= MIN_GO_MINOR)) ||
      die "found $v but the pinned tools need go1.$MIN_GO_MINOR or newer"
  fi
}

# Settings for every go invocation below: no toolchain downloads, no
# workspace from the caller, static binaries, and -mod=mod so the wrapper
# modules' go.sum gets filled in on the first build.
go_env() {
  GOTOOLCHAIN=local GOWORK=off GO111MODULE=on CGO_ENABLED=0 \
    GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod -buildvcs=false" "$@"
}

# go mod download -json MODULE@VERSION, printing the path of FIELD (GoMod,
# Info, Dir) from the result. Runs outside any module.
mod_download_field() {
  local modver=$1 field=$2 json
  json=$(cd / && GOTOOLCHAIN=local GOWORK=off GO111MODULE=on GOFLAGS="" \
    go mod download -json "$modver") || {
    printf '%s\n' "$json" >&2
    return 1
  }
  sed -n "s/^[[:space:]]*\"$field\": \"\(.*\)\",\{0,1\}\$/\1/p" <<<"$json" | head -n1
}

# Commit time of a module version as recorded by the proxy (.info "Time"),
# used as a reproducible build date.
mod_time() {
  local info
  info=$(mod_download_field "$1" Info) || return 1
  sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info"
}

# Creates (once) the wrapper module $SRC_DIR/$1 with the given go.mod text.
# Prints its directory. Rewritten if the content changed (e.g. new pins).
wrapper_module() {
  local gomod=$2 dir=$SRC_DIR/$1
  mkdir -p "$dir"
  if [[ ! -f $dir/go.mod ]] || [[ $(cat "$dir/go.mod") != "$gomod" ]]; then
    printf '%s\n' "$gomod" >"$dir/go.mod"
    rm -f "$dir/go.sum"
  fi
  echo "$dir"
}

# ---- builders: build_<tool> OUTPUT_FILE -------------------------------------
build_helm() {
  local out=$1 v=$HELM_VERSION gomod k8s_minor dir
  gomod=$(mod_download_field "helm.sh/helm/v3@$v" GoMod) || return 1
  # Helm's Makefile stamps the Kubernetes version its client libs target.
  k8s_minor=$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod" | head -n1)
  [[ -n $k8s_minor ]] || { log "cannot find k8s.io/client-go in helm's go.mod"; return 1; }
  dir=$(wrapper_module "helm-$v" "module k8s-constitution.tools/helm

go 1.26.0

require helm.sh/helm/v3 $v") || return 1
  (cd "$dir" && go_env go build -trimpath -o "$out" -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=$v \
    -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$k8s_minor \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor" \
    helm.sh/helm/v3/cmd/helm)
}

build_etcd() {
  local out=$1 v=$ETCD_VERSION dir
  dir=$(wrapper_module "etcd-$v" "module k8s-constitution.tools/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 $v") || return 1
  # The package go.etcd.io/etcd/server/v3 is etcd's main (server/main.go);
  # its version string comes from go.etcd.io/etcd/api/v3/version at $v.
  (cd "$dir" && go_env go build -trimpath -o "$out" -ldflags "-s -w \
    -X go.etcd.io/etcd/api/v3/version.GitSHA=$v" \
    go.etcd.io/etcd/server/v3)
}

build_opa() {
  local out=$1 v=$OPA_VERSION dir
  dir=$(wrapper_module "opa-$v" "module k8s-constitution.tools/opa

go 1.26.0

require github.com/open-policy-agent/opa $v") || return 1
  # The module root is OPA's main package; its version string is in the
  # source (v1/version), so no -X is needed for `opa version`.
  (cd "$dir" && go_env go build -trimpath -o "$out" -ldflags "-s -w" \
    github.com/open-policy-agent/opa)
}

build_conftest() {
  local out=$1 v=$CONFTEST_VERSION dir
  dir=$(wrapper_module "conftest-$v" "module k8s-constitution.tools/conftest

go 1.26.8

require github.com/open-policy-agent/conftest $v") || return 1
  # As conftest's Makefile stamps it.
  (cd "$dir" && go_env go build -trimpath -o "$out" -ldflags "-s -w \
    -X github.com/open-policy-agent/conftest/internal/version.Version=${v#v}" \
    github.com/open-policy-agent/conftest)
}

# Not a Go tool: the validator is a self-contained .NET binary published as the npm package
# @microsoft/sarif-multitool-linux; `npm pack` fetches it from the npm registry like any
# package, without running its scripts.
build_sarif-multitool() {
  local out=$1 work
  command -v npm >/dev/null 2>&1 || { log "npm is not installed (needed for sarif-multitool)"; return 1; }
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION" >/dev/null &&
    tar xzf microsoft-sarif-multitool-linux-"$SARIF_MULTITOOL_VERSION".tgz package/Sarif.Multitool) || {
    rm -rf "$work"
    return 1
  }
  mv "$work/package/Sarif.Multitool" "$out"
  chmod 0755 "$out"
  rm -rf "$work"
}

# Wrapper module for k8s.io/kubernetes; prints its directory.
kubernetes_wrapper() {
  local v=$KUBE_VERSION gomod staging_v go_line replaces mods m
  gomod=$(mod_download_field "k8s.io/kubernetes@$v" GoMod) || return 1
  staging_v=v0.${v#v1.} # v1.37.2 -> v0.37.2
  go_line=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod" | head -n1)
  # Every module kubernetes replaces with ./staging/src/... and actually
  # requires (at the v0.0.0 placeholder) gets its published release instead.
  mods=$(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._/-]*\) => \./staging/src/.*#\1#p' "$gomod")
  [[ -n $mods ]] || { log "no staging replace directives found in $gomod"; return 1; }
  replaces=
  for m in $mods; do
    grep -qE "^[[:space:]]*${m//./\\.} v0\.0\.0([[:space:]]|$)" "$gomod" || continue
    replaces+=$'\t'"$m => $m $staging_v"$'\n'
  done
  wrapper_module "kubernetes-$v" "module k8s-constitution.tools/kubernetes

go ${go_line:-1.26.0}

require k8s.io/kubernetes $v

replace (
${replaces})"
}

# Mirrors hack/lib/version.sh: the same variables in client-go and
# component-base.
kubernetes_ldflags() {
  local v=$KUBE_VERSION date minor flags="" pkg
  date=$(mod_time "k8s.io/kubernetes@$v") || return 1
  minor=${v#v1.}
  minor=${minor%%.*}
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  echo "-s -w$flags"
}

build_kubernetes_cmd() {
  local out=$1 cmd=$2 dir ldflags
  dir=$(kubernetes_wrapper) || return 1
  ldflags=$(kubernetes_ldflags) || return 1
  (cd "$dir" && go_env go build -trimpath -o "$out" -ldflags "$ldflags" \
    "k8s.io/kubernetes/cmd/$cmd")
}

build_kubectl() { build_kubernetes_cmd "$1" kubectl; }
build_kube-apiserver() { build_kubernetes_cmd "$1" kube-apiserver; }

# ---- driver ----------------------------------------------------------------
# Installs one tool into .tools/bin, building it into the cache if needed.
ensure_tool() {
  local name=$1 version dir bin tmp start
  version=$(tool_version "$name")
  dir=$CACHE_DIR/$name-$version
  bin=$dir/$name

  if reports_version "$name" "$bin" "$version"; then
    log "$name $version: cached ($bin)"
  else
    log "$name $version: building from source, or fetching from npm for sarif-multitool (this can take several minutes)..."
    mkdir -p "$dir"
    tmp=$dir/.$name.tmp.$$
    rm -f "$tmp"
    start=$SECONDS
    if ! "build_$name" "$tmp"; then
      rm -f "$tmp"
      die "building $name $version failed (see the go output above)"
    fi
    if ! reports_version "$name" "$tmp" "$version"; then
      log "version output of the new $name binary:"
      tool_report "$name" "$tmp" >&2 || true
      rm -f "$tmp"
      die "built $name but it does not report version $version"
    fi
    mv -f "$tmp" "$bin"
    log "$name $version: built in $((SECONDS - start))s"
  fi

  mkdir -p "$BIN_DIR"
  if ! cmp -s "$bin" "$BIN_DIR/$name"; then
    cp -f "$bin" "$BIN_DIR/.$name.tmp.$$"
    chmod 0755 "$BIN_DIR/.$name.tmp.$$"
    mv -f "$BIN_DIR/.$name.tmp.$$" "$BIN_DIR/$name"
  fi
}

main() {
  local tools=() t k known
  for t in "$@"; do
    case $t in
      -h | --help) usage; exit 0 ;;
      -*) usage >&2; die "unknown option: $t" ;;
    esac
    known=
    for k in "${ALL_TOOLS[@]}"; do [[ $t == "$k" ]] && known=1; done
    [[ -n $known ]] || { usage >&2; die "unknown tool: $t"; }
    # de-duplicate, keep order
    [[ " ${tools[*]-} " == *" $t "* ]] || tools+=("$t")
  done
  ((${#tools[@]})) || tools=("${ALL_TOOLS[@]}")

  check_go
  mkdir -p "$CACHE_DIR" "$SRC_DIR" "$BIN_DIR"

  # One build at a time per cache: concurrent runs (a developer and CI on
  # the same machine) wait instead of racing on the same files.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE_DIR/.lock"
    flock -n 9 || { log "waiting for another install-tools run to finish..."; flock 9; }
  fi

  # Builds run one after another: go build already uses every core, and
  # kube-apiserver alone needs several GiB while linking.
  for t in "${tools[@]}"; do
    ensure_tool "$t"
  done

  local line
  for t in "${tools[@]}"; do
    # sed reads all of it: `head` would close the pipe early and, under pipefail,
    # turn the tool's SIGPIPE into a failed run.
    line=$(tool_report "$t" "$BIN_DIR/$t" 2>&1 | sed -n 1p)
    printf '%-15s %s\n' "$t" "$line"
  done
}

main "$@"
