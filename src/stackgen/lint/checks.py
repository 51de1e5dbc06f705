"""The checks: each has an ID, a default severity, a one-line doc and a fix hint, and looks at
one rule (or one group) at a time."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stackgen.lint.findings import Severity
from stackgen.lint.sources import Group, Rule
from stackgen.promql import blank_strings
from stackgen.spec.gotemplate import check_template
from stackgen.spec.types import check_promql
from stackgen.values import format_duration, parse_duration

# (keys into the rule for the position, message)
Hit = tuple[tuple[str, ...], str]
SEVERITIES = ("critical", "warning", "info")
REQUIRED_ANNOTATIONS = ("summary", "description", "runbook_url")
_COMPARISON = re.compile(r"==|!=|>=|<=|>|<|\babsent(_over_time)?\s*\(")
_REGEX_MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~)\s*"((?:\\.|[^"\\])*)"')
_REGEX_SPECIAL = re.compile(r"[.*+?()\[\]{}|^$\\]")
_RATE_RANGE = re.compile(
    r"\b(rate|irate|increase|delta|idelta|deriv)\s*\([^\[\]]*\[(\w+)(?::\w*)?\]"
)
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_ALERT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_RECORD_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*[a-zA-Z0-9_]$")


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity
    doc: str
    hint: str
    rule: Callable[[Rule], Iterator[Hit]] | None = None
    group: Callable[[Group], Iterator[Hit]] | None = None
    # a rule check that needs the scrape interval, in seconds
    scraped: Callable[[Rule, float], Iterator[Hit]] | None = None


def _code(expr: str) -> str:
    """The expression with string literals blanked, so their text is not mistaken for code."""
    return blank_strings(expr)


def promql_syntax(rule: Rule) -> Iterator[Hit]:
    expr = rule.data.get("expr")
    if expr is None:
        return
    try:
        check_promql(str(expr))
    except ValueError as exc:
        yield ("expr",), str(exc)


def rule_structure(rule: Rule) -> Iterator[Hit]:
    kinds = [k for k in ("record", "alert") if k in rule.data]
    if len(kinds) != 1:
        yield (), "a rule needs exactly one of `record` and `alert`"
    if not str(rule.data.get("expr", "")).strip():
        yield (), "a rule needs an `expr`"
    if "record" in rule.data:
        for key in ("for", "annotations", "keep_firing_for"):
            if key in rule.data:
                yield (key,), f"a recording rule takes no `{key}`"


def group_structure(group: Group) -> Iterator[Hit]:
    if not group.data.get("name"):
        yield (), "a group needs a `name`"
    rules = group.data.get("rules")
    if rules is not None and not isinstance(rules, list):  # none at all is fine for promtool
        yield ("rules",), "`rules` must be a list of rules"


def no_comparison(rule: Rule) -> Iterator[Hit]:
    if "alert" in rule.data and not _COMPARISON.search(_code(str(rule.data.get("expr", "")))):
        yield ("expr",), "the alert has no comparison, so it fires whenever the query has data"


def absent_without_for(rule: Rule) -> Iterator[Hit]:
    expr = _code(str(rule.data.get("expr", "")))
    if "alert" in rule.data and re.search(r"\babsent\s*\(", expr) and not rule.data.get("for"):
        yield ("expr",), "`absent()` without `for` fires on every scrape gap or restart"


def alert_name(rule: Rule) -> Iterator[Hit]:
    name = rule.data.get("alert")
    if name is not None and not _ALERT_NAME.match(str(name)):
        yield ("alert",), f"alert name `{name}` is not CamelCase"


def record_name(rule: Rule) -> Iterator[Hit]:
    name = rule.data.get("record")
    if name is not None and not _RECORD_NAME.match(str(name)):
        yield ("record",), f"recording rule `{name}` is not named `level:metric:operations`"


def severity_label(rule: Rule) -> Iterator[Hit]:
    if "alert" not in rule.data:
        return
    severity = (rule.data.get("labels") or {}).get("severity")
    if severity is None:
        yield (), "the alert has no `severity` label, so routing cannot tell pages from tickets"
    elif severity not in SEVERITIES:
        yield ("labels", "severity"), f"severity `{severity}` is not one of {', '.join(SEVERITIES)}"


def required_annotations(rule: Rule) -> Iterator[Hit]:
    if "alert" not in rule.data:
        return
    annotations = rule.data.get("annotations") or {}
    missing = [a for a in REQUIRED_ANNOTATIONS if a not in annotations]
    if missing:
        yield (), f"the alert lacks the annotations {', '.join(missing)}"


def templates(rule: Rule) -> Iterator[Hit]:
    """Annotations and labels are Go templates Prometheus parses when it loads the rule."""
    for section in ("annotations", "labels"):
        for name, value in (rule.data.get(section) or {}).items():
            try:
                check_template(str(value))
            except ValueError as exc:
                yield (section, str(name)), f"{section[:-1]} `{name}` {exc}"


def needless_regex(rule: Rule) -> Iterator[Hit]:
    for match in _REGEX_MATCHER.finditer(str(rule.data.get("expr", ""))):
        label, value = match.group(1), match.group(3)
        if not _REGEX_SPECIAL.search(value):
            plain = f'{label}{"=" if match.group(2) == "=~" else "!="}"{value}"'
            yield ("expr",), f'`{label}{match.group(2)}"{value}"` needs no regex: use `{plain}`'


def rate_range(rule: Rule, scrape_seconds: float) -> Iterator[Hit]:
    for match in _RATE_RANGE.finditer(_code(str(rule.data.get("expr", "")))):
        function, window = match.group(1), match.group(2)
        try:
            seconds = parse_duration(window)
        except ValueError:
            continue
        if seconds < 4 * scrape_seconds:
            yield (
                ("expr",),
                (
                    f"`{function}` over [{window}] sees fewer than 4 samples at a "
                    f"{format_duration(scrape_seconds)} scrape interval: use at least "
                    f"[{format_duration(4 * scrape_seconds)}]"
                ),
            )


def group_interval(group: Group) -> Iterator[Hit]:
    interval = group.data.get("interval")
    try:
        if interval is not None and parse_duration(str(interval)) > 300:
            yield ("interval",), f"group interval {interval} is over 5m: alerts react late"
    except ValueError:
        yield ("interval",), f"`{interval}` is not a Prometheus duration"


def label_names(rule: Rule) -> Iterator[Hit]:
    for name in rule.data.get("labels") or {}:
        if not _LABEL_NAME.match(str(name)):
            yield ("labels", str(name)), f"`{name}` is not a valid label name"


def value_in_labels(rule: Rule) -> Iterator[Hit]:
    for name, value in (rule.data.get("labels") or {}).items():
        if "$value" in str(value):
            yield (
                ("labels", str(name)),
                (f"label `{name}` uses `$value`: every new value starts a new alert"),
            )


CHECKS: tuple[Check, ...] = (
    Check("promql/syntax", "error", "The expression is valid PromQL for Prometheus 2.42.",
          "Fix the expression; `promtool check rules` shows the same error.", rule=promql_syntax),
    Check("rule/structure", "error", "Each rule has exactly one of record/alert, and an expr.",
          "Split the rule, or remove what recording rules do not take.", rule=rule_structure),
    Check("group/structure", "error", "Each group has a name and a list of rules.",
          "Add the missing `name` or `rules`.", group=group_structure),
    Check("alert/comparison", "warning", "An alert compares its query with a threshold.",
          "Add a comparison such as `> 0.05`.", rule=no_comparison),
    Check("alert/absent-for", "warning", "An alert on absent() waits with `for`.",
          "Add `for: 5m` or longer.", rule=absent_without_for),
    Check("alert/name", "warning", "Alert names are CamelCase.",
          "Rename it, such as `HighErrorRate`.", rule=alert_name),
    Check("record/name", "warning", "Recording rules are named level:metric:operations.",
          "Rename it, such as `job:http_requests:rate5m`.", rule=record_name),
    Check("labels/severity", "warning", "Alerts carry a severity of critical, warning or info.",
          "Add `labels: {severity: warning}`.", rule=severity_label),
    Check("annotations/required", "info", "Alerts carry summary, description and runbook_url.",
          "Add the missing annotations.", rule=required_annotations),
    Check("labels/name", "error", "Rule label names are valid Prometheus label names.",
          "Use letters, digits and underscores, such as `plug_l1`.", rule=label_names),
    Check("annotations/template", "error", "Annotation and label templates parse.",
          "Close every `{{ ... }}`; use only Prometheus template functions.", rule=templates),
    Check("promql/rate-range", "warning", "rate() and friends range over 4 scrapes or more.",
          "Lengthen the range (or pass the real --scrape-interval).", scraped=rate_range),
    Check("promql/regex", "info", "Regex matchers need a regex.",
          "Use `=` or `!=` for a plain value.", rule=needless_regex),
    Check("group/interval", "warning", "Group intervals are at most 5m.",
          "Evaluate alerting groups at least every 5m.", group=group_interval),
    Check("rule/duplicate", "warning", "No two rules share a name and labels.",
          "Remove one, or tell them apart by a label."),
    Check("record/undefined", "warning", "Recording rules a query uses are defined.",
          "Define the recording rule, or lint the file that does together with this one."),
    Check("labels/value", "warning", "Alert labels do not use $value.",
          "Move $value into an annotation.", rule=value_in_labels),
)  # fmt: skip
