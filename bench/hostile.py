"""Benchmark: hostile inputs through the real commands, each in a process of its own. Prints a
table of each input's exit code and wall time for `validate`, `render` and `lint`: a billion
laughs, PromQL 10,000 deep (brackets, and a chain of operators), routes 300 deep.

`in-process`: the time of reading and checking the spec alone (`load_checked_stack`), without
the interpreter's start-up and imports, which dominate each command's wall time.

Run: .venv/bin/python bench/hostile.py
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.helpers import MINIMAL  # noqa: E402 (the repository's root is added just above)

LAUGHS = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 9)
)
RULE = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: '{expr}'\n"
DEEP = "(" * 10_000 + "up" + ")" * 10_000
CHAIN = " + ".join(["up"] * 10_000)


def _alert(expr: str) -> str:
    return MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    custom_alerts:\n      - name: Deep\n"
        f"        expr: '{expr}'\n        summary: s\n        description: d\n",
    )


def _routes(levels: int) -> str:
    route = "{channel: ops}"
    for _ in range(levels):
        route = f"{{channel: ops, routes: [{route}]}}"
    return MINIMAL + f"  routes: [{route}]\n"


SPECS = {
    "a valid spec, for comparison": MINIMAL,
    "billion laughs (10^9 nodes)": MINIMAL + LAUGHS,
    "PromQL 10,000 brackets deep": _alert(DEEP),
    "PromQL 10,000 operators chained": _alert(CHAIN),
    "routes 300 deep": _routes(300),
}
RULE_FILES = {
    "a valid rule file, for comparison": RULE.format(expr="up == 0"),
    "billion laughs (10^9 nodes)": LAUGHS + RULE.format(expr="up == 0"),
    "PromQL 10,000 brackets deep": RULE.format(expr=DEEP),
    "PromQL 10,000 operators chained": RULE.format(expr=CHAIN),
}


def _run(*args: str, cwd: Path) -> tuple[int, float, bool]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "stackgen", *args], capture_output=True, text=True, cwd=cwd
    )
    elapsed = time.perf_counter() - started
    return result.returncode, elapsed, "Traceback" in result.stderr


def _in_process(spec: Path) -> float:
    """Seconds `stackgen validate` spends reading and checking the spec, imports done."""
    from stackgen.lint.spec_checks import load_checked_stack
    from stackgen.spec import SpecErrors

    load_checked_stack(REPO / "specs")  # imports and caches warm
    started = time.perf_counter()
    with contextlib.suppress(SpecErrors):
        load_checked_stack(spec)
    return time.perf_counter() - started


def main() -> None:
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"{'input':<34} {'command':<9} {'exit':>4} {'seconds':>8}  traceback  in-process")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in SPECS.items():
            spec = root / "spec.yml"
            spec.write_text(text)
            for command in ("validate", "render"):
                extra = ["-o", str(root / "out"), "--no-tools"] if command == "render" else []
                code, seconds, trace = _run(command, str(spec), *extra, cwd=root)
                inside = f"{_in_process(spec):10.3f}" if command == "validate" else ""
                print(f"{name:<34} {command:<9} {code:>4} {seconds:>8.2f}  {trace!s:<9}{inside}")
        for name, text in RULE_FILES.items():
            rules = root / "rules.yml"
            rules.write_text(text)
            code, seconds, trace = _run("lint", str(rules), cwd=root)
            print(f"{name:<34} {'lint':<9} {code:>4} {seconds:>8.2f}  {trace}")
        code, seconds, _ = _run("--version", cwd=root)
        print(f"{'(start-up: stackgen --version)':<34} {'':<9} {code:>4} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
