"""What the linter reads from a query's syntax tree: the labels its result carries. Checked
against Prometheus itself: where lint says a template's label is always empty, promtool's
evaluation of the rule shows it empty."""

import re
import sys

import pytest
import yaml

from stackgen.prometheus.promql import parse
from stackgen.prometheus.query import Labels, result_labels, walk
from tests.helpers import run_tool


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("sum by (job) (rate(x_total[5m])) > 1", Labels(True, frozenset({"job"}))),
        ('rate(x_total{code="500"}[5m]) > 1', Labels(False, frozenset({"code"}))),
        ("sum without (instance) (x) > 1", Labels(False, dropped=frozenset({"instance"}))),
        ("sum(x) > 1", Labels(True)),
        ("x > on (job) y", Labels(True, frozenset({"job"}))),
        ("x / ignoring (code) y", Labels(False, dropped=frozenset({"code"}))),
        ("x * on (job) group_left (team) y", Labels(False, frozenset({"team"}))),
        ('absent(up{job="api"})', Labels(True, frozenset({"job"}))),
        (
            "histogram_quantile(0.9, sum by (le, route) (rate(x_bucket[5m])))",
            Labels(True, frozenset({"route"})),
        ),
        ('label_replace(sum(x), "dst", "$1", "src", "(.*)")', Labels(True, frozenset({"dst"}))),
        ('label_replace(sum by (a) (x), "a", "", "", "")', Labels(True)),  # emptied: deleted
        ("topk(3, sum by (z) (x))", Labels(True, frozenset({"z"}))),
        ("1 - sum by (a) (x)", Labels(True, frozenset({"a"}))),
        ("sum(x) or sum by (a) (y)", Labels(True, frozenset({"a"}))),
        ("x and on (job) sum by (job) (y)", Labels(False)),  # `and` keeps the left side
        ("vector(1)", Labels(True)),
    ],
)
def test_result_labels(expr, expected):
    assert result_labels(parse(expr)) == expected


SERIES = {
    'x_total{job="api",instance="a:1",code="500",team="web"}': "0+60x20",
    'y{job="api",instance="a:1",team="web"}': "0.5x20",
}
LABELS = ("job", "instance", "code", "team")
EXPRESSIONS = [
    "sum by (job) (rate(x_total[5m])) > 0",
    "sum without (instance) (rate(x_total[5m])) > 0",
    "rate(x_total[5m]) > on (job) y",
    "rate(x_total[5m]) > ignoring (code, instance) y * 0",
    "sum by (job, code) (rate(x_total[5m])) * on (job) group_left (team) max by (job, team) (y) > 0",
    'label_replace(sum by (job) (rate(x_total[5m])), "code", "$1", "job", "(.*)") > 0',
    "count(y) > 0",
]


def _got_annotations(output: str) -> dict[str, str]:
    """alertname -> the annotation promtool got, from its failure report."""
    found = re.findall(r'alertname: (A\d+),.*?Annotations:\{a="([^"]*)"\}', output, re.S)
    return dict(found)


@pytest.mark.tools
def test_labels_lint_calls_empty_are_empty_in_prometheus(tmp_path):
    template = " ".join(f"{name}={{{{ $labels.{name} }}}}" for name in LABELS)
    rules = [
        {"alert": f"A{i}", "expr": expr, "labels": {"team": "rule"}, "annotations": {"a": template}}
        for i, expr in enumerate(EXPRESSIONS)
    ]
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": rules}]}))
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in SERIES.items()],
                "alert_rule_test": [
                    {"eval_time": "10m", "alertname": f"A{i}", "exp_alerts": []}
                    for i in range(len(EXPRESSIONS))
                ],
            }
        ],
    }
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(tests))
    result = run_tool("promtool", "test", "rules", str(tmp_path / "tests.yml"))
    # every alert fires (none expected), so promtool prints what it got for each
    got = _got_annotations(result.stdout + result.stderr)
    assert len(got) == len(EXPRESSIONS), result.stdout + result.stderr
    for i, expr in enumerate(EXPRESSIONS):
        annotation = got[f"A{i}"]
        values = dict(part.split("=", 1) for part in annotation.split(" "))
        labels = result_labels(parse(expr))
        for name in LABELS:
            if labels.has(name) is False:
                assert values[name] == "", (expr, name, annotation)
            if labels.has(name) is True:
                assert values[name] != "", (expr, name, annotation)
        assert values["team"] != "rule"  # a rule's own label is not in $labels


def test_walk_takes_no_python_stack_for_a_deep_tree():
    # 150 levels: within the parser's MAX_DEPTH, deeper than a recursive walk at a lowered limit
    expr = "(" * 150 + "up" + ")" * 150
    limit, depth, frame = sys.getrecursionlimit(), 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    sys.setrecursionlimit(depth + 40)  # far fewer frames than the tree has levels
    try:
        nodes = list(walk(parse(expr)))
    finally:
        sys.setrecursionlimit(limit)
    assert len(nodes) == 151 and len(nodes[-1][1]) == 150
