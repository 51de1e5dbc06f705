"""The checks are the modules of lint.rules: `stackgen lint --list`, SARIF and the README come
from them, and the engine gives findings the severity a module declares."""

import re
from pathlib import Path

from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.lint import lint_file
from stackgen.lint.checks import CHECKS, module_name
from stackgen.lint.rules import alert_name
from tests.helpers import write

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_the_checks_as_lint_list_prints_them():
    printed = CliRunner().invoke(app, ["lint", "--list"]).output
    block = re.search(r"<!-- checks:.*?-->\n```text\n(.*?)```", README.read_text(), re.S)
    assert block is not None and block.group(1) == printed
    assert [line.split()[0] for line in printed.splitlines()] == [c.id for c in CHECKS]


def test_each_check_is_one_module_named_for_its_id_with_examples():
    for check in CHECKS:
        assert check.module.__name__.rsplit(".", 1)[1] == module_name(check.id)
        assert "Bad:" in check.module.__doc__ and "Good:" in check.module.__doc__, check.id
        assert all(callable(check.function(scope)) for scope in check.scopes), check.id


def test_a_changed_default_severity_changes_the_findings(tmp_path, monkeypatch):
    rules = write(tmp_path, "r.yml", "groups:\n  - name: g\n    rules:\n      - alert: bad_name\n"
                  "        expr: up == 0\n        labels: {severity: critical}\n"
                  "        annotations: {summary: s, description: d, runbook_url: u}\n")  # fmt: skip
    (before,) = [f for f in lint_file(rules) if f.check == "alert/name"]
    assert before.severity == "warning"
    monkeypatch.setattr(alert_name, "SEVERITY", "error")
    (after,) = [f for f in lint_file(rules) if f.check == "alert/name"]
    assert after.severity == "error" and after.message == before.message
