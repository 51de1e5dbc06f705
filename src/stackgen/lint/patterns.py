"""Bug patterns of one PromQL syntax-tree node, for the checks that report them (each message
says what is wrong and how to fix it). lint.facts calls these on the nodes of their kind in its
one walk, with what it has read of the node already (an operator's text)."""

from __future__ import annotations

import datetime

import promql_parser as ast

from stackgen.prometheus import query
from stackgen.prometheus.promql import quote

_FLIPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


def _holds(op: str, value: float, number: float) -> bool:
    return {
        ">": value > number, "<": value < number, ">=": value >= number,
        "<=": value <= number, "==": value == number, "!=": value != number,
    }[op]  # fmt: skip


def _can_hold(op: str, number: float, values: list[float], at_least: float | None) -> bool:
    """Whether `value op number` holds for one of `values`, or (at_least) for some value no
    smaller than it."""
    if any(_holds(op, v, number) for v in values):
        return True
    if at_least is None:
        return False
    if op in (">", ">=", "!="):
        return True
    return number > at_least if op == "<" else number >= at_least


def impossible(node: ast.BinaryExpr, op: str) -> str | None:
    """A filtering comparison (`op`: the node's operator) that no value of its query's result
    can satisfy."""
    if not query.is_comparison(node):
        return None  # `bool` comparisons filter nothing
    lhs, rhs = query.unwrap(node.lhs), query.unwrap(node.rhs)
    if isinstance(lhs, ast.NumberLiteral) and not isinstance(rhs, ast.NumberLiteral):
        lhs, rhs, op = rhs, lhs, _FLIPPED[op]
    if not isinstance(rhs, ast.NumberLiteral):
        return None
    number = float(rhs.val)
    if isinstance(lhs, ast.VectorSelector) and query.metric_name(lhs) == "up":
        values, at_least, what = [0.0, 1.0], None, "`up` is 0 or 1"
    elif query.function(lhs) in ("absent", "absent_over_time"):
        values, at_least, what = [1.0], None, f"`{query.function(lhs)}` returns 1 or nothing"
    elif query.function(lhs) == "count_over_time" or query.operator(lhs) == "count":
        name = query.function(lhs) or "count"
        values, at_least = [], 1.0
        what = f"`{name}` returns 1 or more, or nothing (never 0)"
    else:
        return None
    if _can_hold(op, number, values, at_least):
        return None
    never = "the rule never has a result (an alert never fires)"
    return f"`{op} {rhs.val:g}` can never hold: {what}: {never}"


def _anchored(value: str) -> bool:
    return value.startswith("^") or (value.endswith("$") and not value.endswith("\\$"))


def _alternatives(value: str) -> list[str]:
    """The top-level alternatives of a regex (not inside groups or classes)."""
    parts, depth, current, index = [], 0, [], 0
    in_class = False
    while index < len(value):
        char = value[index]
        if char == "\\":
            current.append(value[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            index += 1
            continue
        current.append(char)
        index += 1
    return [*parts, "".join(current)]


def regex_matchers(selector: ast.VectorSelector) -> list[tuple[str, str, str]]:
    """(label, operator, regex) of the selector's regex matchers."""
    found = []
    for matcher in selector.matchers.matchers:
        op = {"MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}.get(str(matcher.op))
        if op:
            found.append((matcher.name, op, matcher.value))
    return found


def anchors(regexes: list[tuple[str, str, str]]) -> list[str]:
    """`regexes`: a selector's regex_matchers."""
    return [
        f"`{label}{op}{quote(value)}`: Prometheus anchors every regex at both ends already; "
        f"drop the `^` and `$`"
        for label, op, value in regexes
        if _anchored(value)
    ]


def empty_alternatives(regexes: list[tuple[str, str, str]]) -> list[str]:
    """`regexes`: a selector's regex_matchers."""
    found = []
    for label, op, value in regexes:
        if len(_alternatives(value)) > 1 and "" in _alternatives(value):
            does = "matches" if op == "=~" else "excludes"
            found.append(
                f"`{label}{op}{quote(value)}` has an empty alternative, so it also {does} "
                f"series without `{label}`: unless that is meant, remove the stray `|`"
            )
    return found


def _negative(offset: datetime.timedelta | None) -> bool:
    return offset is not None and offset < datetime.timedelta(0)


def time_shifts(node: ast.Expr) -> list[str]:
    """Negative offsets (the future) and `@` (a fixed time) in a selector or subquery."""
    if not isinstance(node, ast.VectorSelector | ast.SubqueryExpr):
        return []
    found = []
    if _negative(node.offset):
        found.append(
            "a negative `offset` reads the future: a rule sees data not yet scraped; "
            "use a positive offset"
        )
    if node.at is not None:
        found.append(
            "`@` pins the query to one time: the rule evaluates the same data forever; remove it"
        )
    return found


def dropped_le(node: ast.Call) -> str | None:
    """histogram_quantile over buckets whose `le` label an aggregation removed."""
    if query.function(node) != "histogram_quantile" or len(node.args) < 2:
        return None
    if query.result_labels(node.args[1]).has("le") is not False:
        return None
    return (
        "`histogram_quantile` over buckets without their `le` label (an aggregation dropped "
        "it): keep it, as in `sum by (le) (rate(x_bucket[5m]))`"
    )


def ranked(node: ast.AggregateExpr, op: str) -> str | None:
    """topk or bottomk (`op`: the aggregation) other than one series of each group."""
    if op not in ("topk", "bottomk"):
        return None
    param = query.unwrap(node.param) if node.param is not None else None
    if isinstance(param, ast.NumberLiteral) and param.val == 1 and node.modifier is not None:
        return None  # `topk by (...) (1, ...)`: one series of each group, not a ranking
    return (
        f"`{op}` in an alert: which series rank first changes from one "
        "evaluation to the next, so alerts resolve and fire again; alert on a threshold"
    )


def grouping_dropped(node: ast.AggregateExpr, op: str) -> str | None:
    """`by (x)` over a result that an inner aggregation left without `x` (`op`: the
    aggregation)."""
    if node.modifier is None:
        return None
    if str(node.modifier.type).endswith("Without") or op in ("topk", "bottomk"):
        return None
    inner = query.result_labels(node.expr)
    lost = [label for label in node.modifier.labels if inner.has(label) is False]
    if not lost:
        return None
    names = ", ".join(f"`{label}`" for label in lost)
    return (
        f"`{op} by` groups by {names}, which an inner aggregation removed: "
        "every series has it empty; keep it in the inner `by (...)` too"
    )


def _names(labels: query.Labels) -> str:
    return ", ".join(sorted(labels.names)) or "none"


def never_matching(node: ast.BinaryExpr, op: str) -> str | None:
    """A binary operation (`op`) between vectors (neither side a scalar: the caller has
    checked) whose sides carry label sets that cannot match."""
    if op == "or":
        return None
    modifier = node.modifier
    left, right = query.result_labels(node.lhs), query.result_labels(node.rhs)
    matching = modifier.matching if modifier is not None else None
    if matching is None:
        if left.closed and right.closed and left.names != right.names:
            return (
                f"the sides of `{op}` keep different labels ({_names(left)} "
                f"against {_names(right)}): no series match; add `on (...)` or group alike"
            )
        return None
    if not str(matching.type).endswith("Include"):
        return None
    one_sided = [
        label for label in matching.labels
        if {left.has(label), right.has(label)} == {True, False}
    ]  # fmt: skip
    if not one_sided:
        return None
    names = ", ".join(f"`{label}`" for label in one_sided)
    return (
        f"`on ({', '.join(matching.labels)})` matches on {names}, which one side keeps and the "
        "other has dropped: no series match"
    )


def _several_names(node: ast.Expr) -> bool:
    """Whether the series of `node` can differ by their metric name alone: a selector of no
    one name, through what keeps its series apart (functions, ranges, topk)."""
    node = query.unwrap(node)
    if isinstance(node, ast.VectorSelector):
        return query.metric_name(node) is None
    if isinstance(node, ast.MatrixSelector):
        return _several_names(node.vector_selector)
    if isinstance(node, ast.SubqueryExpr | ast.UnaryExpr):
        return _several_names(node.expr)
    if isinstance(node, ast.AggregateExpr) and query.operator(node) in ("topk", "bottomk"):
        return _several_names(node.expr)
    if isinstance(node, ast.Call):
        vectors = [a for a in node.args if not query.is_scalar(a)]
        return bool(vectors) and _several_names(vectors[0])
    return False


def _many_per_group(side: ast.Expr, on: frozenset[str] | None, ignoring: frozenset[str]) -> str:
    """Why `side` can hold several series of one match group ("" when it cannot, or the query
    does not tell): matching `on` these labels, or on all but `ignoring` and the name."""
    labels = query.result_labels(side)
    if labels.closed and on is not None and not labels.names <= on:
        return f"grouped by {', '.join(sorted(labels.names))}"
    if labels.closed and on is None and labels.names & ignoring:
        kept = ", ".join(sorted(labels.names - ignoring)) or "no label"
        return f"grouped by {', '.join(sorted(labels.names))}, matched on {kept}"
    if on is None and not labels.closed and _several_names(side):
        return "series of several metric names"
    return ""


def many_to_many(node: ast.BinaryExpr, op: str) -> str | None:
    """A one-to-one binary operation (`op`; no group_left/group_right; `and`, `or` and
    `unless` may match many to many) between vectors (neither side a scalar: the caller has
    checked) whose sides can both hold several series of one match group: Prometheus fails
    such an evaluation."""
    if op in query.SET_OPERATORS:
        return None
    modifier = node.modifier
    card = str(modifier.card) if modifier is not None else ""
    if card.endswith(("ManyToOne", "OneToMany")):
        return None
    matching = modifier.matching if modifier is not None else None
    listed = frozenset(matching.labels) if matching is not None else frozenset()
    include = matching is not None and str(matching.type).endswith("Include")
    on, ignoring = (listed, frozenset()) if include else (None, listed)
    left, right = _many_per_group(node.lhs, on, ignoring), _many_per_group(node.rhs, on, ignoring)
    if not (left and right):
        return None
    group = f"on ({', '.join(sorted(on))})" if on is not None else "the labels both keep"
    return (
        f"both sides of `{op}` can hold several series matching {group} "
        f"(left: {left}; right: {right}): Prometheus fails the evaluation (many-to-many "
        "matching); match on labels that pick one series of one side, or aggregate one side"
    )
