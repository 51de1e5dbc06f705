"""What the checks need to know of one PromQL expression, worked out in one walk of its syntax
tree and once per distinct expression: a render's rules repeat the same queries for every
service but for the service's name, so those names are put aside before the analysis."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

import promql_parser as ast

from stackgen.grafana.queries import collapsed, fixed_ranges, nodes, parse_dashboard_query
from stackgen.lint import patterns
from stackgen.prometheus import metric_types, query
from stackgen.prometheus.dialect import DEFAULT as DEFAULT_DIALECT
from stackgen.prometheus.promql import normalised, parse, quote

_REGEX_SPECIAL = re.compile(r"[.*+?()\[\]{}|^$\\]")


class Facts(NamedTuple):  # a tuple: one is made for every distinct expression linted
    """One expression, as the checks see it (`error`: why it does not parse)."""

    error: str | None = None
    comparison: bool = False  # a filtering comparison anywhere
    absent: bool = False  # absent() or absent_over_time() anywhere
    # ...and its result is the alert's when it fires: at the top, a side of `or`, the left of
    # `and`/`unless`, or compared with a number (not a filter on other series).
    absent_decides: bool = False
    needless_regexes: tuple[str, ...] = ()  # promql/regex messages
    ranges: tuple[tuple[str, float], ...] = ()  # (function, seconds) of rate()-like calls
    non_counters: tuple[str, ...] = ()  # promql/rate-counter messages
    raw_counters: tuple[str, ...] = ()  # `_total` metrics read as they are
    labels: query.Labels = query.NONE  # of the result
    recorded: frozenset[str] = frozenset()  # metric names with a colon
    aggregated: bool = False  # an aggregation (but topk/bottomk) at the top
    counter_rates: tuple[tuple[str, str], ...] = ()  # (function, metric) of rate(metric[...])
    mentioned: frozenset[str] = frozenset()  # label names the query names
    # The query alerts on presence by design: a constant `vector(1)` (a heartbeat), a set
    # operation (`and`, `unless`) at the top, which filters by which series exist, or a scraped
    # metric's selector as it is (the series that exist are the alert, as a leftover index's
    # size; a recorded metric, a rate or an aggregation carries a value that wants a threshold).
    presence: bool = False
    # Bug patterns (lint.patterns), by the check that reports them: its messages.
    impossible: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    empty_alternatives: tuple[str, ...] = ()
    time_shifts: tuple[str, ...] = ()
    dropped_le: tuple[str, ...] = ()
    ranked: tuple[str, ...] = ()
    grouping_dropped: tuple[str, ...] = ()
    never_matching: tuple[str, ...] = ()
    many_to_many: tuple[str, ...] = ()
    # For the team's policies (lint config): each selector's metric name ("" for none) and the
    # labels it matches on; each aggregation's operator, `by` or `without` ("" for neither)
    # and labels.
    selectors: tuple[tuple[str, frozenset[str]], ...] = ()
    aggregations: tuple[tuple[str, str, frozenset[str]], ...] = ()


def _counter_handled(node: ast.Expr, above: tuple[ast.Expr, ...]) -> bool:
    for parent in reversed(above):
        if query.function(parent) in query.RAW_COUNTER_FINE:
            return True
        if query.operator(parent) in query.RAW_COUNTER_FINE:  # count, group, count_values
            return True
        if query.operator(parent) in query.SET_OPERATORS and parent.rhs is node:
            return True  # only its labels are used
        node = parent
    return False


def _regex_messages(regexes: list[tuple[str, str, str]]) -> Iterator[str]:
    """`regexes`: a selector's regex_matchers."""
    for label, op, value in regexes:
        if not _REGEX_SPECIAL.search(value):
            given = f"{label}{op}{quote(value)}"
            plain = f"{label}{'=' if op == '=~' else '!='}{quote(value)}"
            yield f"`{given}` needs no regex: use `{plain}`"


def _non_counter(function: str, argument: ast.Expr, hints: metric_types.Hints) -> str | None:
    if isinstance(argument, ast.SubqueryExpr):
        inner = query.unwrap(argument.expr)
        if isinstance(inner, ast.AggregateExpr) or query.function(inner) in query.RANGE_FUNCTIONS:
            return (
                f"`{function}` of `{query.operator(inner) or query.function(inner)}(...)`: "
                "a sum or rate hides counter resets; take the rate first, then aggregate"
            )
    elif isinstance(argument, ast.MatrixSelector):
        name = query.metric_name(argument.vector_selector) or ""
        if ":" not in name and metric_types.kind(name, hints=hints) == "gauge":
            return (
                f"`{function}` of `{name}`, a gauge: use `deriv` or `delta`, "
                "or the counter it comes from"
            )
    return None


def _read_call(
    function: str,
    argument: ast.Expr,
    hints: metric_types.Hints,
    ranges: list[tuple[str, float]],
    non_counters: list[str],
    rates: list[tuple[str, str]],
) -> None:
    """What a call of `function` on `argument` (its first, unwrapped) adds to the facts."""
    if function in query.RANGE_FUNCTIONS and isinstance(
        argument, (ast.MatrixSelector, ast.SubqueryExpr)
    ):
        ranges.append((function, argument.range.total_seconds()))
    if function in query.COUNTER_FUNCTIONS:
        message = _non_counter(function, argument, hints)
        non_counters += [message] if message else []
        if isinstance(argument, ast.MatrixSelector):
            metric = query.metric_name(argument.vector_selector)
            rates += [(function, metric)] if metric else []


def analyse(tree: ast.Expr, hints: metric_types.Hints = ()) -> Facts:
    """The facts of a syntax tree, in one walk; `hints`: the team's metric types."""
    comparison = absent = False
    regexes: list[str] = []
    ranges: list[tuple[str, float]] = []
    non_counters: list[str] = []
    raw: list[str] = []
    recorded: set[str] = set()
    rates: list[tuple[str, str]] = []
    mentioned: set[str] = set()
    names: set[str] = set()
    selectors: list[tuple[str, frozenset[str]]] = []
    aggregations: list[tuple[str, str, frozenset[str]]] = []
    found: dict[str, list[str]] = {
        "impossible": [], "anchors": [], "empty_alternatives": [], "time_shifts": [],
        "dropped_le": [], "ranked": [], "grouping_dropped": [], "never_matching": [],
        "many_to_many": [],
    }  # fmt: skip
    for node, above in query.walk(tree):
        if isinstance(node, ast.VectorSelector):
            matched_by_regex = patterns.regex_matchers(node)  # read once for three checks
            found["anchors"] += patterns.anchors(matched_by_regex)
            found["empty_alternatives"] += patterns.empty_alternatives(matched_by_regex)
            found["time_shifts"] += patterns.time_shifts(node)
            name = query.metric_name(node) or ""
            regexes += _regex_messages(matched_by_regex)
            if ":" in name:
                recorded.add(name)
            names.add(name)
            if not _counter_handled(node, above):
                raw.append(name)
            matched = frozenset(m.name for m in node.matchers.matchers)
            mentioned |= matched
            selectors.append((name, matched - {"__name__"}))
        elif isinstance(node, ast.BinaryExpr):
            op = str(node.op)  # each pattern would read it again
            comparison = comparison or query.is_comparison(node)
            _add(found["impossible"], patterns.impossible(node, op))
            if not (query.is_scalar(node.lhs) or query.is_scalar(node.rhs)):
                _add(found["never_matching"], patterns.never_matching(node, op))
                _add(found["many_to_many"], patterns.many_to_many(node, op))
            modifier = node.modifier
            if modifier is not None:
                if modifier.matching is not None:
                    mentioned |= set(modifier.matching.labels)
                mentioned |= set(modifier.group_labels or ())
        elif isinstance(node, ast.AggregateExpr):
            op = str(node.op)
            _add(found["ranked"], patterns.ranked(node, op))
            _add(found["grouping_dropped"], patterns.grouping_dropped(node, op))
            grouping = node.modifier
            how = (
                ""
                if grouping is None
                else "without"
                if str(grouping.type).endswith("Without")
                else "by"
            )
            labels = frozenset(grouping.labels) if grouping is not None else frozenset()
            mentioned |= labels
            aggregations.append((op, how, labels))
        elif isinstance(node, ast.Call):
            function = node.func.name
            absent = absent or function in ("absent", "absent_over_time")
            if function == "histogram_quantile":
                _add(found["dropped_le"], patterns.dropped_le(node))
            if node.args:
                _read_call(function, query.unwrap(node.args[0]), hints, ranges, non_counters, rates)
        elif isinstance(node, ast.SubqueryExpr):
            found["time_shifts"] += patterns.time_shifts(node)
    root = query.unwrap(tree)
    return Facts(
        comparison=comparison,
        absent=absent,
        needless_regexes=tuple(regexes),
        ranges=tuple(ranges),
        non_counters=tuple(non_counters),
        raw_counters=tuple(n for n in raw if metric_types.kind(n, names, hints) == "counter"),
        labels=query.result_labels(tree),
        recorded=frozenset(recorded),
        absent_decides=absent and _absent_decides(root),
        presence=query.function(root) == "vector"
        or (isinstance(root, ast.BinaryExpr) and query.operator(root) in ("and", "unless"))
        or (isinstance(root, ast.VectorSelector) and ":" not in (query.metric_name(root) or "")),
        aggregated=isinstance(root, ast.AggregateExpr)
        and query.operator(root) not in ("topk", "bottomk"),
        counter_rates=tuple(rates),
        mentioned=frozenset(mentioned),
        impossible=_once(found["impossible"]),
        anchors=_once(found["anchors"]),
        empty_alternatives=_once(found["empty_alternatives"]),
        time_shifts=_once(found["time_shifts"]),
        dropped_le=_once(found["dropped_le"]),
        ranked=_once(found["ranked"]),
        grouping_dropped=_once(found["grouping_dropped"]),
        never_matching=_once(found["never_matching"]),
        many_to_many=_once(found["many_to_many"]),
        selectors=tuple(selectors),
        aggregations=tuple(aggregations),
    )


def _absent_decides(node: ast.Expr) -> bool:
    node = query.unwrap(node)
    if query.function(node) in ("absent", "absent_over_time"):
        return True
    if not isinstance(node, ast.BinaryExpr):
        return False
    op = str(node.op)
    if op == "or":
        return _absent_decides(node.lhs) or _absent_decides(node.rhs)
    if op in ("and", "unless") or query.is_scalar(node.rhs):
        return _absent_decides(node.lhs)
    return query.is_scalar(node.lhs) and _absent_decides(node.rhs)


def _once(messages: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(messages)) if messages else ()


def _add(messages: list[str], message: str | None) -> None:
    if message is not None:
        messages.append(message)


@lru_cache(maxsize=1 << 16)
def _facts(expr: str, dialect: str, hints: metric_types.Hints) -> Facts:
    try:
        tree = parse(expr, dialect)
    except ValueError as exc:
        return Facts(error=str(exc))
    with query.memoised_labels():
        return analyse(tree, hints)


def facts(expr: str, dialect: str = DEFAULT_DIALECT, hints: metric_types.Hints = ()) -> Facts:
    """The facts of a rule's expression read as `dialect` (prometheus.dialect) with the team's
    metric type `hints`, once per distinct expression up to matcher values."""
    found = _facts(normalised(expr), dialect, hints)
    # An error's message may quote the text or point into it: the expression's own then.
    return _facts(expr, dialect, hints) if found.error is not None else found


class DashboardFacts(NamedTuple):
    error: str | None = None
    recorded: frozenset[str] = frozenset()
    fixed_ranges: tuple[tuple[str, float], ...] = ()  # (function, seconds)
    metrics: tuple[str | None, ...] = ()  # the metric name of each selector, in order


@lru_cache(maxsize=1 << 16)
def dashboard_facts_as_written(expr: str) -> DashboardFacts:
    try:
        tree = parse_dashboard_query(expr)
    except ValueError as exc:
        return DashboardFacts(error=str(exc))
    metrics = tuple(query.metric_name(n) for n in nodes(tree) if isinstance(n, ast.VectorSelector))
    recorded = frozenset(
        name
        for selector, _ in query.selectors(tree)
        if ":" in (name := query.metric_name(selector) or "")
    )
    return DashboardFacts(None, recorded, tuple(fixed_ranges(tree)), metrics)


def dashboard_facts(expr: str) -> DashboardFacts:
    """A dashboard query's facts, shared by the queries that differ in plain matcher values only
    (every service's copy of a panel: `job="svc-1"`), and read from the text with its runs of
    identical `or` terms written once. One with an error or a fixed range is read as written,
    so each finding is reported as often, and quoting, as it is written."""
    found = dashboard_facts_as_written(collapsed(normalised(expr)))
    if found.error is None and not found.fixed_ranges:
        return found
    return dashboard_facts_as_written(expr)
