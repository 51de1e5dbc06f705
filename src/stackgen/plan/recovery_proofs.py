"""Generated proofs that an outage pages once: a `promtool test rules` file per service whose
SLOs have a page tier, `prometheus/tests/<service>.recovery.yml`.

Per SLO, two scenarios run through the service's real rules:

- the service goes down whole: ServiceDown fires, and after the recovery the page tier stays
  quiet although its burn-rate condition alone still holds (the short windows still hold the
  outage), so the on-call is not paged again for the outage already paged for;
- half of the service goes down (one of two targets): ServiceDown does not fire, and the page
  tier still pages;
- the whole service goes down, then half of it stays down: the page tier, quiet while the
  guard holds (its window after ServiceDown's last firing evaluation), pages exactly `for`
  after the guard's window has passed, so the guard holds neither less nor more than it says.

An uptime SLI is computed by the rules from the `up` series the test feeds; other SLIs get
their error-ratio windows fed as the outage's share of each window (as if the outage's requests
failed), next to `up` for ServiceDown.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from stackgen.common.values import clean_number, format_duration, parse_duration
from stackgen.plan.alerts import Alert
from stackgen.plan.artifact import Artifact
from stackgen.plan.grafana import linked_alerts
from stackgen.plan.slos import (
    OUTAGE_ALERT,
    guards_outage,
    outage_hold,
    ratio_record,
    slo_plan,
    tier_condition,
)
from stackgen.prometheus.promql import quote
from stackgen.spec import burn_rates as engine
from stackgen.spec.model import SLO, Service, Stack

TESTS_DIR = "prometheus/tests"
HEALTHY = 600  # seconds of a healthy service before the outage
WATCH = 900  # seconds watched after the tier's hold has ended
PARTIAL = Decimal("0.5")  # one target of two down


def _runs(values: list[str]) -> str:
    """Values in promtool's notation, a run of equal values as `vxN` (N+1 values)."""
    parts: list[str] = []
    index = 0
    while index < len(values):
        end = index
        while end + 1 < len(values) and values[end + 1] == values[index]:
            end += 1
        parts.append(values[index] if end == index else f"{values[index]}x{end - index}")
        index = end + 1
    return " ".join(parts)


class Scenario:
    """An outage from `start` to `end` (seconds), sampled every `step` until `until`."""

    def __init__(self, start: int, end: int, step: int, until: int) -> None:
        self.start, self.end, self.step, self.until = start, end, step, until

    @property
    def times(self) -> range:
        return range(0, self.until + 1, self.step)

    def down(self, t: int) -> bool:
        return self.start <= t < self.end

    def share(self, window: int, t: int) -> Decimal:
        """The outage's share of the window ending at `t` (healthy before time 0)."""
        overlap = max(0, min(t, self.end) - max(t - window, self.start))
        return Decimal(overlap) / Decimal(window)


def _holds(windows: tuple[engine.Window, ...], scenario: Scenario, part: Decimal, t: int) -> bool:
    def ratio(window: int) -> Decimal:
        return part * scenario.share(window, t)

    return any(ratio(w.long) > w.error_ratio and ratio(w.short) > w.error_ratio for w in windows)


def _fires_by(
    windows: tuple[engine.Window, ...], scenario: Scenario, part: Decimal, hold: int
) -> int | None:
    """When the tier fires (its condition held for `hold`), by the fed model; None: never
    before the outage ends. The rules' own uptime ratios are never below the model's (they
    average the samples there are), so what the model fires, the rules fire."""
    since = None
    for t in range(scenario.start, scenario.end, scenario.step):
        if _holds(windows, scenario, part, t):
            since = t if since is None else since
            if t - since >= hold:
                return t
        else:
            since = None
    return None


def _scenario(slo: SLO, plan: engine.Plan, down_for: int, page_for: int) -> Scenario | None:
    """The shortest outage (from 10 minutes, by 5) that ServiceDown pages for, that leaves the
    page tier's condition holding after the recovery, and whose half fires the page tier."""
    windows = plan.tier("page")
    step = math.gcd(60, down_for, page_for, *plan.ranges)
    hold = outage_hold(slo, windows)
    for length in range(HEALTHY, max(w.long for w in windows) + HEALTHY + 1, 300):
        scenario = Scenario(HEALTHY, HEALTHY + length, step, HEALTHY + length + hold + WATCH)
        if (
            down_for + step < length
            and _holds(windows, scenario, Decimal(1), scenario.end + step)
            and _fires_by(windows, scenario, PARTIAL, page_for) is not None
        ):
            return scenario
    return None


def _up(job: str, instance: str, scenario: Scenario, down: bool) -> dict[str, str]:
    values = ["0" if down and scenario.down(t) else "1" for t in scenario.times]
    return {
        "series": _labels_text({"job": job, "instance": instance}, "up"),
        "values": _runs(values),
    }


def _ratios(
    service: Service, slo: SLO, scenario: Scenario, part: Decimal, after: Scenario | None = None
) -> list[dict[str, str]]:
    """Each window's error ratio: `part` of the outage's share of it, plus half the share of
    the partial outage `after` it, if any."""
    labels = {"service": service.name, "slo": slo.name}

    def ratio(window: int, t: int) -> Decimal:
        value = part * scenario.share(window, t)
        if after is not None:
            value += PARTIAL * after.share(window, t)
        return Decimal(format(value, ".6g"))

    return [
        {
            "series": _labels_text(labels, ratio_record(window)),
            "values": _runs([clean_number(ratio(window, t)) for t in scenario.times]),
        }
        for window in slo_plan(slo).ranges
    ]


def _alerts_selector(alert: Alert, **extra: str) -> str:
    return _labels_text({"alertname": alert.name, "alertstate": "firing", **extra}, "ALERTS")


def _labels_text(labels: dict[str, str], name: str = "") -> str:
    return name + "{" + ",".join(f"{k}={quote(v)}" for k, v in labels.items()) + "}"


def slo_recovery_tests(
    service: Service, slo: SLO, page: Alert, down: Alert
) -> list[dict[str, Any]]:
    plan = slo_plan(slo)
    down_for = int(parse_duration(down.for_))
    scenario = _scenario(slo, plan, down_for, int(parse_duration(page.for_)))
    if scenario is None:
        return []
    step, hold = scenario.step, outage_hold(slo, plan.tier("page"))
    uptime = slo.sli.type == "uptime"
    job = service.name
    after = hold + WATCH
    page_fired = _alerts_selector(page, service=service.name, slo=slo.name, slo_tier="page")
    down_fired = _alerts_selector(down, service=service.name)
    down_labels = {"alertname": down.name, "alertstate": "firing", "job": job, **down.labels}
    page_labels = {"alertname": page.name, "alertstate": "firing", **page.labels}
    outage = [_up(job, "a", scenario, True)]
    partial = [_up(job, "a", scenario, True), _up(job, "b", scenario, False)]
    # The whole outage, then half the service down until the page tier has fired after it.
    page_for = int(parse_duration(page.for_))
    lifted = scenario.end + hold  # ServiceDown's last firing evaluation is a step before end
    fires = lifted + page_for
    until = fires + WATCH
    whole = Scenario(scenario.start, scenario.end, step, until)
    half = Scenario(scenario.end, until + step, step, until)
    then_half = [_up(job, "a", Scenario(scenario.start, until + step, step, until), True),
                 _up(job, "b", whole, True)]  # fmt: skip
    if not uptime:
        outage += _ratios(service, slo, scenario, Decimal(1))
        partial += _ratios(service, slo, scenario, PARTIAL)
        then_half += _ratios(service, slo, whole, Decimal(1), half)
    length = format_duration(scenario.end - scenario.start)
    return [
        {
            "name": f"{slo.name}: an outage of {length} that {down.name} paged for pages no "
            f"one again in the {format_duration(after)} after its recovery",
            "interval": format_duration(step),
            "input_series": outage,
            "promql_expr_test": [
                {
                    "comment": f"{down.name} pages while the service is down",
                    "expr": down_fired,
                    "eval_time": format_duration(scenario.end - step),
                    "exp_samples": [{"labels": _labels_text(down_labels, "ALERTS"), "value": 1}],
                },
                {
                    "comment": "right after the recovery the burn-rate condition alone still "
                    "holds: without the guard the page tier would page again",
                    "expr": f"count({tier_condition(service, slo, 'page')})",
                    "eval_time": format_duration(scenario.end + step),
                    "exp_samples": [{"labels": "{}", "value": 1}],
                },
                {
                    "comment": "the page tier does not fire after the recovery",
                    "expr": f"count_over_time({page_fired}[{format_duration(after)}])",
                    "eval_time": format_duration(scenario.end + after),
                    "exp_samples": [],
                },
            ],
        },
        {
            "name": f"{slo.name}: half of the service down for {length}, which {down.name} "
            "does not see, still pages",
            "interval": format_duration(step),
            "input_series": partial,
            "promql_expr_test": [
                {
                    "comment": f"{down.name} stays silent",
                    "expr": f"count_over_time({down_fired}[{length}])",
                    "eval_time": format_duration(scenario.end),
                    "exp_samples": [],
                },
                {
                    "comment": "the page tier pages",
                    "expr": page_fired,
                    "eval_time": format_duration(scenario.end - step),
                    "exp_samples": [{"labels": _labels_text(page_labels, "ALERTS"), "value": 1}],
                },
            ],
        },
        {
            "name": f"{slo.name}: an outage of {length} that {down.name} paged for, then half "
            f"the service down: the page tier is held {format_duration(hold)} after the "
            f"recovery and pages {format_duration(page_for)} later, at "
            f"{format_duration(fires)}",
            "interval": format_duration(step),
            "input_series": then_half,
            "promql_expr_test": [
                {
                    "comment": "held after the recovery until the guard's window no longer "
                    f"holds {down.name}",
                    "expr": f"count_over_time({page_fired}"
                    f"[{format_duration(fires - step - scenario.end)}])",
                    "eval_time": format_duration(fires - step),
                    "exp_samples": [],
                },
                {
                    "comment": "pages once the guard has lifted and its `for` has passed",
                    "expr": page_fired,
                    "eval_time": format_duration(fires),
                    "exp_samples": [{"labels": _labels_text(page_labels, "ALERTS"), "value": 1}],
                },
            ],
        },
    ]


def recovery_proofs(stack: Stack, service: Service) -> list[Artifact]:
    """The service's recovery proofs in one file (none without a guarded page tier)."""
    if not guards_outage(service):
        return []
    alerts = linked_alerts(stack, service)
    down = next((a for a in alerts if a.name == OUTAGE_ALERT), None)
    if down is None:
        return []
    proven: list[tuple[SLO, list[dict[str, Any]]]] = []
    for slo in service.slos:
        page = next(
            (
                a
                for a in alerts
                if a.labels.get("slo") == slo.name and a.labels.get("slo_tier") == "page"
            ),
            None,
        )
        tests = slo_recovery_tests(service, slo, page, down) if page is not None else []
        if tests:
            proven.append((slo, tests))
    if not proven:
        return []
    # One evaluation interval per file: one that divides every scenario's step.
    step = format_duration(
        math.gcd(*(int(parse_duration(t["interval"])) for _, tests in proven for t in tests))
    )
    return [
        Artifact(
            f"{TESTS_DIR}/{service.name}.recovery.yml",
            "rules-recovery-test.yml.j2",
            {
                "service": service,
                "slos": [slo for slo, _ in proven],
                "rule_file": f"../rules/{service.name}.yml",
                "evaluation_interval": step,
                "tests": [test for _, tests in proven for test in tests],
            },
        )
    ]
