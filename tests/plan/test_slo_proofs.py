"""The SLO proofs' window model: every window's ratio is derived from the base window's
recorded rates, as the rules record them at each evaluation, so a proof's expected firing
times are exact for the derived windows (promtool checks them a step early and on time). A
tiled window adds up consecutive base spans; a window no shorter one tiles sums every base
rate recorded over its range."""

from fractions import Fraction

from stackgen.plan.slo_proofs import Burn, Model

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
