"""The checks read an expression's facts, worked out once per distinct expression after the
values of plain `label="value"` matchers are put aside: no verdict or message may change with
such a value, which is what lets 10,000 services share the analysis of their rules."""

import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stackgen.lint.facts import analyse, dashboard_facts, facts, normalised
from stackgen.prometheus.promql import parse
from tests.helpers import OUT, SHARED


def _exprs() -> list[str]:
    found = set()
    files = [*(SHARED / "corpus" / "rules").rglob("*.yml"), *(OUT / "prometheus").rglob("*.yml")]
    for path in files:
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue
        for document in documents:
            groups = (document or {}).get("groups") if isinstance(document, dict) else None
            for group in groups or []:
                for rule in (group or {}).get("rules") or []:
                    if isinstance(rule, dict) and "expr" in rule:
                        found.add(str(rule["expr"]))
    return sorted(found)


EXPRS = _exprs()


def _analysed(expr: str):
    try:
        return analyse(parse(expr))
    except ValueError as exc:
        return str(exc)


@pytest.mark.corpus
def test_every_corpus_and_example_expression_has_the_facts_of_its_own_text():
    assert len(EXPRS) > 1000
    changed = [e for e in EXPRS if normalised(e) != e]
    assert len(changed) > 100  # the corpus exercises the normalisation
    for expr in EXPRS:
        found = facts(expr)
        expected = _analysed(expr)
        assert (found.error if isinstance(expected, str) else found) == expected, expr


# Values as specs name services, jobs, namespaces and versions.
_VALUES = st.from_regex(re.compile(r"[\w.:/-]{1,20}", re.ASCII), fullmatch=True)
_TEMPLATES = [
    'sum by (job) (rate(http_requests_total{job="{v}",status=~"5.."}[5m])) > 0.05',
    'absent(up{job="{v}"} == 1)',
    'count_values("version", build_info{job="{v}"}) by (le, version)',
    'label_replace(up{job="{v}"}, "service", "$1", "job", "(.*)") == 0',
    'histogram_quantile(0.99, sum by (le) (rate(x_bucket{job="{v}",le="0.5"}[5m]))) > 1',
    'rate(node_memory_bytes{instance="{v}"}[1m]) / on (job) group_left (team) info{job="{v}"}',
    'job:x:rate5m{job="{v}"} / ignoring (code) job:y:rate5m{job="{v}"}',
    'sum(up{job = "{v}" , env="{v}"}) without (instance) < 1',
]


@given(st.sampled_from(_TEMPLATES), _VALUES, _VALUES)
def test_a_plain_matcher_value_changes_no_fact(template, one, other):
    first, second = template.replace("{v}", one), template.replace("{v}", other)
    assert normalised(first) == normalised(second)
    assert _analysed(first) == _analysed(second) == facts(first)


@pytest.mark.parametrize(
    "expr",
    [
        '{__name__="x_total"}',  # the metric's name is read
        'up{job=~"a"}',  # a regex's value is quoted by promql/regex
        'up{job=""}',  # an empty value matches series without the label
        'up{job="a\\"b"}',  # an escape
        'up{job="a b"}',  # a value the stand-in class does not cover
        'label_replace(up, "dst", "", "src", "(.*)")',  # arguments, not matchers
        'up{job="a"} # job="b"',  # a comment
    ],
)
def test_values_a_check_may_read_are_kept(expr):
    assert normalised(expr) == expr


def test_an_error_is_the_expression_s_own():
    """A parse error may point into the text: it is never the stand-in's."""
    expr = 'sum(up{job="a-very-long-service-name"}'
    assert facts(expr).error == _analysed(expr)
    assert facts('sum(up{job="b"}').error == _analysed('sum(up{job="b"}')


def test_dashboard_queries_share_facts_the_same_way():
    one = dashboard_facts('sum(rate(x_total{job="a"}[5m])) + job:y:rate5m{job="a"}')
    other = dashboard_facts('sum(rate(x_total{job="b"}[5m])) + job:y:rate5m{job="b"}')
    assert one == other and one.fixed_ranges == (("rate", 300.0),)
    assert one.recorded == {"job:y:rate5m"}
    assert dashboard_facts('up{job="$job"}').error is None
