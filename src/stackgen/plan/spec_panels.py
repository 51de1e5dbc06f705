"""The metrics the spec's own panels read (a pack's, a service's): the spec declares them, so
the dashboard check takes them as known, as it does the kinds' metric roles."""

from __future__ import annotations

from stackgen.grafana.queries import parse_dashboard_query
from stackgen.packs.service import dashboard_panels, pack_spec
from stackgen.plan.alerts import service_context
from stackgen.prometheus.query import metric_name, selectors
from stackgen.spec.model import Stack


def spec_panel_metrics(stack: Stack) -> set[str]:
    names: set[str] = set()
    for service in stack.services:
        if not service.dashboard_panels and pack_spec(stack.packs, service) is None:
            continue  # a built-in pack's panels are checked against its roles
        ctx = service_context(stack, service)
        for definition in dashboard_panels(stack.packs, service):
            for query in definition.queries:
                try:
                    tree = parse_dashboard_query(query.expr(ctx))
                except ValueError:
                    continue  # the spec checks refuse it; the dashboard check reports it
                names |= {n for s, _ in selectors(tree) if (n := metric_name(s))}
    return names
