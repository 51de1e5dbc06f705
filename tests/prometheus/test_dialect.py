"""PromQL as Prometheus 2.42 reads it: what the parser (which follows Prometheus 3) takes and
2.42 refuses is refused, each with its reason; what 2.42 takes passes."""

import re

import pytest

from stackgen.prometheus.dialect import version_error
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
