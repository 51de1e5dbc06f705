"""Meta-monitoring: the monitoring stack's own alerts (packs/builtin/meta.yml), the Watchdog and
its route, their rule file and the promtool proofs that each of them fires."""

from __future__ import annotations

import re
from string import Template
from typing import Any

from stackgen.common.values import format_duration, parse_duration
from stackgen.packs.base import PanelDef
from stackgen.packs.meta import META_ALERTS, MetaAlert
from stackgen.plan.alerts import Alert, runbook_link
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import dashboard_context, uid_for
from stackgen.plan.memo import per_plan
from stackgen.plan.panels import layout, panel, row
from stackgen.prometheus.promql import parse, quote
from stackgen.prometheus.query import metric_name, selectors, unwrap
from stackgen.spec.model import META_MONITORING, Stack

META = META_MONITORING  # the service label and rule file name of the stack's own alerts
RULE_FILE = f"prometheus/rules/{META}.yml"
TEST_FILE = f"prometheus/tests/{META}.yml"
WATCHDOG = "Watchdog"
WATCHDOG_TICK = 60.0  # seconds between the Watchdog route's group_interval ticks
# The self-scrape jobs the alerts read (prometheus/prometheus.yml names them so).
JOBS = {
    "prometheus": 'job="prometheus"',
    "federate": 'job="federate"',
    "alertmanager": 'job="alertmanager"',
    "grafana": 'job="grafana"',
}


def meta_dashboard_uid(stack: Stack) -> str:
    return uid_for(f"{stack.stack.name}-{META}")


def _applies(stack: Stack, definition: MetaAlert) -> bool:
    return definition.when == "always" or bool(stack.prometheus.remote_write)


def _alert(stack: Stack, definition: MetaAlert) -> Alert:
    return Alert(
        service=META,
        name=definition.name,
        expr=Template(definition.expr).substitute(JOBS),
        for_=definition.for_,
        # `service`: the stack itself, for whatever reads alerts by service (the routing
        # matrix, the report); `component`: which of its servers.
        labels={
            "severity": definition.severity,
            "team": stack.meta_monitoring.team,
            "service": META,
            "component": definition.component,
        },
        summary=definition.summary,
        description=definition.description,
        runbook_url=runbook_link(stack, definition.name),
        runbook_generated=True,
        diagnosis=definition.diagnosis,
        dashboard_url=f"{stack.grafana.url.rstrip('/')}/d/{meta_dashboard_uid(stack)}",
    )


def watchdog(stack: Stack) -> Alert:
    meta = stack.meta_monitoring
    return Alert(
        service=META,
        name=WATCHDOG,
        expr="vector(1)",
        for_="0s",
        # `info`: a severity lint accepts; its own route sends it, whatever the others do.
        labels={"severity": "info", "team": meta.team, "service": META, "component": "prometheus"},
        summary="The alerting pipeline is alive",
        description=f"Always firing, sent to {meta.watchdog_channel} again every "
        f"{meta.watchdog_interval}: a dead man's switch outside the stack raises the alarm when "
        "it stops arriving (Prometheus, its rules, Alertmanager or the channel is broken).",
        runbook_url=runbook_link(stack, WATCHDOG),
        runbook_generated=True,
        diagnosis=(
            "If the external checker raised this: is Prometheus evaluating rules, does it reach "
            "Alertmanager, and does Alertmanager reach the channel?",
        ),
        dashboard_url=f"{stack.grafana.url.rstrip('/')}/d/{meta_dashboard_uid(stack)}",
    )


def meta_metric_names(stack: Stack) -> set[str]:
    """The metrics the stack's own alerts and their panels read (Prometheus's, Alertmanager's
    and Grafana's own)."""
    return {
        name
        for alert in meta_alerts(stack)
        for node, _ in selectors(unwrap(parse(alert.expr)))
        if (name := metric_name(node)) is not None
    }


@per_plan
def meta_alerts(stack: Stack) -> list[Alert]:
    """The stack's own alerts, the Watchdog last (none when meta-monitoring is off)."""
    meta = stack.meta_monitoring
    if not meta.enabled:
        return []
    alerts = [_alert(stack, d) for d in META_ALERTS if _applies(stack, d)]
    if meta.watchdog_channel is not None:
        alerts.append(watchdog(stack))
    return alerts


def meta_routes(stack: Stack) -> list[dict[str, Any]]:
    """The Watchdog's route, first in the tree: to its channel alone, again every
    `watchdog_interval` (within a minute), whatever the other routes do."""
    meta = stack.meta_monitoring
    if not meta.enabled or meta.watchdog_channel is None:
        return []
    interval = parse_duration(meta.watchdog_interval)
    return [
        {
            "receiver": meta.watchdog_channel,
            "matchers": [f"alertname={quote(WATCHDOG)}"],
            "group_by": ["alertname"],
            "group_wait": "0s",
            # Alertmanager repeats a notification at the first group_interval tick after
            # repeat_interval: ticks a minute apart send the Watchdog every interval (within
            # a minute), where ticks of the interval itself would send it every other one.
            "group_interval": format_duration(min(WATCHDOG_TICK, interval)),
            "repeat_interval": meta.watchdog_interval,
            "continue": False,
            "mute_time_intervals": [],
            "active_time_intervals": [],
            "routes": [],
        }
    ]


def meta_rule_file(stack: Stack) -> list[Artifact]:
    alerts = meta_alerts(stack)
    if not alerts:
        return []
    return [
        Artifact(
            RULE_FILE,
            "meta-rules.yml.j2",
            {
                "stack": stack.stack,
                "groups": [{"name": META, "records": [], "alerts": alerts}],
                "watchdog": WATCHDOG,
            },
        )
    ]


def _expand(text: str, labels: dict[str, str]) -> str:
    for name, value in labels.items():
        text = text.replace(f"{{{{ $labels.{name} }}}}", value)
    return text


def _series_labels(series: str) -> dict[str, str]:
    """The labels of one input series written as `name{a="1",b="2"}` (no commas in values)."""
    inner = series[series.index("{") + 1 : series.rindex("}")]
    pairs = [part.split("=", 1) for part in inner.split(",") if part]
    return {key: value.strip('"') for key, value in pairs}


def _expected(alert: Alert, series: dict[str, str], drop: tuple[str, ...]) -> dict[str, Any]:
    """The alert as it fires: the labels of the scenario's first series but __name__ and
    those the expression aggregates away (`drop`), and its own."""
    first = next(iter(series), None)
    kept = _series_labels(first) if first else {}
    for name in drop:
        kept.pop(name, None)
    labels = {**kept, **alert.labels, "alertname": alert.name}
    return {
        "exp_labels": labels,
        "exp_annotations": {k: _expand(v, labels) for k, v in alert.annotations.items()},
    }


def _checks(alert: Alert, onset: int, resolves: int | None, step: int) -> list[tuple[int, bool]]:
    """(evaluation time, firing) of a firing scenario: silent before its onset and until `for`
    has passed since, firing exactly then (bounded from below and above), still firing an
    evaluation before it resolves, and resolved then."""
    fires = onset + int(parse_duration(alert.for_))
    checks = [(onset - step, False)] if onset >= step else []
    if fires - step > onset - step and fires > onset:
        checks.append((fires - step, False))
    checks.append((fires, True))
    if resolves is not None:
        if resolves - step > fires:
            checks.append((resolves - step, True))
        checks.append((resolves, False))
    return checks


def _scenario_test(
    alert: Alert, name: str, series: dict[str, str], checks: list[tuple[int, bool]],
    expected: dict[str, Any], step: int,
) -> dict[str, Any]:  # fmt: skip
    return {
        "name": name,
        "interval": format_duration(step),
        "input_series": [{"series": k, "values": v} for k, v in series.items()],
        "alert_rule_test": [
            {
                "eval_time": format_duration(at),
                "alertname": alert.name,
                "exp_alerts": [expected] if firing else [],
            }
            for at, firing in checks
        ],
    }


def meta_tests(alert: Alert, definition: MetaAlert | None) -> list[dict[str, Any]]:
    """The alert's promtool tests: each firing scenario fires it exactly `for` after its
    onset and resolves when it says; each silent scenario leaves it silent at those times."""
    if definition is None:  # the Watchdog: fires with nothing fed, at once
        return [_scenario_test(alert, f"{alert.name} fires at once", {}, [(0, True)],
                               _expected(alert, {}, ()), 60)]  # fmt: skip
    test = definition.test
    step = int(parse_duration(test.interval))
    tests, times = [], []
    for scenario in test.fire:
        series = {Template(k).substitute(JOBS): v for k, v in scenario.series.items()}
        assert scenario.onset is not None
        onset = int(parse_duration(scenario.onset))
        resolves = None if scenario.resolves is None else int(parse_duration(scenario.resolves))
        checks = _checks(alert, onset, resolves, step)
        times += [at for at, _ in checks]
        fires = next(at for at, firing in checks if firing)
        title = f"fires at {format_duration(fires)}, not before" + (
            f"; recovered, it resolves at {format_duration(resolves)}" if resolves else ""
        )
        tests.append(_scenario_test(alert, f"{alert.name}: its condition from "
                                    f"{format_duration(onset)} {title}", series, checks,
                                    _expected(alert, series, test.drop), step))  # fmt: skip
    for n, scenario in enumerate(test.silent, 1):
        series = {Template(k).substitute(JOBS): v for k, v in scenario.series.items()}
        checks = [(at, False) for at in sorted(set(times))]
        tests.append(_scenario_test(alert, f"{alert.name}: silent input {n} never fires it",
                                    series, checks, {}, step))  # fmt: skip
    return tests


def meta_proofs(stack: Stack) -> list[Artifact]:
    alerts = meta_alerts(stack)
    if not alerts:
        return []
    definitions = {d.name: d for d in META_ALERTS}
    tests = [t for a in alerts for t in meta_tests(a, definitions.get(a.name))]
    step = min((parse_duration(t["interval"]) for t in tests), default=60.0)
    return [
        Artifact(
            TEST_FILE,
            "meta-rules-test.yml.j2",
            {
                "rule_file": f"../rules/{META}.yml",
                "evaluation_interval": format_duration(step),
                "tests": tests,
            },
        )
    ]


# An alert's expression as `query OP number`: the panel draws the query, the number a line.
_COMPARISON = re.compile(r"^(?P<query>.+?)\s*(?P<op>==|>=|<=|>|<)\s*(?P<number>-?[0-9.]+)$", re.S)
_COMPONENT_TITLES = {
    "prometheus": "Prometheus",
    "alertmanager": "Alertmanager",
    "grafana": "Grafana",
}


# rate() and increase() over a fixed range, which a dashboard draws over Grafana's own.
_RATE_RANGE = re.compile(r"\b(?P<fn>rate|increase)\((?P<selector>[^\[\]()]*)\[[^\]]+\]\)")


def _alert_panel(alert: Alert, definition: MetaAlert) -> dict[str, Any]:
    """The panel of one alert: what it compares, with its threshold, or its own query."""
    query, threshold, below = alert.expr, None, False
    if definition.panel is not None:
        query = Template(definition.panel).substitute(JOBS)
    elif (found := _COMPARISON.match(alert.expr)) is not None:
        query, threshold = found["query"], float(found["number"])
        below = found["op"] in ("<", "<=")
    query = _RATE_RANGE.sub(r"\g<fn>(\g<selector>[$__rate_interval])", query)
    return panel(
        PanelDef(alert.name, "timeseries", (), unit="short", description=alert.summary),
        [(query, "{{instance}}")],
        threshold,
        below=below,
    )


def meta_dashboard(stack: Stack, directory: str) -> list[Artifact]:
    """The dashboard the stack's own alerts link to: a panel per alert, by component, in the
    default folder's `directory`."""
    alerts = {a.name: a for a in meta_alerts(stack)}
    if not alerts:
        return []
    panels: list[dict[str, Any]] = []
    for component, title in _COMPONENT_TITLES.items():
        drawn = [d for d in META_ALERTS if d.component == component and d.name in alerts]
        if drawn:
            panels.append(row(title))
            panels += [_alert_panel(alerts[d.name], d) for d in drawn]
    name = stack.stack.name
    return [
        Artifact(
            f"grafana/dashboards/{directory}/{name}-{META}.json",
            "dashboard.json.j2",
            dashboard_context(
                stack,
                meta_dashboard_uid(stack),
                f"{name} monitoring stack",
                [META],
                f"Prometheus, Alertmanager and Grafana of the {name} stack, watched by "
                "the alerts of prometheus/rules/meta-monitoring.yml.",
                layout(panels),
            ),
        )
    ]
