"""OpenSLO (`openslo/v1alpha` SLOs, and `openslo/v1` Service, SLI and SLO documents) -> stackgen.

Ratio metrics become `ratio` SLIs: `bad / total`, or `1 - good / total`. Their queries must hold
the window as `{{.window}}` (Sloth's convention), which becomes stackgen's `${window}`.
"""

from __future__ import annotations

from typing import Any

import yaml

from stackgen.common.values import format_duration, parse_duration
from stackgen.common.yaml_io import load_all
from stackgen.importers.common import (
    ImportFailed,
    checked_ratio,
    imported_service,
    slug,
    stack_spec,
    window_placeholder,
)

UNITS = {"day": 86400, "week": 7 * 86400}


def _query(metric: dict[str, Any] | None, where: str) -> str:
    """A ratio metric's query, in v1alpha (`query`) or v1 (`metricSource.spec.query`) form."""
    metric = metric or {}
    query = metric.get("query") or ((metric.get("metricSource") or {}).get("spec") or {}).get(
        "query"
    )
    if not query:
        raise ImportFailed(f"{where}: a ratio metric without a Prometheus query")
    if "{{.window}}" not in query.replace(" ", ""):
        raise ImportFailed(
            f"{where}: the query has no `{{{{.window}}}}` where the range goes, so it cannot be "
            "evaluated per burn-rate window: add it, as in `rate(x[{{.window}}])`"
        )
    return window_placeholder(query)


def _ratio(ratio: dict[str, Any], where: str) -> str:
    total = _query(ratio.get("total"), where)
    if "bad" in ratio:
        return f"({_query(ratio['bad'], where)}) / ({total})"
    if "good" in ratio:
        return f"1 - ({_query(ratio['good'], where)}) / ({total})"
    raise ImportFailed(f"{where}: a ratio metric needs `good` or `bad`, and `total`")


def _period(spec: dict[str, Any], where: str) -> str:
    windows = spec.get("timeWindows") or spec.get("timeWindow") or [{"duration": "30d"}]
    window = windows[0] if isinstance(windows, list) else windows
    if "duration" in window:
        seconds = parse_duration(str(window["duration"]))
    else:
        unit = str(window.get("unit", "")).lower()
        if unit not in UNITS:
            raise ImportFailed(
                f"{where}: a time window in {window.get('unit')!r}: use days or weeks"
            )
        seconds = int(window.get("count", 0)) * UNITS[unit]
    if not seconds or seconds % 86400:
        raise ImportFailed(f"{where}: the time window is not a whole number of days")
    return format_duration(seconds)


def _objective(objective: dict[str, Any], where: str) -> float:
    try:
        if "targetPercent" in objective:
            return float(objective["targetPercent"])
        if "target" in objective:
            return round(float(objective["target"]) * 100, 10)
    except (TypeError, ValueError):
        raise ImportFailed(f"{where}: the objective's target is not a number") from None
    raise ImportFailed(f"{where}: an objective without `target`")


def import_openslo(text: str, source: str) -> tuple[dict[str, Any], list[str]]:
    try:
        docs = [d for d in load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError as exc:
        raise ImportFailed(f"{source}: not YAML: {exc}") from None
    notes: list[str] = []
    indicators = {
        (d.get("metadata") or {}).get("name"): d.get("spec") or {}
        for d in docs
        if d.get("kind") == "SLI"
    }
    services: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        if doc.get("kind") != "SLO":
            continue
        name = (doc.get("metadata") or {}).get("name", "slo")
        spec = doc.get("spec") or {}
        where = f"{source}: SLO {name}"
        indicator = (spec.get("indicator") or {}).get("spec") or indicators.get(
            spec.get("indicatorRef", "")
        )
        if spec.get("budgetingMethod", "Occurrences") != "Occurrences":
            notes.append(
                f"{where}: budgeting method {spec['budgetingMethod']} treated as Occurrences"
            )
        objectives = spec.get("objectives") or []
        for index, objective in enumerate(objectives, start=1):
            ratio = objective.get("ratioMetrics") or (indicator or {}).get("ratioMetric")
            if not ratio:
                raise ImportFailed(f"{where}: only ratio metrics can be imported")
            slo_name = slug(name if len(objectives) == 1 else f"{name}-{index}")
            services.setdefault(spec.get("service", "service"), []).append(
                {
                    "name": slo_name,
                    "objective": _objective(objective, where),
                    "period": _period(spec, where),
                    "sli": checked_ratio(_ratio(ratio, where), where),
                }
            )
        if spec.get("alertPolicies"):
            notes.append(f"{where}: alert policies not imported (stackgen's tiers replace them)")
    if not services:
        raise ImportFailed(f"{source}: no OpenSLO `kind: SLO` document")
    imported = [imported_service(svc, "unowned", slos) for svc, slos in services.items()]
    return stack_spec(next(iter(services)), imported), notes
