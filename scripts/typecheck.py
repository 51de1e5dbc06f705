"""Run mypy (configured in pyproject.toml) against a baseline of known errors that may only shrink.

Fails on any error not in the baseline, and on any baseline entry that no longer occurs, so the
baseline is brought down as errors are fixed (`--shrink` drops the entries that no longer occur;
it never adds one). Entries carry no line numbers, which shift with every edit: each is a file,
an error code and a message, as often as it occurs.

Run: .venv/bin/python scripts/typecheck.py [--shrink]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scripts" / "typecheck-baseline.txt"
# path:line: error: message  [code]   (mypy's default output)
ERROR = re.compile(r"^(?P<path>[^:]+):\d+: error: (?P<message>.*?)  \[(?P<code>[a-z-]+)\]$")


def errors(output: str) -> Counter[str]:
    """Each error of mypy's output as `path [code] message`, counted."""
    found: Counter[str] = Counter()
    for line in output.splitlines():
        if match := ERROR.match(line):
            found[f"{match['path']} [{match['code']}] {match['message']}"] += 1
    return found


def read_baseline(path: Path) -> Counter[str]:
    if not path.exists():
        return Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line and not line.startswith("#"))


def write_baseline(path: Path, entries: Counter[str]) -> None:
    header = "# mypy errors of today, one a line as often as they occur; may only shrink.\n"
    path.write_text(header + "".join(f"{e}\n" for e in sorted(entries.elements())), "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--shrink", action="store_true", help="drop baseline entries that no longer occur"
    )
    args = parser.parse_args()
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if run.returncode not in (0, 1) or run.stderr.strip():
        sys.stderr.write(run.stdout + run.stderr)
        return 2
    found = errors(run.stdout)
    baseline = read_baseline(BASELINE)
    new = found - baseline
    gone = baseline - found
    if args.shrink and gone:
        write_baseline(BASELINE, baseline - gone)
        print(f"{BASELINE.relative_to(ROOT)}: {sum(gone.values())} entries dropped")
        gone = Counter()
    for entry in sorted(new.elements()):
        print(f"new: {entry}")
    for entry in sorted(gone.elements()):
        print(f"fixed, drop from the baseline (--shrink): {entry}")
    if new:
        locations = "\n".join(line for line in run.stdout.splitlines() if ": error: " in line)
        print(f"\nmypy's errors with their lines:\n{locations}")
    if new or gone:
        return 1
    print(f"mypy: {sum(found.values())} errors, each in the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
