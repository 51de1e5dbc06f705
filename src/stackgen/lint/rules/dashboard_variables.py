"""Every query of a dashboard filters by each of its query variables (`$job`, `$instance`).

Bad:

    "templating": {"list": [{"type": "query", "name": "instance", ...}]},
    "panels": [{"targets": [{"expr": "rate(http_requests_total{job=\"api\"}[5m])"}]}]
    # choosing an instance changes nothing on this panel

Good:

    "panels": [{"targets": [{"expr": "rate(http_requests_total{instance=~\"$instance\"}[5m])"}]}]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from stackgen.lint.facts import DashboardFacts
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Keys, Scope

ID = "dashboard/variables"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("dashboard",)
AUDIENCE: Audience = "generated"
HINT = 'Add `label=~"$variable"` to every selector of the panel\'s queries.'


def query_variables(dashboard: dict[str, Any]) -> list[str]:
    """The names of the dashboard's query variables (a datasource variable is not one)."""
    listed = (dashboard.get("templating") or {}).get("list") or []
    return [str(v["name"]) for v in listed if v.get("type") == "query" and v.get("name")]


def uses(expr: str, variable: str) -> bool:
    """`$name`, `${name}` or `[[name]]`, as Grafana substitutes them."""
    return (
        re.search(rf"\$(?:{variable}\b|\{{{variable}(?::\w+)?\}})|\[\[{variable}\]\]", expr)
        is not None
    )


def check(
    dashboard: dict[str, Any], queries: Sequence[tuple[Keys, DashboardFacts]]
) -> Iterator[Hit]:
    variables = query_variables(dashboard)
    if not variables:
        return
    for i, panel in enumerate(dashboard.get("panels") or []):
        for j, target in enumerate(panel.get("targets") or []):
            expr = str(target.get("expr") or "")
            missing = [f"${name}" for name in variables if not uses(expr, name)]
            if expr and missing:
                yield (
                    ("panels", i, "targets", j, "expr"),
                    f"panel `{panel.get('title')}` ignores {', '.join(missing)}: it shows the "
                    "same whatever is chosen there",
                )
