"""Every receiver is used by a route.

Bad:

    receivers: [{name: team-a}, {name: old-pager}]   # no route sends to old-pager

Good:

    receivers: [{name: team-a}]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Document

if TYPE_CHECKING:  # the checks of alertmanager.yml import the routing when they run
    from stackgen.alertmanager.routing import Route

ID = "receiver/unused"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("stack",)
AUDIENCE: Audience = "both"
HINT = "Route alerts to it, or remove it."


def check(document: Document, tree: Route) -> Iterator[Hit]:
    """`document`: alertmanager.yml; `tree`: its routes."""
    used = {route.receiver for route in tree.walk()}
    for index, receiver in enumerate(document.data.get("receivers") or []):
        name = str(receiver.get("name", "")) if isinstance(receiver, dict) else ""
        if name and name not in used:
            yield ("receivers", index, "name"), f"no route sends to receiver `{name}`"
