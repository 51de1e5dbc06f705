"""Panel units are units Grafana knows.

Bad:

    "fieldConfig": {"defaults": {"unit": "requests"}}

Good:

    "fieldConfig": {"defaults": {"unit": "reqps"}}
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from stackgen.lint.facts import DashboardFacts
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope

ID = "dashboard/known-unit"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("panel",)
AUDIENCE: Audience = "generated"
HINT = "Use a unit id of Grafana's units (percentunit, s, reqps, ...)."


def check(panel: dict[str, Any], queries: Sequence[tuple[str, DashboardFacts]]) -> Iterator[Hit]:
    # Imported here: grafana.schema brings jsonschema, which linting rule files never needs.
    from stackgen.grafana.schema import grafana_units

    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
    if unit is not None and unit not in grafana_units():
        where = ("fieldConfig", "defaults", "unit")
        yield where, f"panel `{panel.get('title')}` has unit `{unit}`, which Grafana does not know"
