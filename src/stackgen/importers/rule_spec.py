"""`stackgen import rules`: rule files -> spec text. Without a spec, a complete spec to start
from (a service per `service` label, the other groups in the stack's `rule_groups`); with one,
a file of `rule_groups` to put into the spec's folder, attached to its services by name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from stackgen.importers.common import imported_service, slug, stack_spec
from stackgen.importers.rules import (
    ImportedGroup,
    RulesImportFailed,
    named_services,
    owner,
    read_rule_groups,
    unique_names,
)
from stackgen.plan.imported import attached_groups, legacy_groups, service_groups
from stackgen.spec.errors import SpecError
from stackgen.spec.model import Stack
from stackgen.spec.rules import RuleGroup

STACK_NAME = "imported"
UNOWNED = "unowned"


def import_rule_files(
    files: Sequence[tuple[str, str]], stack: Stack | None
) -> tuple[dict[str, Any], list[str]]:
    """The spec data for the files (name, text), and notes on what was changed; raises
    RulesImportFailed with the problems of every file."""
    services = frozenset(s.name for s in stack.services) if stack is not None else None
    imported: list[ImportedGroup] = []
    errors: list[SpecError] = []
    notes: list[str] = []
    for name, text in files:
        try:
            groups = read_rule_groups(text, name, notes)
        except RulesImportFailed as exc:
            errors += exc.errors
            continue
        imported += [ImportedGroup(g, name, named_services(g, services)) for g in groups]
    if errors:
        raise RulesImportFailed(errors)
    placed = []
    for group in imported:
        service, note = owner(group, services)
        placed.append((service, group))
        notes += [note] if note else []
    renamed, renames = unique_names(placed, _taken(stack))
    notes += renames
    if stack is None:
        return _standalone(renamed), notes
    return {"rule_groups": [_written(g, service) for service, g in renamed]}, notes


def _taken(stack: Stack | None) -> dict[str | None, set[str]]:
    """Group names each rule file of the spec already has (None: legacy.yml)."""
    if stack is None:
        return {}
    attached = attached_groups(stack)  # looked up per service, not scanned
    taken: dict[str | None, set[str]] = {
        s.name: {g["name"] for g in service_groups(s, attached)} for s in stack.services
    }
    taken[None] = {g["name"] for g in legacy_groups(stack)}
    return taken


def _written(group: RuleGroup, service: str | None = None) -> dict[str, Any]:
    written = group.as_written()
    return {"name": written.pop("name"), **({"service": service} if service else {}), **written}


def _team(groups: list[RuleGroup]) -> str:
    """The one `team` label the service's rules carry, if it can name a team."""
    teams = {(rule.labels or {}).get("team") for group in groups for rule in group.rules}
    teams.discard(None)
    team = teams.pop() if len(teams) == 1 else None
    return team if team is not None and slug(team) == team else UNOWNED


def _standalone(groups: list[tuple[str | None, RuleGroup]]) -> dict[str, Any]:
    by_service: dict[str, list[RuleGroup]] = {}
    for service, group in groups:
        if service is not None:
            by_service.setdefault(service, []).append(group)
    services = []
    for name, own in by_service.items():
        written = imported_service(name, _team(own), [])
        del written["slos"]
        services.append({**written, "rule_groups": [_written(g) for g in own]})
    spec = stack_spec(STACK_NAME, services)
    legacy = [_written(g) for service, g in groups if service is None]
    if legacy:
        spec["rule_groups"] = legacy
    return spec


class _Dumper(yaml.SafeDumper):
    """Multi-line text (expressions, descriptions) as literal blocks, as people write it."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # PyYAML falls back to quotes by itself when a block cannot carry the text exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def spec_text(
    spec: dict[str, Any], sources: Sequence[str], notes: list[str], spec_path: str | None
) -> str:
    if spec_path is None:
        how = [
            "# A complete spec: fill in each service's targets and the channels, then run",
            "# `stackgen render`. To add the rules to a spec you have, import with --spec SPEC.",
        ]
    else:
        how = [
            f"# Put this file into the folder {spec_path}: its rule_groups join the spec's",
            "# (groups with `service` go into that service's rule file, the others into",
            "# prometheus/rules/legacy.yml).",
        ]
    header = [
        f"# Imported from {', '.join(sources)} by `stackgen import rules`.",
        *how,
        *(f"# NOTE {note}" for note in notes),
    ]
    body = yaml.dump(
        spec, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**31,
        default_flow_style=False,
    )  # fmt: skip
    return "\n".join(header) + "\n" + body
