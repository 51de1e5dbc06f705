"""No route is hidden by an earlier sibling that matches all its alerts.

Bad:

    routes:
      - matchers: [team="a"]
      - matchers: [team="a", severity="critical"]

Good:

    routes:
      - matchers: [team="a", severity="critical"]
      - matchers: [team="a"]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Document

if TYPE_CHECKING:  # the checks of alertmanager.yml import the routing when they run
    from stackgen.alertmanager.routing import Matcher, Route

ID = "route/shadowed"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("stack",)
AUDIENCE: Audience = "both"
HINT = "Move the narrower route first, or add `continue: true`."


def _catches_all_of(earlier: Route, later: Route) -> bool:
    return all(any(m.implied_by(n) for n in later.matchers) for m in earlier.matchers)


def _matchers_text(matchers: tuple[Matcher, ...]) -> str:
    return ", ".join(map(str, matchers)) or "no matchers"


def check(document: Document, tree: Route) -> Iterator[Hit]:
    for route in tree.walk():
        for position, later in enumerate(route.routes):
            for earlier in route.routes[:position]:
                if not earlier.continue_ and _catches_all_of(earlier, later):
                    line = document.source.locate(earlier.path).line
                    yield (
                        later.path,
                        (
                            f"this route ({_matchers_text(later.matchers)}) never gets an alert: "
                            f"the route at line {line} ({_matchers_text(earlier.matchers)}) takes "
                            "all of them first and has no `continue: true`"
                        ),
                    )
                    break
