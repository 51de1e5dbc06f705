"""The command line: exit codes, error reports for each class of bad input, nothing written."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackgen import __version__
from stackgen.cli import app
from tests.helpers import MINIMAL, SPECS, minimal_with_slos, require_tool, write

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def rendered_out(tmp_path):
    """An OUT rendered from MINIMAL, to check that bad input leaves it untouched."""
    spec = write(tmp_path, "good/spec.yml", MINIMAL)
    out = tmp_path / "out"
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0
    return out


BAD_INPUTS = {
    "yaml-syntax": ("stack:\n  name: [demo\n", "YAML syntax error"),
    "unknown-key": (MINIMAL + "colour: blue\n", "unknown key `colour`"),
    "empty-file": ("", "the file is empty"),
    "top-level-list": ("- stack\n", "the top level is a list"),
    "wrong-type": (MINIMAL.replace("static: [api:8080]", "static: api:8080"), "Input should be"),
    "missing-field": (MINIMAL.replace("    team: web\n", ""), "missing required field `team`"),
    "dangling-reference": (
        MINIMAL.replace("default_channel: ops", "default_channel: pager"),
        "no channel is named `pager`",
    ),
    "duplicate": (
        MINIMAL.replace(
            "channels:\n", "channels:\n  - {name: ops, type: webhook, url: 'http://x/y'}\n"
        ),
        "channel `ops` is defined twice",
    ),
    "bad-duration": (
        MINIMAL + "prometheus: {scrape_interval: 15 s}\n",
        "not a Prometheus duration",
    ),
    "inline-secret": (
        MINIMAL.replace(
            "    url: http://hooks.internal/alerts\n", "    url: http://h/a\n    token: s3cret\n"
        ),
        "inline secrets are not allowed",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_located_errors_and_writes_nothing(tmp_path, rendered_out, case):
    text, message = BAD_INPUTS[case]
    spec = write(tmp_path, "bad/spec.yml", text)
    before = snapshot(rendered_out)
    result = run("render", str(spec), "-o", str(rendered_out))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{spec}:"), first
    line, column = first.removeprefix(f"{spec}:").split(":")[:2]
    assert line.isdigit() and column.isdigit()
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(rendered_out) == before


def test_every_error_is_reported_at_once(tmp_path):
    text = MINIMAL.replace("static: [api:8080]", "static: api").replace("    team: web\n", "")
    text += "extra: 1\n"
    result = run("validate", str(write(tmp_path, "s.yml", text)))
    assert result.exit_code == 2
    assert "3 errors in" in result.stderr


def test_the_real_process_prints_no_traceback_on_bad_input(tmp_path):
    spec = write(tmp_path, "s.yml", "- a list\n")
    result = subprocess.run(
        [sys.executable, "-m", "stackgen", "render", str(spec), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"{spec}:1:1: (document): the top level is a list")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_validate_summarises_a_good_spec():
    result = run("validate", str(SPECS))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{SPECS}: valid: 5 services, 5 channels, ")


def test_render_check_exits_0_when_current_and_1_with_a_diff_after_an_edit(tmp_path):
    spec = write(tmp_path, "spec.yml", MINIMAL)
    out = tmp_path / "out"
    assert run("render", str(spec), "-o", str(out)).exit_code == 0
    assert run("render", str(spec), "-o", str(out), "--check").exit_code == 0
    rules = out / "prometheus/rules/api.yml"
    rules.write_text(rules.read_text().replace("for: 5m", "for: 1m"))
    before = snapshot(out)
    result = run("render", str(spec), "-o", str(out), "--check")
    assert result.exit_code == 1
    assert "-        for: 1m\n+        for: 5m\n" in result.stdout
    assert "is not what" in result.stderr
    assert snapshot(out) == before  # --check writes nothing


def test_render_check_on_a_missing_out_exits_1(tmp_path):
    spec = write(tmp_path, "spec.yml", MINIMAL)
    result = run("render", str(spec), "-o", str(tmp_path / "never"), "--check")
    assert result.exit_code == 1
    assert not (tmp_path / "never").exists()


def test_render_into_a_foreign_file_exits_2(tmp_path):
    spec = write(tmp_path, "spec.yml", MINIMAL)
    write(tmp_path, "out/prometheus/prometheus.yml", "hand-written: true\n")
    result = run("render", str(spec), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "was not written by stackgen" in result.stderr


def test_schema_is_the_models_json_schema():
    result = run("schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "stackgen spec"
    assert set(schema["required"]) == {"stack", "channels", "routing"}
    service = schema["$defs"]["HttpService"]
    assert service["additionalProperties"] is False
    # the kind's alerts and metric roles are listed, for editor completion
    assert "HighHTTPErrorRate" in schema["$defs"]["HttpAlerts"]["properties"]
    assert "status_label" in schema["$defs"]["HttpMetrics"]["properties"]


def test_committed_schema_file_is_current():
    assert (SPECS.parent / "stackgen.schema.json").read_text() == run("schema").stdout


def test_init_writes_a_spec_that_validates_and_renders(tmp_path):
    folder = tmp_path / "new"
    result = run("init", str(folder))
    assert result.exit_code == 0
    assert json.loads((folder / "stackgen.schema.json").read_text())["title"] == "stackgen spec"
    assert run("validate", str(folder)).exit_code == 0
    assert run("render", str(folder), "-o", str(tmp_path / "out")).exit_code == 0
    assert run("init", str(folder)).exit_code == 2  # never overwrites


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"stackgen {__version__}\n"


def test_render_says_when_the_real_tools_could_not_check_the_output(tmp_path, monkeypatch):
    spec = write(tmp_path, "spec.yml", MINIMAL)
    monkeypatch.setenv("PATH", str(tmp_path))  # no promtool, no amtool
    result = run("render", str(spec), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "not checked with promtool and amtool: not installed" in result.stderr


def test_a_real_tool_rejecting_the_output_is_a_bug_report_and_out_stays(tmp_path, monkeypatch):
    """Exit 3, OUT untouched, when promtool refuses what stackgen rendered."""
    spec = write(tmp_path, "spec.yml", MINIMAL)
    out = tmp_path / "out"
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0
    before = snapshot(out)
    fake = write(tmp_path, "bin/promtool", "#!/bin/sh\necho 'FAILED: bad rule'\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    result = run("render", str(spec), "-o", str(out))
    assert result.exit_code == 3
    assert "stackgen bug: `promtool check config` rejected the rendered output" in result.stderr
    assert "FAILED: bad rule" in result.stderr
    assert snapshot(out) == before


def _rendered_with_slos(tmp_path: Path, slos: str) -> Path:
    """OUT of MINIMAL with `slos` (see helpers.minimal_with_slos), rendered by the command."""
    spec = write(tmp_path, "spec.yml", minimal_with_slos(slos))
    out = tmp_path / "out"
    assert run("render", str(spec), "-o", str(out)).exit_code == 0
    return out


@pytest.mark.tools
def test_stackgen_test_runs_the_proofs_and_fails_when_a_rule_is_broken(tmp_path):
    slo = "{name: e, objective: 99, sli: {type: requests}, tiers: {ticket: {enabled: false}}}"
    out = _rendered_with_slos(tmp_path, slo)
    require_tool("promtool")
    result = run("test", str(out))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == [
        f"PASS {out}/prometheus/tests/api.yml",
        f"PASS routing matrix {out}/alertmanager/tests/routing.yml (6 alerts)",
        "2 passed, 0 failed",
    ]
    rules = out / "prometheus/rules/api.yml"
    rules.write_text(rules.read_text().replace("> 0.144", "> 0.5"))  # a page threshold gone wrong
    result = run("test", str(out))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"FAIL {out}/prometheus/tests/api.yml")


@pytest.mark.tools
def test_proofs_of_slos_with_different_steps_pass_in_a_file_per_step(tmp_path):
    slos = (
        "{name: e, objective: 99.9, sli: {type: requests}}, "
        "{name: w, objective: 99, period: 7d, sli: {type: requests}}"
    )
    out = _rendered_with_slos(tmp_path, slos)
    require_tool("promtool")
    result = run("test", str(out))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[:2] == [
        f"PASS {out}/prometheus/tests/api.step-1m10s.yml",
        f"PASS {out}/prometheus/tests/api.step-5m.yml",
    ]


def test_stackgen_test_needs_a_rendered_stack(tmp_path):
    result = run("test", str(tmp_path))
    assert result.exit_code == 2
    assert "is not a rendered stack" in result.stderr


def test_stackgen_test_on_a_stack_without_slo_alerts_has_nothing_to_prove(tmp_path):
    out = tmp_path / "out"
    spec = write(tmp_path, "spec.yml", MINIMAL)
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0
    result = run("test", str(out))
    assert result.exit_code == 0
    assert "no SLO has an alerting tier to prove" in result.stdout


def test_render_lints_what_it_writes(tmp_path, monkeypatch):
    """A lint finding in the rendered rules is a stackgen bug: exit 3, OUT untouched."""
    from stackgen.lint.rules import alert_name

    spec = write(tmp_path, "spec.yml", MINIMAL)
    out = tmp_path / "out"
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0  # lint-clean
    before = snapshot(out)
    monkeypatch.setattr(alert_name, "_ALERT_NAME", __import__("re").compile("^never$"))
    result = run("render", str(spec), "-o", str(out), "--no-tools")  # lint runs regardless
    assert result.exit_code == 3
    assert "`stackgen lint` found" in result.stderr and "[alert/name]" in result.stderr
    assert snapshot(out) == before


def test_lint_findings_in_a_services_own_custom_alert_are_warnings_not_stackgen_bugs(tmp_path):
    """The spec's author wrote the custom alert: its finding is reported and the render goes on;
    the same finding in a generated rule would be exit 3 (above)."""
    custom = """\
    custom_alerts:
      - name: QueueBacklog
        expr: rate(queue_items_total{job="api"}[20s]) > 100
        summary: Queue backlog
        description: The queue grows.
"""
    text = MINIMAL.replace("      static: [api:8080]\n", "      static: [api:8080]\n" + custom)
    spec = write(tmp_path, "spec.yml", text)
    result = run("render", str(spec), "-o", str(tmp_path / "out"), "--no-tools")
    assert result.exit_code == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("lint: ")]
    assert "prometheus/rules/api.yml" in warning and "[promql/rate-range]" in warning
    assert "stackgen bug" not in result.stderr
