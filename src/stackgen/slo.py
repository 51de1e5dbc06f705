"""Error-budget arithmetic shared by SLO validation, alerts and explanations (exact decimals)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from stackgen.spec.model import SLO
from stackgen.values import clean_number, parse_duration


@dataclass(frozen=True)
class BurnAlert:
    """When an SLO's alert fires: the error ratio over `window` exceeds `error_ratio`."""

    burn_rate: Decimal  # how many times faster than the period allows
    error_ratio: Decimal  # burn_rate x budget
    window_seconds: float
    period_seconds: float

    @property
    def can_fire(self) -> bool:
        return self.error_ratio < 1

    @property
    def exhaustion_seconds(self) -> float:
        """How long the whole period's budget lasts at this burn rate."""
        return float(Decimal(str(self.period_seconds)) / self.burn_rate)

    @property
    def bad_seconds_in_window(self) -> float:
        """Seconds of total outage within the window that reach the threshold."""
        return float(Decimal(str(self.window_seconds)) * self.error_ratio)


def _exact(value: float) -> Decimal:
    return Decimal(clean_number(value))


def burn_alert(slo: SLO) -> BurnAlert:
    period = parse_duration(slo.period)
    window = parse_duration(slo.window)
    burn_rate = Decimal(
        clean_number(_exact(slo.budget_consumed) / 100 * _exact(period) / _exact(window))
    )
    budget = (100 - _exact(slo.objective)) / 100
    return BurnAlert(
        burn_rate=burn_rate,
        error_ratio=Decimal(clean_number(burn_rate * budget)),
        window_seconds=window,
        period_seconds=period,
    )
