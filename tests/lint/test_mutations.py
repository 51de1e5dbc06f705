"""Mutation tests on real rules: every check of rules and groups catches its kind of mistake
made in rules other projects wrote, and points at the rule it is in.

For each mutation in the table, the first rule (or group) of the corpus (awesome-prometheus-alerts
or kube-prometheus, files in sorted order) that fits the mutation and on which the check is quiet
is written to a file between two quiet neighbours, in its own file format (a plain rule file, or
a PrometheusRule object). The unmutated file must give no finding of the check; the mutated one
must give at least one, and every such finding must lie within the mutated rule's (or group's)
lines. So each check both catches what it is for and stays quiet on the real rule it came from.
A check of rules or groups with no mutation in the table fails the suite.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser as ast
import pytest
import yaml

from stackgen.lint import CHECKS, lint
from stackgen.lint.facts import facts
from stackgen.prometheus import query as q
from stackgen.prometheus.promql import parse
from stackgen.spec.model import LintConfig
from tests.helpers import SHARED

RULES = SHARED / "corpus" / "rules"
AWESOME = "awesome-prometheus-alerts"
KUBE = "kube-prometheus"
NOT_RULE_CHECKS = ("route/", "receiver/", "dashboard/", "file/")
RULE_CHECKS = sorted(c.id for c in CHECKS if not c.id.startswith(NOT_RULE_CHECKS))

Data = dict[str, Any]

# --- reading the corpus ---------------------------------------------------------------------


@functools.cache
def corpus_groups(source: str) -> tuple[tuple[str, Data], ...]:
    """(file relative to the corpus, group) for every group of one source, in file order."""
    found = []
    files = sorted(p for p in (RULES / source).rglob("*") if p.suffix in (".yml", ".yaml"))
    for path in files:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document.get("kind") == "PrometheusRule":
                document = document.get("spec") or {}
            for group in document.get("groups") or []:
                found.append((path.relative_to(RULES).as_posix(), group))
    return tuple(found)


def tree(rule: Data) -> ast.Expr | None:
    try:
        return parse(str(rule["expr"])) if "expr" in rule else None
    except ValueError:
        return None


def expr(rule: Data) -> str:
    return str(rule.get("expr", ""))


def with_expr(rule: Data, text: str) -> Data:
    return {**rule, "expr": text}


def without(data: Data, key: str) -> Data:
    return {k: v for k, v in data.items() if k != key}


def is_alert(rule: Data) -> bool:
    return "alert" in rule and tree(rule) is not None


def is_record(rule: Data) -> bool:
    return "record" in rule and tree(rule) is not None


def annotations(rule: Data) -> dict[str, str]:
    return {str(k): str(v) for k, v in (rule.get("annotations") or {}).items()}


def labels(rule: Data) -> dict[str, str]:
    return {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}


# --- what the mutations edit in an expression -------------------------------------------------

# A trailing threshold: `... > 0.05`.
THRESHOLD = re.compile(r"\s*(?P<op>>=|<=|==|!=|>|<)\s*(?P<number>-?[0-9][0-9.]*(?:e[+-]?\d+)?)\s*$")
# A plain range of a matrix selector, such as `[5m]` (not a subquery's `[5m:1m]`).
RANGE = re.compile(r"\[(?:\d+[smhdwy])+\]")
# `rate(name{...}[5m])`, also irate and increase.
RATE_OF = re.compile(
    r"\b(?P<function>rate|irate|increase)\(\s*"
    r"(?P<selector>(?P<name>[a-zA-Z_][\w]*)\s*(?:\{[^}]*\})?)\s*\[(?P<range>\d+[smhdwy])\]\s*\)"
)
# A metric named as a gauge in bytes, read as it is (not as a range, not a function).
BYTES_SELECTOR = re.compile(r"\b(?P<name>[a-zA-Z_]\w*_bytes)\b(?P<matchers>\{[^}]*\})?(?![\w\[(:])")
# A label matcher with a plain value: `job="api"` (not `!=`, `=~` or `==`).
# `le` in a `by (...)` list: `(?P<before>by\s*\(...)le,` or `, le)`.
LE_IN_BY = re.compile(r"(?P<before>\bby\s*\((?:[^()]*?))\ble\b\s*,?\s*")
PLAIN_EQUAL = re.compile(r'(?P<label>\b[a-zA-Z_]\w*)\s*=\s*"(?P<value>[^".*+?()\[\]{}|^$\\]+)"')
PLAIN_NOT_EQUAL = re.compile(
    r'(?P<label>\b[a-zA-Z_]\w*)\s*!=\s*"(?P<value>[^".*+?()\[\]{}|^$\\]+)"'
)
TEMPLATE_LABEL = re.compile(r"\$labels\.([A-Za-z_]\w*)")


def threshold_on_a_value(rule: Data) -> re.Match[str] | None:
    """simple_threshold, where the query is more than a scraped metric's selector (which as it
    is alerts on its series' presence, by design)."""
    parsed = tree(rule)
    if parsed is None or not isinstance(q.unwrap(parsed), ast.BinaryExpr):
        return None
    query = q.unwrap(q.unwrap(parsed).lhs)
    if isinstance(query, ast.VectorSelector) and ":" not in (q.metric_name(query) or ""):
        return None
    return simple_threshold(rule)


def simple_threshold(rule: Data) -> re.Match[str] | None:
    """The threshold of an alert `<query> <op> <number>` with no other comparison and no
    comment, where the text's last comparison is the expression's top one."""
    parsed = tree(rule)
    if parsed is None or "alert" not in rule or "#" in expr(rule):
        return None
    root = q.unwrap(parsed)
    comparisons = [n for n, _ in q.walk(parsed) if q.is_comparison(n)]
    if len(comparisons) != 1 or comparisons[0] is not root:
        return None
    if not isinstance(q.unwrap(root.rhs), ast.NumberLiteral):
        return None
    if any(q.function(n) in ("absent", "absent_over_time") for n, _ in q.walk(parsed)):
        return None
    return THRESHOLD.search(expr(rule).strip())


JOB_MATCHER = re.compile(r'\bjob\s*=\s*"[^"]*"\s*,?\s*')


def all_selectors_match(rule: Data, label: str) -> bool:
    found = facts(expr(rule)) if tree(rule) is not None else None
    return bool(found and found.selectors) and all(label in m for _, m in found.selectors)


def aggregations_keep(rule: Data, label: str) -> bool:
    found = facts(expr(rule)) if tree(rule) is not None else None
    return (
        found is not None
        and all((label in labels) == (how == "by") for _, how, labels in found.aggregations if how)
        and all(how for _, how, _ in found.aggregations)
    )


def split_threshold(rule: Data) -> tuple[str, str, str]:
    text = expr(rule).strip()
    match = simple_threshold(rule)
    assert match is not None
    return text[: match.start()], match["op"], match["number"]


def metric_names(rule: Data) -> list[str]:
    parsed = tree(rule)
    return [] if parsed is None else [q.metric_name(s) or "" for s, _ in q.selectors(parsed)]


def first_metric(rule: Data) -> str | None:
    """The first selector's metric name, if it occurs once in the text as a whole word."""
    for name in metric_names(rule):
        if name and len(re.findall(rf"(?<![\w:\"]){re.escape(name)}(?![\w:\"])", expr(rule))) == 1:
            return name
    return None


def rename_metric(rule: Data, new: str) -> Data:
    name = first_metric(rule)
    assert name is not None
    return with_expr(rule, re.sub(rf"(?<![\w:\"]){re.escape(name)}(?![\w:\"])", new, expr(rule)))


def bytes_gauge(rule: Data) -> re.Match[str] | None:
    names = set(metric_names(rule))
    return next((m for m in BYTES_SELECTOR.finditer(expr(rule)) if m["name"] in names), None)


def rate_of_counter(rule: Data, functions: tuple[str, ...]) -> re.Match[str] | None:
    return next(
        (
            m
            for m in RATE_OF.finditer(expr(rule))
            if m["function"] in functions and m["name"].endswith("_total")
        ),
        None,
    )


def replace_match(rule: Data, match: re.Match[str], text: str) -> Data:
    whole = expr(rule)
    return with_expr(rule, whole[: match.start()] + text + whole[match.end() :])


def parens_outside_strings(rule: Data) -> bool:
    """A `)` to drop, and none in a string or comment, where dropping one would not break."""
    text = expr(rule)
    return ")" in text and "#" not in text and not re.search(r"\"[^\"]*[()][^\"]*\"", text)


def drop_last_paren(text: str) -> str:
    index = text.rindex(")")
    return text[:index] + text[index + 1 :]


def aggregates(rule: Data) -> bool:
    parsed = tree(rule)
    root = q.unwrap(parsed) if parsed is not None else None
    return isinstance(root, ast.AggregateExpr) and q.operator(root) not in ("topk", "bottomk")


def has_for(rule: Data) -> bool:
    return str(rule.get("for", "0")).rstrip("smhdwy") not in ("0", "")


def uses_absent(rule: Data) -> bool:
    return re.search(r"\babsent(_over_time)?\(", expr(rule)) is not None


def template_label(rule: Data, exclude: tuple[str, ...] = ()) -> str | None:
    for value in annotations(rule).values():
        for label in TEMPLATE_LABEL.findall(value):
            if label not in exclude:
                return label
    return None


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def unclose_last_action(rule: Data) -> Data:
    name = next(k for k, v in annotations(rule).items() if "}}" in v)
    head, _, tail = annotations(rule)[name].rpartition("}}")
    return {**rule, "annotations": {**annotations(rule), name: head + tail}}


def misspell_humanize(rule: Data) -> Data:
    name = next(k for k, v in annotations(rule).items() if "| humanize" in v)
    value = annotations(rule)[name].replace("| humanize", "| humanise", 1)
    return {**rule, "annotations": {**annotations(rule), name: value}}


# --- the table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    check: str
    name: str
    source: str  # AWESOME or KUBE
    pick: Callable[[Data], Any]  # which rules (or groups) fit the mutation
    mutate: Callable[[Data], Data | list[Data]]  # a rule, or rules the last of which is the target
    group: bool = False  # pick and mutate a group, not a rule
    xfail: str = ""  # the check misses it: why (each one reported, not fixed here)
    config: LintConfig | None = None  # a team's lint config, for the checks of its policies

    @property
    def id(self) -> str:
        return f"{self.check}:{self.name}:{self.source.split('-')[0]}"


def _group_fits(group: Data) -> bool:
    return bool(group.get("name")) and isinstance(group.get("rules"), list)


MUTATIONS = (
    # promql/syntax
    Mutation(
        "promql/syntax", "drop-closing-paren", AWESOME,
        lambda r: tree(r) is not None and parens_outside_strings(r),
        lambda r: with_expr(r, drop_last_paren(expr(r))),
    ),
    Mutation(
        "promql/syntax", "misspell-rate", KUBE,
        lambda r: tree(r) is not None and re.search(r"\brate\(", expr(r)),
        lambda r: with_expr(r, re.sub(r"\brate\(", "rtae(", expr(r), count=1)),
    ),
    Mutation(
        "promql/syntax", "sort_by_label-newer-than-2.42", AWESOME,
        lambda r: tree(r) is not None,
        lambda r: with_expr(r, f'sort_by_label(\n{expr(r)}\n, "instance")'),
    ),
    Mutation(
        "promql/syntax", "drop-closing-paren", KUBE,
        lambda r: tree(r) is not None and parens_outside_strings(r),
        lambda r: with_expr(r, drop_last_paren(expr(r))),
    ),
    # rule/structure
    Mutation(
        "rule/structure", "record-gets-alert", KUBE, is_record,
        lambda r: {**r, "alert": "RecordedAlso"},
    ),
    Mutation("rule/structure", "expr-removed", AWESOME, is_alert, lambda r: without(r, "expr")),
    Mutation("rule/structure", "record-gets-for", KUBE, is_record, lambda r: {**r, "for": "5m"}),
    Mutation(
        "rule/structure", "annotations-misspelt", AWESOME, lambda r: "annotations" in r,
        lambda r: {**without(r, "annotations"), "annotation": r["annotations"]},
    ),
    Mutation("rule/structure", "for-5min", KUBE, is_alert, lambda r: {**r, "for": "5min"}),
    Mutation(
        "rule/structure", "record-name-with-labels", KUBE, is_record,
        lambda r: {**r, "record": r["record"] + '{env="prod"}'},
    ),
    # group/duplicate
    Mutation(
        "group/duplicate", "name-of-the-group-before", AWESOME, _group_fits,
        lambda g: {**g, "name": "quiet-before"}, group=True,
    ),
    # annotations/name
    Mutation(
        "annotations/name", "dash-in-name", AWESOME, is_alert,
        lambda r: {**r, "annotations": {**annotations(r), "runbook-url": "https://runbooks/x"}},
    ),
    # group/structure
    Mutation(
        "group/structure", "name-removed", AWESOME, _group_fits, lambda g: without(g, "name"),
        group=True,
    ),
    Mutation(
        "group/structure", "name-empty", KUBE, _group_fits, lambda g: {**g, "name": ""},
        group=True,
    ),
    Mutation(
        "group/structure", "rules-as-mapping", AWESOME, _group_fits,
        lambda g: {**g, "rules": {f"rule{i}": r for i, r in enumerate(g["rules"])}},
        group=True,
    ),
    # alert/comparison
    Mutation(
        "alert/comparison", "strip-threshold", AWESOME, threshold_on_a_value,
        lambda r: with_expr(r, split_threshold(r)[0]),
    ),
    Mutation(
        "alert/comparison", "comparison-made-bool", KUBE, simple_threshold,
        lambda r: with_expr(r, "{} {} bool {}".format(*split_threshold(r))),
    ),
    Mutation(
        "alert/comparison", "strip-threshold", KUBE, threshold_on_a_value,
        lambda r: with_expr(r, split_threshold(r)[0]),
    ),
    # alert/absent-for
    Mutation(
        "alert/absent-for", "for-removed", AWESOME,
        lambda r: is_alert(r) and uses_absent(r) and has_for(r), lambda r: without(r, "for"),
    ),
    Mutation(
        "alert/absent-for", "for-removed", KUBE,
        lambda r: is_alert(r) and uses_absent(r) and has_for(r), lambda r: without(r, "for"),
    ),
    Mutation(
        "alert/absent-for", "for-0m", AWESOME,
        lambda r: is_alert(r) and uses_absent(r) and has_for(r), lambda r: {**r, "for": "0m"},
    ),  # a zero wait is no wait: awesome-prometheus-alerts has such absent() alerts
    # alert/name
    Mutation(
        "alert/name", "snake_case", AWESOME, is_alert,
        lambda r: {**r, "alert": snake_case(str(r["alert"]))},
    ),
    Mutation(
        "alert/name", "camelCase", KUBE, is_alert,
        lambda r: {**r, "alert": str(r["alert"])[0].lower() + str(r["alert"])[1:]},
    ),
    Mutation(
        "alert/name", "dash", AWESOME, lambda r: is_alert(r) and re.search(r".[A-Z]", r["alert"]),
        lambda r: {**r, "alert": re.sub(r"(?<=.)(?=[A-Z])", "-", str(r["alert"]), count=1)},
    ),
    # record/name
    Mutation(
        "record/name", "colons-dropped", KUBE, is_record,
        lambda r: {**r, "record": str(r["record"]).replace(":", "_")},
    ),
    Mutation(
        "record/name", "trailing-colon", KUBE, is_record,
        lambda r: {**r, "record": str(r["record"]) + ":"},
    ),
    Mutation(
        "record/name", "dash", KUBE, lambda r: is_record(r) and "_" in str(r["record"]),
        lambda r: {**r, "record": str(r["record"]).replace("_", "-", 1)},
    ),
    # labels/required
    Mutation(
        "labels/required", "severity-removed", AWESOME, is_alert,
        lambda r: {**r, "labels": without(labels(r), "severity")},
    ),
    Mutation(
        "labels/required", "severity-page", KUBE, is_alert,
        lambda r: {**r, "labels": {**labels(r), "severity": "page"}},
    ),
    Mutation("labels/required", "labels-removed", KUBE, is_alert, lambda r: without(r, "labels")),
    # annotations/required
    Mutation(
        "annotations/required", "runbook_url-removed", KUBE, is_alert,
        lambda r: {**r, "annotations": without(annotations(r), "runbook_url")},
    ),
    Mutation(
        "annotations/required", "summary-removed", KUBE, is_alert,
        lambda r: {**r, "annotations": without(annotations(r), "summary")},
    ),
    Mutation(
        "annotations/required", "annotations-removed", KUBE, is_alert,
        lambda r: without(r, "annotations"),
    ),
    # annotations/runbook-link
    Mutation(
        "annotations/runbook-link", "relative-runbook", KUBE,
        lambda r: is_alert(r) and str(annotations(r).get("runbook_url", "")).startswith("https://"),
        lambda r: {**r, "annotations": {**annotations(r), "runbook_url": "runbooks/x.md"}},
    ),
    # labels/name
    Mutation(
        "labels/name", "dashed-label", AWESOME, is_alert,
        lambda r: {**r, "labels": {**labels(r), "alert-team": "ops"}},
    ),
    Mutation(
        "labels/name", "kubernetes-style-label", KUBE, is_alert,
        lambda r: {**r, "labels": {**labels(r), "app.kubernetes.io/part-of": "kube-prometheus"}},
    ),
    Mutation(
        "labels/name", "leading-digit", AWESOME, is_alert,
        lambda r: {**r, "labels": {**labels(r), "1st_responder": "ops"}},
    ),
    # annotations/template
    Mutation(
        "annotations/template", "last-action-unclosed", AWESOME,
        lambda r: is_alert(r) and any("}}" in v for v in annotations(r).values()),
        unclose_last_action,
    ),
    Mutation(
        "annotations/template", "humanize-misspelt", KUBE,
        lambda r: is_alert(r) and any("| humanize" in v for v in annotations(r).values()),
        misspell_humanize,
    ),
    Mutation(
        "annotations/template", "if-without-end", KUBE,
        lambda r: is_alert(r) and "summary" in annotations(r),
        lambda r: {
            **r,
            "annotations": {
                **annotations(r),
                "summary": "{{ if gt $value 1.0 }}" + annotations(r)["summary"],
            },
        },
    ),
    # promql/rate-range (the default scrape interval, 1m, asks for [4m] or more)
    Mutation(
        "promql/rate-range", "range-30s", AWESOME,
        lambda r: tree(r) is not None and re.search(r"\b(i?rate|increase)\(", expr(r))
        and RANGE.search(expr(r)),
        lambda r: with_expr(r, RANGE.sub("[30s]", expr(r))),
    ),
    Mutation(
        "promql/rate-range", "range-2m", KUBE,
        lambda r: tree(r) is not None and re.search(r"\b(i?rate|increase)\(", expr(r))
        and RANGE.search(expr(r)),
        lambda r: with_expr(r, RANGE.sub("[2m]", expr(r))),
    ),
    Mutation(
        "promql/rate-range", "increase-range-3m", AWESOME,
        lambda r: tree(r) is not None and re.search(r"\bincrease\(", expr(r))
        and RANGE.search(expr(r)),
        lambda r: with_expr(r, RANGE.sub("[3m]", expr(r))),
    ),
    # promql/regex
    Mutation(
        "promql/regex", "equal-made-regex", AWESOME,
        lambda r: tree(r) is not None and PLAIN_EQUAL.search(expr(r)),
        lambda r: with_expr(r, PLAIN_EQUAL.sub(r'\g<label>=~"\g<value>"', expr(r), count=1)),
    ),
    Mutation(
        "promql/regex", "equal-made-regex", KUBE,
        lambda r: tree(r) is not None and PLAIN_EQUAL.search(expr(r)),
        lambda r: with_expr(r, PLAIN_EQUAL.sub(r'\g<label>=~"\g<value>"', expr(r), count=1)),
    ),
    Mutation(
        "promql/regex", "not-equal-made-regex", KUBE,
        lambda r: tree(r) is not None and PLAIN_NOT_EQUAL.search(expr(r)),
        lambda r: with_expr(r, PLAIN_NOT_EQUAL.sub(r'\g<label>!~"\g<value>"', expr(r), count=1)),
    ),
    # group/interval
    Mutation(
        "group/interval", "interval-10m", AWESOME, _group_fits, lambda g: {**g, "interval": "10m"},
        group=True,
    ),
    Mutation(
        "group/interval", "interval-6m", KUBE, _group_fits, lambda g: {**g, "interval": "6m"},
        group=True,
    ),
    Mutation(
        "group/structure", "interval-not-a-duration", AWESOME, _group_fits,
        lambda g: {**g, "interval": "ten minutes"}, group=True,
    ),
    Mutation(
        "group/structure", "unknown-field", KUBE, _group_fits,
        lambda g: {**g, "evaluation_interval": "1m"}, group=True,
    ),
    # rule/duplicate (across the rules linted together)
    Mutation("rule/duplicate", "alert-twice", AWESOME, is_alert, lambda r: [r, r]),
    Mutation("rule/duplicate", "record-twice", KUBE, is_record, lambda r: [r, r]),
    Mutation(
        "rule/duplicate", "alert-twice-other-for", KUBE, is_alert,
        lambda r: [r, {**r, "for": "1h"}],
    ),
    # record/undefined (across the rules linted together)
    Mutation(
        "record/undefined", "metric-made-recorded", AWESOME, first_metric,
        lambda r: rename_metric(r, "job:foo:rate5m"),
    ),
    Mutation(
        "record/undefined", "metric-made-recorded", KUBE, first_metric,
        lambda r: rename_metric(r, "job:foo:rate5m"),
    ),
    # labels/value
    Mutation(
        "labels/value", "value-label", AWESOME, is_alert,
        lambda r: {**r, "labels": {**labels(r), "value": "{{ $value }}"}},
    ),
    Mutation(
        "labels/value", "severity-by-value", KUBE, is_alert,
        lambda r: {
            **r,
            "labels": {
                **labels(r),
                "severity": "{{ if gt $value 0.5 }}critical{{ else }}warning{{ end }}",
            },
        },
    ),
    Mutation(
        "labels/value", "humanized-value-label", KUBE, is_alert,
        lambda r: {**r, "labels": {**labels(r), "current": "{{ $value | humanize }}"}},
    ),
    # promql/rate-counter
    Mutation(
        "promql/rate-counter", "rate-of-bytes-gauge", AWESOME, bytes_gauge,
        lambda r: replace_match(r, m := bytes_gauge(r), f"rate({m['name']}{m['matchers'] or ''}[5m])"),
    ),
    Mutation(
        "promql/rate-counter", "rate-of-bytes-gauge", KUBE, bytes_gauge,
        lambda r: replace_match(r, m := bytes_gauge(r), f"rate({m['name']}{m['matchers'] or ''}[5m])"),
    ),
    Mutation(
        "promql/rate-counter", "rate-of-sum-subquery", AWESOME,
        lambda r: rate_of_counter(r, ("rate",)),
        lambda r: replace_match(
            r,
            m := rate_of_counter(r, ("rate",)),
            f"{m['function']}(sum({m['selector']})[{m['range']}:])",
        ),
    ),
    Mutation(
        "promql/rate-counter", "rate-of-recorded-sum", KUBE,
        lambda r: is_record(r) and aggregates(r),
        lambda r: [r, {"record": f"{r['record']}:rate5m", "expr": f"rate({r['record']}[5m])"}],
    ),
    # promql/counter-raw
    Mutation(
        "promql/counter-raw", "rate-unwrapped", AWESOME, lambda r: rate_of_counter(r, ("rate",)),
        lambda r: replace_match(r, m := rate_of_counter(r, ("rate",)), m["selector"]),
    ),
    Mutation(
        "promql/counter-raw", "increase-unwrapped", AWESOME,
        lambda r: rate_of_counter(r, ("increase",)),
        lambda r: replace_match(r, m := rate_of_counter(r, ("increase",)), m["selector"]),
    ),
    Mutation(
        "promql/counter-raw", "rate-unwrapped", KUBE, lambda r: rate_of_counter(r, ("rate",)),
        lambda r: replace_match(r, m := rate_of_counter(r, ("rate",)), m["selector"]),
    ),
    # promql/impossible
    Mutation(
        "promql/impossible", "count-equals-zero", AWESOME, simple_threshold,
        lambda r: with_expr(r, f"count({split_threshold(r)[0]}) == 0"),
    ),
    # promql/regex-anchor, promql/regex-empty
    Mutation(
        "promql/regex-anchor", "equal-made-anchored-regex", AWESOME,
        lambda r: tree(r) is not None and PLAIN_EQUAL.search(expr(r)),
        lambda r: with_expr(r, PLAIN_EQUAL.sub(r'\g<label>=~"^\g<value>$"', expr(r), count=1)),
    ),
    Mutation(
        "promql/regex-empty", "stray-bar", KUBE,
        lambda r: tree(r) is not None and PLAIN_EQUAL.search(expr(r)),
        lambda r: with_expr(r, PLAIN_EQUAL.sub(r'\g<label>=~"\g<value>|"', expr(r), count=1)),
    ),
    # promql/time-shift
    Mutation(
        "promql/time-shift", "negative-offset", AWESOME,
        lambda r: tree(r) is not None and re.search(r"\brate\(", expr(r)) and RANGE.search(expr(r)),
        lambda r: with_expr(r, RANGE.sub(lambda m: m.group(0) + " offset -5m", expr(r), count=1)),
    ),
    # promql/histogram-le
    Mutation(
        "promql/histogram-le", "le-dropped-from-by", KUBE,
        lambda r: "histogram_quantile" in expr(r) and LE_IN_BY.search(expr(r)),
        lambda r: with_expr(r, LE_IN_BY.sub(r"\g<before>", expr(r))),
    ),
    # promql/fragile
    Mutation(
        "promql/fragile", "topk-in-alert", AWESOME, simple_threshold,
        lambda r: with_expr(r, "topk(3, {}) {} {}".format(*split_threshold(r))),
    ),
    # promql/grouping-dropped, promql/vector-matching
    Mutation(
        "promql/grouping-dropped", "outer-by-lost-label", AWESOME, simple_threshold,
        lambda r: with_expr(
            r, "max by (instance) (sum by (job) ({})) {} {}".format(*split_threshold(r))
        ),
    ),
    Mutation(
        "promql/vector-matching", "sides-grouped-apart", KUBE, simple_threshold,
        lambda r: with_expr(
            r,
            "sum by (job) ({0}) / sum by (instance) ({0}) {1} {2}".format(*split_threshold(r)),
        ),
    ),
    # promql/many-to-many
    Mutation(
        "promql/many-to-many", "on-fewer-labels-than-both-sides-keep", AWESOME, simple_threshold,
        lambda r: with_expr(
            r,
            "sum by (job, instance) ({0}) / on (job) sum by (job, instance) ({0}) {1} {2}".format(
                *split_threshold(r)
            ),
        ),
    ),
    # promql/selector-policy, promql/aggregation-policy: a team's policies
    Mutation(
        "promql/selector-policy", "job-matcher-removed", KUBE,
        lambda r: all_selectors_match(r, "job"),
        lambda r: with_expr(r, JOB_MATCHER.sub("", expr(r), count=1)),
        config=LintConfig(selector_policies=[{"required_labels": ["job"]}]),
    ),
    Mutation(
        "promql/aggregation-policy", "job-summed-away", AWESOME,
        lambda r: simple_threshold(r) and aggregations_keep(r, "job"),
        lambda r: with_expr(r, "sum by (instance) ({}) {} {}".format(*split_threshold(r))),
        config=LintConfig(aggregation_policies=[{"keep": ["job"]}]),
    ),
    # promql/irate-range
    Mutation(
        "promql/irate-range", "irate-over-an-hour", AWESOME,
        lambda r: rate_of_counter(r, ("rate",)),
        lambda r: replace_match(r, m := rate_of_counter(r, ("rate",)), f"irate({m['selector']}[1h])"),
    ),
    # annotations/humanize-label
    Mutation(
        "annotations/humanize-label", "label-humanized", KUBE,
        lambda r: is_alert(r) and template_label(r),
        lambda r: {
            **r,
            "annotations": {
                **annotations(r), "size": f"{{{{ $labels.{template_label(r)} | humanize }}}}"
            },
        },
    ),
    # annotations/dropped-label
    Mutation(
        "annotations/dropped-label", "sum-by-job", AWESOME,
        lambda r: simple_threshold(r) and "$labels.instance" in str(r.get("annotations")),
        lambda r: with_expr(r, "sum by (job) ({}) {} {}".format(*split_threshold(r))),
    ),
    Mutation(
        "annotations/dropped-label", "sum-without-used-label", KUBE,
        lambda r: simple_threshold(r) and template_label(r),
        lambda r: with_expr(
            r, f"sum without ({template_label(r)}) ({{}}) {{}} {{}}".format(*split_threshold(r))
        ),
    ),
    Mutation(
        "annotations/dropped-label", "max-by-job", KUBE,
        lambda r: simple_threshold(r) and template_label(r, exclude=("job",)),
        lambda r: with_expr(r, "max by (job) ({}) {} {}".format(*split_threshold(r))),
    ),
)  # fmt: skip


# --- writing and linting ------------------------------------------------------------------------


@dataclass(frozen=True)
class Picked:
    file: str  # the corpus file, relative to the corpus
    group: Data
    rule: Data | None  # None for a group mutation


def document(source: str, groups: list[Data]) -> Data:
    """Groups in the source's own file format."""
    if source == KUBE:
        return {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": {"name": "mutation"},
            "spec": {"groups": groups},
        }
    return {"groups": groups}


def layout(
    source: str, mutation: Mutation, target: Data | list[Data], group_name: str, quiet: Data
) -> tuple[Data, tuple[str | int, ...], int]:
    """The file's data, and the path to the list that holds the target and the target's index
    in it: the target rules (or group) between a quiet rule (or group) before and after."""
    before = {**quiet, "alert": "QuietBefore"}
    after = {**quiet, "alert": "QuietAfter"}
    base: tuple[str | int, ...] = ("spec",) if source == KUBE else ()
    if mutation.group:
        groups = [
            {"name": "quiet-before", "rules": [before]},
            target,
            {"name": "quiet-after", "rules": [after]},
        ]
        return document(source, groups), (*base, "groups"), 1
    rules = target if isinstance(target, list) else [target]
    groups = [{"name": group_name, "rules": [before, *rules, after]}]
    return document(source, groups), (*base, "groups", 0, "rules"), len(rules)


def lint_data(path: Path, data: Data, config: LintConfig | None = None) -> tuple[str, list]:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return text, lint([path], config=config)


def lines_of(text: str, sequence: tuple[str | int, ...], index: int) -> range:
    """The (1-based) lines of item `index` of the sequence at `sequence`: from its first line to
    the line before the next item, read with PyYAML's own node positions."""
    node = yaml.compose(text)
    for key in sequence:
        if isinstance(key, int):
            node = node.value[key]
        else:
            node = next(value for k, value in node.value if k.value == key)
    start, following = node.value[index], node.value[index + 1]
    return range(start.start_mark.line + 1, following.start_mark.line + 1)


def findings_of(check: str, found: list) -> list:
    return [f for f in found if f.check == check]


def pick(mutation: Mutation, folder: Path) -> Picked:
    """The first rule (or group) of the source, in file order, that fits the mutation and on
    which the check is quiet when written alone."""
    probe = folder / "probe.yml"
    for file, group in corpus_groups(mutation.source):
        candidates = [None] if mutation.group else [r for r in group.get("rules") or []]
        for rule in candidates:
            subject = group if rule is None else rule
            if not isinstance(subject, dict) or not mutation.pick(copy.deepcopy(subject)):
                continue
            alone = subject if rule is None else {"name": group.get("name"), "rules": [rule]}
            _, found = lint_data(probe, document(mutation.source, [alone]), mutation.config)
            if not findings_of(mutation.check, found):
                return Picked(file, copy.deepcopy(group), copy.deepcopy(rule))
    raise AssertionError(f"no rule of {mutation.source} fits {mutation.id}")


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Data:
    """The first alert of kube-prometheus with no finding at all, as a neighbour."""
    probe = tmp_path_factory.mktemp("quiet") / "probe.yml"
    for _, group in corpus_groups(KUBE):
        for rule in group.get("rules") or []:
            if "alert" in rule:
                _, found = lint_data(probe, {"groups": [{"name": "g", "rules": [rule]}]})
                if not found:
                    return copy.deepcopy(rule)
    raise AssertionError("no alert of the corpus is free of findings")


# --- the tests ----------------------------------------------------------------------------------


def _param(mutation: Mutation):
    marks = [pytest.mark.xfail(strict=True, reason=mutation.xfail)] if mutation.xfail else []
    return pytest.param(mutation, id=mutation.id, marks=marks)


@pytest.mark.corpus
@pytest.mark.parametrize("mutation", [_param(m) for m in MUTATIONS])
def test_a_mutated_corpus_rule_is_caught_at_its_lines(tmp_path, quiet, mutation):
    picked = pick(mutation, tmp_path)
    original = picked.group if picked.rule is None else picked.rule
    group_name = str(picked.group.get("name"))
    named = original.get("alert") or original.get("record") or group_name
    where = f"{mutation.id} on {named} of {picked.file}"

    data, _, _ = layout(mutation.source, mutation, original, group_name, quiet)
    _, found = lint_data(tmp_path / "original.yml", data, mutation.config)
    assert findings_of(mutation.check, found) == [], f"{where}: the unmutated file trips the check"

    mutated = mutation.mutate(copy.deepcopy(original))
    assert mutated != original, f"{where}: the mutation changed nothing"
    data, sequence, index = layout(mutation.source, mutation, mutated, group_name, quiet)
    path = tmp_path / "mutated.yml"
    text, found = lint_data(path, data, mutation.config)
    lines = lines_of(text, sequence, index)
    hits = findings_of(mutation.check, found)
    assert hits, f"{where}: not caught; the file:\n{text}"
    outside = [str(f) for f in hits if f.file != str(path) or f.line not in lines]
    assert not outside, f"{where}: findings outside lines {lines.start}-{lines.stop - 1}: {outside}"


def test_every_rule_and_group_check_has_a_mutation():
    """A new check of rules or groups fails here until the table has a mutation for it."""
    mutated = {m.check for m in MUTATIONS if not m.xfail}
    assert [check for check in RULE_CHECKS if check not in mutated] == []
    assert {m.check for m in MUTATIONS} <= set(RULE_CHECKS)  # no typo, no other kind of check


def test_mutation_ids_are_unique():
    ids = [m.id for m in MUTATIONS]
    assert len(ids) == len(set(ids))


# --- Alertmanager configs -----------------------------------------------------------------------
# The checks of receivers, on Alertmanager's own example config (its config/testdata/conf.good.yml):
# quiet on it as written, and each mutation is caught at the lines it changed.

AM_CORPUS = SHARED / "corpus" / "alertmanager" / "config-testdata" / "conf.good.yml"


def _receiver(config: Data, name: str) -> Data:
    (found,) = [r for r in config["receivers"] if r["name"] == name]
    return found


def _password_file(config: Data) -> None:
    """An email config that reads its SMTP password from a file (Alertmanager 0.25 runs it)."""
    _receiver(config, "team-X-mails")["email_configs"][0] |= {
        "auth_username": "alertmanager",
        "auth_password_file": "/etc/alertmanager/secrets/smtp-password",
    }


def _second_slack_channel(config: Data) -> None:
    """A second Slack channel on the global webhook the first one uses."""
    _receiver(config, "slack-receiver")["slack_configs"].append({"channel": "#team-y"})


AM_MUTATIONS = {
    "receiver/password-newline": (_password_file, "auth_password_file"),
    "receiver/shared-webhook": (_second_slack_channel, "#team-y"),
}


def _lint_alertmanager(root: Path, config: Data) -> tuple[str, list]:
    text = yaml.safe_dump(config, sort_keys=False)
    (root / "prometheus").mkdir(parents=True, exist_ok=True)
    (root / "prometheus" / "prometheus.yml").write_text("global: {scrape_interval: 15s}\n")
    (root / "alertmanager").mkdir(exist_ok=True)
    (root / "alertmanager" / "alertmanager.yml").write_text(text)
    return text, lint([root], alertmanager_version="0.25")


@pytest.mark.corpus
@pytest.mark.parametrize("check_id", sorted(AM_MUTATIONS))
def test_a_mutated_alertmanager_config_is_caught_at_its_line(tmp_path, check_id):
    mutate, marker = AM_MUTATIONS[check_id]
    config = yaml.safe_load(AM_CORPUS.read_text(encoding="utf-8"))
    _, found = _lint_alertmanager(tmp_path / "original", config)
    assert [f for f in found if f.check == check_id] == [], "the unmutated config trips it"

    mutate(config)
    text, found = _lint_alertmanager(tmp_path / "mutated", config)
    (hit,) = [f for f in found if f.check == check_id]
    assert hit.file.endswith("alertmanager.yml")
    assert marker in text.splitlines()[hit.line - 1], (hit, text)


def test_every_receiver_check_but_unused_has_an_alertmanager_mutation():
    receivers = {c.id for c in CHECKS if c.id.startswith("receiver/")} - {"receiver/unused"}
    assert receivers == set(AM_MUTATIONS)
