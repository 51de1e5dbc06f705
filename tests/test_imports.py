"""Every module imports on its own, first, in a fresh interpreter: no import cycle hides behind
the order in which the CLI happens to import them."""

import pkgutil
import subprocess
import sys

import stackgen

# (stackgen.__main__ runs the CLI: `python -m stackgen`)
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(stackgen.__path__, prefix="stackgen.")
    if m.name != "stackgen.__main__"
)

# One interpreter loads the third-party libraries once, then forks a child per module: each
# child starts with no stackgen module loaded, so it imports its module first, as a fresh
# interpreter would, without paying an interpreter start-up per module.
IMPORT_EACH_FIRST = """
import importlib, os, sys, traceback
import jinja2, jsonschema, promql_parser, pydantic, typer, yaml
assert not any(name.startswith("stackgen") for name in sys.modules)
failed = 0
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            print(name + ": " + traceback.format_exc().strip().splitlines()[-1], flush=True)
            os._exit(1)
        os._exit(0)
    failed |= os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0
sys.exit(failed)
"""


def test_every_module_imports_first():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST, *MODULES], capture_output=True, text=True
    )
    assert len(MODULES) > 40
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_a_module_that_fails_to_import_is_reported_by_name():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST, "stackgen.no_such_module"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout == (
        "stackgen.no_such_module: ModuleNotFoundError: No module named 'stackgen.no_such_module'\n"
    )
