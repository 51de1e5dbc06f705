"""Prometheus rule files (plain, `PrometheusRule` objects, multi-document YAML, Mimir namespace
files) -> the spec's `rule_groups`, kept as written so that a render gives the same rules.

Each group stays whole: it goes to the one service its rules name (a `service` label, or with
a spec a `job` or `service` matcher naming one of its services), else to the stack's legacy
groups. Every rule is checked as the spec checks it (Prometheus 2.42's PromQL, Go templates,
label names); a file that fails gives FILE:LINE:COL errors and no spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from stackgen.importers.common import slug
from stackgen.lint.sources import groups_of
from stackgen.prometheus.promql import parse
from stackgen.prometheus.query import selectors
from stackgen.spec.errors import Position, SpecError
from stackgen.spec.loader import DOCUMENT, SourceMap, read_documents
from stackgen.spec.pydantic_errors import convert
from stackgen.spec.rules import GENERATED_SUFFIXES, LEGACY, RuleGroup

# Labels and matchers that name the service a rule is about (stackgen's job is the service).
SERVICE_LABEL = "service"
SERVICE_MATCHERS = ("job", "service")


class _RuleFile(BaseModel):
    """A plain rule file; Mimir's namespace files add `namespace`."""

    model_config = ConfigDict(extra="forbid")
    groups: list[RuleGroup]
    namespace: str | None = None


class _RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    groups: list[RuleGroup]


class _PrometheusRule(BaseModel):
    model_config = ConfigDict(extra="allow")  # apiVersion, metadata: not the rules
    kind: Literal["PrometheusRule"]
    spec: _RuleSpec


class RulesImportFailed(Exception):
    """Files that cannot become rule groups, with every problem located."""

    def __init__(self, errors: list[SpecError]):
        self.errors = sorted(set(errors), key=lambda e: (e.position, e.field, e.message))
        super().__init__("\n".join(map(str, self.errors)))


@dataclass(frozen=True)
class ImportedGroup:
    group: RuleGroup
    source: str  # the file it came from
    services: frozenset[str]  # the services its rules name


def _text(value: Any) -> Any:
    """A scalar as Prometheus reads it into a string field (YAML 1.2: `1` is "1")."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return value


def _as_prometheus_reads(groups: Any) -> None:
    """Numbers and booleans where Prometheus wants text become text, in place."""
    for group in groups if isinstance(groups, list) else []:
        for rule in (group.get("rules") if isinstance(group, dict) else None) or []:
            if not isinstance(rule, dict):
                continue
            if "expr" in rule:
                rule["expr"] = _text(rule["expr"])
            for key in ("labels", "annotations"):
                if isinstance(rule.get(key), dict):
                    rule[key] = {k: _text(v) for k, v in rule[key].items()}


def _document_notes(document: dict[str, Any], source: SourceMap) -> list[str]:
    """What of a rule document beside its groups is not carried over, at its line."""

    def at(key: str) -> str:
        position = source.locate((key,), key=True)
        return f"{position.file}:{position.line}"

    notes = []
    if document.get("kind") == "PrometheusRule" and document.get("metadata"):
        notes.append(
            f"{at('metadata')}: the PrometheusRule's `metadata` not imported (stackgen names, "
            "places and labels the objects it writes: output.kubernetes)"
        )
    if document.get("namespace"):
        notes.append(
            f"{at('namespace')}: Mimir namespace `{document['namespace']}` not imported (the "
            "mimir target names namespaces by team or service: output.mimir.namespace_by)"
        )
    return notes


def _document_groups(
    document: Any, source: SourceMap, name: str, errors: list[SpecError]
) -> list[RuleGroup]:
    if groups_of(document, source, name) is None:
        errors.append(
            SpecError(
                source.locate(()),
                DOCUMENT,
                "not a rule file: no `groups` (nor a PrometheusRule's `spec.groups`)",
            )
        )
        return []
    model: type[_RuleFile | _PrometheusRule]
    if document.get("kind") == "PrometheusRule":
        model = _PrometheusRule
        _as_prometheus_reads((document.get("spec") or {}).get("groups"))
    else:
        model = _RuleFile
        _as_prometheus_reads(document.get("groups"))
    try:
        parsed = model.model_validate(document)
    except ValidationError as exc:
        errors.extend(convert(exc, document, source, model))
        return []
    groups = parsed.spec.groups if isinstance(parsed, _PrometheusRule) else parsed.groups
    seen: dict[str, int] = {}
    for index, group in enumerate(groups):
        if group.name in seen:  # as Prometheus refuses it
            base = ("spec",) if model is _PrometheusRule else ()
            errors.append(
                source.error(
                    (*base, "groups", index, "name"),
                    f"group `{group.name}` is defined twice in the file (first as group "
                    f"{seen[group.name] + 1}); Prometheus refuses that: rename one",
                )
            )
        seen.setdefault(group.name, index)
    return groups


def read_rule_groups(text: str, name: str, notes: list[str] | None = None) -> list[RuleGroup]:
    """The rule groups of one file, in order; RulesImportFailed with every problem. `notes`
    gets what the file holds beside its groups and is not carried over."""
    documents, errors = read_documents(text, name)
    if notes is not None:
        notes += [
            note
            for document, source in documents
            if isinstance(document, dict)
            for note in _document_notes(document, source)
        ]
    groups = [
        group
        for document, source in documents
        if document is not None
        for group in _document_groups(document, source, name, errors)
    ]
    if not errors and not groups:
        errors.append(SpecError(Position(name, 1, 1), DOCUMENT, "no rule groups in the file"))
    if errors:
        raise RulesImportFailed(errors)
    return groups


def named_services(group: RuleGroup, services: frozenset[str] | None) -> frozenset[str]:
    """The services a group's rules name: `service` labels; with the spec's `services`, also
    `job` and `service` matchers of the expressions that name one of them."""
    found = set()
    for rule in group.rules:
        label = (rule.labels or {}).get(SERVICE_LABEL)
        if label is not None:
            found.add(label)
        if services is None:
            continue
        for selector, _ in selectors(parse(rule.expr)):
            for matcher in selector.matchers.matchers:
                equal = str(matcher.op) == "MatchOp.Equal"
                if equal and matcher.name in SERVICE_MATCHERS and matcher.value in services:
                    found.add(str(matcher.value))
    return frozenset(found)


def owner(imported: ImportedGroup, services: frozenset[str] | None) -> tuple[str | None, str]:
    """The service a group goes to (None: legacy), and why not when it names some."""
    names = imported.services
    where = f"{imported.source}: group `{imported.group.name}`"
    if not names:
        return None, ""
    if len(names) > 1:
        return None, f"{where} names services {', '.join(sorted(names))}: kept in `{LEGACY}`"
    (name,) = names
    if services is not None and name not in services:
        return None, f"{where} names service `{name}`, which the spec lacks: kept in `{LEGACY}`"
    if services is None and (slug(name) != name or name == LEGACY):
        return None, f"{where}: `{name}` cannot be a service name: kept in `{LEGACY}`"
    return name, ""


def unique_names(
    groups: list[tuple[str | None, ImportedGroup]], taken: dict[str | None, set[str]]
) -> tuple[list[tuple[str | None, RuleGroup]], list[str]]:
    """Groups bound for one rule file need names of their own there: a name seen before in
    that file (another imported file's, or one stackgen generates) gets a number."""
    renamed, notes = [], []
    for service, imported in groups:
        used = taken.setdefault(service, set())
        if service is not None:
            used.update(f"{service}{suffix}" for suffix in GENERATED_SUFFIXES)
        name, number = imported.group.name, 1
        while name in used:
            number += 1
            name = f"{imported.group.name}-{number}"
        if name != imported.group.name:
            notes.append(
                f"{imported.source}: group `{imported.group.name}` renamed `{name}` (its rule "
                f"file already has a group of that name)"
            )
        used.add(name)
        renamed.append((service, imported.group.model_copy(update={"name": name})))
    return renamed, notes
