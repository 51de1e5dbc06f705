"""OpenSLO (`openslo/v1alpha` SLOs, and `openslo/v1` Service, SLI and SLO documents) -> stackgen.

Ratio metrics become `ratio` SLIs: `bad / (total > 0)`, or `1 - good / (total > 0)`: a window
without traffic has no ratio, not NaN. Their queries must hold the window as `{{.window}}`
(Sloth's convention), which becomes stackgen's `${window}`. Every other field of an SLO is
carried over or named in a note at its line (FILE:LINE).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from stackgen.common.values import format_duration, parse_duration
from stackgen.importers.common import (
    ImportFailed,
    checked_ratio,
    imported_service,
    slug,
    stack_spec,
    window_placeholder,
)
from stackgen.spec.loader import SourceMap, read_documents

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
    # `> 0`: a window without traffic has no ratio rather than NaN (0/0).
    total = f"(({_query(ratio.get('total'), where)}) > 0)"
    if "bad" in ratio:
        return f"({_query(ratio['bad'], where)}) / {total}"
    if "good" in ratio:
        return f"1 - ({_query(ratio['good'], where)}) / {total}"
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


# What is carried over of an SLO document; every other field gets a note at its line.
_SLO_FIELDS = (
    "service",
    "indicator",
    "indicatorRef",
    "budgetingMethod",
    "objectives",
    "timeWindows",
    "timeWindow",
    "alertPolicies",
)
_OBJECTIVE_FIELDS = ("ratioMetrics", "target", "targetPercent")
_WHY = {
    "description": " (stackgen SLOs have none)",
    "displayName": " (the SLO's name is metadata.name)",
}


def _leftovers(
    mapping: Any, handled: tuple[str, ...], at: Callable[[str], str], where: str
) -> list[str]:
    return [
        f"{at(key)}: {where}: `{key}` not imported{_WHY.get(key, '')}"
        for key, value in (mapping.items() if isinstance(mapping, dict) else [])
        if key not in handled and value not in (None, "", [], {})
    ]


def _slo_notes(doc: dict[str, Any], source: SourceMap, where: str) -> list[str]:
    """Notes at their lines on what of an SLO document is not carried over."""

    def at(*path: str | int) -> str:
        position = source.locate(path, key=True)
        return f"{position.file}:{position.line}"

    spec = doc.get("spec") or {}
    notes = _leftovers(doc.get("metadata"), ("name",), lambda k: at("metadata", k), where)
    notes += _leftovers(spec, _SLO_FIELDS, lambda k: at("spec", k), where)
    for index, objective in enumerate(spec.get("objectives") or []):
        notes += _leftovers(
            objective, _OBJECTIVE_FIELDS, partial(at, "spec", "objectives", index), where
        )
    if spec.get("budgetingMethod", "Occurrences") != "Occurrences":
        notes.append(
            f"{at('spec', 'budgetingMethod')}: {where}: budgeting method "
            f"{spec['budgetingMethod']} treated as Occurrences"
        )
    key = "timeWindows" if "timeWindows" in spec else "timeWindow"
    windows = spec.get(key)
    windows = windows if isinstance(windows, list) else [windows] if windows else []
    for index, window in enumerate(windows):
        if index:
            notes.append(f"{at('spec', key, index)}: {where}: only the first time window is used")
        elif isinstance(window, dict) and (
            window.get("isRolling") is False or "calendar" in window
        ):
            notes.append(
                f"{at('spec', key, index)}: {where}: a calendar window imported as a rolling "
                "one of the same length"
            )
    if spec.get("alertPolicies"):
        notes.append(
            f"{at('spec', 'alertPolicies')}: {where}: alert policies not imported "
            "(stackgen's burn-rate tiers replace them)"
        )
    return notes


def import_openslo(text: str, source: str) -> tuple[dict[str, Any], list[str]]:
    documents, errors = read_documents(text, source)
    if errors:
        raise ImportFailed("; ".join(str(e) for e in errors))
    located = [(d, m) for d, m in documents if isinstance(d, dict)]
    docs = [d for d, _ in located]
    notes: list[str] = []
    indicators = {
        (d.get("metadata") or {}).get("name"): d.get("spec") or {}
        for d in docs
        if d.get("kind") == "SLI"
    }
    services: dict[str, list[dict[str, Any]]] = {}
    for doc, positions in located:
        if doc.get("kind") != "SLO":
            continue
        name = (doc.get("metadata") or {}).get("name", "slo")
        spec = doc.get("spec") or {}
        where = f"{source}: SLO {name}"
        indicator = (spec.get("indicator") or {}).get("spec") or indicators.get(
            spec.get("indicatorRef", "")
        )
        notes += _slo_notes(doc, positions, f"SLO {name}")
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
    if not services:
        raise ImportFailed(f"{source}: no OpenSLO `kind: SLO` document")
    imported = [imported_service(svc, "unowned", slos) for svc, slos in services.items()]
    return stack_spec(next(iter(services)), imported), notes
