"""Sloth SLO specs (`prometheus/v1`, and the Kubernetes `PrometheusServiceLevel`) -> stackgen.

Sloth's events and raw SLIs become `ratio` SLIs with the same queries; its 30-day windows are
stackgen's defaults, so the alerts fire at the same error ratios. SLI plugins cannot be imported:
their queries live in the plugin's code.
"""

from __future__ import annotations

from typing import Any

import yaml

from stackgen.common.yaml_io import load_all
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

KIND = "PrometheusServiceLevel"


def _get(mapping: dict[str, Any] | None, snake: str) -> Any:
    """A field as prometheus/v1 spells it (`error_query`) or the Kubernetes form (`errorQuery`)."""
    mapping = mapping or {}
    head, *rest = snake.split("_")
    return mapping.get(snake, mapping.get(head + "".join(w.title() for w in rest)))


def _documents(text: str, source: str) -> list[dict[str, Any]]:
    try:
        docs = [d for d in load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise ImportFailed(f"{source}: not YAML: {exc}") from None
    levels = []
    for index, doc in enumerate(docs, start=1):
        if isinstance(doc, dict) and doc.get("version") == "prometheus/v1":
            levels.append(doc)
        elif isinstance(doc, dict) and doc.get("kind") == KIND:
            levels.append(doc.get("spec") or {})
        else:
            raise ImportFailed(
                f"{source}: document {index} is not a Sloth spec (`version: prometheus/v1` "
                f"or `kind: {KIND}`)"
            )
    if not levels:
        raise ImportFailed(f"{source}: no Sloth spec in the file")
    return levels


def _sli(slo: dict[str, Any], where: str) -> dict[str, Any]:
    sli = slo.get("sli") or {}
    if "events" in sli:
        errors, total = (_get(sli["events"], q) for q in ("error_query", "total_query"))
        if not (isinstance(errors, str) and isinstance(total, str)):
            raise ImportFailed(f"{where}: `events` needs `error_query` and `total_query`")
        errors, total = window_placeholder(errors), window_placeholder(total)
        return checked_ratio(f"({errors}) / ({total})", where)
    if "raw" in sli:
        query = _get(sli["raw"], "error_ratio_query")
        if not isinstance(query, str):
            raise ImportFailed(f"{where}: `raw` needs `error_ratio_query`")
        return checked_ratio(window_placeholder(query), where)
    if "plugin" in sli:
        raise ImportFailed(
            f"{where}: the SLI plugin `{sli['plugin'].get('id')}` cannot be imported (its queries "
            "live in the plugin): write the SLI as `events` or `raw` queries first"
        )
    raise ImportFailed(f"{where}: no `events`, `raw` or `plugin` SLI")


def _tier(alert: dict[str, Any] | None, notes: list[str], where: str) -> dict[str, Any]:
    alert = alert or {}
    tier: dict[str, Any] = {}
    if alert.get("disable"):
        tier["enabled"] = False
    kept = labels(alert.get("labels"), notes, where)
    if kept:
        tier["labels"] = kept
    return tier


def _slo(level: dict[str, Any], slo: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    where = f"{level.get('service')}/{slo.get('name')}"
    if not slo.get("name") or "objective" not in slo:
        raise ImportFailed(f"{where}: an SLO needs `name` and `objective`")
    alerting = slo.get("alerting") or {}
    for dropped in ("description", "plugins"):
        if slo.get(dropped):
            notes.append(f"{where}: `{dropped}` not imported")
    try:
        objective = float(slo["objective"])
    except (TypeError, ValueError):
        raise ImportFailed(f"{where}: objective {slo['objective']!r} is not a number") from None
    imported: dict[str, Any] = {
        "name": slug(slo["name"]),
        "objective": objective,
        "period": "30d",
        "sli": _sli(slo, where),
    }
    if alerting.get("name"):
        imported["alert"] = camel(alerting["name"])
        if imported["alert"] != alerting["name"]:
            notes.append(f"{where}: alert `{alerting['name']}` renamed `{imported['alert']}`")
    kept = labels({**(level.get("labels") or {}), **(slo.get("labels") or {}),
                   **(alerting.get("labels") or {})}, notes, where)  # fmt: skip
    if kept:
        imported["labels"] = kept
    tiers = {
        "page": _tier(_get(alerting, "page_alert"), notes, f"{where} page"),
        "ticket": _tier(_get(alerting, "ticket_alert"), notes, f"{where} ticket"),
    }
    if not alerting:  # Sloth: no `alerting` section, no alerts
        tiers = {"page": {"enabled": False}, "ticket": {"enabled": False}}
    tiers = {name: tier for name, tier in tiers.items() if tier}
    if tiers:
        imported["tiers"] = tiers
    annotations = {}
    for key, value in (alerting.get("annotations") or {}).items():
        if "{{" in str(value):
            notes.append(f"{where}: annotation `{key}` dropped (it templates Sloth's labels)")
        else:
            annotations[str(key)] = str(value)
    if annotations:
        imported["annotations"] = annotations
    return imported


def import_sloth(text: str, source: str) -> tuple[dict[str, Any], list[str]]:
    """The spec data for a Sloth file, and notes on what could not be carried over."""
    notes: list[str] = []
    services: dict[str, dict[str, Any]] = {}
    for level in _documents(text, source):
        name = level.get("service")
        if not name:
            raise ImportFailed(f"{source}: a Sloth spec without `service`")
        level_labels = level.get("labels") or {}
        team = level_labels.get("owner") or level_labels.get("team") or "unowned"
        if level.get("slo_plugins"):
            notes.append(f"{name}: `slo_plugins` not imported")
        slos = [_slo(level, slo, notes) for slo in level.get("slos") or []]
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
