"""A panel's unit, read from the metric names its query uses (Prometheus's naming conventions):
ratios -> percentunit, `_seconds` -> s, `_bytes` -> bytes, rates of counters -> reqps."""

from __future__ import annotations

from functools import lru_cache

import promql_parser as ast

from stackgen.grafana.queries import parse_dashboard_query
from stackgen.prometheus.promql import normalised
from stackgen.prometheus.query import is_scalar, metric_name, selectors, unwrap


def _is_ratio(tree: ast.Expr) -> bool:
    """A quotient at the top (inside aggregations, `1 -` and clamps): one thing over another of
    its own kind."""
    node = unwrap(tree)
    while True:
        if isinstance(node, ast.BinaryExpr) and str(node.op) in ("-", "or"):
            node = unwrap(node.rhs if str(node.op) == "-" else node.lhs)
        elif isinstance(node, ast.AggregateExpr):
            node = unwrap(node.expr)
        else:
            return (
                isinstance(node, ast.BinaryExpr)
                and str(node.op) == "/"
                and not is_scalar(node.lhs)
                and not is_scalar(node.rhs)
            )


def infer_unit(expr: str) -> str:
    """The unit of a query's values. Read from the query with its plain label values set
    aside (`normalised`): every service's copy of a panel differs only in those, which decide
    nothing here, so a fleet parses each panel's query once."""
    return _unit(normalised(expr))


@lru_cache(maxsize=4096)
def _unit(expr: str) -> str:
    tree = parse_dashboard_query(expr)
    if _is_ratio(tree):
        return "percentunit"
    for selector, _ in selectors(tree):
        name = (metric_name(selector) or "").lower()
        parts = name.split(":")
        metric = parts[1] if len(parts) == 3 else name
        operations = parts[-1] if len(parts) == 3 else ""
        rated = operations.startswith("rate") or "rate(" in expr
        if "ratio" in operations or metric.endswith(("_utilisation", "_utilization", "_ratio")):
            return "percentunit"
        if "_bytes" in metric:
            return "Bps" if rated else "bytes"
        if "_seconds" in metric and ("histogram_quantile" in expr or not rated):
            return "s"  # a duration: a gauge, or a quantile of a histogram
        if rated and (metric.endswith(("_total", "_count")) or operations.startswith("rate")):
            return "reqps"
    return "short"
