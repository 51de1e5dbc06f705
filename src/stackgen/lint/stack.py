"""Checks across a rendered stack's files: the alerts its rules make, the Alertmanager routing
that must carry them, and the dashboards that query what the rules record. The rule files and
the dashboards come summarised (lint.summary); the Prometheus configs and alertmanager.yml,
small, are read whole."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from stackgen.common.values import parse_duration
from stackgen.grafana.queries import dashboard_queries
from stackgen.lint.checks import check, of_scope
from stackgen.lint.findings import Finding
from stackgen.lint.rules import (
    receiver_password_newline,
    receiver_shared_webhook,
    receiver_unused,
    record_undefined,
    route_repeat_interval,
    route_shadowed,
    route_unknown_label,
    route_unrouted,
)
from stackgen.lint.rules.base import Spot
from stackgen.lint.sources import DISK, Document, Reread, Tree, read_document
from stackgen.lint.summary import DashboardSummary, RuleFileSummary

PROMETHEUS = Path("prometheus") / "prometheus.yml"
SHARDS = Path("prometheus") / "shards"
ALERTMANAGER = Path("alertmanager") / "alertmanager.yml"
DASHBOARDS = Path("grafana")
DEFAULT_SCRAPE = 60.0  # Prometheus's own default scrape interval


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The mappings of a list that should hold only mappings (the tools report the rest)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def prometheus_configs(root: Path, tree: Tree = DISK) -> list[Path]:
    """A stack's Prometheus configs: the one evaluating the rules first, then the shards'."""
    main = [root / PROMETHEUS] if tree.is_file(root / PROMETHEUS) else []
    return main + sorted(tree.glob(root / SHARDS, "*.yml"))


def is_stack(path: Path, tree: Tree = DISK) -> bool:
    return tree.is_dir(path) and bool(prometheus_configs(path, tree))


class Stack(NamedTuple):
    root: Path
    prometheus: dict[str, Any]  # the main config (the one evaluating the rules, if any)
    scrape_configs: tuple[dict[str, Any], ...]  # of every config: the shards scrape
    alertmanager: Document | None
    dashboards: tuple[Path, ...]  # summarised one at a time: all of them at once is too much
    # prometheus.yml as read (None: missing or not YAML), so its rule files need no second read
    config: Any = None

    @classmethod
    def read(cls, root: Path, tree: Tree = DISK) -> Stack:
        configs = [read_document(path, tree) for path in prometheus_configs(root, tree)]
        data = [c.data for c in configs if c is not None and isinstance(c.data, dict)]
        main = configs[0] if configs and tree.is_file(root / PROMETHEUS) else None
        return cls(
            root,
            data[0] if data else {},
            tuple(job for config in data for job in _dicts(config.get("scrape_configs"))),
            read_document(root / ALERTMANAGER, tree) if tree.is_file(root / ALERTMANAGER) else None,
            tuple(sorted(tree.rglob(root / DASHBOARDS, "*.json"))),
            main.data if main is not None else None,
        )

    @property
    def settings(self) -> dict[str, Any]:
        settings = self.prometheus.get("global")
        return settings if isinstance(settings, dict) else {}

    @property
    def scrape_interval(self) -> float:
        try:
            return parse_duration(str(self.settings.get("scrape_interval") or "1m"))
        except ValueError:
            return DEFAULT_SCRAPE

    @property
    def external_labels(self) -> dict[str, str]:
        labels = self.settings.get("external_labels")
        return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}

    def target_labels(self) -> set[str]:
        """Labels scraping puts on every series: job, instance and the configured ones."""
        found = {"job", "instance"}
        for job in self.scrape_configs:
            for static in _dicts(job.get("static_configs")):
                labels = static.get("labels")
                found |= set(map(str, labels)) if isinstance(labels, dict) else set()
            for relabel in _dicts(job.get("relabel_configs")):
                if relabel.get("target_label"):
                    found.add(str(relabel["target_label"]))
        return found


def carried_labels(
    files: Sequence[RuleFileSummary], external: dict[str, str], targets: set[str]
) -> set[str]:
    """Labels some alert may carry: its rule's and its result's, the external labels, and for
    a query that keeps its series' labels, those it names and those scraping adds stand in for
    the series' own, less those it drops. The summaries hold, per file, all but the scraping's
    share: a target label reaches some alert with an open result unless every one drops it."""
    carried = {"alertname"}.union(*(summary.carried for summary in files))
    if any(summary.alerts for summary in files):
        carried |= set(external)
    dropped = [s.open_dropped for s in files if s.open_dropped is not None]
    if dropped:
        carried |= targets - frozenset.intersection(*dropped)
    return carried


def routing_findings(
    stack: Stack,
    files: Sequence[RuleFileSummary],
    rules: Reread,
    alertmanager_version: str | None = None,
) -> list[Finding]:
    """`alertmanager_version`: the release that reads alertmanager.yml, when known."""
    document = stack.alertmanager
    if document is None or not isinstance(document.data, dict):
        return []
    if not isinstance(document.data.get("route"), dict):
        return []
    # Imported here: linting rule files alone never reads a routing tree.
    from stackgen.alertmanager.routing import route_tree

    tree = route_tree(document.data["route"])
    external = stack.external_labels
    carried = carried_labels(files, external, stack.target_labels())
    found = []
    for each in of_scope("stack"):
        if each.module is route_unrouted:
            hits = route_unrouted.check(tree, files, external, rules)
        elif each.module is route_unknown_label:
            hits = route_unknown_label.check(document, tree, carried)
        elif each.module is receiver_password_newline:
            hits = receiver_password_newline.check(document, tree, alertmanager_version)
        elif each.module in (
            receiver_shared_webhook,
            receiver_unused,
            route_shadowed,
            route_repeat_interval,
        ):
            hits = each.function("stack")(document, tree)
        else:
            continue  # a check of the dashboards
        for where, message in hits:
            spot = where if isinstance(where, Spot) else document.spot(where)
            found.append(each.finding(spot, message))
    return found


def dashboard_findings(
    dashboards: Sequence[DashboardSummary], defined: set[str], tree: Tree
) -> Iterator[Finding]:
    undefined = check("record/undefined")
    for dashboard in dashboards:
        yield from dashboard.findings
        if dashboard.recorded <= defined:
            continue
        # read again to tell which queries read an undefined one, and to point at them
        document = read_document(Path(dashboard.file), tree)
        assert document is not None, f"{dashboard.file}: summarised, yet unreadable now"
        hits = record_undefined.check_stack(dashboard_queries(document.data), defined)
        for where, message in hits:
            assert not isinstance(where, Spot)
            yield undefined.finding(document.spot(where), message)
