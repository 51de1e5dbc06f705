"""Every panel and query uses the dashboard's `datasource` variable.

Bad:

    "datasource": {"type": "prometheus", "uid": "prom-1"}

Good:

    "datasource": {"type": "prometheus", "uid": "${datasource}"}
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from stackgen.lint.facts import DashboardFacts
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Keys, Scope

ID = "dashboard/datasource"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("dashboard", "panel")
AUDIENCE: Audience = "generated"
HINT = "Add a `datasource` variable, and set every panel's and query's uid to `${datasource}`."

DATASOURCE = "${datasource}"


def check(
    dashboard: dict[str, Any], queries: Sequence[tuple[Keys, DashboardFacts]]
) -> Iterator[Hit]:
    variables = dashboard.get("templating", {}).get("list", [])
    if not any(v.get("type") == "datasource" and v.get("name") == "datasource" for v in variables):
        yield ("templating",), "no `datasource` variable: panels cannot follow a datasource choice"


def check_panel(
    panel: dict[str, Any], queries: Sequence[tuple[str, DashboardFacts]]
) -> Iterator[Hit]:
    sources = [panel.get("datasource"), *(t.get("datasource") for t in panel.get("targets", []))]
    if any((s or {}).get("uid") != DATASOURCE for s in sources):
        yield (
            ("datasource",),
            f"panel `{panel.get('title')}` does not use the `datasource` variable",
        )
