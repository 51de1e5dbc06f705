"""PromQL as Prometheus 2.42 reads it: what the parser (which follows Prometheus 3) takes and
2.42 refuses is refused, each with its reason; what 2.42 takes passes."""

import re

import pytest

from stackgen.prometheus.dialect import dialect, version_error
from stackgen.prometheus.promql import parse


@pytest.mark.parametrize(
    ("expr", "why"),
    [
        ("fill(up, 0) > 1", "`fill`"),
        ("up + fill(0) up", "`fill`"),
        ("up > start()", "`start()`"),
        ("step()", "`step`"),
        ('sort_by_label(up, "job")', "`sort_by_label`"),
        ("limitk(1, up)", "`limitk`"),
        ('{"my.metric"} > 1', "quotes a metric or label name"),
        ('up{"my.label"="x"}', "quotes a metric or label name"),
        ('sum by ("a") (up)', "quotes a metric or label name"),
        ("up > 5m", "the duration `5m` as a number"),
        ("up > 1e400", "out of the range of a float64"),
        ('up{job=~"(?<n>a)"}', "not one Go (RE2) compiles"),
        ('up{job!~"a++"}', "not one Go (RE2) compiles"),
    ],
)
def test_what_2_42_refuses_is_refused(expr, why):
    assert why in (version_error(expr) or "")
    with pytest.raises(ValueError, match=f"^{re.escape(version_error(expr) or '')}$"):
        parse(expr)


@pytest.mark.parametrize(
    "expr",
    [
        "up @ start() > 0",
        "rate(up[5m] offset -5m) > 0",
        "max_over_time(up[1h:5m] offset 1h30m)",
        'label_replace(up, "dst", "$1", "src", "(.*)")',
        'up{job=~"(?i)api|[[:alpha:]]+"} # a comment: fill( {"x"} 5m',
        "up > 1e300",
        "holt_winters(x[5m], 0.5, 0.5)",
        'sum by (job) (rate(x_total{code=~"5.."}[5m])) > 0',
    ],
)
def test_what_2_42_takes_passes(expr):
    assert version_error(expr) is None
    parse(expr)


@pytest.mark.parametrize(
    "expr",
    [
        'sort_by_label(up, "job")',
        '{"my.metric"} > 1',
        'sum by ("a") (up)',
        "up > 5m",  # durations are numbers since 3.0 (prometheus#9138)
        'up{job=~"(?<n>a)"}',  # Go 1.22's regexp takes `(?<name>)`
        "double_exponential_smoothing(x[5m], 0.5, 0.5)",
    ],
)
def test_what_3_takes_and_2_42_refuses(expr):
    assert version_error(expr, "3") is None
    parse(expr, "3")
    assert version_error(expr, "2.42") is not None


@pytest.mark.parametrize(
    ("expr", "why"),
    [
        ("holt_winters(x[5m], 0.5, 0.5)", "renamed `double_exponential_smoothing`"),
        ("up > 1e400", "out of the range of a float64"),
        ('up{job!~"a++"}', "not one Go (RE2) compiles"),
        ('up{job=~"(?<>a)"}', "invalid named capture"),
    ],
)
def test_what_3_refuses_is_refused(expr, why):
    assert why in (version_error(expr, "3") or "")
    with pytest.raises(ValueError, match=re.escape(why)):
        parse(expr, "3")


@pytest.mark.parametrize(
    ("version", "expected"),
    [("2.42", "2.42"), ("2.42.0", "2.42"), ("3", "3"), ("3.5", "3"), ("3.5.0", "3")],
)
def test_a_version_names_its_dialect(version, expected):
    assert dialect(version) == expected


@pytest.mark.parametrize("version", ["2.41", "2", "4.0", "latest", ""])
def test_a_version_stackgen_does_not_know_is_refused_naming_those_it_does(version):
    with pytest.raises(ValueError, match=re.escape("2.42 or 3.x")):
        dialect(version)
