"""Checks every dashboard stackgen writes: Grafana's own JSON Schemas (the dashboard, and per
panel its options, custom field config and Prometheus queries), and the metrics its queries read:
each a recording rule of this render or a metric of a declared service kind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from stackgen.grafana_query import dashboard_queries, fixed_ranges, parse_dashboard_query
from stackgen.query import metric_name, selectors

# Series Prometheus itself writes, which any dashboard may read.
BUILTIN_SERIES = frozenset({"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds",
                            "scrape_samples_scraped", "scrape_series_added"})  # fmt: skip


@cache
def _validator(name: str, definition: str | None = None) -> jsonschema.Draft7Validator:
    text = files("stackgen").joinpath("schemas", "grafana", f"{name}.jsonschema.json").read_text()
    document = json.loads(text)
    if definition is not None:
        document = {**document, "$ref": f"#/definitions/{definition}"}
    return jsonschema.Draft7Validator(document)


def _panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", []) if panel.get("type") == "row" else ()


def schema_errors(dashboard: dict[str, Any]) -> list[str]:
    """Every way the dashboard breaks Grafana's schemas."""
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in _validator("dashboard").iter_errors(dashboard)
    ]
    for panel in _panels(dashboard):
        kind = panel["type"]
        if kind == "row":
            continue
        where = f"panel `{panel.get('title')}` ({kind})"
        errors += [
            f"{where} options: {e.message}"
            for e in _validator(kind, "Options").iter_errors(panel.get("options", {}))
        ]
        custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
        if custom is not None:
            errors += [
                f"{where} custom: {e.message}"
                for e in _validator(kind, "FieldConfig").iter_errors(custom)
            ]
        for target in panel.get("targets", []):
            errors += [
                f"{where} query: {e.message}" for e in _validator("prometheus").iter_errors(target)
            ]
    return errors


@cache
def grafana_units() -> frozenset[str]:
    """Every unit id Grafana knows, from its units schema."""
    text = files("stackgen").joinpath("schemas", "grafana", "units.jsonschema.json").read_text()
    definitions = json.loads(text)["definitions"].values()
    return frozenset(d["const"] for d in definitions if isinstance(d.get("const"), str))


DATASOURCE = "${datasource}"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where PyYAML has it


def _fixed_ranges(expr: str) -> list[str]:
    try:
        return [function for function, _ in fixed_ranges(parse_dashboard_query(expr))]
    except ValueError:
        return []  # metric_errors reports it


def convention_errors(dashboard: dict[str, Any]) -> list[str]:
    """The dashboard-linter conventions: a `datasource` variable every panel and query uses,
    units Grafana knows, and rate()/increase() over $__rate_interval (or $__range)."""
    variables = dashboard.get("templating", {}).get("list", [])
    errors = []
    if not any(v.get("type") == "datasource" and v.get("name") == "datasource" for v in variables):
        errors.append("no `datasource` variable: panels cannot follow a datasource choice")
    for panel in _panels(dashboard):
        if panel.get("type") == "row":
            continue
        where = f"panel `{panel.get('title')}`"
        sources = [
            panel.get("datasource"),
            *(t.get("datasource") for t in panel.get("targets", [])),
        ]
        if any((s or {}).get("uid") != DATASOURCE for s in sources):
            errors.append(f"{where} does not use the `datasource` variable")
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        if unit is not None and unit not in grafana_units():
            errors.append(f"{where} has unit `{unit}`, which Grafana does not know")
        for _, expr in dashboard_queries(panel):
            errors += [
                f"{where}: `{f}` over a fixed range, not $__rate_interval"
                for f in _fixed_ranges(expr)
            ]
    return errors


def metric_errors(dashboard: dict[str, Any], known: set[str]) -> list[str]:
    """Queries reading a metric that is neither `known` nor one Prometheus writes itself."""
    errors = []
    for panel in _panels(dashboard):
        for _, expr in dashboard_queries(panel):
            try:
                tree = parse_dashboard_query(expr)
            except ValueError as exc:
                errors.append(f"panel `{panel.get('title')}`: {exc}")
                continue
            for selector, _ in selectors(tree):
                name = metric_name(selector)
                if name and name not in known and name not in BUILTIN_SERIES:
                    errors.append(
                        f"panel `{panel.get('title')}` reads `{name}`, which is neither a "
                        "recording rule of this render nor a metric of a service's kind"
                    )
    return errors


def rendered_record_names(root: Path) -> set[str]:
    """The recording rules the rendered tree at `root` writes."""
    names = set()
    for path in sorted((root / "prometheus" / "rules").glob("*.yml")):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for group in document.get("groups", []):
            names |= {str(rule["record"]) for rule in group.get("rules", []) if "record" in rule}
    return names


def check_dashboards(root: Path, kind_metrics: set[str]) -> list[str]:
    """Every problem of every dashboard under `root`, each prefixed with its file."""
    known = rendered_record_names(root) | kind_metrics
    problems = []
    for path in sorted((root / "grafana" / "dashboards").rglob("*.json")):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        where = path.relative_to(root).as_posix()
        found = schema_errors(dashboard) + convention_errors(dashboard)
        problems += [f"{where}: {e}" for e in found + metric_errors(dashboard, known)]
    return problems
