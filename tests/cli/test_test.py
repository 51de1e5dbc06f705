"""`stackgen test`: the proofs of a rendered stack, run."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from tests.helpers import MINIMAL, minimal_with_slos, require_tool, write

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


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
    assert result.stdout.splitlines() == [  # each proof said before it runs, then its verdict
        f"RUN  {out}/prometheus/tests/api.recovery.yml (1/2)",
        f"PASS {out}/prometheus/tests/api.recovery.yml",
        f"RUN  {out}/prometheus/tests/api.yml (2/2)",
        f"PASS {out}/prometheus/tests/api.yml",
        f"RUN  {out}/alertmanager/tests/routing.yml (amtool and the simulator)",
        f"PASS routing matrix {out}/alertmanager/tests/routing.yml (6 alerts)",
        "3 passed, 0 failed",
    ]
    rules = out / "prometheus/rules/api.yml"
    rules.write_text(rules.read_text().replace("> 0.144", "> 0.5"))  # a page threshold gone wrong
    result = run("test", str(out))
    assert result.exit_code == 1
    assert f"FAIL {out}/prometheus/tests/api.yml" in result.stdout.splitlines()


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
    assert result.stdout.splitlines()[:6] == [  # the recovery proof holds both SLOs
        f"RUN  {out}/prometheus/tests/api.recovery.yml (1/3)",
        f"PASS {out}/prometheus/tests/api.recovery.yml",
        f"RUN  {out}/prometheus/tests/api.step-1m10s.yml (2/3)",
        f"PASS {out}/prometheus/tests/api.step-1m10s.yml",
        f"RUN  {out}/prometheus/tests/api.step-5m.yml (3/3)",
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


@pytest.mark.tools
def test_a_routing_wide_mute_passes_amtool_and_agrees_with_the_simulator(tmp_path):
    """amtool check-config accepts the catch-all route in the root's place, and amtool's
    receivers for every alert are the simulator's."""
    text = MINIMAL.replace(
        "routing:\n",
        "routing:\n  mute_time_intervals: [night]\n"
        "  time_intervals: [{name: night, time_intervals: [{times: [{start_time: '00:00', "
        "end_time: '06:00'}]}]}]\n  routes: [{severity: [critical, warning], channel: ops}]\n",
    )
    out = tmp_path / "out"
    rendered = run("render", str(write(tmp_path, "spec.yml", text)), "-o", str(out))
    assert rendered.exit_code == 0, rendered.output
    assert "not checked with" not in rendered.stderr and "lint:" not in rendered.stderr
    require_tool("amtool")
    result = run("test", str(out))
    assert result.exit_code == 0, result.stdout
    assert "PASS routing matrix" in result.stdout
