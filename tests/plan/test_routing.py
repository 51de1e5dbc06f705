"""The routing matrix: every alert the stack generates, with the labels Alertmanager receives and
the receivers it must reach, plus the spec's own routing expectations; `stackgen test` holds
alertmanager.yml to it with amtool and the simulator."""

import shutil

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.plan.routing import routing_matrix
from tests.helpers import MINIMAL, OUT, require_tool, stack_from, write


def test_every_generated_alert_is_in_the_matrix_with_its_receivers(tmp_path):
    stack = stack_from(tmp_path, MINIMAL)
    matrix = routing_matrix(stack)
    names = sorted(entry["labels"]["alertname"] for entry in matrix["alerts"])
    assert names == [
        "HighAPILatency",
        "HighHTTPErrorRate",
        "HighRequestRate",
        "InstanceDown",
        "ServiceDown",
    ]
    down = next(e for e in matrix["alerts"] if e["labels"]["alertname"] == "ServiceDown")
    assert down["labels"] == {
        "stack": "demo", "environment": "production", "severity": "critical",
        "team": "web", "service": "api", "alertname": "ServiceDown",
    }  # fmt: skip
    assert down["receivers"] == ["ops"]


def test_the_example_routes_as_its_matrix_says():
    matrix = yaml.safe_load((OUT / "alertmanager/tests/routing.yml").read_text())
    by_alert = {
        (e["labels"]["alertname"], e["labels"]["service"]): e["receivers"] for e in matrix["alerts"]
    }
    oncall = ["pagerduty-oncall", "email-oncall", "slack-critical"]
    devops = ["email-devops", "slack-warnings"]
    assert by_alert["HighHTTPErrorRate", "aion-web-api"] == oncall
    assert by_alert["DatabaseConnectionPoolExhausted", "postgres-exporter"] == [
        *oncall,
        "email-database",
        "slack-database",
    ]
    assert by_alert["SlowAIInference", "aion-web-api"] == [*devops, "email-ai", "slack-ai"]
    assert by_alert["HighRequestRate", "aion-web-api"] == devops
    assert len(matrix["expected"]) == 8


def run_test(out):
    return CliRunner().invoke(app, ["test", str(out)])


@pytest.mark.slow
def test_stackgen_test_passes_on_the_example_with_amtool_and_the_simulator(tmp_path):
    require_tool("amtool")
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    result = run_test(out)
    assert result.exit_code == 0, result.stdout
    assert (
        f"PASS routing matrix {out}/alertmanager/tests/routing.yml (50 alerts)" in result.stdout
    )  # 16 meta


def test_a_deliberately_misrouted_spec_fails(tmp_path):
    """The spec says where an alert must go; its routes send it elsewhere."""
    require_tool("amtool")
    pager = "  - name: pager\n    type: webhook\n    url: http://pager.internal/hook\n"
    routing = (
        "  routes:\n    - severity: [critical]\n      channel: pager\n"
        "  expect:\n    - labels: {alertname: ServiceDown, service: api}\n"
        "      receivers: [ops]\n"
    )
    text = MINIMAL.replace("channels:\n", "channels:\n" + pager) + routing
    spec = write(tmp_path, "spec.yml", text)
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["render", str(spec), "-o", str(out)]).exit_code == 0
    result = run_test(out)
    assert result.exit_code == 1
    assert "FAIL routing matrix" in result.stdout
    assert "must reach ops; the simulator routes it to pager" in result.stdout
    assert "must reach ops; amtool says" in result.stdout


def test_a_hand_edited_alertmanager_yml_disagrees_with_the_matrix(tmp_path):
    require_tool("amtool")
    out = tmp_path / "out"
    shutil.copytree(OUT, out)
    shutil.rmtree(out / "prometheus/tests")  # routing alone: the test above runs the proofs
    config = out / "alertmanager/alertmanager.yml"
    config.write_text(
        config.read_text().replace(
            'matchers: [component="ai-engine"]', 'matchers: [component="ai"]'
        )
    )
    result = run_test(out)
    assert result.exit_code == 1
    # the AI alerts, by the simulator and by amtool
    assert result.stdout.count("component=ai-engine") >= 2
