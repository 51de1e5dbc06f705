"""Generated proofs of the pack and custom alerts: per alert, `promtool test rules` scenarios fed
from the raw series the service exposes (its pack's metric names as the spec renames them), so
the recording rules between the series and the alert are proven too.

An alert's scenario is data: its pack (or the custom alert) declares the raw series as
functions of the level the alert observes (`proof:`). From it, per alert:
- fire: the level just past the threshold (10%) starts at T0; the alert is silent one
  evaluation before `for` has passed since its condition first held and firing exactly at it
  (bounded from below and above), with its labels and annotations; when the input stops it
  resolves when its window says (a gauge at once, counters once their window is empty);
- below: the level just short of the threshold never fires;
- healthy: the healthy level never fires.

When the condition first holds follows from the series' kinds: a gauge at its first sample;
counters read as a ratio (or a histogram's quantile) at their first increase, whatever the
window; counters read as a rate once the filling window carries enough of it.
"""

from __future__ import annotations

import ast as pyast
import math
import operator as op
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from promql_parser import VectorSelector

from stackgen.common.values import clean_number, format_duration, parse_duration
from stackgen.packs.base import ServiceContext
from stackgen.packs.compile import expand
from stackgen.packs.service import service_pack
from stackgen.plan.alerts import Alert, service_context
from stackgen.prometheus.humanize import Unsupported
from stackgen.prometheus.humanize import expand as expand_template
from stackgen.prometheus.promql import parse
from stackgen.prometheus.series_labels import NAME, Resolver, Unknown
from stackgen.spec.custom import AlertProof, ProofSeries
from stackgen.spec.model import Service, Stack

ABOVE = Decimal("1.1")  # a level 10% past a threshold
BELOW = Decimal("0.9")  # and 10% short of it
INSTANCE = "target-1"  # the instance label of the proofs' scrape target
HISTOGRAM_RATE = Decimal(10)  # observations per second of a proof's histogram

_OPS = {pyast.Add: op.add, pyast.Sub: op.sub, pyast.Mult: op.mul, pyast.Div: op.truediv}


class Unproven(ValueError):
    """Why an alert gets no proof."""


def arithmetic(text: str, value: Decimal) -> Decimal:
    """A proof's arithmetic (numbers, `value`, + - * /, parentheses) at `value`."""

    def ev(node: pyast.AST) -> Decimal:
        if isinstance(node, pyast.Expression):
            return ev(node.body)
        if isinstance(node, pyast.Constant) and isinstance(node.value, int | float):
            return Decimal(str(node.value))
        if isinstance(node, pyast.Name) and node.id == "value":
            return value
        if isinstance(node, pyast.BinOp) and type(node.op) in _OPS:
            return Decimal(_OPS[type(node.op)](ev(node.left), ev(node.right)))
        if isinstance(node, pyast.UnaryOp) and isinstance(node.op, pyast.USub):
            return -ev(node.operand)
        raise Unproven(f"`{text}` is not arithmetic over `value`")

    try:
        return ev(pyast.parse(text, mode="eval"))
    except (SyntaxError, ArithmeticError):
        raise Unproven(f"`{text}` is not arithmetic over `value` (or divides by zero)") from None


@dataclass(frozen=True)
class Series:
    """One raw series of a scenario: its labels, and its value per sample index."""

    labels: dict[str, str]
    kind: str  # gauge | counter
    per_second: Decimal  # a counter's increase while active; a gauge's value while active
    idle: Decimal  # a gauge's value outside the active phase (counters stay flat)


def _text(value: Decimal) -> str:
    return clean_number(Decimal(format(value, ".12g")))


def _selector_labels(text: str) -> dict[str, str]:
    try:
        node = parse(text)
    except ValueError as exc:
        raise Unproven(f"`{text}`: {exc}") from None
    if not isinstance(node, VectorSelector):
        raise Unproven(f"`{text}` is not a series selector")
    labels = {NAME: str(node.name)} if node.name else {}
    for matcher in node.matchers.matchers:
        if str(matcher.op) != "MatchOp.Equal":
            raise Unproven(f"`{text}`: a proof's series are written with `=` matchers only")
        labels[str(matcher.name)] = str(matcher.value)
    return labels


def _series_of(
    ctx: ServiceContext, service: Service, spec: ProofSeries, level: Decimal, idle: Decimal
) -> list[Series]:
    text = expand(spec.metric, ctx, {}, range_=ctx.rate_range)
    labels = {"job": ctx.job, "instance": INSTANCE, **service.labels, **_selector_labels(text)}
    if spec.gauge is not None:
        return [Series(labels, "gauge", arithmetic(spec.gauge, level),
                       arithmetic(spec.gauge, idle))]  # fmt: skip
    if spec.counter is not None:
        return [Series(labels, "counter", arithmetic(spec.counter, level), Decimal(0))]
    assert spec.histogram is not None
    # Every observation in one bucket, so the quantile interpolates to exactly `level`.
    upper = level / Decimal(str(spec.histogram))
    name = labels.pop(NAME)
    return [
        Series({NAME: f"{name}_bucket", **labels, "le": _text(upper)}, "counter",
               HISTOGRAM_RATE, Decimal(0)),
        Series({NAME: f"{name}_bucket", **labels, "le": "+Inf"}, "counter", HISTOGRAM_RATE,
               Decimal(0)),
        Series({NAME: f"{name}_count", **labels}, "counter", HISTOGRAM_RATE, Decimal(0)),
        Series({NAME: f"{name}_sum", **labels}, "counter", HISTOGRAM_RATE * level, Decimal(0)),
    ]  # fmt: skip


def fixed(value: Decimal) -> str:
    return clean_number(value)


def counter_values(segments: list[tuple[Decimal, int]]) -> str:
    """A counter from 0 rising by `increment` for `samples` samples per segment. promtool adds
    an `a+bxn` increment sample by sample in floats, which drifts from the decimal sum (a flat
    segment after it would read as a counter reset): integral increments use that notation,
    exact; others are written sample by sample."""
    if all(increment == increment.to_integral_value() for increment, _ in segments):
        parts, value = ["0"], Decimal(0)
        for increment, samples in segments:
            if samples > 0:
                parts.append(f"{fixed(value + increment)}+{fixed(increment)}x{samples - 1}")
                value += increment * samples
        return " ".join(parts)
    values, value = ["0"], Decimal(0)
    for increment, samples in segments:
        for _ in range(samples):
            value += increment
            values.append(_text(value))
    return " ".join(values)


def integral_scale(increments: list[Decimal]) -> Decimal:
    """The smallest power of ten that makes every increment whole (1 if none does soon)."""
    for digits in range(13):
        scale = Decimal(10) ** digits
        if all((i * scale) == (i * scale).to_integral_value() for i in increments):
            return scale
    return Decimal(1)


def _values(
    series: Series, step: int, start: int, stop: int | None, end: int, scale: Decimal
) -> str:
    """promtool's expanding notation for samples 0..end (indices): active from `start`
    (a gauge at its level; a counter increasing from the sample after it) until `stop`."""
    stop = end if stop is None else stop
    if series.kind == "gauge":
        parts = []
        if start > 0:
            parts.append(f"{_text(series.idle)}x{start - 1}")
        parts.append(f"{_text(series.per_second)}x{stop - start}")
        if stop < end:
            parts.append(f"{_text(series.idle)}x{end - stop - 1}")
        return " ".join(parts)
    inc = series.per_second * step * scale
    zero = Decimal(0)
    return counter_values([(zero, start), (inc, stop - start), (zero, end - stop)])


@dataclass(frozen=True)
class Scenario:
    """How one alert is driven: its series at a level, and how its condition follows them."""

    alert: Alert
    proof: AlertProof
    threshold: Decimal | None
    window: int  # seconds of the rate window its records read
    step: int

    @property
    def counters(self) -> bool:
        return any(s.gauge is None for s in self.proof.series)

    def levels(self) -> tuple[Decimal, Decimal, Decimal]:
        """(firing, silent, healthy) levels."""
        healthy = Decimal(str(self.proof.healthy))
        if self.threshold is None:
            if self.proof.firing is None or self.proof.silent is None:
                raise Unproven(
                    "an alert without a threshold: its proof names `firing` and `silent`"
                )
            return Decimal(str(self.proof.firing)), Decimal(str(self.proof.silent)), healthy
        above, below = self.threshold * ABOVE, self.threshold * BELOW
        return (below, above, healthy) if self.alert.fires_below else (above, below, healthy)

    def holds(self, value: Decimal) -> bool:
        if self.threshold is None:
            raise Unproven("a rate-read proof needs a threshold")
        return value < self.threshold if self.alert.fires_below else value > self.threshold

    def observed(self, level: Decimal, t: int, t0: int, stop: int | None) -> Decimal:
        """The alert's value at `t` for a rate-read proof active from t0 (to stop)."""
        end = t if stop is None else min(t, stop)
        covered = max(0, end - max(t0, t - self.window))
        return level * covered / self.window


def _value(scenario: Scenario, level: Decimal, at: int, t0: int, stop: int) -> float:
    """The alert's value at `at` while it fires: what its annotations print."""
    if scenario.counters and scenario.proof.observes == "rate":
        return float(scenario.observed(level, at, t0, stop))
    spec = next((s for s in scenario.proof.series if s.histogram), None)
    if spec is not None and spec.histogram is not None:
        quantile = Decimal(str(spec.histogram))
        return float(Decimal(_text(level / quantile))) * float(quantile)
    return float(level)


def _onset(scenario: Scenario, level: Decimal, t0: int) -> int:
    """The first evaluation at which the condition holds, the input active from t0."""
    step = scenario.step
    if not scenario.counters:
        return t0
    if scenario.proof.observes == "ratio":
        return t0 + step
    t = t0 + step
    while not scenario.holds(scenario.observed(level, t, t0, None)):
        t += step
        if t > t0 + 2 * scenario.window:
            raise Unproven("its rate never passes the threshold in the scenario")
    return t


def _resolved(scenario: Scenario, level: Decimal, t0: int, stop: int) -> int:
    """The first evaluation at which the condition no longer holds, the input stopped at `stop`."""
    step = scenario.step
    if not scenario.counters:
        return stop + step
    if scenario.proof.observes == "ratio":
        return stop + scenario.window
    t = stop + step
    while scenario.holds(scenario.observed(level, t, t0, stop)):
        t += step
    return t


def _input(
    scenario: Scenario,
    ctx: ServiceContext,
    service: Service,
    level: Decimal,
    healthy: Decimal,
    t0: int,
    stop: int | None,
    end: int,
) -> tuple[list[Series], list[dict[str, str]]]:
    step = scenario.step
    series = [
        s for spec in scenario.proof.series for s in _series_of(ctx, service, spec, level, healthy)
    ]
    # A ratio reads the same at any traffic: counters scaled to whole increments, exact.
    scale = Decimal(1)
    if scenario.proof.observes == "ratio":
        scale = integral_scale([s.per_second * step for s in series if s.kind == "counter"])
    rows = [
        {
            "series": _series_text(s.labels),
            "values": _values(
                s, step, t0 // step, None if stop is None else stop // step, end // step, scale
            ),
        }
        for s in series
    ]
    return series, rows


def _series_text(labels: dict[str, str]) -> str:
    from stackgen.prometheus.promql import quote

    inner = ",".join(f"{k}={quote(v)}" for k, v in labels.items() if k != NAME)
    return f"{labels[NAME]}{{{inner}}}"


def _records(stack: Stack, service: Service, ctx: ServiceContext) -> dict[str, tuple[str, dict]]:
    return {
        ctx.rec_name(r.record): (r.expr(ctx), {})
        for r in service_pack(stack.packs, service).records
    }


def _expected(alert: Alert, resolver: Resolver, value: float) -> dict[str, Any]:
    try:
        found = resolver.result(alert.expr)
    except (Unknown, ValueError) as exc:
        raise Unproven(f"its labels cannot be told: {exc}") from None
    found.pop(NAME, None)
    labels = {**found, **alert.labels, "alertname": alert.name}
    if any("{{" in v for v in labels.values()):
        raise Unproven("a templated label")
    try:
        annotations = {k: expand_template(v, labels, value) for k, v in alert.annotations.items()}
    except Unsupported as exc:
        raise Unproven(f"{exc} in an annotation") from None
    return {"exp_labels": labels, "exp_annotations": annotations}


def _test(name: str, step: int, rows: list, checks: list[tuple[int, list]], alert: str) -> dict:
    return {
        "name": name,
        "interval": format_duration(step),
        "input_series": rows,
        "alert_rule_test": [
            {"eval_time": format_duration(at), "alertname": alert, "exp_alerts": exp}
            for at, exp in checks
        ],
    }


def alert_tests(stack: Stack, service: Service, alert: Alert, step: int) -> list[dict[str, Any]]:
    """The fire, below and healthy scenarios of one alert; Unproven saying why not."""
    if alert.proof is None:
        raise Unproven("no proof scenario is declared for it (`proof:` of its pack alert)")
    ctx = service_context(stack, service)
    window = int(ctx.rate_seconds)
    threshold = None if alert.threshold is None else Decimal(clean_number(alert.threshold))
    scenario = Scenario(alert, alert.proof, threshold, window, step)
    firing, silent, healthy = scenario.levels()
    hold = int(parse_duration(alert.for_))
    t0 = -(-window // step) * step
    records = _records(stack, service, ctx)

    onset = _onset(scenario, firing, t0)
    fires = onset + hold
    stop = fires
    resolved = _resolved(scenario, firing, t0, stop)
    end = resolved + step
    series, rows = _input(scenario, ctx, service, firing, healthy, t0, stop, end)
    resolver = Resolver([s.labels for s in series], records)

    def expected(at: int) -> list[dict[str, Any]]:
        return [_expected(alert, resolver, _value(scenario, firing, at, t0, stop))]

    fire = _test(
        f"{alert.name}: {_text(firing)} from {format_duration(t0)} fires it at "
        f"{format_duration(fires)}, not before, and it resolves at {format_duration(resolved)}",
        step,
        rows,
        [
            (fires - step, []),
            (fires, expected(fires)),
            *([(resolved - step, expected(resolved - step))] if resolved - step > fires else []),
            (resolved, []),
        ],
        alert.name,
    )
    quiet = t0 + window + hold + step
    tests = [fire]
    for title, level in (("just short of its threshold", silent), ("healthy", healthy)):
        _, rows = _input(scenario, ctx, service, level, healthy, t0, None, quiet)
        tests.append(
            _test(
                f"{alert.name}: {_text(level)} ({title}) leaves it silent to "
                f"{format_duration(quiet)}",
                step,
                rows,
                [(onset + hold, []), (quiet, [])],
                alert.name,
            )
        )
    return tests


def proof_step(alerts: list[Alert], window: float) -> int:
    """The evaluation and sample interval: one that divides every `for` and the window."""
    return math.gcd(60, int(window), *(int(parse_duration(a.for_)) for a in alerts)) or 1
