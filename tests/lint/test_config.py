"""Lint settings: a `.stackgen-lint.yml` file, `--config FILE`, or the spec's `lint:` section
disable checks, change severities and set the required labels and annotations; bad settings
are FILE:LINE:COL errors, exit 2."""

import textwrap

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.lint import LintConfig, lint
from tests.helpers import MINIMAL, write

RULE = {
    "alert": "api_down",
    "expr": 'up{job="api"} == 0',
    "for": "5m",
    "labels": {"severity": "page", "team": "web"},
    "annotations": {"summary": "s", "description": "d"},
}


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [RULE]}]}))
    return path


def checks(rules, config=None) -> list[tuple[str, str]]:
    return sorted((f.check, f.severity) for f in lint([rules], config=config))


def test_the_defaults(rules):
    assert checks(rules) == [
        ("alert/name", "warning"),
        ("annotations/required", "info"),
        ("labels/required", "warning"),  # severity `page`
    ]


def test_disable_and_severity(rules):
    config = LintConfig(disable=["alert/name"], severity={"labels/required": "error"})
    assert checks(rules, config) == [("annotations/required", "info"), ("labels/required", "error")]


def test_required_labels_and_annotations_are_the_teams(rules):
    config = LintConfig(
        required_labels={"severity": ["page", "ticket"], "owner": []},
        required_annotations=["summary"],
    )
    found = lint([rules], config=config)
    assert [(f.check, f.message) for f in found if f.check != "alert/name"] == [
        ("labels/required", "the alert has no `owner` label, which routing relies on")
    ]


def run_lint(tmp_path, *args):
    return CliRunner().invoke(app, ["lint", *args], catch_exceptions=False)


def test_a_config_file_in_the_current_folder_is_read(rules, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".stackgen-lint.yml", "severity: {alert/name: error}\n")
    result = run_lint(tmp_path, str(rules))
    assert result.exit_code == 1 and "error   alert/name" in result.stdout


def test_the_specs_lint_section_is_read(rules, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path, "specs/stack.yml", MINIMAL + "lint:\n  disable: [alert/name, labels/required]\n"
    )
    result = run_lint(tmp_path, str(rules), "--fail-on", "warning")
    assert result.exit_code == 0, result.stdout
    assert "alert/name" not in result.stdout


def test_bad_settings_are_located_errors_and_exit_2(rules, tmp_path):
    config = write(tmp_path, "lint.yml", textwrap.dedent("""\
        disable: [promql/sintax]
        severity: {alert/name: fatal}
        colour: yes
        """))  # fmt: skip
    result = run_lint(tmp_path, str(rules), "--config", str(config))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{config}:1:") and "promql/sintax" in line for line in lines)
    assert any(line.startswith(f"{config}:2:") and "fatal" in line for line in lines)
    assert any(line.startswith(f"{config}:3:") and "colour" in line for line in lines)
    assert "Traceback" not in result.output


def test_the_specs_lint_section_names_only_checks_or_the_spec_is_refused(tmp_path):
    text = MINIMAL + "lint:\n  disable: [promql/sintax]\n  severity: {x/y: fatal}\n"
    spec = write(tmp_path, "spec.yml", text)
    result = CliRunner().invoke(app, ["validate", str(spec)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{spec}:17:13: lint.disable[0]: `promql/sintax` is not a check; "
        "`stackgen lint --list` names them all",
        f"{spec}:18:14: lint.severity.x/y: `x/y` is not a check; "
        "`stackgen lint --list` names them all",
        f"{spec}:18:19: lint.severity.x/y: Input should be 'error', 'warning' or 'info' "
        "(got str 'fatal')",
        f"3 errors in {spec}",
    ]
