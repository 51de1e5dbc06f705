"""The checks: each has an ID, a default severity, a one-line doc and a fix hint, and looks at
one rule (or one group) at a time."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from stackgen.common.values import format_duration, parse_duration
from stackgen.lint.findings import Severity
from stackgen.lint.sources import Group, Rule
from stackgen.prometheus import query
from stackgen.prometheus.gotemplate import check_template

# (keys into the rule for the position, message)
Hit = tuple[tuple[str, ...], str]
# How templates read a label of the alert's series.
_TEMPLATE_LABEL = re.compile(
    r"(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)|index\s+(?:\$labels|\.Labels)\s+\"([^\"]+)\""
)
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_ALERT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_RECORD_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*[a-zA-Z0-9_]$")


@dataclass(frozen=True)
class Settings:
    """What the checks are told: the scrape interval, and the team's required labels (each
    with its allowed values; none listed: any value) and annotations."""

    scrape_seconds: float = 60.0
    required_labels: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("severity", ("critical", "warning", "info")),
    )
    required_annotations: tuple[str, ...] = ("summary", "description", "runbook_url")


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity
    doc: str
    hint: str
    rule: Callable[[Rule, Settings], Iterator[Hit]] | None = None
    group: Callable[[Group], Iterator[Hit]] | None = None


def promql_syntax(rule: Rule, settings: Settings) -> Iterator[Hit]:
    error = rule.facts.error if rule.facts else None
    if error is not None:
        yield ("expr",), error


def rule_structure(rule: Rule, settings: Settings) -> Iterator[Hit]:
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


def _waits(rule: Rule) -> bool:
    """Whether the alert has a `for` longer than zero."""
    try:
        return parse_duration(str(rule.data.get("for") or "0s")) > 0
    except ValueError:
        return True  # not a duration: rule/structure's business, not this check's


def no_comparison(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if rule.is_alert and found is not None and not found.comparison and not found.absent:
        yield ("expr",), "the alert has no comparison, so it fires whenever the query has data"


def absent_without_for(rule: Rule, settings: Settings) -> Iterator[Hit]:
    found = rule.analysed
    if rule.is_alert and found is not None and found.absent and not _waits(rule):
        yield ("expr",), "`absent()` without `for` fires on every scrape gap or restart"


def alert_name(rule: Rule, settings: Settings) -> Iterator[Hit]:
    name = rule.data.get("alert")
    if name is not None and not _ALERT_NAME.match(str(name)):
        yield ("alert",), f"alert name `{name}` is not CamelCase"


def record_name(rule: Rule, settings: Settings) -> Iterator[Hit]:
    name = rule.data.get("record")
    if name is not None and not _RECORD_NAME.match(str(name)):
        yield ("record",), f"recording rule `{name}` is not named `level:metric:operations`"


def required_labels(rule: Rule, settings: Settings) -> Iterator[Hit]:
    if not rule.is_alert:
        return
    labels = rule.data.get("labels") or {}
    for name, allowed in settings.required_labels:
        if name not in labels:
            yield (), f"the alert has no `{name}` label, which routing relies on"
        elif allowed and str(labels[name]) not in allowed:
            yield (
                ("labels", name),
                f"{name} `{labels[name]}` is not one of {', '.join(allowed)}",
            )


def required_annotations(rule: Rule, settings: Settings) -> Iterator[Hit]:
    if "alert" not in rule.data:
        return
    annotations = rule.data.get("annotations") or {}
    missing = [a for a in settings.required_annotations if a not in annotations]
    if missing:
        yield (), f"the alert lacks the annotations {', '.join(missing)}"


def templates(rule: Rule, settings: Settings) -> Iterator[Hit]:
    """Annotations and labels are Go templates Prometheus parses when it loads the rule."""
    for section in ("annotations", "labels"):
        for name, value in (rule.data.get(section) or {}).items():
            error = _template_error(str(value))
            if error is not None:
                yield (section, str(name)), f"{section[:-1]} `{name}` {error}"


@lru_cache(maxsize=1 << 14)
def _template_error(text: str) -> str | None:
    """Why a template does not parse; once per distinct text (many repeat across services)."""
    try:
        check_template(text)
    except ValueError as exc:
        return str(exc)
    return None


def needless_regex(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for message in rule.analysed.needless_regexes if rule.analysed else ():
        yield ("expr",), message


def rate_range(rule: Rule, settings: Settings) -> Iterator[Hit]:
    scrape = settings.scrape_seconds  # the only input not in the facts: checked per rule
    for function, seconds in rule.analysed.ranges if rule.analysed else ():
        if seconds < 4 * scrape:
            yield (
                ("expr",),
                (
                    f"`{function}` over [{format_duration(seconds)}] sees fewer than 4 samples "
                    f"at a {format_duration(scrape)} scrape interval: use at least "
                    f"[{format_duration(4 * scrape)}]"
                ),
            )


def rate_of_non_counter(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for message in rule.analysed.non_counters if rule.analysed else ():
        yield ("expr",), message


def raw_counter(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for name in rule.analysed.raw_counters if rule.analysed else ():
        yield (
            ("expr",),
            f"`{name}` is a counter used as it is: its value only grows and restarts at 0; "
            f"use `rate({name}[5m])` or `increase(...)`",
        )


def dropped_labels(rule: Rule, settings: Settings) -> Iterator[Hit]:
    """Templates see the labels of the query's result (`$labels`), not the rule's labels."""
    if rule.analysed is None or not rule.is_alert:
        return
    labels = rule.analysed.labels
    static = rule.data.get("labels") or {}
    for section in ("annotations", "labels"):
        for name, value in (rule.data.get(section) or {}).items():
            for match in _TEMPLATE_LABEL.finditer(str(value)):
                label = match.group(1) or match.group(2)
                if labels.has(label) is not False:
                    continue
                why = (
                    "it is a label of the rule, and templates only see the query's labels"
                    if label in static
                    else _kept(labels)
                )
                yield (section, str(name)), f"`$labels.{label}` is always empty: {why}"


def _kept(labels: query.Labels) -> str:
    if labels.closed:
        if not labels.names:
            return "the query's result has no labels"
        return f"the query's result keeps only {', '.join(sorted(labels.names))}"
    return "the query drops it (an aggregation `without` it, or `ignoring` it)"


def group_interval(group: Group) -> Iterator[Hit]:
    interval = group.data.get("interval")
    try:
        if interval is not None and parse_duration(str(interval)) > 300:
            yield ("interval",), f"group interval {interval} is over 5m: alerts react late"
    except ValueError:
        yield ("interval",), f"`{interval}` is not a Prometheus duration"


def label_names(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for name in rule.data.get("labels") or {}:
        if not _LABEL_NAME.match(str(name)):
            yield ("labels", str(name)), f"`{name}` is not a valid label name"


def value_in_labels(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for name, value in (rule.data.get("labels") or {}).items():
        if "$value" in str(value):
            yield (
                ("labels", str(name)),
                (f"label `{name}` uses `$value`: every new value starts a new alert"),
            )


CHECKS: tuple[Check, ...] = (
    Check("file/yaml", "error", "The file is valid YAML.", "Fix the YAML at the position shown."),
    Check("file/not-rules", "error", "Each document is a rule file (`groups`, or a "
          "PrometheusRule's `spec.groups`).", "Lint rule files only, or fix the top level."),
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
    Check("labels/required", "warning", "Alerts carry the required labels (by default a "
          "severity of critical, warning or info).", "Add `labels: {severity: warning}`.",
          rule=required_labels),
    Check("annotations/required", "info", "Alerts carry summary, description and runbook_url.",
          "Add the missing annotations.", rule=required_annotations),
    Check("labels/name", "error", "Rule label names are valid Prometheus label names.",
          "Use letters, digits and underscores, such as `plug_l1`.", rule=label_names),
    Check("annotations/template", "error", "Annotation and label templates parse.",
          "Close every `{{ ... }}`; use only Prometheus template functions.", rule=templates),
    Check("promql/rate-range", "warning", "rate() and friends range over 4 scrapes or more.",
          "Lengthen the range (or pass the real --scrape-interval).", rule=rate_range),
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
    Check("promql/rate-counter", "warning",
          "rate() and increase() take raw counters, not gauges or aggregations.",
          "Rate the counter first, then aggregate; use deriv() or delta() for a gauge.",
          rule=rate_of_non_counter),
    Check("promql/counter-raw", "warning", "A `_total` counter is read through rate() or "
          "increase(), not as it is.", "Wrap it: `rate(x_total[5m])`.", rule=raw_counter),
    Check("route/unrouted", "warning",
          "Every alert matches a route, not only the default receiver.",
          "Add a route for its team or severity, or a label the routes match."),
    Check("route/unknown-label", "warning",
          "Route matchers, group_by and inhibit rules name labels alerts carry.",
          "Fix the label name, or add the label to the alerts."),
    Check("receiver/unused", "warning", "Every receiver is used by a route.",
          "Route alerts to it, or remove it."),
    Check("route/shadowed", "warning", "No route is hidden by an earlier sibling that "
          "matches all its alerts.", "Move the narrower route first, or add `continue: true`."),
    Check("route/repeat-interval", "warning", "repeat_interval is at least group_interval.",
          "Raise repeat_interval (default 4h), or lower group_interval."),
    Check("dashboard/rate-interval", "warning",
          "Dashboard rate()/increase() use $__rate_interval (or $__range).",
          "Write `rate(x[$__rate_interval])`."),
    Check("annotations/dropped-label", "warning",
          "Templates use only labels the query's result carries.",
          "Keep the label in the aggregation (`by (..., label)`), or stop using it.",
          rule=dropped_labels),
)  # fmt: skip
