"""Rule groups kept as written (the spec's `rule_groups`): where each goes, and legacy.yml for
those of no service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stackgen.common.layout import RULES_DIR
from stackgen.plan.artifact import Artifact
from stackgen.spec.model import Service, Stack
from stackgen.spec.rules import LEGACY, StackRuleGroup

# The stack's groups that name a service, by service name.
Attached = Mapping[str, Sequence[StackRuleGroup]]

LEGACY_FILE = f"{RULES_DIR}/{LEGACY}.yml"


def attached_groups(stack: Stack) -> dict[str, list[StackRuleGroup]]:
    """The stack's groups that name a service, by service, in the spec's order: looked up
    per service, not scanned (a scan per service is quadratic in an imported fleet)."""
    attached: dict[str, list[StackRuleGroup]] = {}
    for group in stack.rule_groups:
        if group.service is not None:
            attached.setdefault(group.service, []).append(group)
    return attached


def service_groups(service: Service, attached: Attached) -> list[dict[str, Any]]:
    """The service's own groups, then the stack's groups that name it (`attached`:
    `attached_groups(stack)`), as written."""
    return [g.as_written() for g in (*service.rule_groups, *attached.get(service.name, ()))]


def legacy_groups(stack: Stack) -> list[dict[str, Any]]:
    return [g.as_written() for g in stack.rule_groups if g.service is None]


def legacy_files(stack: Stack) -> list[Artifact]:
    """legacy.yml, when some group belongs to no service."""
    groups = legacy_groups(stack)
    if not groups:
        return []
    return [Artifact(LEGACY_FILE, "legacy-rules.yml.j2", {"imported": groups})]


def imported_group_names(stack: Stack) -> dict[str, set[str]]:
    """Per rule file (relative to OUT), the names of the groups kept as written in it."""
    attached = attached_groups(stack)
    names = {
        f"{RULES_DIR}/{service.name}.yml": {g["name"] for g in service_groups(service, attached)}
        for service in stack.services
    }
    names[LEGACY_FILE] = {g["name"] for g in legacy_groups(stack)}
    return {path: found for path, found in names.items() if found}
