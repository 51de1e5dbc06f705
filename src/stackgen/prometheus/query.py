"""What a PromQL expression does, read from its syntax tree: the selectors it reads, the
functions around them, and the labels its result carries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import promql_parser as ast

# Functions that take a range of a counter and handle its resets.
COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets"})
RANGE_FUNCTIONS = frozenset({"rate", "irate", "increase", "delta", "idelta", "deriv"})
# Where a counter's raw value is fine: only its presence, labels or sample times are used.
RAW_COUNTER_FINE = frozenset(
    {*COUNTER_FUNCTIONS, "absent", "absent_over_time", "present_over_time", "count_over_time",
     "changes", "timestamp", "count", "group", "count_values"}
)  # fmt: skip
COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})
SET_OPERATORS = frozenset({"and", "or", "unless"})


def children(node: ast.Expr) -> list[ast.Expr]:
    read = _CHILDREN.get(type(node))  # the parser's classes have no subclasses
    return read(node) if read is not None else []


_CHILDREN: dict[type, Callable[[Any], list[ast.Expr]]] = {
    ast.BinaryExpr: lambda node: [node.lhs, node.rhs],
    ast.AggregateExpr: lambda node: [node.expr] if node.param is None else [node.param, node.expr],
    ast.Call: lambda node: list(node.args),
    ast.MatrixSelector: lambda node: [node.vector_selector],
    ast.ParenExpr: lambda node: [node.expr],
    ast.SubqueryExpr: lambda node: [node.expr],
    ast.UnaryExpr: lambda node: [node.expr],
}


def walk(node: ast.Expr, above: tuple[ast.Expr, ...] = ()) -> Iterator[tuple[ast.Expr, tuple]]:
    """Every node, depth first, with the nodes above it (nearest last). An explicit stack,
    not recursion: a tree is as deep as its text makes it."""
    stack = [(node, above)]
    while stack:
        found, over = stack.pop()
        yield found, over
        below = children(found)
        if below:
            path = (*over, found)
            stack.extend([(child, path) for child in reversed(below)])


def function(node: ast.Expr) -> str | None:
    return node.func.name if isinstance(node, ast.Call) else None


def operator(node: ast.Expr) -> str:
    return str(node.op) if isinstance(node, (ast.BinaryExpr, ast.AggregateExpr)) else ""


def unwrap(node: ast.Expr) -> ast.Expr:
    while isinstance(node, ast.ParenExpr):
        node = node.expr
    return node


def metric_name(selector: ast.VectorSelector) -> str | None:
    if selector.name:
        return str(selector.name)
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__" and str(matcher.op) == "MatchOp.Equal":
            return str(matcher.value)
    return None


def selectors(node: ast.Expr) -> Iterator[tuple[ast.VectorSelector, tuple]]:
    for found, above in walk(node):
        if isinstance(found, ast.VectorSelector):
            yield found, above


def is_comparison(node: ast.Expr) -> bool:
    """A filtering comparison (`bool` comparisons return 0 or 1 and filter nothing)."""
    return (
        isinstance(node, ast.BinaryExpr)
        and operator(node) in COMPARISONS
        and not (node.modifier is not None and node.modifier.return_bool)
    )


def is_scalar(node: ast.Expr) -> bool:
    node = unwrap(node)
    if isinstance(node, ast.NumberLiteral):
        return True
    if isinstance(node, ast.Call):
        return str(node.func.return_type) == "ValueType.Scalar"
    if isinstance(node, ast.UnaryExpr):
        return is_scalar(node.expr)
    if isinstance(node, ast.BinaryExpr):
        return is_scalar(node.lhs) and is_scalar(node.rhs)
    return False


class Labels(NamedTuple):
    """The labels of a query's result, as far as the query itself tells. `closed`: no labels
    but `names` (an aggregation with `by`, say); otherwise the input series' labels too.
    `names` are carried (after `or`: by the series of one side at least), `dropped` never."""

    closed: bool
    names: frozenset[str] = frozenset()
    dropped: frozenset[str] = frozenset()

    def has(self, label: str) -> bool | None:
        """True or False where the query decides, None where the series do."""
        if label in self.names:
            return True
        if self.closed or label in self.dropped:
            return False
        return None

    def drop(self, names: frozenset[str]) -> Labels:
        if self.closed:
            return Labels(True, self.names - names)
        return Labels(False, self.names - names, self.dropped | names)

    def add(self, names: frozenset[str]) -> Labels:
        return Labels(self.closed, self.names | names, self.dropped - names)


NONE = Labels(True)


def _equal_matchers(selector: ast.VectorSelector) -> frozenset[str]:
    return frozenset(
        m.name for m in selector.matchers.matchers
        if str(m.op) == "MatchOp.Equal" and m.value and m.name != "__name__"
    )  # fmt: skip


def _string(node: ast.Expr) -> str | None:
    node = unwrap(node)
    return str(node.val) if isinstance(node, ast.StringLiteral) else None


def _call_labels(node: ast.Call) -> Labels:
    name = node.func.name
    if name in ("absent", "absent_over_time"):
        inner = unwrap(node.args[0])
        if isinstance(inner, ast.MatrixSelector):
            inner = inner.vector_selector
        if isinstance(inner, ast.VectorSelector):
            return Labels(True, _equal_matchers(inner))
        return NONE
    vectors = [a for a in node.args if not is_scalar(a) and _string(a) is None]
    if not vectors:
        return NONE
    if name == "histogram_quantile":
        return result_labels(vectors[0]).drop(frozenset({"le"}))
    labels = result_labels(vectors[0])
    target = _string(node.args[1]) if name in ("label_replace", "label_join") else None
    if target:
        # an empty replacement (label_replace) or no source labels (label_join) deletes it
        emptied = name == "label_replace" and _string(node.args[2]) == ""
        emptied |= name == "label_join" and len(node.args) <= 3
        labels = labels.drop(frozenset({target})) if emptied else labels.add(frozenset({target}))
    return labels


def _binary_labels(node: ast.BinaryExpr) -> Labels:
    op, modifier = operator(node), node.modifier
    if is_scalar(node.lhs):
        return result_labels(node.rhs)
    if is_scalar(node.rhs):
        return result_labels(node.lhs)
    left, right = result_labels(node.lhs), result_labels(node.rhs)
    if op in ("and", "unless"):
        return left
    if op == "or":
        if left.closed and right.closed:
            return Labels(True, left.names | right.names)
        return Labels(False, left.names & right.names, left.dropped & right.dropped)
    matching = modifier.matching if modifier is not None else None
    card = str(modifier.card) if modifier is not None else ""
    if modifier is not None and card.endswith(("ManyToOne", "OneToMany")):
        side = left if card.endswith("ManyToOne") else right
        return side.add(frozenset(modifier.group_labels or ()))
    if matching is None:
        return left
    names = frozenset(matching.labels)
    return Labels(True, names) if str(matching.type).endswith("Include") else left.drop(names)


# While `memoised_labels` runs: each node's result labels, by its id, with the node (held, so
# that no other node takes its id). The checks ask for the labels of a tree's inner nodes again
# and again (each aggregation and binary operation, then the whole query).
_MEMO: dict[int, tuple[ast.Expr, Labels]] | None = None


class memoised_labels:  # a class, not a generator: entered once per expression linted
    """result_labels works out each node's labels once within the block."""

    def __enter__(self) -> None:
        global _MEMO
        self.outer, _MEMO = _MEMO, {}

    def __exit__(self, *_: object) -> None:
        global _MEMO
        _MEMO = self.outer


def result_labels(node: ast.Expr) -> Labels:
    """The labels every series of the result carries (Prometheus's own rules, as in 2.42)."""
    if _MEMO is None:
        return _result_labels(node)
    found = _MEMO.get(id(node))
    if found is None:
        found = _MEMO[id(node)] = (node, _result_labels(node))
    return found[1]


def _result_labels(node: ast.Expr) -> Labels:
    node = unwrap(node)
    if isinstance(node, ast.VectorSelector):
        return Labels(False, _equal_matchers(node))
    if isinstance(node, (ast.MatrixSelector, ast.SubqueryExpr, ast.UnaryExpr)):
        return result_labels(children(node)[0])
    if isinstance(node, ast.AggregateExpr):
        inner = result_labels(node.expr)
        op = operator(node)
        if op in ("topk", "bottomk"):
            return inner
        grouped = frozenset(node.modifier.labels) if node.modifier is not None else frozenset()
        if node.modifier is not None and str(node.modifier.type).endswith("Without"):
            labels = inner.drop(grouped)
        else:
            labels = Labels(True, grouped)
        if op == "count_values" and node.param is not None:
            labels = labels.add(frozenset({_string(node.param) or ""}))
        return labels
    if isinstance(node, ast.Call):
        return _call_labels(node)
    if isinstance(node, ast.BinaryExpr):
        return _binary_labels(node)
    return NONE
