"""The SLO engine's window arithmetic: which windows the rules add up from shorter spans, and
when each window pair fires as the rules record it."""

from decimal import Decimal

import pytest

from stackgen.spec import burn_rates as engine
from stackgen.spec.model import SLO


def plan(**fields: object) -> engine.Plan:
    return engine.plan(SLO.model_validate({"name": "e", "objective": 99.9, **fields}))


def test_every_window_of_the_default_tiers_is_a_few_spans_of_a_shorter_one():
    assert engine.tiling(plan(sli={"type": "requests"})) == {
        1800: (300, 6),
        3600: (1800, 2),
        7200: (3600, 2),
        21600: (7200, 3),
        86400: (21600, 4),
        259200: (86400, 3),
        2592000: (259200, 10),
    }


@pytest.mark.parametrize("period", ["7d", "28d", "90d"])
def test_scaled_periods_tile_as_the_30_day_one(period):
    """The windows scale with the period, so each still divides the next."""
    scaled = plan(sli={"type": "requests"}, period=period)
    tiled = engine.tiling(scaled)
    assert set(tiled) == {*scaled.ranges[1:], scaled.period}
    assert [n for _, n in tiled.values()] == [6, 2, 2, 3, 4, 3, 10]


def test_a_window_no_recorded_window_divides_in_few_spans_is_summed():
    """7m is no whole number of 5m; a 30d period over only 5m and 1h windows would be 720
    spans of 1h (more than MAX_SPANS)."""
    odd = plan(
        sli={"type": "requests"},
        tiers={
            "ticket": {"enabled": False, "windows": [{"long": "1h", "budget_consumed": 10}]},
            "page": {"windows": [{"long": "1h", "short": "7m", "budget_consumed": 2}]},
        },
    )
    assert odd.ranges == [300, 420, 3600]
    assert engine.tiling(odd) == {3600: (300, 12)}
    assert (engine.base_spans(odd, 300), engine.base_spans(odd, 3600)) == (1, 12)
    assert engine.base_spans(odd, 420) is None and engine.base_spans(odd, odd.period) is None


def test_a_tiled_pair_fires_as_raw_windows_do_and_a_summed_one_later():
    (page, _) = plan(sli={"type": "requests"}).tier("page")
    outage = Decimal(1000)  # every request failing at 99.9%
    raw = engine.detection_seconds(page, outage)
    assert raw == pytest.approx(51.84)
    assert engine.recorded_detection_seconds(page, outage, {}, {}) == pytest.approx(51.84)
    # the hour summing 5m rates: it holds 51.84s of errors after sqrt(2 x 300 x 51.84) = 176s
    summed = engine.recorded_detection_seconds(page, outage, {3600: 300}, {})
    assert summed == pytest.approx(176.36, abs=0.01)
    # a slow group evaluating the hour up to 2m late
    assert engine.recorded_detection_seconds(page, outage, {}, {3600: 120}) == pytest.approx(171.84)


def test_only_the_period_is_evaluated_slowly():
    assert engine.slow_windows(plan(sli={"type": "requests"})) == {2592000}
    assert engine.slow_interval(15) == 120 and engine.slow_interval(1) == 8
    assert engine.slow_interval(120) is None
