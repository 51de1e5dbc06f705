"""Every alert matches a route, not only the default receiver.

Bad:

    route: {receiver: default, routes: [{matchers: [team="a"], receiver: a}]}
    # an alert with team="b" goes to `default` only

Good:

    route: {receiver: default, routes: [{matchers: [team=~"a|b"], receiver: a}]}
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Spot
from stackgen.lint.sources import Reread

if TYPE_CHECKING:  # summaries are made by running the checks
    from stackgen.alertmanager.routing import Route
    from stackgen.lint.summary import AlertFacts, RuleFileSummary

ID = "route/unrouted"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("stack",)
AUDIENCE: Audience = "both"
HINT = "Add a route for its team or severity, or a label the routes match."


class Alert(NamedTuple):  # one for every alert of the stack
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


def check(
    tree: Route, files: Sequence[RuleFileSummary], external: dict[str, str], rules: Reread
) -> Iterator[Hit]:
    """`tree`: alertmanager.yml's routes; `external`: Prometheus's external labels."""
    from stackgen.alertmanager.routing import possible_routes  # only a stack's lint routes

    if not tree.routes:
        return  # one receiver for everything is a choice, not a gap
    alerts = [Alert(summary.file, a, external) for summary in files for a in summary.alerts]
    # Routes read an alert's labels only through their matchers: alerts alike in the values
    # of the labels the matchers name are routed alike, so the tree is walked once per kind.
    named = sorted({m.name for route in tree.walk() for m in route.matchers})
    default_only: dict[tuple[str | None, ...], bool] = {}
    for alert in alerts:
        key = tuple(alert.value(label) for label in named)
        if key not in default_only:
            # Matcher-less routes that keep the default receiver (the root, or the one that
            # carries routing-wide time intervals for it) route nothing of their own.
            default_only[key] = all(
                not route.matchers and route.receiver == tree.receiver
                for route in possible_routes(tree, alert.value)
            )
        if default_only[key]:
            line, column = rules.position(alert.file, alert.rule.index, "alert")
            name, receiver = alert.rule.static["alertname"], tree.receiver
            yield (
                Spot(alert.file, line, column),
                (
                    f"alert `{name}` ({_described(alert)}) matches no route: only the default "
                    f"receiver `{receiver}` gets it"
                ),
            )
