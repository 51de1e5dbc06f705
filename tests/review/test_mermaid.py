"""The Mermaid flowchart of a routing tree (drawn by Mermaid itself in tests/review/test_report.py)."""

from __future__ import annotations

from stackgen.alertmanager.routing import route_tree
from stackgen.review.mermaid import flowchart, label


def test_labels_write_syntax_characters_as_entities():
    assert label('a="b|c"') == '"a=#34;b#124;c#34;"'
    assert label("#;[]`<>&é") == '"#35;#59;#91;#93;#96;#60;#62;#38;#233;"'
    assert label("one\ntwo") == '"one<br>two"'


def test_a_node_per_route_and_an_edge_per_child_in_order():
    tree = route_tree(
        {
            "receiver": "ops",
            "routes": [
                {"receiver": "pager", "matchers": ['severity="critical"'], "continue": True,
                 "routes": [{"receiver": "db", "matchers": ["service=db"]}]},
                {"receiver": "web", "match": {"team": "web"}},
            ],
        }
    )  # fmt: skip
    assert flowchart(tree).splitlines() == [
        "flowchart TD",
        '  r0["root: ops"]',
        '  r1["pager<br>continue"]',
        '  r2["db"]',
        '  r3["web"]',
        '  r0 -->|"1. severity=#34;critical#34;"| r1',
        '  r0 -->|"2. team=#34;web#34;"| r3',
        '  r1 -->|"1. service=#34;db#34;"| r2',
    ]
