"""The SLO proofs' window model: every window's ratio is derived from the base window's
recorded rates, as the rules record them at each evaluation, so a proof's expected firing
times are exact for the derived windows (promtool checks them a step early and on time). A
tiled window adds up consecutive base spans; a window no shorter one tiles sums every base
rate recorded over its range."""

from fractions import Fraction

import pytest
import yaml

from stackgen.plan.slo_proofs import Burn, Model
from tests.helpers import minimal_with_slos, render_into, run_tool, write

R = Fraction(1, 100)
T0 = 3600


def test_a_tiled_window_of_counters_reads_what_the_raw_one_reads():
    """Consecutive 5m increases add up to the hour's: at every step of a burn and its end,
    from the first sample on (spans before it add nothing)."""
    tiled = Model(True, 60, 300, frozenset({300, 3600}))
    for t1 in (None, T0 + 1500):
        burn = Burn(R, T0, t1, busy=10)
        for t in range(0, T0 + 7260, 60):
            for window in (300, 3600):
                assert tiled.ratio(burn, window, t) == Model(True, 60).ratio(burn, window, t)


def test_a_tiled_window_of_uptime_counts_each_spans_both_ends():
    """`up`'s 5m spans each count the samples of [s - 5m, s]: the sample between two spans is
    counted by both (Prometheus 2 ranges include their start), twelve in the hour's 72."""
    burn = Burn(R, T0)
    tiled = Model(False, 60, 300, frozenset({300, 3600}))
    assert tiled.ratio(burn, 3600, T0 + 60) == R / 72  # the raw hour's: R / 61
    assert Model(False, 60).ratio(burn, 3600, T0 + 60) == R / 61
    assert tiled.ratio(burn, 3600, T0 + 3600) == R * Fraction(71, 72)


def test_a_summed_window_trails_the_raw_one_by_the_base_windows_rates():
    """One step into a burn: the raw 5m window holds one faulty minute in five; the derived 5m
    window sums six recorded 5m rates (both ends of its range), of which only the last saw
    the faulty minute."""
    burn = Burn(R, T0)
    assert Model(True, 60).ratio(burn, 300, T0 + 60) == R / 5
    assert Model(True, 60, 300).ratio(burn, 300, T0 + 60) == R / 30
    # once the window holds only rates recorded during the burn, both read the burn
    assert Model(True, 60, 300).ratio(burn, 3600, T0 + 7200) == R


def test_uptime_counts_the_scrapes_of_each_base_window_both_ends_included():
    """`up`'s base rates count the samples of [s - 5m, s]: six per rate at a 1m step."""
    burn = Burn(R, T0)
    assert Model(False, 60, 300).ratio(burn, 300, T0 + 60) == R / 36
    # 10m in, the first rate of the window still counts the last healthy sample, at T0
    assert Model(False, 60, 300).ratio(burn, 300, T0 + 600) == R * Fraction(35, 36)
    assert Model(False, 60, 300).ratio(burn, 300, T0 + 660) == R


def test_no_base_rate_of_counters_is_recorded_at_the_first_sample():
    """rate() needs two samples: at 0 a counter window has no ratio, `up`'s has one."""
    healthy = Burn(Fraction(0), 0)
    assert Model(True, 60, 300).ratio(healthy, 300, 0) is None
    assert Model(False, 60, 300).ratio(healthy, 300, 0) == 0


def test_the_history_weighs_the_derived_windows_as_it_weighs_the_raw_ones():
    """Ten times busier traffic before the burn dilutes a window holding it."""
    burn = Burn(R, T0, busy=10)
    # 1h window at T0 + 1h: rates at T0..T0+1h; the one at T0 saw five busy minutes, the next
    # four some; every later one only the burn
    ratio = Model(True, 60, 300).ratio(burn, 3600, T0 + 3600)
    assert ratio is not None and R / 2 < ratio < R


def test_the_historys_errors_count_only_in_a_window_that_reaches_back_to_them():
    """Errors at a background ratio B over the last half hour of the history: a 1h window
    read an hour and a base window into the burn holds only the burn; a 2h one (a window
    doubled) still holds the background, so its ratio is higher."""
    b = R / 10
    burn = Burn(R, T0, busy=1, background=b, since=T0 - 1800, upto=T0)
    model = Model(True, 60, 300)
    assert model.ratio(burn, 1800, T0 - 1800) == 0  # healthy before `since`
    assert model.ratio(burn, 600, T0) == b  # ten minutes of background rates
    assert model.ratio(burn, 3600, T0 + 3600 + 300) == R
    doubled = model.ratio(burn, 7200, T0 + 3600 + 300)
    assert doubled is not None and b < doubled < R  # mostly burn, part background


# --- the windows proof: each window sums its own spans ----------------------------------------

PAGE_ONLY = "tiers: {ticket: {enabled: false}}"


def _windows_proof(tmp_path, sli: str, edit: tuple[str, str, str] | None) -> str:
    """promtool's verdict on the SLO's windows proof alone, against its rules as rendered or
    with `edit` (record, text, replacement: the first occurrence in that record's expression)."""
    spec = write(
        tmp_path, "spec.yml", minimal_with_slos(f"{{name: e, objective: 99.9, {sli}, {PAGE_ONLY}}}")
    )
    out = render_into(spec, tmp_path / "out")
    rules_path = out / "prometheus/rules/api.yml"
    if edit is not None:
        record, text, replacement = edit
        rules = yaml.safe_load(rules_path.read_text())
        (rule,) = [r for g in rules["groups"] for r in g["rules"] if r.get("record") == record]
        assert text in rule["expr"]
        rule["expr"] = rule["expr"].replace(text, replacement, 1)
        rules_path.write_text(yaml.safe_dump(rules, sort_keys=False))
    (proofs,) = [p for p in (out / "prometheus/tests").glob("api*.yml") if "recovery" not in p.name]
    document = yaml.safe_load(proofs.read_text())
    document["tests"] = [t for t in document["tests"] if "promql_expr_test" in t]
    assert len(document["tests"]) == 1
    only = proofs.with_name("windows.yml")
    only.write_text(yaml.safe_dump(document, sort_keys=False))
    result = run_tool("promtool", "test", "rules", str(only))
    return "SUCCESS" if result.returncode == 0 else result.stdout + result.stderr


@pytest.mark.tools
@pytest.mark.parametrize("sli", ["sli: {type: requests}", "sli: {type: uptime}"])
@pytest.mark.parametrize(
    "edit",
    [
        # a span of the 30m window read 2m30s ago instead of 5m ago (between two records)
        ("slo:sli_errors:rate30m", "offset 5m", "offset 2m30s"),
        # the events of a span read from the next span's time
        ("slo:sli_events:rate30m", "offset 10m", "offset 15m"),
        # the hour summed from the 30m window twice over the same span
        ("slo:sli_errors:rate1h", "offset 30m", "offset 1m"),
        # the base window over 10m
        ("slo:sli_errors:rate5m", "[5m]", "[10m]"),
    ],
)
def test_the_windows_proof_fails_when_a_span_is_read_from_another_time_or_range(
    tmp_path, sli, edit
):
    assert _windows_proof(tmp_path / "as-rendered", sli, None) == "SUCCESS"
    assert "FAILED" in _windows_proof(tmp_path / "edited", sli, edit)
