"""Alertmanager's routing tree as stackgen reads it: matcher syntaxes, inherited settings, and
where an alert goes (with known labels, or with labels whose value only the series decide)."""

import pytest
import yaml

from stackgen.alertmanager.routing import (
    Matcher,
    matchers_of,
    parse_matchers,
    possible_routes,
    receivers_for,
    route_tree,
)
from tests.helpers import OUT

TREE = yaml.safe_load(
    """
route:
  receiver: default
  group_interval: 2m
  routes:
    - receiver: pager
      matchers: [severity="critical"]
      continue: true
      repeat_interval: 1h
    - receiver: ml
      match: {team: ml}
      routes:
        - receiver: ml-pager
          matchers: ['{severity="critical", model=~"gpt.*"}']
    - receiver: tickets
      match_re: {severity: "warning|info"}
"""
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('severity="critical"', [("severity", "=", "critical")]),
        ("severity=critical", [("severity", "=", "critical")]),
        ('{a="1", b!~"x|y"}', [("a", "=", "1"), ("b", "!~", "x|y")]),
        ('team=~"a,b"', [("team", "=~", "a,b")]),  # a comma inside quotes
        ('msg="say \\"hi\\""', [("msg", "=", 'say "hi"')]),
        ('a != ""', [("a", "!=", "")]),
    ],
)
def test_matchers_in_every_syntax_alertmanager_accepts(text, expected):
    assert [(m.name, m.op, m.value) for m in parse_matchers(text)] == expected


def test_a_string_that_is_no_matcher_is_an_error():
    with pytest.raises(ValueError, match="is not a matcher"):
        parse_matchers("severity")


def test_matching_follows_alertmanager_a_missing_label_is_empty_and_regexes_are_anchored():
    assert Matcher("team", "=~", "ml|ai").matches("ml")
    assert not Matcher("team", "=~", "ml").matches("mlops")  # anchored
    assert Matcher("team", "!=", "ml").matches("")  # absent label
    assert Matcher("team", "=", "").matches("")


def test_legacy_match_and_match_re_become_matchers_with_their_position():
    (matcher,) = matchers_of({"match_re": {"severity": "warning|info"}}, ("route",))
    assert (matcher.op, matcher.path) == ("=~", ("route", "match_re", "severity"))


def test_children_inherit_timings_and_receiver():
    tree = route_tree(TREE["route"])
    pager, ml, _ = tree.routes
    assert tree.timings == {"group_wait": 30.0, "group_interval": 120.0, "repeat_interval": 14400.0}
    assert pager.timings["repeat_interval"] == 3600.0 and pager.timings["group_interval"] == 120.0
    assert ml.routes[0].path == ("route", "routes", 1, "routes", 0)
    assert "repeat_interval" in pager.written and "repeat_interval" not in ml.written


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        ({"severity": "critical", "team": "ml", "model": "gpt-4"}, ["pager", "ml-pager"]),
        ({"severity": "critical", "team": "ml", "model": "llama"}, ["pager", "ml"]),
        ({"severity": "critical"}, ["pager"]),  # continue, then nothing else matches
        ({"severity": "info"}, ["tickets"]),
        ({"severity": "debug"}, ["default"]),
    ],
)
def test_receivers_for_known_labels(labels, receivers):
    assert receivers_for(route_tree(TREE["route"]), labels) == receivers


def test_unknown_values_may_go_either_way():
    tree = route_tree(TREE["route"])
    reached = {r.receiver for r in possible_routes(tree, {"severity": "info"}.get)}
    # team may be ml (then ml: its child wants critical) or not (then tickets)
    assert reached == {"ml", "tickets"}
    # severity unknown too: anything is possible, the default included
    assert {r.receiver for r in possible_routes(tree, lambda name: None)} == {
        "pager", "ml", "ml-pager", "tickets", "default",
    }  # fmt: skip


def test_the_examples_routing_reads_back():
    config = yaml.safe_load((OUT / "alertmanager" / "alertmanager.yml").read_text())
    tree = route_tree(config["route"])
    assert receivers_for(tree, {"severity": "critical", "team": "platform"}) == [
        "pagerduty-oncall",
        "email-oncall",
        "slack-critical",
    ]
    assert receivers_for(tree, {"severity": "warning", "component": "ai-engine"}) == [
        "email-devops",
        "slack-warnings",
        "email-ai",
        "slack-ai",
    ]


def test_a_route_tree_nested_5000_deep_is_read_and_walked_without_recursion():
    root: dict = {"receiver": "root"}
    route = root
    for level in range(5000):
        route["routes"] = [{"receiver": f"r{level}", "matchers": ['a="1"']}]
        route = route["routes"][0]
    tree = route_tree(root)
    assert sum(1 for _ in tree.walk()) == 5001
    assert receivers_for(tree, {"a": "1"}) == ["r4999"]
    assert receivers_for(tree, {"a": "2"}) == ["root"]
    assert [r.receiver for r in possible_routes(tree, lambda name: None)][-1] == "root"
