#!/usr/bin/env python3
"""Prints every credential of fixtures/secrets-corpus/secrets.txt that the given files show:
the value, its base64 (padding left out) or any 8-character piece of either; exit 1 if any.
The same check as tests/common/secret_corpus.rs, for the outputs scripts/e2e.sh collects
(audit of the live corpus)."""
import base64
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def secrets():
    for line in (ROOT / "fixtures/secrets-corpus/secrets.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            value, label = line.split("\t", 1)
            yield value, label


def forms(value):
    encoded = base64.b64encode(value.encode()).decode().rstrip("=")
    yield value
    yield encoded
    for text in (value, encoded):
        for i in range(len(text) - 7):
            yield text[i : i + 8]


def main(paths):
    leaked = 0
    for path in paths:
        text = pathlib.Path(path).read_text(errors="replace")
        for value, label in secrets():
            shown = next((f for f in forms(value) if f in text), None)
            if shown is not None:
                print(f"{path}: {label}: {shown!r}")
                leaked += 1
    return 1 if leaked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
