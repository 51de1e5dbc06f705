"""Whatever a rule file holds, lint reports it as located findings: values of the wrong type,
unreadable bytes, absolute paths in a stack's config and thousands of documents are findings (or
nothing), never a traceback, and the other files are still linted. A check that fails is
stackgen's bug: exit 3, naming the file."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.lint import lint, sources
from stackgen.lint.rules import alert_name
from tests.helpers import write

RULE = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n"


@pytest.mark.parametrize(
    ("text", "check", "line"),
    [
        (RULE + "        annotations: a string\n", "rule/structure", 6),
        (RULE + "        labels: [a, b]\n", "rule/structure", 6),
        (RULE + "        labels: {team: {a: b}}\n", "rule/structure", 6),
        (RULE + "        for: [5m]\n", "rule/structure", 6),
        ("kind: PrometheusRule\nspec: [1]\n", "file/not-rules", 2),
        ("groups:\n  - a group\n", "file/not-rules", 2),
        ("groups: {name: g}\n", "file/not-rules", 1),
        ("groups:\n  - name: g\n    rules: {a: b}\n", "group/structure", 3),
        ("groups:\n  - name: g\n    rules:\n      - a rule\n", "group/structure", 4),
        ("groups:\n  - name: g\n    rules:\n      - [a]\n", "group/structure", 4),
        ("groups:\n  - name: [g]\n    rules: []\n", "group/structure", 2),
        ("- a list\n", "file/not-rules", 1),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: [A]\n        expr: up\n",
            "rule/structure",
            4,
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_a_located_error(tmp_path, text, check, line):
    path = write(tmp_path, "rules.yml", text)
    found = [(f.check, f.line) for f in lint([path]) if f.severity == "error"]
    assert (check, line) in found


def test_an_unreadable_file_is_a_finding_and_the_others_are_linted(tmp_path):
    (tmp_path / "binary.yml").write_bytes(b"groups:\n  - name: \xff\xfe\n")
    good = write(tmp_path, "good.yml", RULE.replace("alert: A", "alert: bad_name"))
    found = {(f.file, f.line, f.check) for f in lint([tmp_path])}
    assert (str(tmp_path / "binary.yml"), 2, "file/yaml") in found
    assert (str(good), 4, "alert/name") in found
    result = CliRunner().invoke(app, ["lint", str(tmp_path), "--no-color"])
    assert result.exit_code == 1
    assert "binary.yml" in result.output and "not UTF-8" in result.output


def test_an_absolute_rule_files_path_is_where_prometheus_runs_not_read_here(tmp_path):
    write(tmp_path, "prometheus/prometheus.yml",
          "rule_files: [/etc/prometheus/rules/*.yml, rules/*.yml]\n")  # fmt: skip
    rules = write(tmp_path, "prometheus/rules/a.yml", RULE.replace("alert: A", "alert: bad_name"))
    found = lint([tmp_path])
    assert {f.file for f in found} == {str(rules)} and "alert/name" in {f.check for f in found}


def test_positions_are_read_once_a_file_not_once_a_document(tmp_path, monkeypatch):
    """Time linear in the documents: every finding of a file of many documents is located
    from at most one read of its positions (none: the plain reading kept its YAML nodes)."""
    documents = "---\n".join(RULE.replace("alert: A", f"alert: bad_{i}") for i in range(200))
    path = write(tmp_path, "many.yml", documents)
    reads = []
    real = sources.read_documents
    monkeypatch.setattr(sources, "read_documents", lambda *a: reads.append(1) or real(*a))
    found = [f for f in lint([path]) if f.check == "alert/name"]
    assert len(found) == 200 and len(reads) <= 1


def test_a_check_that_fails_is_stackgens_bug_exit_3_naming_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "rules.yml", RULE)

    def broken(*args):
        raise KeyError("oops")

    monkeypatch.setattr(alert_name, "check", broken)
    result = CliRunner().invoke(app, ["lint", str(path), "--no-color"])
    assert result.exit_code == 3
    assert f"stackgen bug while linting {path}: KeyError" in result.output
