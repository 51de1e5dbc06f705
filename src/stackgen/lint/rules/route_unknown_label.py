"""Route matchers, group_by and inhibit rules name labels alerts carry.

Bad:

    routes: [{matchers: [tem="a"], receiver: a}]   # alerts carry `team`

Good:

    routes: [{matchers: [team="a"], receiver: a}]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Keys, Scope
from stackgen.lint.sources import Document

if TYPE_CHECKING:  # the checks of alertmanager.yml import the routing when they run
    from stackgen.alertmanager.routing import Route

ID = "route/unknown-label"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("stack",)
AUDIENCE: Audience = "both"
HINT = "Fix the label name, or add the label to the alerts."


def _inhibit_labels(config: dict[str, Any]) -> Iterator[tuple[Keys, str, str]]:
    """(path, label, what names it) for every label inhibit rules name."""
    from stackgen.alertmanager.routing import matchers_of

    for index, inhibit in enumerate(config.get("inhibit_rules") or []):
        if not isinstance(inhibit, dict):
            continue  # amtool check-config reports it
        path: Keys = ("inhibit_rules", index)
        for side in ("source_", "target_"):
            for matcher in matchers_of(inhibit, path, side):
                yield matcher.path, matcher.name, f"the inhibit rule's {side}matchers"
        for position, label in enumerate(inhibit.get("equal") or []):
            yield (*path, "equal", position), str(label), "the inhibit rule's `equal`"


def check(document: Document, tree: Route, carried: set[str]) -> Iterator[Hit]:
    """`carried`: the labels some alert of the stack may carry (lint.stack.carried_labels)."""
    named: list[tuple[Keys, str, str]] = list(_inhibit_labels(document.data))
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
            yield (
                path,
                (
                    f"no alert carries the label `{label}` that {where} name (not by its rule's "
                    "labels, its query, nor the scrape targets)"
                ),
            )
