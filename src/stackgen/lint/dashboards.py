"""The checks of every dashboard stackgen writes, on every render: Grafana's schemas
(grafana.schema), then the lint checks for generated dashboards (lint.rules, audience
`generated` or `both`, scopes `dashboard` and `panel`), then the metrics its queries read
(dashboard/known-metric), left open by the workers as doubts until the render's recording rules
are all known. Problems are messages prefixed with their file, as the render reports them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from stackgen.common.layout import DASHBOARDS_DIR, RULES_DIR
from stackgen.common.yaml_io import load_yaml
from stackgen.grafana.panels import panels, placed_panels
from stackgen.grafana.queries import dashboard_queries
from stackgen.grafana.schema import schema_errors
from stackgen.lint.checks import of_scope
from stackgen.lint.facts import DashboardFacts, dashboard_facts
from stackgen.lint.rules import dashboard_known_metric
from stackgen.lint.rules.base import Keys

_GENERATED = ("generated", "both")

_PanelQueries = list[tuple[dict[str, Any], list[tuple[str, DashboardFacts]]]]


def _panel_queries(
    dashboard: dict[str, Any], found: Sequence[tuple[Keys, str]] | None = None
) -> _PanelQueries:
    """Every panel with its queries, found once for every check. `found`: the dashboard's
    queries with their paths (`dashboard_queries`), when the caller has them: each panel's are
    those under its path, as a walk of the panel alone finds them."""
    if found is None:
        return [
            (panel, [(expr, dashboard_facts(expr)) for _, expr in dashboard_queries(panel)])
            for panel in panels(dashboard)
        ]
    below: dict[Keys, list[str]] = {}
    for path, expr in found:
        for depth in (2, 4):  # a panel's path: ("panels", i), in a row ("panels", i, "panels", k)
            below.setdefault(path[:depth], []).append(expr)
    return [
        (panel, [(expr, dashboard_facts(expr)) for expr in below.get(at, ())])
        for at, panel in placed_panels(dashboard)
    ]


def _convention_errors(dashboard: dict[str, Any], panel_queries: _PanelQueries) -> list[str]:
    errors = [
        message
        for check in of_scope("dashboard", _GENERATED)
        if check.audience == "generated"  # the others `stackgen lint` reports, located
        for _, message in check.function("dashboard")(dashboard, [])
    ]
    for_panels = of_scope("panel", _GENERATED)
    for panel, queries in panel_queries:
        if panel.get("type") == "row":
            continue
        for check in for_panels:
            errors += [message for _, message in check.function("panel")(panel, queries)]
    return errors


def convention_errors(dashboard: dict[str, Any]) -> list[str]:
    """The dashboard-linter conventions: a `datasource` variable every panel and query uses,
    units Grafana knows, and rate()/increase() over $__rate_interval (or $__range)."""
    return _convention_errors(dashboard, _panel_queries(dashboard))


def _finished(doubts: Sequence[dashboard_known_metric.Doubt], known: set[str]) -> list[str]:
    return [message for _, message in dashboard_known_metric.check(doubts, known)]


def metric_errors(dashboard: dict[str, Any], known: set[str]) -> list[str]:
    """Queries that do not parse, or read a metric that is neither `known` nor one Prometheus
    writes itself."""
    return _finished(list(dashboard_known_metric.doubts(_panel_queries(dashboard), known)), set())


class DashboardProblems(NamedTuple):
    """One dashboard's problems as far as it alone tells: all but whether the metrics its
    queries read are recording rules of the render, left as doubts for `finish`. Small and
    picklable: a render's workers send one per dashboard."""

    errors: tuple[str, ...]  # schemas, then conventions
    doubts: tuple[dashboard_known_metric.Doubt, ...]

    def finish(self, records: set[str]) -> list[str]:
        """Every problem, given the render's recording rule names."""
        return [*self.errors, *_finished(list(self.doubts), records)]


def dashboard_problems(
    dashboard: dict[str, Any],
    kind_metrics: set[str],
    queries: Sequence[tuple[Keys, str]] | None = None,
) -> DashboardProblems:
    """`queries`: `dashboard_queries(dashboard)`, when the caller has them."""
    panel_queries = _panel_queries(dashboard, queries)
    errors = schema_errors(dashboard) + _convention_errors(dashboard, panel_queries)
    doubts = dashboard_known_metric.doubts(panel_queries, kind_metrics)
    return DashboardProblems(tuple(errors), tuple(doubts))


def dashboard_errors(dashboard: dict[str, Any], known: set[str]) -> list[str]:
    """Every problem of one dashboard: schemas, conventions, then metrics."""
    return dashboard_problems(dashboard, known).finish(set())


DASHBOARDS = f"{DASHBOARDS_DIR}/"
RULES = f"{RULES_DIR}/"


def is_dashboard(rel: str) -> bool:
    return rel.startswith(DASHBOARDS) and rel.endswith(".json")


def is_rule_file(rel: str) -> bool:
    name = rel[len(RULES) :]
    return rel.startswith(RULES) and name.endswith(".yml") and "/" not in name


def record_names(document: Any) -> set[str]:
    names: set[str] = set()
    for group in (document or {}).get("groups", []):
        names |= {str(rule["record"]) for rule in group.get("rules", []) if "record" in rule}
    return names


def rendered_record_names(root: Path) -> set[str]:
    """The recording rules the rendered tree at `root` writes."""
    names = set()
    for path in sorted((root / "prometheus" / "rules").glob("*.yml")):
        names |= record_names(load_yaml(path.read_text(encoding="utf-8"))[0])
    return names


def check_rendered(
    files: Mapping[str, bytes],
    kind_metrics: set[str],
    parsed: Mapping[str, Any] | None = None,
) -> list[str]:
    """Every problem of every dashboard of a render, each prefixed with its file. `files`: the
    rendered tree, relative POSIX path -> bytes (other files are ignored); `parsed`: any of
    them already parsed (path -> what json.loads / yaml.safe_load make of its bytes), so they
    are not parsed again."""
    parsed = parsed or {}

    def load(rel: str) -> Any:
        if rel in parsed:
            return parsed[rel]
        text = files[rel].decode("utf-8")
        return json.loads(text) if rel.endswith(".json") else load_yaml(text)[0]

    records: set[str] = set()
    for rel in filter(is_rule_file, files):
        records |= record_names(load(rel))
    found = {rel: dashboard_problems(load(rel), kind_metrics) for rel in files if is_dashboard(rel)}
    return finish_dashboards(found, records)


def finish_dashboards(found: Mapping[str, DashboardProblems], records: set[str]) -> list[str]:
    """Every problem of every dashboard (`found` by relative POSIX path), each prefixed with
    its file, in the order of the tree's paths part by part (as sorting Paths does)."""
    return [
        f"{rel}: {error}"
        for rel in sorted(found, key=lambda r: r.split("/"))
        for error in found[rel].finish(records)
    ]


def check_dashboards(root: Path, kind_metrics: set[str]) -> list[str]:
    """Every problem of every dashboard under `root`, each prefixed with its file."""
    paths = [
        *(root / "prometheus" / "rules").glob("*.yml"),
        *(root / "grafana" / "dashboards").rglob("*.json"),
    ]
    return check_rendered(
        {path.relative_to(root).as_posix(): path.read_bytes() for path in paths}, kind_metrics
    )
