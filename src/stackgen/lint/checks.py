"""The checks and their engine: every module of lint.rules is one check, found by listing the
package (in the order of the modules' names); a check yields hits, a place and a message, and
the engine makes them findings with the check's ID and its default severity."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from types import ModuleType

from stackgen.lint import rules
from stackgen.lint.findings import Finding, Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings, Spot

_SHARED_MODULES = frozenset({"__init__", "base"})


class Check:
    """One check as its module declares it. Read from the module on every use, so that a
    changed declaration (a default severity, say) is what the findings carry. A plain class,
    not a dataclass: lint's start-up does without dataclasses (and the inspect they load)."""

    __slots__ = ("module",)

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Check) and other.module is self.module

    def __hash__(self) -> int:
        return hash(self.module)

    @property
    def id(self) -> str:
        return str(self.module.ID)

    @property
    def severity(self) -> Severity:
        severity: Severity = self.module.SEVERITY
        return severity

    @property
    def scopes(self) -> tuple[Scope, ...]:
        scopes: tuple[Scope, ...] = self.module.SCOPES
        return scopes

    @property
    def audience(self) -> Audience:
        audience: Audience = self.module.AUDIENCE
        return audience

    @property
    def doc(self) -> str:
        """The first paragraph of the module's docstring, on one line."""
        first = (self.module.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(first.split())

    @property
    def hint(self) -> str:
        return str(self.module.HINT)

    def function(self, scope: Scope) -> Callable[..., Iterator[Hit]]:
        """The module's check for `scope`: `check` for its first, `check_<scope>` for others."""
        name = "check" if scope == self.scopes[0] else f"check_{scope}"
        found: Callable[..., Iterator[Hit]] = getattr(self.module, name)
        return found

    def severity_for(self, settings: Settings) -> Severity:
        """The severity of its findings under `settings`: its module's `severity_for` where it
        has one (a finding that rests on a guess is info), else SEVERITY."""
        judge = vars(self.module).get("severity_for")  # most have none: no AttributeError raised
        return self.severity if judge is None else judge(settings)  # type: ignore[no-any-return]

    def finding(self, spot: Spot, message: str, severity: Severity | None = None) -> Finding:
        severity = severity or self.severity
        return Finding(spot.file, spot.line, spot.column, self.id, severity, message)

    def findings(self, spotted: Iterable[tuple[Spot, str]]) -> Iterator[Finding]:
        return (self.finding(spot, message) for spot, message in spotted)


def module_name(check_id: str) -> str:
    """`promql/rate-range` -> `promql_rate_range`."""
    return check_id.replace("/", "_").replace("-", "_")


def _discovered() -> tuple[Check, ...]:
    # The package's folder listed directly: pkgutil would load inspect and more at start-up.
    names = sorted(
        name.removesuffix(".py")
        for folder in rules.__path__
        for name in os.listdir(folder)
        if name.endswith(".py")
        and name.removesuffix(".py").isidentifier()  # not an editor's `.#name.py` lock
        and name.removesuffix(".py") not in _SHARED_MODULES
    )
    found = tuple(Check(importlib.import_module(f"{rules.__name__}.{name}")) for name in names)
    for check in found:
        expected = module_name(check.id)
        assert check.module.__name__.endswith(f".{expected}"), f"{check.id}: name it {expected}.py"
    return found


CHECKS: tuple[Check, ...] = _discovered()
BY_ID: dict[str, Check] = {check.id: check for check in CHECKS}


def of_scope(scope: Scope, audiences: Iterable[Audience] = ("both",)) -> tuple[Check, ...]:
    """The checks that look at `scope` and judge files of the audiences given."""
    return _of_scope(scope, frozenset(audiences))


# Asked for every group of every file: a check's scopes and audience are read once, its severity
# and functions at every use.
@cache
def _of_scope(scope: Scope, audiences: frozenset[Audience]) -> tuple[Check, ...]:
    return tuple(c for c in CHECKS if scope in c.scopes and c.audience in audiences)


def check(check_id: str) -> Check:
    return BY_ID[check_id]


__all__ = ["BY_ID", "CHECKS", "Check", "Settings", "check", "module_name", "of_scope"]
