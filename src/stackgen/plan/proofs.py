"""Generated proofs: a `promtool test rules` file per service with SLOs, showing that each tier
fires within its detection time at a burn just above its threshold, that a burn just below a
tier's thresholds leaves it silent, and that a healthy service pages nobody.

The tests feed the SLO's error-ratio series directly: each window's ratio rises from the moment
a steady burn starts, as a real window average does, so when each tier fires is known exactly.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from stackgen.common.layout import TESTS_DIR
from stackgen.common.memo import BoundedMemo
from stackgen.common.values import clean_number, format_duration, parse_duration
from stackgen.plan.alerts import Alert
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import linked_alerts
from stackgen.plan.slos import ratio_record, slo_plan
from stackgen.spec import burn_rates as engine
from stackgen.spec.model import SLO, Service, Stack

_LABEL_ACTION = re.compile(r"\{\{-?\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}")
ABOVE = Decimal("1.1")  # a burn 10% above a threshold
BELOW = Decimal("0.9")  # and 10% below


def _step(plan: engine.Plan) -> int:
    """The sample and evaluation interval: the largest that divides every window (the
    inputs are window averages already, so no rate() needs finer samples)."""
    return math.gcd(*plan.ranges)


def _series(service: Service, slo: SLO, plan: engine.Plan, burn: Decimal, steps: int) -> list:
    """Each window's error ratio under a steady burn (x the budget) starting at time 0."""
    labels = f'service="{service.name}",slo="{slo.name}"'
    return [
        {"series": f"{record}{{{labels}}}", "values": values}
        for record, values in _ramps(plan.budget, tuple(plan.ranges), burn, steps)
    ]


# By the arithmetic alone: every service with the same SLO shares the series' values.
@lru_cache(maxsize=4096)
def _ramps(
    budget: Decimal, ranges: tuple[int, ...], burn: Decimal, steps: int
) -> tuple[tuple[str, str], ...]:
    """(record, values) of each window's error ratio under a steady burn from time 0."""
    step = math.gcd(*ranges)
    error = burn * budget
    series = []
    for window in ranges:
        ramp = window // step  # steps until the window is full of the burn
        # The rise per step, to 6 significant digits: windows of days divide into repeating
        # decimals, and the scenarios keep 10% away from every threshold.
        slope = clean_number(Decimal(format(error * step / window, ".6g")))
        if ramp >= steps:
            values = f"0+{slope}x{steps}"
        else:
            values = f"0+{slope}x{ramp} {clean_number(error)}x{steps - ramp}"
        series.append((ratio_record(window), values))
    return tuple(series)


def _condition(plan: engine.Plan, tier: str, burn: Decimal, t: int) -> bool:
    """Whether a window pair of `tier` is above its threshold `t` seconds into the burn."""
    error = burn * plan.budget

    def ratio(window: int) -> Decimal:
        return error * min(t, window) / window

    return any(
        ratio(w.long) > w.error_ratio and ratio(w.short) > w.error_ratio for w in plan.tier(tier)
    )


def _firing(plan: engine.Plan, burn: Decimal, t: int) -> list[str]:
    """The tiers whose alert fires at `t`: their condition held at every evaluation for `for`."""
    step = _step(plan)
    firing = []
    for tier, hold in plan.for_.items():
        since = t - int(parse_duration(hold))
        if since >= 0 and all(
            _condition(plan, tier, burn, s) for s in range(since - since % step, t + 1, step)
        ):
            firing.append(tier)
    return firing


def _first_firing(plan: engine.Plan, tier: str, burn: Decimal, limit: int) -> int | None:
    step = _step(plan)
    for t in range(0, limit + 1, step):
        if tier in _firing(plan, burn, t):
            return t
    return None


def _expand(text: str, labels: dict[str, str]) -> str:
    """Annotations as Prometheus writes them: SLO alerts' templates use `$labels` only."""
    return _LABEL_ACTION.sub(lambda m: labels.get(m.group(1), ""), text)


def _expected(alerts: dict[str, Alert], tiers: list[str]) -> list[dict]:
    expected = []
    for tier in tiers:
        labels = {**alerts[tier].labels, "alertname": alerts[tier].name}
        annotations = {k: _expand(v, labels) for k, v in alerts[tier].annotations.items()}
        expected.append({"exp_labels": labels, "exp_annotations": annotations})
    return expected


# A scenario without its service: (title, burn, evaluation time, tiers firing then).
Timing = tuple[str, Decimal, int, tuple[str, ...]]
# Per distinct SLO arithmetic: a fleet shares a handful, and each costs thousands of evaluations.
# Bounded: a worker that plans service after service must not grow with every new objective.
_TIMINGS: BoundedMemo[tuple[Any, ...], list[Timing]] = BoundedMemo(1024)


def _timings(plan: engine.Plan, tiers: list[str]) -> list[Timing]:
    """The scenarios of the alerting `tiers` of a plan; they depend on its arithmetic only."""
    key = (plan.budget, plan.windows, plan.recorded, tuple(plan.for_.items()), tuple(tiers))
    return _TIMINGS.get(key, lambda: _compute_timings(plan, tiers))


def _compute_timings(plan: engine.Plan, tiers: list[str]) -> list[Timing]:
    step = _step(plan)

    def at(title: str, burn: Decimal, when: int) -> Timing:
        when = -(-when // step) * step  # round up to an evaluation
        return title, burn, when, tuple(_firing(plan, burn, when))

    timings = []
    for tier in tiers:
        windows = plan.tier(tier)
        fast = max(w.burn_rate for w in windows)
        burn = fast * ABOVE
        detect = max(engine.detection_seconds(w, burn) or 0 for w in windows if w.burn_rate == fast)
        deadline = math.ceil(detect) + int(parse_duration(plan.for_[tier])) + 2 * step
        fired = _first_firing(plan, tier, burn, deadline)
        assert fired is not None, f"{tier} cannot fire within its detection time"
        timings.append(
            at(f"a burn of {clean_number(burn)}x fires the {tier} tier by {{at}}", burn, deadline)
        )
        slow = min(w.burn_rate for w in windows) * BELOW
        longest = max(w.long for w in windows)
        quiet = longest + int(parse_duration(plan.for_[tier])) + step
        timings.append(
            at(f"a burn of {clean_number(slow)}x leaves the {tier} tier silent at {{at}}", slow,
               quiet)
        )  # fmt: skip
    timings.append(at("a healthy service fires nothing at {at}", Decimal(0), max(plan.ranges)))
    return timings


def slo_tests(stack: Stack, service: Service, slo: SLO) -> list[dict[str, Any]]:
    plan = slo_plan(slo)
    step = _step(plan)
    alerts = {
        a.labels["slo_tier"]: a
        for a in linked_alerts(stack, service)
        if a.labels.get("slo") == slo.name and "slo_tier" in a.labels
    }
    if not alerts:
        return []
    name = next(iter(alerts.values())).name
    return [
        {
            "name": f"{slo.name}: {title.format(at=format_duration(at))}",
            "interval": format_duration(step),
            "input_series": _series(service, slo, plan, burn, at // step + 1),
            "alert_rule_test": [
                {
                    "eval_time": format_duration(at),
                    "alertname": name,
                    "exp_alerts": _expected(alerts, list(firing)),
                }
            ],
        }
        for title, burn, at, firing in _timings(plan, list(alerts))
    ]


def service_proofs(stack: Stack, service: Service) -> list[Artifact]:
    """The service's proofs in one file, as its rules are in one (a fleet's outputs are
    files to create and commit). A file has one evaluation interval: SLOs whose windows need
    different steps (periods or windows of their own) get a file per step,
    `<service>.step-<step>.yml`."""
    by_step: dict[str, list[tuple[SLO, list[dict[str, Any]]]]] = {}
    for slo in service.slos:
        tests = slo_tests(stack, service, slo)
        if tests:
            by_step.setdefault(tests[0]["interval"], []).append((slo, tests))
    one_step = len(by_step) == 1
    return [
        Artifact(
            f"{TESTS_DIR}/{service.name if one_step else f'{service.name}.step-{step}'}.yml",
            "rules-test.yml.j2",
            {
                "service": service,
                "slos": [slo for slo, _ in proven],
                "rule_file": f"../rules/{service.name}.yml",
                "evaluation_interval": step,
                "tests": [test for _, tests in proven for test in tests],
            },
        )
        for step, proven in by_step.items()
    ]


def proof_artifacts(stack: Stack) -> list[Artifact]:
    return [artifact for service in stack.services for artifact in service_proofs(stack, service)]
