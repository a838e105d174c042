#!/usr/bin/env bash
# Mutation testing: do the tests catch small bugs? Two mutators, one allow-list.
#
#   scripts/mutants.sh                          # full run: Rust (cargo-mutants) and Rego
#   scripts/mutants.sh --in-diff [BASE]         # only code changed since BASE (default HEAD~1)
#   scripts/mutants.sh --rust --file src/exempt.rs --file src/config.rs
#   scripts/mutants.sh --rust --shard 0/8       # one shard of the full Rust run (k is 0-based)
#   scripts/mutants.sh --rego                   # every rule of the pack
#   scripts/mutants.sh --install                # only install cargo-mutants (cached)
#   scripts/mutants.sh --prepare --in-diff --fast   # install, and build the dependencies the
#                                               # Rust run needs when the diff has Rust in it
#   scripts/mutants.sh --in-diff --fast         # Rust with the fast tests only (what CI runs)
#
# Rust: cargo-mutants (from crates.io, installed on first use into
#   ${K8SC_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-constitution/tools}/cargo-mutants-<version>)
#   with .cargo/mutants.toml: debug builds in a copy of the tree, the test targets that judge
#   verdicts and exit codes, a per-mutant timeout. Its build directory is
#   ${K8SC_MUTANTS_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-constitution/mutants-target},
#   outside the repo and kept between runs (fresh clones too), so that the dependencies are
#   built once. Results in mutants.out/ (cargo-mutants' own layout).
# Rego: scripts/lib/rego_mutants.py over policies/**/*.rego (tests excluded), each mutant run
#   through `k8s-constitution test <private copy of policies/>` with the release binary.
#   Results in mutants.out-rego/.
#
# A survivor (a mutant no test notices) fails the run unless mutants-allowed.txt lists it, with
# one line of why, in its [rust] or [rego] section (timeouts, a mutant that makes the tests hang,
# count as killed: the suite would never pass with it):
#   [rust]  <file>: <cargo-mutants' description>  ## why      e.g.
#           src/exempt.rs: replace Date::today -> Self with Default::default()  ## ...
#   [rego]  <key printed by the Rego mutator>  ## why
# Both keys leave out line numbers, so unrelated edits do not invalidate them.
#
# Options:
#   --rust | --rego     only that side (default: both)
#   --in-diff [BASE]    mutants on lines changed since BASE (default HEAD~1; the working tree,
#                       uncommitted changes included, against BASE). BASE must exist: a shallow
#                       clone without it fails with a message, never passes on an empty diff.
#   --file PATH         only this file (repeatable): .rs files go to cargo-mutants, .rego files
#                       (or directories under policies/) to the Rego mutator
#   --exclude PATH      leave out this file or directory (repeatable; Rego side)
#   --shard K/N         shard K (0-based) of N, on both sides
#   --jobs N            Rego test runs in parallel (default 2); cargo-mutants always runs one
#                       build at a time (2 cores: one cargo test already uses both)
#   --retest            only what survived the last run (Rego: its missed.txt; Rust: cargo-mutants
#                       --iterate, which skips what the last runs caught), after writing tests
#   --fast              Rust: only the library's unit tests and tests/mutants_*.rs (the verdict
#                       matrix), instead of the config's test targets: a mutant then costs one
#                       build of the library and one binary, about a minute on 2 cores
#   --timeout S         per-mutant test timeout in seconds (Rust: overrides the config's
#                       3x-baseline rule; Rego: default 60)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_MUTANTS_VERSION=27.1.0
TOOLS_CACHE=${K8SC_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-constitution/tools}
CARGO_MUTANTS_ROOT=$TOOLS_CACHE/cargo-mutants-$CARGO_MUTANTS_VERSION
CARGO_MUTANTS=$CARGO_MUTANTS_ROOT/bin/cargo-mutants
ALLOWED=mutants-allowed.txt

log() { printf 'mutants: %s\n' "$*" >&2; }
die() { printf 'mutants: error: %s\n' "$*" >&2; exit 2; }

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

install_cargo_mutants() {
  if [[ -x $CARGO_MUTANTS ]] && "$CARGO_MUTANTS" mutants --version 2>/dev/null | grep -qF "$CARGO_MUTANTS_VERSION"; then
    return 0
  fi
  log "installing cargo-mutants $CARGO_MUTANTS_VERSION into $CARGO_MUTANTS_ROOT (once; a few minutes)"
  mkdir -p "$CARGO_MUTANTS_ROOT"
  cargo install --locked --quiet --root "$CARGO_MUTANTS_ROOT" --version "$CARGO_MUTANTS_VERSION" cargo-mutants ||
    die "cargo install cargo-mutants $CARGO_MUTANTS_VERSION failed"
  [[ -x $CARGO_MUTANTS ]] || die "cargo-mutants is not at $CARGO_MUTANTS after installing it"
}

# ---- arguments ---------------------------------------------------------------------------
do_rust=1 do_rego=1 side_given=''
in_diff='' base=''
shard='' jobs=2 timeout='' fast='' retest='' prepare=''
rust_files=() rego_files=() rego_excludes=()
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --install) install_cargo_mutants; echo "$CARGO_MUTANTS"; exit 0 ;;
    --prepare) prepare=1 ;;
    --rust | --rego)
      # The first of them picks one side, a second adds the other.
      if [[ -z $side_given ]]; then do_rust=0 do_rego=0 side_given=1; fi
      if [[ $1 == --rust ]]; then do_rust=1; else do_rego=1; fi
      ;;
    --in-diff)
      in_diff=1 base=HEAD~1
      if [[ $# -gt 1 && $2 != -* ]]; then base=$2; shift; fi
      ;;
    --in-diff=*) in_diff=1 base=${1#*=} ;;
    --file) [[ $# -gt 1 ]] || die "--file needs a path"
      case $2 in
        *.rs) rust_files+=("$2") ;;
        *) rego_files+=("$2") ;;
      esac
      shift ;;
    --fast) fast=1 ;;
    --retest) retest=1 ;;
    --exclude) [[ $# -gt 1 ]] || die "--exclude needs a path"; rego_excludes+=("$2"); shift ;;
    --shard) [[ $# -gt 1 && $2 =~ ^[0-9]+/[0-9]+$ ]] || die "--shard needs K/N"; shard=$2; shift ;;
    --jobs | -j) [[ $# -gt 1 && $2 =~ ^[0-9]+$ ]] || die "--jobs needs a number"; jobs=$2; shift ;;
    --timeout) [[ $# -gt 1 && $2 =~ ^[0-9]+$ ]] || die "--timeout needs seconds"; timeout=$2; shift ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done
# --file narrows the sides: only .rs files means Rust only, only policy files means Rego only.
if [[ -z $side_given ]] && ((${#rust_files[@]} + ${#rego_files[@]})); then
  ((${#rust_files[@]})) || do_rust=0
  ((${#rego_files[@]})) || do_rego=0
fi

if [[ -n $in_diff ]]; then
  if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
    # A shallow clone (or a first commit) has no HEAD~1. Passing on an empty diff would be a
    # silent skip, so this fails; fetch more history (git fetch --deepen=1) or name a BASE.
    die "--in-diff: base '$base' is not a commit in this clone (shallow clone or first commit?); run 'git fetch --deepen=1' or pass another BASE"
  fi
  log "in-diff: mutants on lines changed since $base ($(git rev-parse --short "$base"))"
fi

MUTANTS_TARGET_DIR=${K8SC_MUTANTS_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-constitution/mutants-target}

# --prepare: what a timed run should not pay for. cargo-mutants installed, and (when the Rust
# side has something to do) the dependencies built once into the kept build directory, in the
# debug profile of the test targets the run will use. On a machine that ran it before, seconds.
if [[ -n $prepare ]]; then
  # Nothing to install or build when an in-diff run has no Rust to mutate (a docs or Rego
  # commit): a cold machine would otherwise spend minutes compiling cargo-mutants for nothing.
  if ((do_rust)) && { [[ -z $in_diff ]] || ! git diff --quiet "$base" -- '*.rs'; }; then
    install_cargo_mutants
    log "prepare: building the test targets' dependencies into $MUTANTS_TARGET_DIR"
    tests=(--lib --test 'mutants_*')
    [[ -n $fast ]] || tests=(--lib --tests)
    CARGO_TARGET_DIR=$MUTANTS_TARGET_DIR cargo test --locked --no-run --quiet "${tests[@]}" ||
      die "prepare: cargo test --no-run failed"
  fi
  exit 0
fi

failed=0
summary=()
tmp_files=()
trap 'rm -f "${tmp_files[@]}"' EXIT

# ---- Rust --------------------------------------------------------------------------------
# "src/exempt.rs:196:9: replace x with y" -> "src/exempt.rs: replace x with y"
strip_positions() { sed -E 's/^([^:]+):[0-9]+:[0-9]+: /\1: /'; }

allowed_keys() { # section
  awk -v want="[$1]" '
    /^[[:space:]]*(#|$)/ { next }
    /^\[[a-z]+\][[:space:]]*$/ { section = $1; next }
    section == want {
      n = index($0, " ## ")
      if (n == 0) { print "ENTRY WITHOUT WHY: " $0 > "/dev/stderr"; bad = 1; next }
      key = substr($0, 1, n - 1); sub(/[[:space:]]+$/, "", key); sub(/^[[:space:]]+/, "", key)
      print key
    }
    END { exit bad }' "$ALLOWED"
}

lines_in() { if [[ -f $1 ]]; then grep -c . "$1" || true; else echo 0; fi; }

run_rust() {
  local args=(mutants --jobs 1 --output .)
  local started=$SECONDS out=mutants.out
  if [[ -n $in_diff ]]; then
    local diff
    diff=$(mktemp "${TMPDIR:-/tmp}/k8sc-mutants-diff.XXXXXX")
    tmp_files+=("$diff")
    git diff --no-color --no-ext-diff "$base" -- '*.rs' >"$diff"
    if [[ ! -s $diff ]]; then
      log "rust: no .rs file changed since $base: 0 Rust mutants to test"
      summary+=("rust: no Rust change since $base (0 mutants)")
      return 0
    fi
    args+=(--in-diff "$diff")
  fi
  install_cargo_mutants
  local f
  for f in "${rust_files[@]}"; do args+=(--file "$f"); done
  [[ -n $shard ]] && args+=(--shard "$shard")
  [[ -n $timeout ]] && args+=(--timeout "$timeout")
  [[ -n $retest ]] && args+=(--iterate)
  if [[ -n $fast ]]; then
    # The config with its test targets replaced by the fast set (a file cargo-mutants reads
    # instead of .cargo/mutants.toml: command-line test arguments would add to the config's).
    local fast_config
    fast_config=$(mktemp --suffix=.toml "${TMPDIR:-/tmp}/k8sc-mutants-fast.XXXXXX")
    tmp_files+=("$fast_config")
    python3 - .cargo/mutants.toml "$fast_config" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
fast = 'additional_cargo_test_args = ["--lib", "--test", "mutants_*"]'
new, n = re.subn(r"(?ms)^additional_cargo_test_args = \[.*?^\]", fast, text)
if n != 1:
    sys.exit("mutants: cannot find additional_cargo_test_args in .cargo/mutants.toml")
open(sys.argv[2], "w").write(new)
PY
    args+=(--config "$fast_config")
  fi
  log "rust: $CARGO_MUTANTS ${args[*]}"
  # A run that finds no mutant (an in-diff of test code only) writes no results: never read
  # the previous run's (except with --retest, where cargo-mutants --iterate reads them).
  [[ -n $retest ]] || rm -rf "$out"
  local rc=0
  CARGO_TARGET_DIR=$MUTANTS_TARGET_DIR "$CARGO_MUTANTS" "${args[@]}" || rc=$?
  local took=$((SECONDS - started))
  case $rc in
    0 | 2 | 3) ;;
    4) log "rust: the tests fail on the unmutated tree (see $out/log/baseline.log)"; failed=1; return ;;
    *) log "rust: cargo-mutants failed (exit $rc; see $out/)"; failed=1; return ;;
  esac
  local caught missed unviable timeouts
  caught=$(lines_in "$out/caught.txt") missed=$(lines_in "$out/missed.txt")
  unviable=$(lines_in "$out/unviable.txt") timeouts=$(lines_in "$out/timeout.txt")
  local allowed new
  allowed=$(allowed_keys rust) || die "$ALLOWED: every [rust] entry needs ' ## why'"
  new=$( { [[ -f $out/missed.txt ]] && strip_positions <"$out/missed.txt"; } | sort -u |
    grep -vxF -f <(printf '%s\n' "$allowed" | sed '/^$/d') || true)
  local new_count
  new_count=$(printf '%s' "$new" | grep -c . || true)
  summary+=("rust: $((caught + missed + unviable + timeouts)) mutants, $caught killed, $missed survived ($((missed - new_count)) allowed), $unviable unviable, $timeouts timeouts (count as killed) in ${took}s")
  if ((timeouts)); then
    log "rust: $timeouts mutant(s) made the tests hang (killed by the timeout; see $out/timeout.txt):"
    sed 's/^/  /' "$out/timeout.txt" >&2
  fi
  if [[ -n $new ]]; then
    log "rust: survivors not in $ALLOWED [rust] (kill each with a test, or list it with ' ## why'):"
    printf '%s\n' "$new" | sed 's/^/  /' >&2
    failed=1
  fi
}

# ---- Rego --------------------------------------------------------------------------------
run_rego() {
  local bin=${CARGO_TARGET_DIR:-target}/release/k8s-constitution
  if [[ ! -x $bin ]]; then
    log "rego: building the release binary (the test runner; the mutated pack is read from a directory)"
    cargo build --release --locked --quiet
  fi
  local args=(--binary "$bin" --jobs "$jobs" --allowed "$ALLOWED" --output mutants.out-rego)
  [[ -n $in_diff ]] && args+=(--in-diff "$base")
  local f
  for f in "${rego_files[@]}"; do args+=(--file "$f"); done
  for f in "${rego_excludes[@]}"; do args+=(--exclude "$f"); done
  [[ -n $shard ]] && args+=(--shard "$shard")
  [[ -n $timeout ]] && args+=(--timeout "$timeout")
  [[ -n $retest ]] && args+=(--retest)
  local rc=0
  python3 scripts/lib/rego_mutants.py "${args[@]}" || rc=$?
  if [[ -f mutants.out-rego/summary.json ]]; then
    summary+=("rego: $(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print("%(mutants)d mutants, %(killed)d killed, %(survived)d survived (%(allowed_survivors)d allowed), %(unviable)d unviable, %(timeout)d timeouts (count as killed) in %(seconds).0fs" % s)' mutants.out-rego/summary.json)")
  fi
  ((rc == 0)) || failed=1
}

((do_rego)) && run_rego
((do_rust)) && run_rust

echo
for line in "${summary[@]}"; do echo "mutants: $line"; done
if ((failed)); then
  echo "mutants: FAILED (survivors outside $ALLOWED, timeouts, or a run that could not complete)" >&2
  exit 1
fi
echo "mutants: OK: no survivor outside $ALLOWED"
