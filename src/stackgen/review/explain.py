"""What each SLO's alert tiers mean in time and budget, for `stackgen explain`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from stackgen.common.values import clean_number, format_duration, parse_duration
from stackgen.spec import burn_rates as engine
from stackgen.spec.model import SLO, RatioSLI, Stack

BURN = Decimal(10)  # the "10x burn" of the table


@dataclass(frozen=True)
class Row:
    tier: str
    windows: str
    burn_rate: str
    error_ratio: str
    budget_at_detection: str
    outage_detected_in: str
    burn_detected_in: str
    budget_gone_in: str


@dataclass(frozen=True)
class Explanation:
    service: str
    slo: str
    objective: str
    period: str
    budget_minutes: str
    rows: list[Row]
    note: str = ""  # how the recording rules move the detection times


@dataclass(frozen=True)
class Recording:
    """How the rules record an SLO's windows, which may move its detection times."""

    base: int | None  # the window read from raw series; None: every window is (a ratio SLI)
    tiled: dict[int, tuple[int, int]]  # window -> (span, count): a sum of shorter spans
    summed: dict[int, int]  # window -> base: the sum of the base's rates over its range
    late: dict[int, int]  # window -> how late its slow group may be, in seconds
    interval: float = 0  # the evaluation interval, when it does not divide the base window

    def detect(self, window: engine.Window, burn: Decimal, hold: str) -> str:
        seconds = engine.recorded_detection_seconds(window, burn, self.summed, self.late)
        if seconds is None:
            return "never"
        return format_duration(round(seconds) + parse_duration(hold))

    def note(self) -> str:
        parts = []
        if self.base is not None and self.tiled:
            spans = ", ".join(
                f"{format_duration(w)} = {n} x {format_duration(s)}"
                for w, (s, n) in sorted(self.tiled.items())
            )
            parts.append(
                f"Each window adds up the recorded rates of consecutive shorter spans ({spans}), "
                f"the {format_duration(self.base)} rates read from the raw series, so it "
                "holds what a raw rate() over it holds"
            )
        if self.interval and self.base is not None:
            parts.append(
                f"the evaluation interval ({format_duration(self.interval)}) does not divide "
                f"the {format_duration(self.base)} base window, so each span reads the rates "
                "evaluated last before its end: the windows and these times are approximate"
            )
        if self.summed:
            windows = ", ".join(format_duration(w) for w in sorted(self.summed))
            lag = format_duration(max(self.summed.values()) / 2)
            parts.append(f"{windows} sum the base rates, so trail a raw rate() by up to {lag}")
        if self.late:
            slow = ", ".join(format_duration(w) for w in sorted(self.late))
            interval = format_duration(max(self.late.values()))
            parts.append(f"{slow} (no alert reads it) is evaluated every {interval}")
        return "; ".join(parts) + "." if parts else ""


def recording(slo: SLO, evaluation_interval: str) -> Recording:
    """How the rules of `plan.slos` record the SLO on a server evaluating this often."""
    plan = engine.plan(slo)
    every = parse_duration(evaluation_interval)
    slow = engine.slow_interval(every)
    late = {w: slow for w in engine.slow_windows(plan)} if slow else {}
    if isinstance(slo.sli, RatioSLI) or not plan.ranges:
        return Recording(None, {}, {}, late)
    base = plan.ranges[0]
    tiled = engine.tiling(plan)
    windows = {*plan.ranges, plan.period} - {base}
    summed = {w: base for w in windows if w not in tiled}
    return Recording(base, tiled, summed, late, every if tiled and base % every else 0)


def explain_slo(service: str, slo: SLO, evaluation_interval: str = "15s") -> Explanation:
    plan = engine.plan(slo)
    recorded = recording(slo, evaluation_interval)
    _detect = recorded.detect
    rows = [
        Row(
            tier=w.tier,
            windows=f"{format_duration(w.long)} / {format_duration(w.short)}",
            burn_rate=f"{clean_number(w.burn_rate)}x",
            error_ratio=f"{clean_number(w.error_ratio * 100)}%",
            budget_at_detection=f"{clean_number(w.budget_consumed)}%",
            outage_detected_in=_detect(w, 1 / plan.budget, plan.for_[w.tier]),
            burn_detected_in=_detect(w, BURN, plan.for_[w.tier]),
            budget_gone_in=format_duration(float(plan.period / BURN)),
        )
        for w in plan.windows
    ]
    return Explanation(
        service=service,
        slo=slo.name,
        objective=f"{clean_number(slo.objective)}%",
        period=format_duration(plan.period),
        budget_minutes=clean_number(plan.period * plan.budget / 60),
        rows=rows,
        note=recorded.note(),
    )


def explain(stack: Stack, target: str | None = None) -> list[Explanation]:
    """Every SLO of the stack, or those of one service (`api`) or one SLO (`api/errors`)."""
    found = []
    for service in stack.services:
        for slo in service.slos:
            if target in (None, service.name, f"{service.name}/{slo.name}"):
                interval = stack.prometheus.evaluation_interval
                found.append(explain_slo(service.name, slo, interval))
    return found


HEADERS = (
    "tier",
    "long / short window",
    "burn rate",
    "error ratio",
    "budget used at detection",
    "full outage detected in",
    "10x burn detected in",
    "budget gone at 10x in",
)


def as_table(explanation: Explanation) -> str:
    rows = [HEADERS] + [tuple(vars(r).values()) for r in explanation.rows]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(HEADERS))]
    lines = [
        f"{explanation.service}/{explanation.slo}: {explanation.objective} over "
        f"{explanation.period}, an error budget of {explanation.budget_minutes} minutes",
    ]
    for index, row in enumerate(rows):
        lines.append(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    if explanation.note:
        lines.append(explanation.note)
    return "\n".join(lines)
