"""What each SLO's alert tiers mean in time and budget, for `stackgen explain`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from stackgen.common.values import clean_number, format_duration, parse_duration
from stackgen.spec import burn_rates as engine
from stackgen.spec.model import SLO, Stack

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


def _detect(window: engine.Window, burn: Decimal, hold: str) -> str:
    seconds = engine.detection_seconds(window, burn)
    if seconds is None:
        return "never"
    return format_duration(round(seconds) + parse_duration(hold))


def explain_slo(service: str, slo: SLO) -> Explanation:
    plan = engine.plan(slo)
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
    )


def explain(stack: Stack, target: str | None = None) -> list[Explanation]:
    """Every SLO of the stack, or those of one service (`api`) or one SLO (`api/errors`)."""
    found = []
    for service in stack.services:
        for slo in service.slos:
            if target in (None, service.name, f"{service.name}/{slo.name}"):
                found.append(explain_slo(service.name, slo))
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
    return "\n".join(lines)
