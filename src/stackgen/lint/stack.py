"""Checks across a rendered stack's files: the alerts its rules make, the Alertmanager routing
that must carry them, and the dashboards that query what the rules record. The rule files and
the dashboards come summarised (lint.summary); the Prometheus configs and alertmanager.yml,
small, are read whole."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stackgen.alertmanager.routing import Matcher, Route, matchers_of, possible_routes, route_tree
from stackgen.common.values import format_duration, parse_duration
from stackgen.grafana.queries import dashboard_queries
from stackgen.lint.facts import dashboard_facts
from stackgen.lint.findings import Finding
from stackgen.lint.sources import DISK, Document, Reread, Tree, read_document
from stackgen.lint.summary import AlertFacts, DashboardSummary, RuleFileSummary
from stackgen.spec.errors import Path as DataPath

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


@dataclass(frozen=True)
class Stack:
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


@dataclass(frozen=True, slots=True)  # one for every alert of the stack
class Alert:
    """What Alertmanager receives from one alerting rule, as far as the files tell."""

    file: str  # of the rule
    rule: AlertFacts
    external: dict[str, str]

    def value(self, label: str) -> str | None:
        """The label's value, "" when the alert lacks it, None when the series decide."""
        if label in self.rule.static:
            return self.rule.static[label]
        carried = self.rule.result.has(label)
        if carried is None or carried:
            return None
        return self.external.get(label, "")  # Prometheus adds external labels it lacks


def _described(alert: Alert) -> str:
    known = {k: v for k, v in alert.rule.static.items() if v is not None and k != "alertname"}
    return ", ".join(f"{k}={v}" for k, v in sorted(known.items())) or "no labels of its own"


def unrouted(tree: Route, alerts: list[Alert], rules: Reread) -> Iterator[Finding]:
    if not tree.routes:
        return  # one receiver for everything is a choice, not a gap
    # Routes read an alert's labels only through their matchers: alerts alike in the values
    # of the labels the matchers name are routed alike, so the tree is walked once per kind.
    named = sorted({m.name for route in tree.walk() for m in route.matchers})
    default_only: dict[tuple[str | None, ...], bool] = {}
    for alert in alerts:
        key = tuple(alert.value(label) for label in named)
        if key not in default_only:
            paths = [route.path for route in possible_routes(tree, alert.value)]
            default_only[key] = paths == [tree.path]
        if default_only[key]:
            line, column = rules.position(alert.file, alert.rule.index, "alert")
            name, receiver = alert.rule.static["alertname"], tree.receiver
            yield Finding(alert.file, line, column, "route/unrouted", "warning",
                          f"alert `{name}` ({_described(alert)}) matches no route: only the "
                          f"default receiver `{receiver}` gets it")  # fmt: skip


def _inhibit_labels(config: dict[str, Any]) -> Iterator[tuple[DataPath, str, str]]:
    """(path, label, what names it) for every label inhibit rules name."""
    for index, inhibit in enumerate(config.get("inhibit_rules") or []):
        if not isinstance(inhibit, dict):
            continue  # amtool check-config reports it
        path: DataPath = ("inhibit_rules", index)
        for side in ("source_", "target_"):
            for matcher in matchers_of(inhibit, path, side):
                yield matcher.path, matcher.name, f"the inhibit rule's {side}matchers"
        for position, label in enumerate(inhibit.get("equal") or []):
            yield (*path, "equal", position), str(label), "the inhibit rule's `equal`"


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


def unknown_labels(document: Document, tree: Route, carried: set[str]) -> Iterator[Finding]:
    named: list[tuple[DataPath, str, str]] = list(_inhibit_labels(document.data))
    for route in tree.walk():
        named += [(m.path, m.name, "the route's matchers") for m in route.matchers]
        if "group_by" in route.written:
            named += [
                ((*route.path, "group_by", i), label, "the route's `group_by`")
                for i, label in enumerate(route.group_by)
                if label != "..."
            ]
    for path, label, where in named:
        if label not in carried:
            yield document.finding(path, "route/unknown-label", "warning",
                                   f"no alert carries the label `{label}` that {where} name "
                                   "(not by its rule's labels, its query, nor the scrape "
                                   "targets)")  # fmt: skip


def unused_receivers(document: Document, tree: Route) -> Iterator[Finding]:
    used = {route.receiver for route in tree.walk()}
    for index, receiver in enumerate(document.data.get("receivers") or []):
        name = str(receiver.get("name", "")) if isinstance(receiver, dict) else ""
        if name and name not in used:
            yield document.finding(("receivers", index, "name"), "receiver/unused", "warning",
                                   f"no route sends to receiver `{name}`")  # fmt: skip


def _catches_all_of(earlier: Route, later: Route) -> bool:
    return all(any(m.implied_by(n) for n in later.matchers) for m in earlier.matchers)


def _matchers_text(matchers: tuple[Matcher, ...]) -> str:
    return ", ".join(map(str, matchers)) or "no matchers"


def shadowed_routes(document: Document, tree: Route) -> Iterator[Finding]:
    for route in tree.walk():
        for position, later in enumerate(route.routes):
            for earlier in route.routes[:position]:
                if not earlier.continue_ and _catches_all_of(earlier, later):
                    line = document.source.locate(earlier.path).line
                    yield document.finding(later.path, "route/shadowed", "warning",
                                           f"this route ({_matchers_text(later.matchers)}) never "
                                           f"gets an alert: the route at line {line} "
                                           f"({_matchers_text(earlier.matchers)}) takes all of "
                                           "them first and has no `continue: true`")  # fmt: skip
                    break


def repeat_intervals(document: Document, tree: Route) -> Iterator[Finding]:
    for route in tree.walk():
        repeat, group = route.timings["repeat_interval"], route.timings["group_interval"]
        written = {"repeat_interval", "group_interval"} & route.written
        if repeat < group and written:
            key = "repeat_interval" if "repeat_interval" in written else "group_interval"
            yield document.finding((*route.path, key), "route/repeat-interval", "warning",
                                   f"repeat_interval {format_duration(repeat)} is shorter than "
                                   f"group_interval {format_duration(group)}: reminders come "
                                   "only every group_interval")  # fmt: skip


def routing_findings(
    stack: Stack, files: Sequence[RuleFileSummary], rules: Reread
) -> list[Finding]:
    document = stack.alertmanager
    if document is None or not isinstance(document.data, dict):
        return []
    if not isinstance(document.data.get("route"), dict):
        return []
    tree = route_tree(document.data["route"])
    external = stack.external_labels
    alerts = [Alert(summary.file, a, external) for summary in files for a in summary.alerts]
    carried = carried_labels(files, external, stack.target_labels())
    return [
        *unrouted(tree, alerts, rules),
        *unknown_labels(document, tree, carried),
        *unused_receivers(document, tree),
        *shadowed_routes(document, tree),
        *repeat_intervals(document, tree),
    ]


def dashboard_findings(
    dashboards: Sequence[DashboardSummary], defined: set[str], tree: Tree
) -> Iterator[Finding]:
    for dashboard in dashboards:
        yield from dashboard.findings
        if dashboard.recorded <= defined:
            continue
        # read again to tell which queries read an undefined one, and to point at them
        document = read_document(Path(dashboard.file), tree)
        assert document is not None, f"{dashboard.file}: summarised, yet unreadable now"
        for where, expr in dashboard_queries(document.data):
            found = dashboard_facts(expr)
            for name in sorted(found.recorded - defined) if found.error is None else ():
                yield document.finding(where, "record/undefined", "warning",
                                       f"`{name}` looks like a recording rule, but the stack's "
                                       "rule files do not define it")  # fmt: skip
