"""Recovery proofs: per SLO with a page tier, an outage ServiceDown paged for pages no one again
after the recovery, a partial outage ServiceDown does not see still pages, and a partial outage
after a whole one pages exactly when the guard's window has passed. The proofs run through
promtool against the service's rendered rules, and fail once the guard is gone or its window
changed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stackgen.plan.alerts import service_context
from stackgen.plan.memo import planning
from stackgen.plan.recovery_proofs import recovery_proofs
from stackgen.plan.slos import tier_condition, tier_expr
from tests.helpers import MINIMAL, minimal_with_slos, render_files, run_tool, stack_from

UPTIME = "{name: up, objective: 99.9, sli: {type: uptime}}"
REQUESTS = "{name: e, objective: 99.5, sli: {type: requests}}"


def test_the_page_tier_holds_off_after_servicedown_fired_and_the_ticket_tier_does_not(tmp_path):
    """Held for the longest short window (30m): it adds up 5m spans, so the outage leaves it
    30m after it ended."""
    stack = stack_from(tmp_path, minimal_with_slos(UPTIME))
    (service,) = stack.services
    slo = service.slos[0]
    page = tier_expr(service_context(stack, service), service, slo, "page")
    assert page == (
        f"({tier_condition(service, slo, 'page')}) unless on (service) "
        '(max_over_time(ALERTS{alertname="ServiceDown",alertstate="firing",service="api"}[30m]) '
        'and on () group(up{job="api"}))'
    )
    ticket = tier_expr(service_context(stack, service), service, slo, "ticket")
    assert ticket == tier_condition(service, slo, "ticket")


def test_without_servicedown_there_is_no_guard_and_no_recovery_proof(tmp_path):
    spec = minimal_with_slos(UPTIME).replace(
        "    slos:", "    alerts: {ServiceDown: {enabled: false}}\n    slos:"
    )
    stack = stack_from(tmp_path, spec)
    (service,) = stack.services
    page = tier_expr(service_context(stack, service), service, service.slos[0], "page")
    assert "ALERTS" not in page
    with planning():
        assert recovery_proofs(stack, service) == []


def test_one_file_per_service_with_three_scenarios_per_slo(tmp_path):
    stack = stack_from(tmp_path, minimal_with_slos(f"{UPTIME}, {REQUESTS}"))
    with planning():
        (artifact,) = recovery_proofs(stack, stack.services[0])
    assert artifact.path == "prometheus/tests/api.recovery.yml"
    names = [t["name"] for t in artifact.context["tests"]]
    assert [n.split(":")[0] for n in names] == ["up", "up", "up", "e", "e", "e"]
    assert "pages no one again" in names[0] and "still pages" in names[1]
    # held for the guard's 30m after the recovery, then paging once `for` (2m) has passed
    assert "held 30m after the recovery and pages 2m later" in names[2]
    plain = stack_from(tmp_path, MINIMAL)
    with planning():
        assert recovery_proofs(plain, plain.services[0]) == []


def _promtool(folder: Path, files: dict[str, bytes]) -> str:
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    result = run_tool(
        "promtool", "test", "rules", str(folder / "prometheus/tests/api.recovery.yml")
    )
    return result.stdout + result.stderr + f"\nexit {result.returncode}"


@pytest.mark.slow
@pytest.mark.tools
def test_promtool_passes_the_proofs_of_every_sli_type(tmp_path):
    slos = f"{UPTIME}, {REQUESTS}, {{name: w, objective: 99, period: 7d, sli: {{type: uptime}}}}"
    files = render_files(stack_from(tmp_path, minimal_with_slos(slos)))
    output = _promtool(tmp_path / "out", files)
    assert output.endswith("exit 0"), output


@pytest.mark.tools
def test_the_proofs_fail_without_the_guard(tmp_path):
    """The proof is not vacuous: the rules without the guard page again after the recovery."""
    files = render_files(stack_from(tmp_path, minimal_with_slos(UPTIME)))
    rules = yaml.safe_load(files["prometheus/rules/api.yml"])
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("labels", {}).get("slo_tier") == "page":
                rule["expr"] = rule["expr"].split(" unless on (service) ")[0]
    files["prometheus/rules/api.yml"] = yaml.safe_dump(rules).encode()
    output = _promtool(tmp_path / "out", files)
    assert "exit 1" in output
    assert "count_over_time(ALERTS" in output  # the check that the tier stays quiet failed


@pytest.mark.tools
@pytest.mark.parametrize("window", ["15m", "1h"])
def test_the_proofs_fail_when_the_guard_holds_less_or_more_than_it_says(tmp_path, window):
    """The guard's window halved pages again while the outage is still in the short windows;
    doubled, it holds back the page of a partial outage that follows the whole one."""
    files = render_files(stack_from(tmp_path, minimal_with_slos(UPTIME)))
    text = files["prometheus/rules/api.yml"].decode()
    assert text.count("[30m]") == 1
    files["prometheus/rules/api.yml"] = text.replace("[30m]", f"[{window}]").encode()
    output = _promtool(tmp_path / "out", files)
    assert "exit 1" in output
