"""Generated proofs: per SLO, each tier fires by its detection time at a burn just above its
thresholds, stays silent just below them, and a healthy service fires nothing."""

from stackgen.plan.proofs import proof_artifacts, slo_tests
from tests.helpers import MINIMAL, minimal_with_slos, stack_from

SLO = "{name: e, objective: 99.9, sli: {type: requests}}"


def with_slo(slo: str = SLO) -> str:
    return minimal_with_slos(slo)


def test_one_test_file_per_service_next_to_its_rules(tmp_path):
    (artifact,) = proof_artifacts(stack_from(tmp_path, with_slo()))
    assert artifact.path == "prometheus/tests/api.yml"
    assert artifact.context["rule_file"] == "../rules/api.yml"
    assert artifact.context["evaluation_interval"] == "5m"
    assert proof_artifacts(stack_from(tmp_path, MINIMAL)) == []


def test_the_file_holds_every_slo_of_the_service_that_shares_its_step(tmp_path):
    slos = f"{SLO}, {{name: f, objective: 99.5, sli: {{type: uptime}}}}"
    (artifact,) = proof_artifacts(stack_from(tmp_path, with_slo(slos)))
    assert [slo.name for slo in artifact.context["slos"]] == ["e", "f"]
    assert {t["name"].split(":")[0] for t in artifact.context["tests"]} == {"e", "f"}


def test_slos_whose_windows_need_another_step_get_a_file_per_step(tmp_path):
    """A file has one evaluation interval; a 7d period scales the windows to another step."""
    slos = f"{SLO}, {{name: w, objective: 99, period: 7d, sli: {{type: requests}}}}"
    monthly, weekly = proof_artifacts(stack_from(tmp_path, with_slo(slos)))
    assert monthly.path == "prometheus/tests/api.step-5m.yml"
    assert [slo.name for slo in monthly.context["slos"]] == ["e"]
    assert weekly.path == f"prometheus/tests/api.step-{weekly.context['evaluation_interval']}.yml"
    assert weekly.context["evaluation_interval"] != "5m"
    assert {t["interval"] for t in weekly.context["tests"]} == {
        weekly.context["evaluation_interval"]
    }


def test_each_tier_has_a_firing_and_a_silent_scenario_and_there_is_a_healthy_one(tmp_path):
    stack = stack_from(tmp_path, with_slo())
    names = [t["name"] for t in slo_tests(stack, stack.services[0], stack.services[0].slos[0])]
    assert names == [
        "e: a burn of 15.84x fires the page tier by 1h10m",
        "e: a burn of 5.4x leaves the page tier silent at 6h10m",
        "e: a burn of 3.3x fires the ticket tier by 22h15m",
        "e: a burn of 0.9x leaves the ticket tier silent at 3d20m",
        "e: a healthy service fires nothing at 3d",
    ]


def test_a_firing_scenario_expects_exactly_the_tiers_the_windows_imply(tmp_path):
    stack = stack_from(tmp_path, with_slo())
    page_fires, page_silent, *_, healthy = slo_tests(
        stack, stack.services[0], stack.services[0].slos[0]
    )
    (check,) = page_fires["alert_rule_test"]
    assert [a["exp_labels"]["slo_tier"] for a in check["exp_alerts"]] == ["page"]
    # 5.4x is under both page thresholds (14.4, 6); over the ticket ones (3, 1), but after
    # 6h10m the 1d and 3d windows hold too little of it for the ticket tier yet
    (check,) = page_silent["alert_rule_test"]
    assert check["exp_alerts"] == []
    assert healthy["alert_rule_test"][0]["exp_alerts"] == []


def test_window_ratios_rise_as_the_window_fills_with_the_burn(tmp_path):
    stack = stack_from(tmp_path, with_slo())
    first = slo_tests(stack, stack.services[0], stack.services[0].slos[0])[0]
    series = {s["series"].split("{")[0]: s["values"] for s in first["input_series"]}
    # 15.84x of a 0.1% budget = 1.584% errors; the 1h window fills in 12 steps of 5m
    assert series["slo:sli_error:ratio_rate1h"] == "0+0.00132x12 0.01584x3"
    assert first["interval"] == "5m"


def test_a_disabled_tier_gets_no_scenarios(tmp_path):
    stack = stack_from(
        tmp_path,
        with_slo(
            "{name: e, objective: 99, sli: {type: uptime}, tiers: {ticket: {enabled: false}}}"
        ),
    )
    names = [t["name"] for t in slo_tests(stack, stack.services[0], stack.services[0].slos[0])]
    assert not any("ticket" in n for n in names)
