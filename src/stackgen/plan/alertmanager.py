"""alertmanager.yml (receivers, the route tree, inhibitions) and its notification templates."""

from __future__ import annotations

from typing import Any

from stackgen.common.layout import ALERTMANAGER_CONFIG, NOTIFICATION_TEMPLATE
from stackgen.plan.alerts import stack_alerts
from stackgen.plan.artifact import Artifact
from stackgen.plan.meta import meta_routes
from stackgen.prometheus.promql import quote
from stackgen.spec.model import Route, Routing, Stack


def matcher(label: str, value: str) -> str:
    return f"{label}={quote(value)}"


# RE2's metacharacters: escaped one by one (Python's re.escape also escapes characters, such as
# a space, that RE2 refuses to see escaped).
_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def literal_regex(value: str) -> str:
    return "".join(f"\\{c}" if c in _RE2_SPECIAL else c for c in value)


def any_of(label: str, values: list[str]) -> list[str]:
    """One matcher for a label that must have one of the values."""
    if not values:
        return []
    if len(values) == 1:
        return [matcher(label, values[0])]
    return [f"{label}=~{quote('|'.join(map(literal_regex, values)))}"]


def route_matchers(route: Route) -> list[str]:
    matchers = [
        *any_of("severity", list(route.severity)),
        *any_of("team", route.team),
        *any_of("service", route.service),
    ]
    for label, values in route.match.items():
        matchers += any_of(label, values)
    matchers += [f"{label}=~{quote(regex)}" for label, regex in route.match_re.items()]
    return matchers


def route_tree(route: Route, mute: tuple[list[str], list[str]] = ([], [])) -> dict[str, Any]:
    """A spec route as alertmanager.yml writes it, with the intervals every route has (`mute`:
    routing's mute and active time intervals) before its own."""
    muted, active = mute
    return {
        "receiver": route.channel,
        "matchers": route_matchers(route),
        "group_by": route.group_by,
        "group_wait": route.group_wait,
        "group_interval": route.group_interval,
        "repeat_interval": route.repeat_interval,
        "continue": route.continue_,
        "mute_time_intervals": _union(muted, route.mute_time_intervals),
        "active_time_intervals": _union(active, route.active_time_intervals),
        "routes": [route_tree(child, mute) for child in route.routes],
    }


def _union(first: list[str], then: list[str]) -> list[str]:
    return [*first, *(name for name in then if name not in first)]


def child_routes(routing: Routing) -> list[dict[str, Any]]:
    """The root route's children. With time intervals for every route, Alertmanager refuses
    them on the root route, so one route without matchers takes the root's place: it catches
    every alert, carries the intervals, holds the spec's routes and sends what none of them
    takes to the default channel, exactly as the root would."""
    mute = (routing.mute_time_intervals, routing.active_time_intervals)
    routes = [route_tree(r, mute) for r in routing.routes]
    if not any(mute):
        return routes
    return [
        {
            "receiver": routing.default_channel,
            "matchers": [],
            "group_by": None,
            "group_wait": None,
            "group_interval": None,
            "repeat_interval": None,
            "continue": False,
            "mute_time_intervals": routing.mute_time_intervals,
            "active_time_intervals": routing.active_time_intervals,
            "routes": routes,
        }
    ]


def root_route(routing: Routing, first: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The whole tree as alertmanager.yml writes it (and the simulator reads it); `first`:
    routes of stackgen's own ahead of the spec's (the Watchdog's, which no time interval of
    the spec mutes: a muted heartbeat would look like a dead pipeline)."""
    return {
        "receiver": routing.default_channel,
        "group_by": routing.group_by,
        "group_wait": routing.group_wait,
        "group_interval": routing.group_interval,
        "repeat_interval": routing.repeat_interval,
        "routes": [*(first or []), *child_routes(routing)],
    }


def time_intervals(routing: Routing) -> list[dict[str, Any]]:
    return [
        {
            "name": interval.name,
            "time_intervals": [
                entry.model_dump(exclude_defaults=True, exclude_none=True)
                for entry in interval.time_intervals
            ],
        }
        for interval in routing.time_intervals
    ]


Inhibition = dict[str, list[str]]

# `stack` and `environment` are external labels on every alert: two stacks sharing one
# Alertmanager never silence each other.
DEFAULT_INHIBITIONS: list[Inhibition] = [
    # A service that is down silences its own other alerts.
    {
        "source_matchers": ['alertname="ServiceDown"'],
        "target_matchers": ['alertname!="ServiceDown"'],
        "equal": ["stack", "environment", "service"],
    },
    # A critical alert silences the warning of the same alert for the same service (and SLO).
    {
        "source_matchers": ['severity="critical"'],
        "target_matchers": ['severity="warning"'],
        "equal": ["stack", "environment", "alertname", "service", "slo"],
    },
]


def slo_inhibition(group_labels: list[str]) -> Inhibition:
    """A firing page tier silences the ticket tier of the same SLO (and SLO group)."""
    return {
        "source_matchers": ['slo_tier="page"'],
        "target_matchers": ['slo_tier="ticket"'],
        "equal": ["stack", "environment", "service", "slo", *group_labels],
    }


def _down_inhibition(rule: Inhibition, names: list[str]) -> Inhibition:
    """The ServiceDown inhibition under the names the spec gives ServiceDown (`alerts.
    ServiceDown.name`): every one mutes its service's other alerts, none mutes itself."""
    if names == ["ServiceDown"]:
        return rule
    if len(names) == 1:
        source, target = f'alertname="{names[0]}"', f'alertname!="{names[0]}"'
    else:
        either = "|".join(names)  # alert names are [A-Za-z0-9_:]: nothing to escape
        source, target = f'alertname=~"{either}"', f'alertname!~"{either}"'
    return {**rule, "source_matchers": [source], "target_matchers": [target]}


def inhibit_rules(
    routing: Routing,
    slo_groups: list[str] | None = None,
    down_alerts: list[str] | None = None,
) -> list[Inhibition]:
    """The default inhibitions, the SLO one when the stack has SLOs (`slo_groups`: the labels
    its SLOs group by), then the spec's own. `down_alerts`: the names ServiceDown has in the
    stack (default its own)."""
    custom = [
        {
            "source_matchers": [matcher(k, v) for k, v in rule.source.items()],
            "target_matchers": [matcher(k, v) for k, v in rule.target.items()],
            "equal": rule.equal,
        }
        for rule in routing.inhibit
    ]
    defaults = DEFAULT_INHIBITIONS if routing.default_inhibitions else []
    if down_alerts and defaults:
        defaults = [_down_inhibition(defaults[0], sorted(down_alerts)), *defaults[1:]]
    if routing.default_inhibitions and slo_groups is not None:
        # A page for one group (route, customer) must not silence another group's ticket.
        defaults = [
            {**rule, "equal": [*rule["equal"], *slo_groups]} if "slo" in rule["equal"] else rule
            for rule in defaults
        ]
        defaults = [*defaults, slo_inhibition(slo_groups)]
    elif routing.default_inhibitions:
        # No alert carries `slo`: naming it in `equal` would change nothing, and lint would
        # rightly ask which alert carries it.
        defaults = [
            {**rule, "equal": [label for label in rule["equal"] if label != "slo"]}
            for rule in defaults
        ]
    return defaults + custom


def slo_group_labels(stack: Stack) -> list[str] | None:
    """The labels the stack's SLOs group by (None: the stack has no SLO)."""
    slos = [slo for service in stack.services for slo in service.slos]
    if not slos:
        return None
    return sorted({label for slo in slos for label in slo.group_by})


def down_alert_names(stack: Stack) -> list[str]:
    """The names the stack's ServiceDown alerts go by, renamed ones included."""
    return sorted({a.name for a in stack_alerts(stack) if a.origin == "ServiceDown"})


def alertmanager_config(stack: Stack) -> list[Artifact]:
    routing = stack.routing
    return [
        Artifact(
            ALERTMANAGER_CONFIG,
            "alertmanager.yml.j2",
            {
                "stack": stack.stack,
                "server": stack.alertmanager,
                "routing": routing,
                "routes": [*meta_routes(stack), *child_routes(routing)],
                "time_intervals": time_intervals(routing),
                "channels": stack.channels,
                "inhibit_rules": inhibit_rules(
                    routing, slo_group_labels(stack), down_alert_names(stack)
                ),
                "template_glob": "templates/*.tmpl",
            },
        ),
        Artifact(NOTIFICATION_TEMPLATE, "notifications.tmpl.j2", {"stack": stack.stack}),
    ]
