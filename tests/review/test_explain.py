"""`stackgen explain`: what each SLO tier means in windows, thresholds and time."""

from decimal import Decimal

from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.review.explain import explain
from stackgen.spec import load_stack
from tests.helpers import MINIMAL, SPECS


def test_each_window_pair_says_its_burn_rate_threshold_and_detection_times():
    (availability, _) = explain(load_stack(SPECS))
    assert (availability.service, availability.slo, availability.budget_minutes) == (
        "aion-web-api",
        "availability",
        "43.2",  # 0.1% of 30 days
    )
    page = availability.rows[0]
    assert (page.windows, page.burn_rate, page.error_ratio, page.budget_at_detection) == (
        "1h / 5m",
        "14.4x",
        "1.44%",
        "2%",
    )
    # A full outage crosses 1.44% of the hour in 51.84s (the hour adds up twelve 5m spans, so
    # holds what a raw rate() over it holds); then `for: 2m`.
    assert page.outage_detected_in == "2m52s"
    assert page.burn_detected_in == "never"  # 10x is below 14.4x
    ticket_3d = availability.rows[3]
    # 3d x 1 / 10 = 7h12m, then `for: 15m`; the slow group holds the period alone
    assert ticket_3d.burn_detected_in == "7h27m"
    assert ticket_3d.budget_gone_in == "3d"
    assert availability.note == (
        "Each window adds up the recorded rates of consecutive shorter spans (30m = 6 x 5m, "
        "1h = 2 x 30m, 2h = 2 x 1h, 6h = 3 x 2h, 1d = 4 x 6h, 3d = 3 x 1d, 30d = 10 x 3d), the "
        "5m rates read from the raw series, so it holds what a raw rate() over it holds; 30d "
        "(no alert reads it) is evaluated every 2m."
    )


# `stackgen explain specs` at 8ed7ef8^1, before the windows were recorded from the base
# window's rates (every window a raw rate() then): (full outage, 10x burn) per tier.
BEFORE = [
    ("2m52s", "never"),
    ("4m10s", "3h38m"),
    ("19m19s", "7h27m"),
    ("19m19s", "7h27m"),
]


def test_every_tier_of_the_example_detects_as_fast_as_with_raw_windows():
    for explanation in explain(load_stack(SPECS)):
        rows = [(r.outage_detected_in, r.burn_detected_in) for r in explanation.rows]
        assert rows == BEFORE, explanation.slo


def test_a_window_no_shorter_window_tiles_sums_the_base_rates_and_says_so(tmp_path):
    """A 7m short window is no whole number of 5m spans: it sums the recorded 5m rates over
    its range, which trails a raw rate() by up to half the base window."""
    from stackgen.review.explain import explain_slo
    from tests.helpers import minimal_with_slos, stack_from

    odd = (
        "{name: e, objective: 99.9, sli: {type: uptime}, tiers: {ticket: {enabled: false}, "
        "page: {windows: [{long: 1h, short: 5m, budget_consumed: 2}, "
        "{long: 6h, short: 7m, budget_consumed: 5}]}}}"
    )
    (slo,) = stack_from(tmp_path, minimal_with_slos(odd)).services[0].slos
    explained = explain_slo("api", slo)
    assert [r.outage_detected_in for r in explained.rows] == ["2m52s", "4m10s"]
    # 10x: the 6h window needs 3h36m of it (raw), the 7m one 25.2s, summed from 5m rates:
    # sqrt(2 x 300 x 25.2) = 2m3s; the pair fires when the later one holds it, then `for`.
    assert explained.rows[1].burn_detected_in == "3h38m"
    assert "7m sum the base rates, so trail a raw rate() by up to 2m30s" in explained.note


def test_a_ratio_sli_reads_every_window_raw_and_a_slow_server_has_no_slow_group(tmp_path):
    from stackgen.review.explain import explain_slo
    from tests.helpers import stack_from

    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: r, objective: 99.9, sli: {type: ratio, "
        "expr: 'sum(rate(bad[${window}])) / sum(rate(all[${window}]))'}}]\n",
    )
    (slo,) = stack_from(tmp_path, text).services[0].slos
    page = explain_slo("api", slo, "2m").rows[0]
    assert page.outage_detected_in == "2m52s"  # 51.84s of a raw hour, then `for: 2m`
    assert explain_slo("api", slo, "2m").note == ""


def test_one_service_or_one_slo_can_be_asked_for():
    stack = load_stack(SPECS)
    assert [e.slo for e in explain(stack, "aion-web-api")] == ["availability", "errors"]
    assert [e.slo for e in explain(stack, "aion-web-api/errors")] == ["errors"]
    assert explain(stack, "nope") == []


def test_the_command_prints_a_table_per_slo():
    result = CliRunner().invoke(app, ["explain", str(SPECS), "aion-web-api/errors"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "aion-web-api/errors: 99.9% over 30d, an error budget of 43.2 minutes"
    assert lines[1].split("  ")[0] == "tier"
    assert lines[3].split()[:6] == ["page", "1h", "/", "5m", "14.4x", "1.44%"]
    assert CliRunner().invoke(app, ["explain", str(SPECS), "nope"]).exit_code == 2


def test_budget_minutes_are_exact():
    assert Decimal(explain(load_stack(SPECS))[1].budget_minutes) == Decimal("43.2")


def explain_cli(*args: str):
    return CliRunner().invoke(app, ["explain", *args])


def test_from_the_project_folder_a_service_alone_is_enough(monkeypatch):
    monkeypatch.chdir(SPECS.parent)
    result = explain_cli("aion-web-api")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("aion-web-api/availability: 99.9% over 30d")
    assert "aion-web-api/errors" in result.stdout
    monkeypatch.chdir(SPECS.parent.parent)
    same = explain_cli("aion-web-api/errors", "--spec", str(SPECS))
    assert same.exit_code == 0 and same.stdout.startswith("aion-web-api/errors")
    alone = explain_cli(str(SPECS))  # a path alone is the spec
    assert alone.exit_code == 0 and alone.stdout.count("error budget of") == 2


def test_a_spec_or_service_without_slos_says_so_and_exits_0(tmp_path):
    spec = tmp_path / "spec.yml"
    spec.write_text(MINIMAL)
    result = explain_cli("--spec", str(spec))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"the spec {spec} has no SLO to explain: add one")
    result = explain_cli("api", "--spec", str(spec))
    assert result.exit_code == 0 and result.stdout.startswith("api has no SLO to explain")


def test_a_name_of_nothing_lists_the_slos_there_are(monkeypatch):
    monkeypatch.chdir(SPECS.parent)
    result = explain_cli("nope")
    assert result.exit_code == 2
    assert "no SLO matches `nope` in specs; no service is named `nope`" in result.stderr
    assert "(SLOs: aion-web-api/availability, aion-web-api/errors)" in result.stderr


def test_a_base_window_the_evaluation_interval_does_not_divide_makes_the_times_approximate():
    """7d: a 1m10s base window; evaluated every 15s, the spans read the rates evaluated last
    before their ends; every 10s they join exactly."""
    from stackgen.review.explain import explain_slo
    from stackgen.spec.model import SLO

    slo = SLO.model_validate(
        {"name": "e", "objective": 99.9, "period": "7d", "sli": {"type": "requests"}}
    )
    approximate = "the evaluation interval (15s) does not divide the 1m10s base window"
    assert approximate in explain_slo("api", slo, "15s").note
    assert "does not divide" not in explain_slo("api", slo, "10s").note
