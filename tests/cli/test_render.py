"""`stackgen validate` and `render`: the summary, --check, what stops a render and what it
reports."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.write import MANIFEST
from tests.helpers import MINIMAL, SPECS, minimal_with_slos, write

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_validate_summarises_a_good_spec():
    result = run("validate", str(SPECS))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{SPECS}: valid: 4 services, 13 channels, ")


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


def test_render_says_the_specs_warnings_as_validate_does(tmp_path):
    """A render is often all people run: what validate warns of, it warns of too (here an SLO
    period over a retention nobody stated), and writes the files all the same."""
    spec = write(
        tmp_path, "spec.yml", minimal_with_slos("{name: e, objective: 99, sli: {type: requests}}")
    )
    validated = run("validate", str(spec))
    (warning,) = [line for line in validated.stderr.splitlines() if line.startswith("warning: ")]
    assert "reads 30d back" in warning
    rendered = run("render", str(spec), "-o", str(tmp_path / "out"), "--no-tools")
    assert rendered.exit_code == 0
    assert warning in rendered.stderr.splitlines()


def test_render_lints_what_it_writes(tmp_path, monkeypatch):
    """A lint finding in the rendered rules is a stackgen bug: exit 3, OUT untouched."""
    from stackgen.lint.rules import alert_name

    spec = write(tmp_path, "spec.yml", MINIMAL)
    out = tmp_path / "out"
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0  # lint-clean
    before = snapshot(out)
    monkeypatch.setattr(alert_name, "ALERT_NAME", __import__("re").compile("^never$"))
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


# --- A pull request's OUT: `render --check` prints nothing from outside it -----------------

CANARY = "canary-7f3e9b1d-must-not-leak"


def _check_in_a_process(spec: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`render --check` as CI runs it: its own process, a secret in its environment."""
    return subprocess.run(
        [sys.executable, "-m", "stackgen", "render", str(spec), "-o", str(out), "--check"],
        capture_output=True,
        text=True,
        env={**os.environ, "CI_SECRET_TOKEN": CANARY},
        check=False,
    )


def _attacked_out(tmp_path: Path) -> tuple[Path, Path]:
    spec = write(tmp_path, "spec.yml", MINIMAL)
    out = tmp_path / "out"
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0
    (tmp_path / "canary.txt").write_text(f"{CANARY}\n")
    return spec, out


@pytest.mark.parametrize(
    "entry", ["../canary.txt", "{canary}", "/proc/self/environ", "prometheus/../../canary.txt"]
)
def test_check_refuses_a_manifest_that_names_files_outside_out(tmp_path, entry):
    spec, out = _attacked_out(tmp_path)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"][entry.format(canary=tmp_path / "canary.txt")] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest))
    result = _check_in_a_process(spec, out)
    assert result.returncode == 2, result.stderr
    assert "not a relative path inside" in result.stderr
    assert CANARY not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_check_follows_no_link_in_out(tmp_path):
    spec, out = _attacked_out(tmp_path)
    rules = out / "prometheus/rules/api.yml"
    rules.unlink()
    rules.symlink_to("/proc/self/environ")  # the CI job's secrets
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "alertmanager.yml").write_text(f"{CANARY}\n")
    shutil.rmtree(out / "alertmanager")
    (out / "alertmanager").symlink_to(tmp_path / "elsewhere")
    (out / "grafana").rename(tmp_path / "grafana")
    (out / "grafana").symlink_to(tmp_path / "canary.txt")
    result = _check_in_a_process(spec, out)
    assert result.returncode == 1, result.stderr
    assert "<a symbolic link, not followed>" in result.stdout
    assert CANARY not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_diff_and_report_follow_no_link_in_out(tmp_path):
    spec, out = _attacked_out(tmp_path)
    rules = out / "prometheus/rules/api.yml"
    rules.unlink()
    rules.symlink_to(tmp_path / "canary.txt")
    for command in ("diff", "report"):
        result = run(command, str(spec), "-o", str(out))
        assert result.exit_code in (0, 1), result.output
        assert CANARY not in result.output
    assert CANARY not in (out / "REPORT.md").read_text()
    assert (tmp_path / "canary.txt").read_text() == f"{CANARY}\n"  # nor written through


# --- progress on long renders ------------------------------------------------------------------


def _fleet(tmp_path: Path, services: int):
    from stackgen.lint.spec_checks import load_checked_stack
    from tests.helpers import fleet_spec

    return load_checked_stack(write(tmp_path, "fleet.yml", fleet_spec(services)))


def test_a_render_tells_its_progress_in_services_done_up_to_all(tmp_path):
    from stackgen.render.stream import render_tree

    told: list[tuple[int, int]] = []
    render_tree(_fleet(tmp_path, 70), tmp_path / "out", jobs=2, progress=lambda *a: told.append(a))
    assert told[-1] == (70, 70) and {total for _, total in told} == {70}
    assert [done for done, _ in told] == sorted(done for done, _ in told)


def test_progress_is_shown_on_a_terminal_only_for_hundreds_of_services(tmp_path, monkeypatch):
    import io

    from stackgen.cli.render import PROGRESS_FROM, progress_for

    large, small = _fleet(tmp_path, PROGRESS_FROM), _fleet(tmp_path, PROGRESS_FROM - 1)
    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.delenv("CI", raising=False)
    assert progress_for(small) is None
    show = progress_for(large)
    assert show is not None
    show(150, 300)
    show(300, 300)
    assert terminal.getvalue() == "\rrendering: 150/300 services\rrendering: 300/300 services\n"
    monkeypatch.setenv("CI", "true")
    assert progress_for(large) is None  # a CI log keeps every update
    monkeypatch.delenv("CI")
    terminal.isatty = lambda: False  # type: ignore[method-assign]
    assert progress_for(large) is None  # nor a pipe or a file


def test_validate_warns_of_an_unknown_retention_and_still_exits_0(tmp_path):
    """Plain files only: the user starts Prometheus, with a retention stackgen cannot see."""
    text = minimal_with_slos("{name: month, objective: 99.9, sli: {type: uptime}}")
    spec = write(tmp_path, "spec.yml", text + "output: {targets: [prometheus]}\n")
    result = run("validate", str(spec))
    assert result.exit_code == 0
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(f"warning: {spec}:9:") and "set `prometheus.retention`" in warning
