"""The labels of the series an expression returns over known input series, as Prometheus 2.42
computes them, for the generated proofs' expected alerts. Recording rules of the same file
are followed. Where the expression's labels cannot be told (more than one result series, a
function this module does not know) it says so rather than guessing."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import promql_parser as ast

from stackgen.prometheus.promql import parse
from stackgen.prometheus.query import is_scalar, metric_name, operator, unwrap

Labels = dict[str, str]
NAME = "__name__"
# Functions that keep their argument's labels but its name.
_KEEP_LABELS = frozenset(
    (
        *("abs", "ceil", "floor", "round", "exp", "ln", "log2", "log10", "sqrt"),
        *("clamp", "clamp_min", "clamp_max", "rate", "irate", "increase", "delta", "idelta"),
        *("deriv", "changes", "resets", "predict_linear"),
        *(f"{f}_over_time" for f in ("avg", "min", "max", "sum", "count", "last", "quantile")),
        *(f"{f}_over_time" for f in ("stddev", "stdvar", "present")),
    )
)


class Unknown(ValueError):
    """The result's labels cannot be told."""


def _matches(matcher: object, labels: Labels) -> bool:
    op, value = str(matcher.op), str(matcher.value)  # type: ignore[attr-defined]
    have = labels.get(str(matcher.name), "")  # type: ignore[attr-defined]
    if op.endswith("NotEqual"):
        return have != value
    if op.endswith("Equal"):
        return have == value
    try:
        found = re.fullmatch(value, have) is not None
    except re.error:  # RE2 that Python's re does not read
        raise Unknown(f"the regex `{value}`") from None
    return not found if op.endswith("NotRe") else found


def _common(found: Sequence[Labels]) -> Labels:
    """The labels every series shares with the same value."""
    first = found[0]
    return {k: v for k, v in first.items() if all(s.get(k) == v for s in found[1:])}


class Resolver:
    """Input series (labels with `__name__`) and the recording rules (name -> expr, static
    labels) the expressions may read."""

    def __init__(self, series: Sequence[Labels], records: Mapping[str, tuple[str, Labels]]) -> None:
        self.series = series
        self.records = records

    def result(self, expr: str) -> Labels:
        """The labels of the one series `expr` returns, `__name__` included if it keeps one."""
        return self._labels(parse(expr), depth=0)

    def _selector(self, node: ast.VectorSelector, depth: int) -> Labels:
        name = metric_name(node)
        if name is not None and name in self.records:
            if depth > 20:
                raise Unknown("recording rules read each other in a loop")
            expr, static = self.records[name]
            labels = {**self._labels(parse(expr), depth + 1), **static, NAME: name}
            candidates = [labels]
        else:
            candidates = list(self.series)
        found = [s for s in candidates if all(_matches(m, s) for m in node.matchers.matchers)]
        if name is not None:
            found = [s for s in found if s.get(NAME) == name]
        if not found:
            raise Unknown(f"no input series matches `{node}`")
        return _common(found) if len(found) > 1 else dict(found[0])

    def _labels(self, node: ast.Expr, depth: int) -> Labels:
        node = unwrap(node)
        if isinstance(node, ast.VectorSelector):
            return self._selector(node, depth)
        if isinstance(node, ast.MatrixSelector):
            return self._selector(node.vector_selector, depth)
        if isinstance(node, ast.UnaryExpr):
            inner = self._labels(node.expr, depth)
            inner.pop(NAME, None)
            return inner
        if isinstance(node, ast.AggregateExpr):
            inner = self._labels(node.expr, depth)
            grouped = list(node.modifier.labels) if node.modifier is not None else []
            if operator(node) not in ("sum", "max", "min", "avg", "count", "group", "stddev",
                                      "stdvar", "quantile"):  # fmt: skip
                raise Unknown(f"the aggregation `{operator(node)}`")
            if node.modifier is not None and str(node.modifier.type).endswith("Without"):
                return {k: v for k, v in inner.items() if k not in grouped and k != NAME}
            return {k: inner[k] for k in grouped if k in inner}
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.BinaryExpr):
            return self._binary(node, depth)
        raise Unknown(f"the expression `{node}`")

    def _call(self, node: ast.Call, depth: int) -> Labels:
        name = node.func.name
        if name in ("absent", "absent_over_time"):
            inner = unwrap(node.args[0])
            if isinstance(inner, ast.MatrixSelector):
                inner = inner.vector_selector
            if not isinstance(inner, ast.VectorSelector):
                return {}
            return {
                str(m.name): str(m.value)
                for m in inner.matchers.matchers
                if str(m.op) == "MatchOp.Equal" and m.name != NAME
            }
        if name == "vector":
            return {}
        if name == "histogram_quantile":
            found = self._labels(node.args[1], depth)
            return {k: v for k, v in found.items() if k not in ("le", NAME)}
        if name in _KEEP_LABELS:
            vector = next(a for a in node.args if not is_scalar(a))
            found = self._labels(vector, depth)
            found.pop(NAME, None)
            return found
        raise Unknown(f"the function `{name}`")

    def _binary(self, node: ast.BinaryExpr, depth: int) -> Labels:
        op = operator(node)
        keeps_name = op in ("==", "!=", ">", "<", ">=", "<=") and not (
            node.modifier is not None and node.modifier.return_bool
        )
        if is_scalar(node.lhs) or is_scalar(node.rhs):
            side = node.rhs if is_scalar(node.lhs) else node.lhs
            labels = self._labels(side, depth)
            if not keeps_name:
                labels.pop(NAME, None)
            return labels
        # Set operators: the series of the left side (the proofs' scenarios fire it).
        left = self._labels(node.lhs, depth)
        if op in ("and", "or", "unless"):
            return left
        modifier = node.modifier
        matching = modifier.matching if modifier is not None else None
        card = str(modifier.card) if modifier is not None else ""
        if card.endswith("OneToMany"):
            raise Unknown("group_right")
        if matching is not None:
            names = set(matching.labels)
            if str(matching.type).endswith("Include"):
                if not card.endswith("ManyToOne"):
                    left = {k: v for k, v in left.items() if k in names}
            else:
                left = {k: v for k, v in left.items() if k not in names}
        if not keeps_name:
            left.pop(NAME, None)
        return left
