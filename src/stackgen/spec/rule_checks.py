"""Checks of the rule groups kept as written: each lands in a rule file that exists, and no
file gets two groups of one name (Prometheus refuses such a file)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from stackgen.spec.errors import Path
from stackgen.spec.rules import GENERATED_SUFFIXES, LEGACY, RuleGroup, StackRuleGroup

# (where, message, where the name was first defined)
Problem = tuple[Path, str, Path | None]


class HasRuleGroups(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def rule_groups(self) -> list[RuleGroup]: ...


def rule_group_findings(
    services: Sequence[tuple[int, HasRuleGroups]],
    service_names: Sequence[str],
    groups: Sequence[tuple[int, StackRuleGroup]],
) -> Iterator[Problem]:
    known = sorted(set(service_names))
    files: dict[str, dict[str, Path]] = {s.name: {} for _, s in services}  # file: name -> path
    for i, service in services:
        for j, group in enumerate(service.rule_groups):
            path = ("services", i, "rule_groups", j, "name")
            yield from _unique(files[service.name], service.name, group.name, path)
    legacy: dict[str, Path] = {}
    for i, group in groups:
        here: Path = ("rule_groups", i)
        if group.service is None:
            yield from _unique(legacy, None, group.name, (*here, "name"))
        elif group.service not in known:
            choices = ", ".join(f"`{n}`" for n in known) or "none defined"
            message = f"no service is named `{group.service}` (known: {choices})"
            yield (*here, "service"), message, None
        elif group.service in files:
            yield from _unique(files[group.service], group.service, group.name, (*here, "name"))
    if legacy and LEGACY in known:
        message = (
            f"`{LEGACY}` is the rule file of the stack's rule_groups without a service "
            f"(prometheus/rules/{LEGACY}.yml): rename the service"
        )
        yield ("services", list(service_names).index(LEGACY), "name"), message, None


def _unique(seen: dict[str, Path], service: str | None, name: str, path: Path) -> Iterator[Problem]:
    if service is not None and name in (f"{service}{suffix}" for suffix in GENERATED_SUFFIXES):
        yield path, f"`{name}` is a group stackgen generates for `{service}`: rename it", None
    elif name in seen:
        yield path, f"rule group `{name}` is already in this rule file; rename one", seen[name]
    else:
        seen[name] = path
