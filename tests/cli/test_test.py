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


@pytest.mark.slow
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
        "3 passed, 0 failed; 6 of 6 alerting rules proven",  # two proof files and the routing
    ]
    rules = out / "prometheus/rules/api.yml"
    rules.write_text(rules.read_text().replace("> 0.144", "> 0.5"))  # a page threshold gone wrong
    result = run("test", str(out))
    assert result.exit_code == 1
    assert f"FAIL {out}/prometheus/tests/api.yml" in result.stdout.splitlines()


@pytest.mark.slow
@pytest.mark.tools
def test_proofs_of_different_steps_pass_in_a_file_per_step(tmp_path):
    """The page tier's proofs step by 1m (its `for` is 2m), the ticket tier's by 5m (the
    recovery proof, no page again after an outage, has its own file)."""
    out = _rendered_with_slos(tmp_path, "{name: e, objective: 99.9, sli: {type: requests}}")
    require_tool("promtool")
    result = run("test", str(out))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[:6] == [
        f"RUN  {out}/prometheus/tests/api.recovery.yml (1/3)",
        f"PASS {out}/prometheus/tests/api.recovery.yml",
        f"RUN  {out}/prometheus/tests/api.step-1m.yml (2/3)",
        f"PASS {out}/prometheus/tests/api.step-1m.yml",
        f"RUN  {out}/prometheus/tests/api.step-5m.yml (3/3)",
        f"PASS {out}/prometheus/tests/api.step-5m.yml",
    ]
    assert result.stdout.splitlines()[-1] == "4 passed, 0 failed; 7 of 7 alerting rules proven"


def test_stackgen_test_needs_a_rendered_stack(tmp_path):
    result = run("test", str(tmp_path))
    assert result.exit_code == 2
    assert "is not a rendered stack" in result.stderr


@pytest.mark.tools
def test_alerts_no_proof_fires_are_named_unproven_and_fail_when_proofs_are_required(tmp_path):
    out = tmp_path / "out"
    spec = write(tmp_path, "spec.yml", MINIMAL)
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0
    for proof in (out / "prometheus/tests").glob("*.yml"):
        proof.unlink()
    require_tool("amtool")
    result = run("test", str(out))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"no proofs in {out}: it has no alert stackgen can prove"
    assert "UNPROVEN prometheus/rules/api.yml: ServiceDown" in lines
    assert lines[-1] == "1 passed, 0 failed; 0 of 5 alerting rules proven"
    assert run("test", str(out), "--require-proofs").exit_code == 1


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
