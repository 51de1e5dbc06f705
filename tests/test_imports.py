"""Every module imports on its own, first, in a fresh interpreter: no import cycle hides behind
the order in which the CLI happens to import them."""

import pkgutil
import subprocess
import sys

import pytest

import stackgen

# (stackgen.__main__ runs the CLI: `python -m stackgen`)
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(stackgen.__path__, prefix="stackgen.")
    if m.name != "stackgen.__main__"
)


@pytest.mark.slow
def test_every_module_imports_first():
    failures = []
    for name in MODULES:
        result = subprocess.run(
            [sys.executable, "-c", f"import {name}"], capture_output=True, text=True
        )
        if result.returncode != 0:
            failures.append(f"{name}: {result.stderr.strip()[-300:]}")
    assert len(MODULES) > 40 and failures == []
