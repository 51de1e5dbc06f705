"""The spec stage is the bottom of the flow: nothing in it imports a later stage, at module
level or inside a function."""

import ast
from pathlib import Path

import stackgen.spec

LATER_STAGES = ("stackgen.plan", "stackgen.render", "stackgen.lint", "stackgen.targets")


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_the_spec_imports_no_later_stage():
    root = Path(stackgen.spec.__file__).parent
    found = {
        f"{path.relative_to(root)}: {module}"
        for path in root.rglob("*.py")
        for module in imported_modules(path)
        if module.startswith(LATER_STAGES)
    }
    assert found == set()
