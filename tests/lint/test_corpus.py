"""`stackgen lint` on rule files other projects wrote, compared with what promtool says."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.lint import lint
from tests.helpers import OUT, SHARED, example_lint, run_tool

RULES = SHARED / "corpus" / "rules"
SLOTH_GEN = SHARED / "corpus" / "slo" / "sloth" / "_gen"


@pytest.mark.corpus
def test_no_syntax_finding_on_the_corpus_promtool_accepts():
    """All 112 awesome-prometheus-alerts files and kube-prometheus's PrometheusRules pass promtool
    (unwrapped); lint must not call any of their expressions invalid."""
    findings = lint([RULES])
    assert not [f for f in findings if f.severity == "error"], [str(f) for f in findings][:5]


@pytest.mark.corpus
def test_sloths_broken_outputs_are_reported_where_promtool_fails():
    errors = [f for f in lint([SLOTH_GEN]) if f.severity == "error"]
    by_file = {(Path(f.file).name, f.check) for f in errors}
    assert ("victoria-metrics.yml", "promql/syntax") in by_file
    assert ("contrib-slo-plugins.yml", "labels/name") in by_file
    assert all(f.line > 1 for f in errors)


def test_the_rendered_example_is_lint_clean():
    assert lint([OUT], config=example_lint()) == []


@pytest.mark.corpus
def test_the_command_exits_0_1_and_2(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["lint", str(OUT)]).exit_code == 0
    broken = tmp_path / "rules.yml"
    broken.write_text("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up ==\n")
    result = runner.invoke(app, ["lint", str(broken), "--format", "json"])
    assert result.exit_code == 1
    (finding,) = [f for f in json.loads(result.stdout) if f["check"] == "promql/syntax"]
    assert set(finding) == {"file", "line", "column", "check", "severity", "message"}
    assert runner.invoke(app, ["lint", str(tmp_path / "nope.yml")]).exit_code == 2
    warned = runner.invoke(
        app, ["lint", str(RULES / "awesome-prometheus-alerts"), "--fail-on", "info"]
    )
    assert warned.exit_code == 1


def _unwrapped(source: Path, folder: Path) -> Path:
    """The file as promtool reads rule files: PrometheusRule objects' groups, one plain file."""
    groups = []
    for document in yaml.safe_load_all(source.read_text()):
        if isinstance(document, dict) and document.get("kind") == "PrometheusRule":
            groups += document["spec"]["groups"]
        elif isinstance(document, dict):
            groups += document.get("groups") or []
    target = folder / "_".join(source.relative_to(SHARED).parts)
    target.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return target


@pytest.mark.corpus
@pytest.mark.tools
def test_lint_and_promtool_agree_on_every_corpus_file(tmp_path):
    """Every file promtool rejects gets an error with a location; every file it accepts gets
    none (the same unwrapped files given to both)."""
    sources = sorted(
        p
        for folder in (RULES, SLOTH_GEN)
        for p in folder.rglob("*")
        if p.suffix in (".yml", ".yaml")
    )
    rejected, reported = set(), set()
    for source in sources:
        plain = _unwrapped(source, tmp_path)
        if run_tool("promtool", "check", "rules", str(plain)).returncode != 0:
            rejected.add(plain.name)
        errors = [f for f in lint([plain]) if f.severity == "error"]
        if errors:
            reported.add(plain.name)
            assert all(f.line > 1 for f in errors), errors
    assert len(sources) > 120 and rejected  # the corpus has files promtool rejects
    assert reported == rejected


@pytest.mark.corpus
def test_sarif_for_the_whole_corpus_validates_and_colour_is_asked_for(tmp_path):
    from jsonschema import Draft4Validator

    schema = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())
    runner = CliRunner()
    result = runner.invoke(app, ["lint", str(RULES), "--format", "sarif"])
    log = json.loads(result.stdout)
    assert list(Draft4Validator(schema).iter_errors(log)) == []
    assert len(log["runs"][0]["results"]) == len(lint([RULES]))
    coloured = runner.invoke(app, ["lint", str(RULES / "kube-prometheus"), "--color"])
    plain = runner.invoke(app, ["lint", str(RULES / "kube-prometheus"), "--no-color"])
    assert "\x1b[" in coloured.stdout and "\x1b[" not in plain.stdout


@pytest.mark.corpus
def test_globs_the_shell_left_alone_are_expanded():
    pattern = str(RULES / "awesome-prometheus-alerts" / "**" / "*.yml")
    result = CliRunner().invoke(app, ["lint", pattern, "--format", "json"])
    files = {f["file"] for f in json.loads(result.stdout)}
    assert len(files) > 50 and all(f.endswith(".yml") for f in files)
    missing = CliRunner().invoke(app, ["lint", str(RULES / "nothing-*.yml")])
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr
