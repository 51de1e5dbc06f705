"""Every module imports on its own, first, in a fresh interpreter: no import cycle hides behind
the order in which the CLI happens to import them.

Only a module on an import cycle can fail when imported first (the cycle's other modules are
then half-initialised); a module off every cycle imports its dependencies in an order that
works whatever came before. So each module on a cycle of the module-level import graph (read
from the source) is imported first in a child of its own, and every module is imported at all.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import stackgen

PACKAGE = Path(stackgen.__file__).parent

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

IMPORT_ALL = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"


def _source(name: str) -> Path:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imported_at_load(name: str) -> set[str]:
    """The stackgen modules `name` imports when it loads: top-level imports, those under a
    module-level `if`/`try` too, not those in functions or under `if TYPE_CHECKING`."""
    source = _source(name)
    package = name if source.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for statement in ast.parse(source.read_text()).body:
        if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(statement.test):
            continue
        nested = isinstance(statement, ast.If | ast.Try)
        for node in ast.walk(statement) if nested else [statement]:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, one level up per extra dot
                    parts = package.split(".")[: package.count(".") + 2 - node.level]
                    base = ".".join([*parts, base] if base else parts)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
    # importing a.b.c loads a and a.b first
    loaded = {".".join(m.split(".")[:i]) for m in found for i in range(1, m.count(".") + 2)}
    return {m for m in loaded if m in MODULES and m != name}


def _on_a_cycle(graph: dict[str, set[str]]) -> set[str]:
    """The modules some import path leads from back to themselves."""

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo.extend(graph[module])
        return seen

    return {module for module in graph if module in reachable(module)}


def test_every_module_imports_first():
    graph = {name: _imported_at_load(name) for name in MODULES}
    cyclic = sorted(_on_a_cycle(graph))
    assert "stackgen.plan.slos" in cyclic  # the packages re-export their modules: cycles
    first = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST, *cyclic], capture_output=True, text=True
    )
    everything = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, *MODULES], capture_output=True, text=True
    )
    assert len(MODULES) > 40
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    assert (everything.returncode, everything.stderr) == (0, "")


def test_the_import_graph_sees_a_cycle_through_a_package_and_its_module():
    graph = {name: _imported_at_load(name) for name in MODULES}
    assert {"stackgen.plan", "stackgen.plan.proofs"} <= graph["stackgen.plan.planner"]
    cyclic = _on_a_cycle(graph)
    assert "stackgen.plan.planner" in cyclic  # stackgen.plan loads it, and it loads stackgen.plan
    assert "stackgen.common.values" not in cyclic


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
