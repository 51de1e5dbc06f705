"""Lint reports: text grouped by file, JSON, GitHub workflow annotations."""

import json

from stackgen.lint.findings import Finding
from stackgen.lint.report import render

FINDINGS = [
    Finding("a.yml", 3, 7, "promql/syntax", "error", "invalid PromQL: x"),
    Finding("a.yml", 9, 1, "alert/name", "warning", "alert name `a_b` is not CamelCase"),
    Finding("dir,x/b.yml", 2, 2, "annotations/required", "info", "lacks: summary\nnext"),
]


def test_text_groups_findings_under_their_file():
    assert render(FINDINGS, "text").splitlines() == [
        "a.yml",
        "  3:7  error   promql/syntax          invalid PromQL: x",
        "  9:1  warning alert/name             alert name `a_b` is not CamelCase",
        "dir,x/b.yml",
        ["  2:2  info    annotations/required   lacks: summary", "next"][0],
        "next",
        "3 findings",
    ]


def test_json_lists_every_field():
    (first, *_) = json.loads(render(FINDINGS, "json"))
    assert first == {
        "file": "a.yml", "line": 3, "column": 7, "check": "promql/syntax",
        "severity": "error", "message": "invalid PromQL: x",
    }  # fmt: skip


def test_github_annotations_escape_what_the_workflow_syntax_reserves():
    lines = render(FINDINGS, "github").splitlines()
    assert lines[0] == "::error file=a.yml,line=3,col=7,title=promql/syntax::invalid PromQL: x"
    assert lines[2] == (
        "::notice file=dir%2Cx/b.yml,line=2,col=2,title=annotations/required::lacks: summary%0Anext"
    )
