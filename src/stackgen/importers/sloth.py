"""Sloth SLO specs (`prometheus/v1`, and the Kubernetes `PrometheusServiceLevel`) -> stackgen.

Sloth's events and raw SLIs become `ratio` SLIs with the same queries; its 30-day windows are
stackgen's defaults, so the alerts fire at the same error ratios. Event SLIs divide by
`total > 0`, as stackgen's own do: a window without traffic has no ratio, not NaN. SLI plugins
cannot be imported: their queries live in the plugin's code. Every other field is carried over
or named in a note at its line (FILE:LINE), in both forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from stackgen.importers.common import (
    ImportFailed,
    camel,
    checked_ratio,
    imported_service,
    labels,
    slug,
    stack_spec,
    window_placeholder,
)
from stackgen.spec.errors import Path
from stackgen.spec.loader import SourceMap, read_documents

KIND = "PrometheusServiceLevel"


def _key(mapping: dict[str, Any] | None, snake: str) -> str:
    """The key as the file spells it: prometheus/v1's `error_query` or the Kubernetes form's
    `errorQuery` (the snake form when neither is there)."""
    head, *rest = snake.split("_")
    camel_key = head + "".join(w.title() for w in rest)
    return camel_key if camel_key in (mapping or {}) and snake not in (mapping or {}) else snake


def _get(mapping: dict[str, Any] | None, snake: str) -> Any:
    """A field in either form (`error_query` or `errorQuery`)."""
    return (mapping or {}).get(_key(mapping, snake))


@dataclass(frozen=True)
class _Level:
    """One Sloth service level, and where its fields are in the file."""

    data: dict[str, Any]
    source: SourceMap
    base: Path  # ("spec",) in the Kubernetes form

    def at(self, *path: str | int) -> str:
        """FILE:LINE of a field (its key), for a note."""
        position = self.source.locate((*self.base, *path), key=True)
        return f"{position.file}:{position.line}"


def _documents(text: str, source: str) -> list[_Level]:
    documents, errors = read_documents(text, source)
    if errors:
        raise ImportFailed("; ".join(str(e) for e in errors))
    levels = []
    docs = [(d, m) for d, m in documents if d is not None]
    for index, (doc, where) in enumerate(docs, start=1):
        if isinstance(doc, dict) and doc.get("version") == "prometheus/v1":
            levels.append(_Level(doc, where, ()))
        elif isinstance(doc, dict) and doc.get("kind") == KIND:
            levels.append(_Level(doc.get("spec") or {}, where, ("spec",)))
        else:
            raise ImportFailed(
                f"{source}: document {index} is not a Sloth spec (`version: prometheus/v1` "
                f"or `kind: {KIND}`)"
            )
    if not levels:
        raise ImportFailed(f"{source}: no Sloth spec in the file")
    return levels


def _leftover(
    mapping: dict[str, Any] | None,
    handled: tuple[str, ...],
    at: Callable[[str], str],
    where: str,
    notes: list[str],
    why: dict[str, str] | None = None,
) -> None:
    """A note at its line for every field of `mapping` that is not carried over."""
    spelled = {_key(mapping, name) for name in handled}
    for key, value in (mapping or {}).items():
        if key not in spelled and value not in (None, "", [], {}):
            reason = (why or {}).get(key, "")
            notes.append(f"{at(key)}: {where}: `{key}` not imported{reason}")


def _sli(level: _Level, index: int, slo: dict[str, Any], where: str, notes: list[str]) -> dict:
    sli = slo.get("sli") or {}
    at = level.at
    if "events" in sli:
        events = sli["events"]
        errors, total = (_get(events, q) for q in ("error_query", "total_query"))
        if not (isinstance(errors, str) and isinstance(total, str)):
            raise ImportFailed(f"{where}: `events` needs `error_query` and `total_query`")
        _leftover(
            events,
            ("error_query", "total_query"),
            lambda k: at("slos", index, "sli", "events", k),
            where,
            notes,
        )
        errors, total = window_placeholder(errors), window_placeholder(total)
        # `> 0`: a window without traffic has no ratio rather than NaN (0/0), which would
        # spoil the period's average (Sloth divides without it).
        return checked_ratio(f"({errors}) / (({total}) > 0)", where)
    if "raw" in sli:
        query = _get(sli["raw"], "error_ratio_query")
        if not isinstance(query, str):
            raise ImportFailed(f"{where}: `raw` needs `error_ratio_query`")
        field = _key(sli["raw"], "error_ratio_query")
        notes.append(
            f"{at('slos', index, 'sli', 'raw', field)}: {where}: the raw ratio is kept as "
            "written; stackgen cannot add its `total > 0` guard (a window without traffic may "
            "give NaN): divide by `(TOTAL > 0)` in the query"
        )
        return checked_ratio(window_placeholder(query), where)
    if "plugin" in sli:
        raise ImportFailed(
            f"{at('slos', index, 'sli', 'plugin')}: {where}: the SLI plugin "
            f"`{sli['plugin'].get('id')}` cannot be imported (its queries live in the plugin): "
            "write the SLI as `events` or `raw` queries first"
        )
    raise ImportFailed(f"{where}: no `events`, `raw` or `plugin` SLI")


def _tier(
    level: _Level, path: tuple[str | int, ...], alert: Any, notes: list[str], where: str
) -> dict[str, Any]:
    alert = alert if isinstance(alert, dict) else {}
    tier: dict[str, Any] = {}
    if alert.get("disable"):
        tier["enabled"] = False
    kept = labels(alert.get("labels"), notes, where, at=lambda k: level.at(*path, "labels", k))
    if kept:
        tier["labels"] = kept
    _leftover(
        alert,
        ("disable", "labels"),
        lambda k: level.at(*path, k),
        where,
        notes,
        {"annotations": " (a tier has no annotations of its own: the SLO's apply to both)"},
    )
    return tier


def _slo(level: _Level, index: int, slo: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    where = f"{level.data.get('service')}/{slo.get('name')}"
    if not slo.get("name") or "objective" not in slo:
        raise ImportFailed(f"{where}: an SLO needs `name` and `objective`")
    alerting = slo.get("alerting") or {}
    _leftover(
        slo,
        ("name", "objective", "sli", "alerting", "labels"),
        lambda k: level.at("slos", index, k),
        where,
        notes,
        {
            "description": " (stackgen SLOs have none)",
            "plugins": " (SLO plugins run in Sloth's generator)",
        },
    )
    try:
        objective = float(slo["objective"])
    except (TypeError, ValueError):
        raise ImportFailed(f"{where}: objective {slo['objective']!r} is not a number") from None
    imported: dict[str, Any] = {
        "name": slug(slo["name"]),
        "objective": objective,
        "period": "30d",
        "sli": _sli(level, index, slo, where, notes),
    }
    alerting_path: tuple[str | int, ...] = ("slos", index, "alerting")
    if alerting.get("name"):
        imported["alert"] = camel(alerting["name"])
        if imported["alert"] != alerting["name"]:
            notes.append(
                f"{level.at(*alerting_path, 'name')}: {where}: alert `{alerting['name']}` "
                f"renamed `{imported['alert']}`"
            )
    kept = {}
    for path, source in (
        ((), level.data.get("labels")),
        (("slos", index), slo.get("labels")),
        (alerting_path, alerting.get("labels")),
    ):
        if source is not None:
            kept.update(labels(source, notes, where, at=partial(level.at, *path, "labels")))
    if kept:
        imported["labels"] = kept
    page, ticket = _key(alerting, "page_alert"), _key(alerting, "ticket_alert")
    tiers = {
        "page": _tier(level, (*alerting_path, page), alerting.get(page), notes, f"{where} page"),
        "ticket": _tier(
            level, (*alerting_path, ticket), alerting.get(ticket), notes, f"{where} ticket"
        ),
    }
    if not alerting:  # Sloth: no `alerting` section, no alerts
        tiers = {"page": {"enabled": False}, "ticket": {"enabled": False}}
    tiers = {name: tier for name, tier in tiers.items() if tier}
    if tiers:
        imported["tiers"] = tiers
    annotations = {}
    for key, value in (alerting.get("annotations") or {}).items():
        if "{{" in str(value):
            notes.append(
                f"{level.at(*alerting_path, 'annotations', key)}: {where}: annotation `{key}` "
                "dropped (it templates Sloth's labels)"
            )
        else:
            annotations[str(key)] = str(value)
    if annotations:
        imported["annotations"] = annotations
    _leftover(
        alerting,
        ("name", "labels", "annotations", "page_alert", "ticket_alert"),
        lambda k: level.at(*alerting_path, k),
        where,
        notes,
    )
    return imported


def import_sloth(text: str, source: str) -> tuple[dict[str, Any], list[str]]:
    """The spec data for a Sloth file, and notes (FILE:LINE: ...) on what was not carried
    over."""
    notes: list[str] = []
    services: dict[str, dict[str, Any]] = {}
    for level in _documents(text, source):
        name = level.data.get("service")
        if not name:
            raise ImportFailed(f"{source}: a Sloth spec without `service`")
        level_labels = level.data.get("labels") or {}
        team = level_labels.get("owner") or level_labels.get("team") or "unowned"
        if level.base:  # the Kubernetes object's own name and place
            position = level.source.locate(("metadata",), key=True)
            notes.append(
                f"{position.file}:{position.line}: {name}: the {KIND} object's `metadata` "
                "not imported (stackgen names and places the objects it writes)"
            )
        _leftover(
            level.data,
            ("version", "service", "labels", "slos"),
            level.at,
            name,
            notes,
            {_key(level.data, "slo_plugins"): " (SLO plugins run in Sloth's generator)"},
        )
        slos = [_slo(level, i, slo, notes) for i, slo in enumerate(level.data.get("slos") or [])]
        if not slos:
            raise ImportFailed(f"{source}: service {name} has no SLOs")
        if slug(name) in services:
            services[slug(name)]["slos"] += slos
        else:
            services[slug(name)] = imported_service(name, team, slos)
        names = [s["name"] for s in services[slug(name)]["slos"]]
        if len(names) != len(set(names)):
            raise ImportFailed(f"{source}: service {name} defines an SLO name twice")
    spec = stack_spec(next(iter(services)), list(services.values()))
    return spec, notes
