"""`stackgen validate` and `render`: the summary, --check, what stops a render and what it
reports."""

from pathlib import Path

from typer.testing import CliRunner

from stackgen.cli import app
from tests.helpers import MINIMAL, SPECS, write

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_validate_summarises_a_good_spec():
    result = run("validate", str(SPECS))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{SPECS}: valid: 5 services, 6 channels, ")


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
