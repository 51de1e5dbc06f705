"""The SLO engine's arithmetic: burn-rate windows for any period, thresholds, detection times.

Google's SRE workbook model: a tier fires when, over both a long window and a short one (a
twelfth of it), errors burn the budget fast enough to consume a given share of the period's
budget within the long window. Defaults (for 30 days): page 2% in 1h or 5% in 6h, ticket 10% in
1d or 10% in 3d. Other periods scale the windows with the period, so the burn rates stay
14.4, 6, 3 and 1. All arithmetic is decimal, so thresholds print clean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from stackgen.common.values import clean_number, parse_duration
from stackgen.spec.model import SLO, Tier

REFERENCE_PERIOD = 30 * 86400
# tier -> (percent of the period's budget, long window at the 30-day reference)
DEFAULT_WINDOWS = {
    "page": ((2, 3600), (5, 6 * 3600)),
    "ticket": ((10, 86400), (10, 3 * 86400)),
}
DEFAULT_FOR = {"page": "2m", "ticket": "15m"}
DEFAULT_SEVERITY = {"page": "critical", "ticket": "warning"}
TIERS = ("page", "ticket")


def exact(value: float | int | Decimal) -> Decimal:
    return Decimal(clean_number(value))


@dataclass(frozen=True)
class Window:
    """One (long, short) window pair of a tier, and the error ratio that fires it."""

    tier: str
    long: int  # seconds
    short: int  # seconds
    budget_consumed: Decimal  # percent of the period's budget burnt within `long`
    burn_rate: Decimal  # how many times faster than the period allows
    error_ratio: Decimal  # burn_rate x (1 - objective)

    @property
    def can_fire(self) -> bool:
        return self.error_ratio < 1


@dataclass(frozen=True)
class Plan:
    """Everything the rules, tests and explanations of one SLO are built from."""

    objective: Decimal  # a ratio: 0.999
    budget: Decimal  # 1 - objective
    period: int  # seconds
    windows: tuple[Window, ...]  # of enabled tiers
    recorded: tuple[Window, ...]  # of every tier: a disabled tier's windows are still recorded
    for_: dict[str, str]  # tier -> `for` of its alert
    severity: dict[str, str]  # tier -> severity of its alert

    def tier(self, name: str) -> tuple[Window, ...]:
        return tuple(w for w in self.windows if w.tier == name)

    @property
    def ranges(self) -> list[int]:
        """Every window length the recording rules cover, shortest first."""
        return sorted({w.long for w in self.recorded} | {w.short for w in self.recorded})


def _windows(tier_name: str, tier: Tier, period: int, budget: Decimal) -> list[Window]:
    if tier.windows is not None:
        pairs = [
            (
                exact(w.budget_consumed),
                int(parse_duration(w.long)),
                int(parse_duration(w.short)) if w.short else None,
            )
            for w in tier.windows
        ]
    else:
        pairs = [
            (Decimal(percent), round(long * period / REFERENCE_PERIOD), None)
            for percent, long in DEFAULT_WINDOWS[tier_name]
        ]
    windows = []
    for percent, long, short in pairs:
        burn_rate = exact(percent / 100 * period / long)
        windows.append(
            Window(
                tier=tier_name,
                long=long,
                short=short if short is not None else round(long / 12),
                budget_consumed=percent,
                burn_rate=burn_rate,
                error_ratio=exact(burn_rate * budget),
            )
        )
    return windows


def plan(slo: SLO) -> Plan:
    objective = exact(slo.objective) / 100
    budget = 1 - objective
    period = int(parse_duration(slo.period))
    windows: list[Window] = []
    recorded: list[Window] = []
    for_, severity = {}, {}
    for name in TIERS:
        tier: Tier = getattr(slo.tiers, name)
        tier_windows = _windows(name, tier, period, budget)
        recorded += tier_windows
        if tier.enabled:
            windows += tier_windows
            for_[name] = tier.for_ or DEFAULT_FOR[name]
            severity[name] = tier.severity or DEFAULT_SEVERITY[name]
    return Plan(objective, budget, period, tuple(windows), tuple(recorded), for_, severity)


def detection_seconds(window: Window, burn_rate: Decimal) -> float | None:
    """How long after a step to `burn_rate` the window pair first fires (None: never)."""
    if burn_rate <= window.burn_rate:
        return None
    return float(Decimal(window.long) * window.burn_rate / burn_rate)


# Every window longer than the base is recorded from its shorter windows' recorded rates, as
# the sum of consecutive spans (`tiling`): it reads what a raw rate() over it reads, a few
# samples per series instead of the raw series. A window no shorter window tiles sums the base
# window's recorded rates over its range instead (`derived_seconds`: it trails a raw rate()).
# Only the period, which no alert reads, is evaluated in a slower rule group.
SLOW_INTERVAL = 120  # seconds: well under Prometheus's 5m lookback, so no reader sees a gap
SLOWER = 8  # the slow group evaluates this many times less often than the server
MAX_SPANS = 12  # a window sums at most this many spans of a shorter one (1h of 5m)


def slow_interval(evaluation_interval: float) -> int | None:
    """The slow group's interval on a server evaluating this often (None: no slow group, the
    server evaluates every SLOW_INTERVAL or less often already)."""
    if evaluation_interval >= SLOW_INTERVAL:
        return None
    return int(min(SLOW_INTERVAL, SLOWER * evaluation_interval))


def slow_windows(plan: Plan) -> set[int]:
    """The window lengths evaluated in the slow group: the period alone (no alert reads it)."""
    return {plan.period}


def tiling(plan: Plan) -> dict[int, tuple[int, int]]:
    """window -> (span, count): each window recorded as `count` consecutive spans of a shorter
    recorded window (the longest that divides it, in at most MAX_SPANS spans); the base window
    (the shortest) is read from the raw series. Windows left out are summed from the base."""
    if not plan.ranges:
        return {}
    recorded = [plan.ranges[0]]
    spans: dict[int, tuple[int, int]] = {}
    for window in sorted({*plan.ranges[1:], plan.period} - {plan.ranges[0]}):
        parts = [w for w in recorded if window % w == 0 and window // w <= MAX_SPANS]
        if parts:
            spans[window] = (max(parts), window // max(parts))
            recorded.append(window)
    return spans


def base_spans(plan: Plan, window: int) -> int | None:
    """How many base windows a tiled window (or the base itself) adds up; None: summed."""
    base = plan.ranges[0]
    if window == base:
        return 1
    return window // base if window in tiling(plan) else None


def derived_seconds(needed: float, base: int, window: int) -> float:
    """When a window summing base-window rates over its range first holds `needed` seconds'
    worth of a steady burn that started at 0 (a raw rate() over the window holds it at `needed`).

    Each recorded rate averages the base window before it, so the sum over the window weighs
    errors by a trapezoid: rising over the first base window, full across the window, falling
    over one base window beyond it. The window therefore trails a raw one by half a base window,
    and by less while the burn is younger than one base window."""
    if needed <= base / 2:
        return math.sqrt(2 * base * needed)
    if needed <= window - base / 2:
        return needed + base / 2
    return window + base - math.sqrt(2 * base * (window - needed))


def recorded_detection_seconds(
    window: Window, burn_rate: Decimal, summed: dict[int, int], late: dict[int, int]
) -> float | None:
    """How long after a step to `burn_rate` the window pair first fires as the rules record it:
    a tiled window as a raw rate() over it, a window in `summed` (window -> base) as the sum of
    the base window's recorded rates over it; `late` (window -> seconds) is how much later than
    the alerts a slow group may have evaluated a window."""
    if burn_rate <= window.burn_rate:
        return None
    times = []
    for length in (window.long, window.short):
        needed = float(Decimal(length) * window.burn_rate / burn_rate)
        if length in summed:
            needed = derived_seconds(needed, summed[length], length)
        times.append(needed + late.get(length, 0))
    return max(times)
