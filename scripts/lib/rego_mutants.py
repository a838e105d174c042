#!/usr/bin/env python3
"""Mutation testing for the Rego rule pack (Python 3 standard library only).

Each mutant is one small change to one non-test `.rego` file under the policies directory:

  flip      a comparison: == <-> !=, < -> >=, >= -> <, > -> <=, <= -> >
  drop      one condition (a whole statement, possibly several lines) of a rule body,
            an `every` body or a comprehension body
  not-      remove a `not`
  not+      add `not` in front of a condition that is not an assignment or `some`/`every`
  const     a numeric constant n -> n+1

The `metadata := {...}` object of a rule is data, not logic: it is not mutated, except numbers
on its "params" line (the defaults the rule falls back to).

Every mutant is written into a private copy of the policies directory (one copy per worker)
and run through `k8s-constitution test <copy>`, so the mutated copy is what is tested, never
the pack embedded in the binary at build time; a planted mutant proves that before the run.

Outcomes: killed (the tests fail), unviable (the pack does not load: parse or compile error,
exit 2), timeout (counted as killed, listed), survived (every test passes). Survivors whose key
is not in the [rego] section of mutants-allowed.txt make the run fail (exit 1).

Keys do not contain line numbers, so they survive unrelated edits:
  policies/rules/x/x.rego: <rule>: <operator>: `<line before>` -> `<line after>`
(`<rule>` is the rule or function the line belongs to, `<rule> (body N)` for its N-th
definition; lines are stripped of indentation.)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Scanning: which characters are code (not strings or comments), and the bracket structure.
# ---------------------------------------------------------------------------------------------


def mask(text: str) -> str:
    """The text with string contents and comments replaced by spaces (same length, newlines
    kept), so operators and brackets can be found with plain regexes."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == '"':
            out.append('"')
            i += 1
            while i < n and text[i] != '"' and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n:
                    out.append("  ")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            if i < n and text[i] == '"':
                out.append('"')
                i += 1
        elif c == "`":
            out.append("`")
            i += 1
            while i < n and text[i] != "`":
                out.append("\n" if text[i] == "\n" else " ")
                i += 1
            if i < n:
                out.append("`")
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


OPEN = {"{": "}", "[": "]", "(": ")"}
CLOSE = {v: k for k, v in OPEN.items()}


@dataclass
class Bracket:
    char: str
    line: int  # 0-based
    col: int
    body: bool = False  # a rule/every/else body or a comprehension body
    bar_line: int = -1  # comprehension: line of the `|` at this bracket's depth
    close_line: int = -1


@dataclass
class LineInfo:
    stack: list  # open brackets at the start of the line (innermost last)
    end_depth: int = 0
    min_depth: int = 0


def structure(masked_lines: list[str]) -> tuple[list[LineInfo], list[Bracket]]:
    stack: list[Bracket] = []
    infos: list[LineInfo] = []
    brackets: list[Bracket] = []
    for ln, line in enumerate(masked_lines):
        info = LineInfo(stack=list(stack))
        depth = len(stack)
        low = depth
        for col, c in enumerate(line):
            if c in OPEN:
                b = Bracket(c, ln, col)
                if c == "{":
                    before = line[:col].rstrip()
                    if re.search(r"(^|\W)(if|else)$", before) or re.match(r"\s*every\s", line):
                        b.body = True
                stack.append(b)
                brackets.append(b)
            elif c in CLOSE:
                if stack:
                    stack.pop().close_line = ln
                low = min(low, len(stack))
            elif c == "|" and stack and stack[-1].bar_line < 0 and stack[-1].char in "[{":
                stack[-1].bar_line = ln
                stack[-1].body = True
        info.end_depth = len(stack)
        info.min_depth = min(low, len(stack))
        infos.append(info)
    return infos, brackets


# ---------------------------------------------------------------------------------------------
# Mutants
# ---------------------------------------------------------------------------------------------


@dataclass
class Mutant:
    path: str  # relative to the repository root, e.g. policies/rules/x/x.rego
    rule: str
    op: str
    lines: list  # 0-based line numbers replaced
    new_lines: list  # their replacement (fewer for a drop)
    before: str
    after: str
    outcome: str = ""
    detail: str = ""
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.path}: {self.rule}: {self.op}: `{self.before}` -> `{self.after}`"

    @property
    def first_line(self) -> int:
        return self.lines[0] + 1


FLIP = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
CMP_RE = re.compile(r"==|!=|<=|>=|<|>")
NUM_RE = re.compile(r"(?<![\w.])\d+(\.\d+)?(?![\w.])")
NOT_RE = re.compile(r"(?<![\w.])not\s+")
HEAD_RE = re.compile(r"^(default\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def rule_names(masked_lines: list[str], infos: list[LineInfo]) -> list[str]:
    """For each line, the name of the top-level rule (or function) it belongs to; the second
    and later definitions of a name are `name (body N)`, so that the same line in two bodies
    (`not "ALL" in drop` in two `violation` rules) gives two keys."""
    names, current, seen = [], "", {}
    for line, info in zip(masked_lines, infos):
        if not info.stack:
            m = HEAD_RE.match(line)
            if m and m.group(2) not in ("package", "import"):
                name = m.group(2)
                seen[name] = seen.get(name, 0) + 1
                current = name if seen[name] == 1 else f"{name} (body {seen[name]})"
            elif line.strip():
                current = ""
        names.append(current)
    return names


def metadata_span(masked_lines: list[str], infos: list[LineInfo]) -> set:
    span = set()
    for ln, line in enumerate(masked_lines):
        if not infos[ln].stack and re.match(r"metadata\s*:?=\s*\{", line):
            span.add(ln)
            k = ln + 1
            while k < len(masked_lines) and len(infos[k].stack) > 0:
                span.add(k)
                k += 1
    return span


def statements(masked_lines: list[str], infos: list[LineInfo]) -> list[tuple[int, int, Bracket]]:
    """(first line, last line, enclosing body) of every statement that sits directly in a body:
    it starts at the body's depth, and ends on the line where the depth is back."""
    out = []
    n = len(masked_lines)
    ln = 0
    while ln < n:
        info = infos[ln]
        text = masked_lines[ln].strip()
        if not info.stack or not text or text[0] in "}])|":
            ln += 1
            continue
        body = info.stack[-1]
        if not body.body or (body.bar_line >= 0 and body.bar_line >= ln) or body.line == ln:
            ln += 1
            continue
        depth = len(info.stack)
        end = ln
        while end < n and infos[end].end_depth > depth:
            end += 1
        if end >= n or infos[ln].min_depth < depth or any(infos[k].min_depth < depth for k in range(ln, end + 1)):
            ln += 1
            continue
        last = masked_lines[end].rstrip()
        if not (last.endswith(",") or last.endswith("|")):
            out.append((ln, end, body))
        # Not past `end`: a multi-line statement (`every ... {`) has statements of its own.
        ln += 1
    return out


def mutants_of(path: str, text: str) -> list[Mutant]:
    lines = text.split("\n")
    masked = mask(text).split("\n")
    infos, _ = structure(masked)
    names = rule_names(masked, infos)
    meta = metadata_span(masked, infos)
    out: list[Mutant] = []

    def skip_line(ln: int) -> bool:
        s = masked[ln].strip()
        return not s or s.startswith("package ") or s.startswith("import ")

    def single(ln: int, op: str, start: int, end: int, repl: str) -> None:
        old = lines[ln]
        new = old[:start] + repl + old[end:]
        out.append(Mutant(path, names[ln], op, [ln], [new], old.strip(), new.strip()))

    for ln, m_line in enumerate(masked):
        if skip_line(ln):
            continue
        in_meta = ln in meta
        if not in_meta:
            for m in CMP_RE.finditer(m_line):
                # `:=` is not a comparison, and `=` alone (unification) is left alone.
                if m.group() in ("<", ">") and m.end() < len(m_line) and m_line[m.end()] == "=":
                    continue
                single(ln, "flip", m.start(), m.end(), FLIP[m.group()])
            for m in NOT_RE.finditer(m_line):
                single(ln, "not-", m.start(), m.end(), "")
        if not in_meta or '"params"' in lines[ln]:
            for m in NUM_RE.finditer(m_line):
                v = m.group()
                bumped = str(int(v) + 1) if m.group(1) is None else repr(float(v) + 1)
                single(ln, "const", m.start(), m.end(), bumped)

    bodies: dict[int, list] = {}
    stmts = statements(masked, infos)
    for first, last, body in stmts:
        bodies.setdefault(id(body), []).append((first, last))
    for first, last, body in stmts:
        if first in meta:
            continue
        text0 = masked[first].strip()
        # Dropping the only statement of a body leaves an empty body (a parse error).
        if len(bodies[id(body)]) > 1:
            out.append(Mutant(path, names[first], "drop", list(range(first, last + 1)), [], lines[first].strip(), ""))
        if first == last and not re.match(r"(some|every|not|default)\s", text0) and not re.search(r":=|(?<![=!<>:])=(?!=)", text0):
            indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
            new = indent + "not " + lines[first].lstrip()
            out.append(Mutant(path, names[first], "not+", [first], [new], lines[first].strip(), new.strip()))
    out.sort(key=lambda m: (m.lines[0], m.op, m.after))
    return out


def apply(text: str, m: Mutant) -> str:
    lines = text.split("\n")
    lines[m.lines[0] : m.lines[-1] + 1] = m.new_lines
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Selecting files and lines
# ---------------------------------------------------------------------------------------------


def changed_lines(repo: Path, base: str, paths: list[str]) -> dict[str, set]:
    """Lines (1-based, in the working tree) changed since `base`, per file."""
    out = subprocess.run(
        ["git", "diff", "--no-color", "--no-ext-diff", "-U0", base, "--", *paths],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout
    changed: dict[str, set] = {}
    current = None
    for line in out.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = target[2:] if target.startswith("b/") else None
            if current is not None:
                changed.setdefault(current, set())
        elif line.startswith("@@") and current is not None:
            m = re.match(r"@@ -\S+ \+(\d+)(?:,(\d+))? @@", line)
            start, count = int(m.group(1)), int(m.group(2) or "1")
            # A pure deletion (count 0) changes the lines around it: mark its neighbours.
            rng = range(start, start + count) if count else range(max(start, 1), start + 2)
            changed[current].update(rng)
    return changed


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


class Workspace:
    """A private copy of the policies directory for one worker."""

    def __init__(self, src: Path, root: Path, index: int):
        self.dir = root / f"w{index}" / src.name
        shutil.copytree(src, self.dir)


def run_tests(binary: str, pack: Path, timeout: float, only: str | None = None) -> tuple[str, str, float]:
    """`k8s-constitution test <pack>`; with `only` (a rule's package), just that rule's tests:
    every module is still loaded and compiled, but only the tests that can see the rule run."""
    started = time.monotonic()
    command = [binary, "test", str(pack)] + (["--run", only] if only else [])
    try:
        p = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", f"no result after {timeout:.0f}s", time.monotonic() - started
    took = time.monotonic() - started
    output = (p.stdout + p.stderr).strip()
    if p.returncode == 0:
        return "survived", "", took
    if p.returncode == 1:
        fails = [ln for ln in output.splitlines() if ln.startswith("FAIL ")]
        passed = re.search(r"^(\d+) passed, \d+ failed$", p.stdout, re.M)
        # Not one test could evaluate (the engine prepares every module on the first query, so
        # an unsafe variable or a bad call fails them all with the same error): the pack does
        # not compile, which is unviable, not a test catching the change.
        if fails and passed and passed.group(1) == "0" and all("): error: " in f for f in fails):
            return "unviable", fails[0][:300], took
        return "killed", (fails[0] if fails else output.splitlines()[-1] if output else ""), took
    # Exit 2: the pack did not load (parse or compile error).
    return "unviable", " ".join(output.split())[:300], took


def rule_package(path: str, text: str) -> str | None:
    """The package of a rule file (policies/rules/...): only its own tests can see it (rules
    use the libraries, never each other). None for libraries, whose mutants run every test."""
    if "/rules/" not in path:
        return None
    m = re.search(r"^package\s+(\S+)", text, re.M)
    return m.group(1) if m else None


def load_allowed(path: Path, section: str) -> dict[str, str]:
    """KEY ## why, one per line, under [section]. Lines starting with # are comments."""
    allowed: dict[str, str] = {}
    if not path.exists():
        return allowed
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.fullmatch(r"\[[a-z]+\]", line):
            current = line[1:-1]
            continue
        if current != section:
            continue
        key, sep, why = line.partition(" ## ")
        if not sep or not why.strip():
            raise SystemExit(f"rego_mutants: {path}: entry without ' ## why': {line}")
        allowed[key.strip()] = why.strip()
    return allowed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="k8s-constitution binary")
    ap.add_argument("--repo", default=".", help="repository root (default: .)")
    ap.add_argument("--policies", default="policies", help="policies directory, relative to --repo")
    ap.add_argument("--in-diff", metavar="BASE", help="only mutation sites on lines changed since BASE")
    ap.add_argument("--file", action="append", default=[], help="only this file (repeatable; a path or glob relative to --repo)")
    ap.add_argument("--exclude", action="append", default=[], help="leave out files matching this glob (repeatable)")
    ap.add_argument("--shard", metavar="K/N", help="only every N-th mutant, starting at K (0-based)")
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60, help="seconds per test run (default 60)")
    ap.add_argument("--allowed", default="mutants-allowed.txt", help="allowed survivors (its [rego] section)")
    ap.add_argument("--output", default="mutants.out-rego", help="results directory (replaced)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--retest", action="store_true",
                    help="only the survivors of the last run (its missed.txt in --output): after writing tests")
    args = ap.parse_args()

    repo = Path(args.repo).resolve()
    policies = repo / args.policies
    if not policies.is_dir():
        print(f"rego_mutants: no policies directory at {policies}", file=sys.stderr)
        return 2

    files = sorted(
        p.relative_to(repo).as_posix()
        for p in policies.rglob("*.rego")
        if not p.name.endswith("_test.rego")
    )
    if args.file:
        wanted = [f.rstrip("/") for f in args.file]
        files = [f for f in files if any(f == w or fnmatch.fnmatch(f, w) or f.startswith(w + "/") for w in wanted)]
        if not files:
            print(f"rego_mutants: --file matches no non-test .rego file under {args.policies}: {' '.join(args.file)}", file=sys.stderr)
            return 2
    if args.exclude:
        files = [f for f in files if not any(fnmatch.fnmatch(f, x) or f.startswith(x.rstrip("/") + "/") for x in args.exclude)]

    changed = None
    if args.in_diff:
        changed = changed_lines(repo, args.in_diff, files)

    mutants: list[Mutant] = []
    for f in files:
        if changed is not None and not changed.get(f):
            continue
        for m in mutants_of(f, (repo / f).read_text()):
            if changed is not None and not any(ln + 1 in changed[f] for ln in m.lines):
                continue
            mutants.append(m)
    if args.retest:
        previous = repo / args.output / "missed.txt"
        if not previous.exists():
            print(f"rego_mutants: --retest: no {args.output}/missed.txt from a previous run", file=sys.stderr)
            return 2
        keys = {ln.split(": ", 1)[1] for ln in previous.read_text().splitlines() if ": " in ln}
        mutants = [m for m in mutants if m.key in keys]
    if args.shard:
        k, n = (int(x) for x in args.shard.split("/"))
        if not 0 <= k < n:
            print("rego_mutants: --shard K/N needs 0 <= K < N", file=sys.stderr)
            return 2
        mutants = mutants[k::n]

    if args.list:
        for m in mutants:
            print(f"{m.path}:{m.first_line}: {m.key}")
        print(f"{len(mutants)} mutants in {len(files)} files", file=sys.stderr)
        return 0

    allowed = load_allowed(repo / args.allowed, "rego")
    out_dir = repo / args.output
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)

    scope = f"in-diff {args.in_diff}" if args.in_diff else ("files " + " ".join(args.file) if args.file else "full")
    if args.retest:
        scope += ", survivors of the last run"
    print(f"rego mutants: {len(mutants)} mutants in {len(files)} files ({scope}), {args.jobs} jobs", flush=True)

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="k8sc-rego-mutants-") as tmp:
        root = Path(tmp)
        # Baseline and a planted mutant, both in a private copy: the copy must pass as it is,
        # and a rule that reports everything must fail it (proves the copy is what is tested).
        base = Workspace(policies, root, 99)
        outcome, detail, took = run_tests(args.binary, base.dir, args.timeout)
        if outcome != "survived":
            print(f"rego_mutants: the unmutated pack does not pass its tests ({outcome}): {detail}", file=sys.stderr)
            return 2
        print(f"  baseline: tests pass in {took:.2f}s", flush=True)
        rule_files = sorted(base.dir.glob("rules/*/*.rego"))
        plant = next((p for p in rule_files if not p.name.endswith("_test.rego") and "violation contains" in p.read_text()), None)
        if plant is None:
            print("rego_mutants: no rule file to plant a mutant in", file=sys.stderr)
            return 2
        original = plant.read_text()
        plant.write_text(original + '\nviolation contains {"msg": "planted mutant", "path": []} if true\n')
        outcome, detail, _ = run_tests(args.binary, base.dir, args.timeout)
        plant.write_text(original)
        if outcome != "killed":
            print(f"rego_mutants: a planted mutant in {plant.relative_to(base.dir)} was not killed ({outcome}): "
                  "the test command is not testing the mutated copy", file=sys.stderr)
            return 2
        print(f"  planted mutant in {plant.relative_to(base.dir.parent)}: killed ({detail})", flush=True)

        pool_dirs: list[Path] = [Workspace(policies, root, i).dir for i in range(max(args.jobs, 1))]
        free = list(pool_dirs)
        lock = threading.Lock()
        done = [0]

        def work(m: Mutant) -> Mutant:
            with lock:
                d = free.pop()
            try:
                target = d / Path(m.path).relative_to(args.policies)
                original = target.read_text()
                target.write_text(apply(original, m))
                try:
                    m.outcome, m.detail, m.seconds = run_tests(args.binary, d, args.timeout, rule_package(m.path, original))
                    if m.outcome == "survived" and rule_package(m.path, original):
                        # Confirm with every test of the pack before calling it a survivor.
                        m.outcome, m.detail, extra = run_tests(args.binary, d, args.timeout)
                        m.seconds += extra
                finally:
                    target.write_text(original)
            finally:
                with lock:
                    free.append(d)
                    done[0] += 1
                    if m.outcome == "survived":
                        print(f"  SURVIVED {m.path}:{m.first_line}: {m.key}", flush=True)
                    if done[0] % 50 == 0:
                        print(f"  {done[0]}/{len(mutants)} done, {time.monotonic() - started:.0f}s", flush=True)
            return m

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as ex:
            list(ex.map(work, mutants))
    elapsed = time.monotonic() - started

    by = {k: [m for m in mutants if m.outcome == k] for k in ("killed", "survived", "unviable", "timeout")}
    new_survivors = [m for m in by["survived"] if m.key not in allowed]
    for name in ("killed", "survived", "unviable", "timeout"):
        (out_dir / f"{'missed' if name == 'survived' else 'caught' if name == 'killed' else name}.txt").write_text(
            "".join(f"{m.path}:{m.first_line}: {m.key}\n" for m in by[name])
        )
    (out_dir / "outcomes.json").write_text(json.dumps([
        {"key": m.key, "line": m.first_line, "outcome": m.outcome, "detail": m.detail, "seconds": round(m.seconds, 3)}
        for m in mutants
    ], indent=1))

    per_file: dict[str, dict] = {}
    for m in mutants:
        s = per_file.setdefault(m.path, {"mutants": 0, "killed": 0, "survived": 0, "unviable": 0, "timeout": 0})
        s["mutants"] += 1
        s[m.outcome] += 1
    (out_dir / "summary.json").write_text(json.dumps({
        "scope": scope, "mutants": len(mutants), "killed": len(by["killed"]), "survived": len(by["survived"]),
        "unviable": len(by["unviable"]), "timeout": len(by["timeout"]), "seconds": round(elapsed, 1),
        "allowed_survivors": len(by["survived"]) - len(new_survivors), "files": per_file,
    }, indent=1))

    print(f"rego mutants: {len(mutants)} mutants, {len(by['killed'])} killed, {len(by['survived'])} survived "
          f"({len(by['survived']) - len(new_survivors)} allowed), {len(by['unviable'])} unviable, "
          f"{len(by['timeout'])} timeouts (count as killed) in {elapsed:.0f}s; results in {args.output}/")
    if not args.in_diff and not args.shard and not args.retest:
        in_scope = set(files)
        stale = sorted(k for k in set(allowed) - {m.key for m in by["survived"]} if k.split(": ", 1)[0] in in_scope)
        for key in stale:
            print(f"  note: allowed survivor no longer survives (or no longer exists): {key}")
    if new_survivors:
        print(f"rego mutants: {len(new_survivors)} survivor(s) not in {args.allowed} [rego]: kill each with a "
              "test in its rule's *_test.rego, or list its key there with ' ## why':", file=sys.stderr)
        for m in new_survivors:
            print(f"  {m.path}:{m.first_line}: {m.key}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
