"""Generated proofs of the SLO tiers, fed from the raw series the SLI reads (`up`, the request
counters, the latency histogram), so the SLI and every window's recording rule are proven with
the tier's alert.

Per tier and per window pair, on its own: after a healthy history as long as the pair's long
window, errors burn at 10% above the pair's burn rate; the tier is silent one evaluation before
it fires and firing exactly when it fires (bounded from below and above), and once the burn
stops it resolves within its short window. A burn 10% below the tier's slowest rate never
fires it, and healthy traffic fires nothing. When each tier fires follows from the window
arithmetic of rate() and avg_over_time() over aligned samples (Prometheus 2.42: both ends of a
range included), worked out exactly. Where the windows are recorded from the base window, a
query test per file checks that each one sums exactly its own spans, under traffic that grows
at every sample (the burns above are steady, which a span read from a nearby time hides).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

import promql_parser as ast

from stackgen.common.memo import BoundedMemo
from stackgen.common.values import clean_number, format_duration, parse_duration
from stackgen.packs.catalog import pack_for
from stackgen.plan.alert_proofs import INSTANCE, Unproven, counter_values, integral_scale
from stackgen.plan.alerts import Alert, service_context
from stackgen.plan.slos import histogram, ratio_record, slo_plan
from stackgen.prometheus.promql import parse, quote
from stackgen.prometheus.query import metric_name
from stackgen.spec import burn_rates as engine
from stackgen.spec.model import SLO, LatencySLI, RatioSLI, RequestsSLI, Service, Stack

ABOVE = Fraction(11, 10)
BELOW = Fraction(9, 10)
TRAFFIC = 10  # requests a second of a proof's service
BUSY = 10  # healthy traffic before a burn, times the burn's, where the history is weighed
# Errors in a pair's history, as a share of the slowest burn rate of any tier (under every
# threshold): a window that reads further back than its own sees them.
BACKGROUND = Fraction(9, 10)
SAMPLE_LIMIT = 10_000  # promtool's samples a query may load in tests
# Label values tried for a regex matcher: an error status, then a good one.
_CANDIDATES = ("500", "503", "5xx", "error", "failed", "false", "true")
_GOOD = ("200", "ok", "success", "true", "false", "2xx")
_LABEL_ACTION = re.compile(r"\{\{-?\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}")


class Tie(Unproven):
    """A window's ratio meets its threshold exactly: Prometheus's floats may fall either way."""


@dataclass(frozen=True)
class Burn:
    """Errors at `ratio` of the traffic from t0 (exclusive) to t1 (inclusive), healthy else."""

    ratio: Fraction
    t0: int
    t1: int | None = None
    # The history's weight: counters' traffic before t0 times the traffic after it; for `up`,
    # the targets scraped until `gone` (the one that burns and busy - 1 healthy others).
    busy: int = 1
    gone: int = 0
    # Errors at `background` of the traffic over (since, upto] of the history (derived windows
    # only): a window longer than the pair's own would see them.
    background: Fraction = Fraction(0)
    since: int = 0
    upto: int = 0


@dataclass(frozen=True)
class Model:
    """How the error ratio of each window follows a burn, as the rules record it at every
    evaluation (the test's interval, every group alike).

    `base` None (a `ratio` SLI, whose windows are its own expression): each window is a raw
    rate() over it. Else every window is derived from the base window's recorded rates: at each
    evaluation s the failed and all events over the base window (counters: their increases
    over (s - base, s], rate() from the first sample on, counters fed from 0 so it never
    extrapolates; `up`: count_over_time/sum_over_time of the samples in [s - base, s]), and a
    window's ratio at t is the ratio of their sums: for a window in `tiled` (the base and the
    windows the rules add up from consecutive shorter spans) over the rates recorded at t,
    t - base, t - 2 base ... (a span before the first rate adds nothing); for another over the
    recorded rates in [t - w, t] (Prometheus 2.42: both ends included)."""

    counters: bool
    step: int
    base: int | None = None
    tiled: frozenset[int] = frozenset()

    def ratio(self, burn: Burn, window: int, t: int) -> Fraction | None:
        if self.base is not None:
            return _derived(self, burn, window, t)
        start = max(0, t - window)
        if t - start < self.step:
            return None  # fewer than two samples
        end = t if burn.t1 is None else min(t, burn.t1)
        if self.counters:  # increases over the intervals (start, t]
            faulty = max(0, end - max(start, burn.t0))
            before = max(0, min(t, burn.t0) - start)
            return burn.ratio * Fraction(faulty, burn.busy * before + (t - start - before))
        # samples at start..t, both ends included; faulty from the sample after t0
        first = max(start, burn.t0 + self.step)
        faulty = (end - first) // self.step + 1 if end >= first else 0
        ratio = burn.ratio * Fraction(faulty, (t - start) // self.step + 1)
        # avg() over the targets: the others, healthy, count while the window holds them
        return ratio / burn.busy if burn.busy > 1 and start <= burn.gone else ratio


@dataclass
class _Sums:
    """Running sums of the recorded base rates' failed and all events (in units of one step's
    traffic, which cancel in a window's ratio): index k holds the sum over samples before k.
    `strided_*[k]` sums the rates recorded at k, k - every, k - 2 every ... (every: the base
    window in steps), so a tiled window's sum is a difference of two of them."""

    failed: list[Fraction]
    events: list[int]
    strided_failed: list[Fraction]
    strided_events: list[int]


# Per (model, burn), grown on demand.
_SUMS: BoundedMemo[tuple[Model, Burn], _Sums] = BoundedMemo(4096)


def _base_sums(model: Model, burn: Burn, upto: int) -> _Sums:
    """The running sums over samples 0..upto at least."""
    sums = _SUMS.get((model, burn), lambda: _Sums([Fraction(0)], [0], [], []))
    if len(sums.failed) > upto + 1:
        return sums
    step, base = model.step, model.base
    assert base is not None
    count = max(upto + 1, 2 * len(sums.failed))
    t1 = burn.t1

    def failed_share(k: int) -> Fraction:
        """The error ratio of sample k (counters: of the interval ending at it)."""
        u = k * step
        if burn.t0 < u and (t1 is None or u <= t1):
            return burn.ratio
        return burn.background if burn.since < u <= burn.upto else Fraction(0)

    if model.counters:
        # Increments of the interval ending at sample k (none at sample 0).
        n_inc = [(burn.busy if k * step <= burn.t0 else 1) if k else 0 for k in range(count)]
        f_inc = [failed_share(k) * n_inc[k] for k in range(count)]
    else:
        # Samples of `up` (the one that burns, the healthy others until `gone`).
        f_inc = [failed_share(k) for k in range(count)]
        others = burn.busy - 1 if burn.busy > 1 else 0
        n_inc = [1 + (others if k * step <= burn.gone else 0) for k in range(count)]
    built = _sums_of(model, f_inc, n_inc)
    # Grown in place: the memo keeps the object it handed out.
    sums.failed, sums.events = built.failed, built.events
    sums.strided_failed, sums.strided_events = built.strided_failed, built.strided_events
    return sums


def _sums_of(model: Model, f_inc: list[Fraction], n_inc: list[int]) -> _Sums:
    """The running sums of the base rates recorded at every sample, from each sample's failed
    and all events (counters: the increments of the interval ending at it; `up`: its samples)."""
    step, base = model.step, model.base
    assert base is not None
    count = len(f_inc)
    lag = base // step if model.counters else base // step + 1
    pf: list[Fraction] = [Fraction(0)]
    pn = [0]
    for k in range(count):
        pf.append(pf[-1] + f_inc[k])
        pn.append(pn[-1] + n_inc[k])
    every = base // step
    failed: list[Fraction] = [Fraction(0)]
    events = [0]
    strided_failed: list[Fraction] = []
    strided_events: list[int] = []
    for k in range(count):
        # rate() at s: the increments of (s - base, s]; count_over_time: the samples of
        # [s - base, s]
        lo = max(0, k + 1 - lag)
        # rate() needs two samples: no base rate is recorded at sample 0 for counters.
        recorded = not model.counters or k >= 1
        rate_failed = pf[k + 1] - pf[lo] if recorded else Fraction(0)
        rate_events = pn[k + 1] - pn[lo] if recorded else 0
        failed.append(failed[-1] + rate_failed)
        events.append(events[-1] + rate_events)
        earlier = k - every
        strided_failed.append(rate_failed + (strided_failed[earlier] if earlier >= 0 else 0))
        strided_events.append(rate_events + (strided_events[earlier] if earlier >= 0 else 0))
    return _Sums(failed, events, strided_failed, strided_events)


def _derived(model: Model, burn: Burn, window: int, t: int) -> Fraction | None:
    return _window_ratio(model, _base_sums(model, burn, t // model.step), window, t)


def _window_ratio(model: Model, sums: _Sums, window: int, t: int) -> Fraction | None:
    """A window's ratio at t: a tiled window's from the base rates recorded at t, t - base ...
    back to t - window (exclusive), another's from those recorded at samples in [t - window, t]."""
    step = model.step
    last = t // step
    if window in model.tiled:
        assert model.base is not None
        every = model.base // step
        # The rates recorded at last, last - every ... while above last - window (and >= 0).
        stop = max(-1, last - window // step)
        before = last - -(-(last - stop) // every) * every  # the first one not summed
        bad = sums.strided_failed[last] - (sums.strided_failed[before] if before >= 0 else 0)
        total = sums.strided_events[last] - (sums.strided_events[before] if before >= 0 else 0)
    else:
        first = max(0, -(-(t - window) // step))
        bad = sums.failed[last + 1] - sums.failed[first]
        total = sums.events[last + 1] - sums.events[first]
    if total <= 0:
        return None  # `> 0`: no events, no ratio
    return Fraction(bad, total)


def _holds(model: Model, plan: engine.Plan, tier: str, burn: Burn, t: int) -> bool:
    def above(window: int, threshold: Fraction) -> bool:
        if window % model.step and model.base is None:
            # Samples off this window's edges: its ratio is some weighting of the burn's and
            # healthy samples, never above the burn, so a burn at or under its threshold
            # cannot pass it; more cannot be told exactly.
            if burn.ratio <= threshold:
                return False
            raise Unproven(f"the {format_duration(window)} window is no multiple of the step")
        value = model.ratio(burn, window, t)
        if value is not None and value == threshold:
            raise Tie(f"a window's ratio equals its threshold at {format_duration(t)}")
        return value is not None and value > threshold

    return any(
        above(w.long, Fraction(w.error_ratio)) and above(w.short, Fraction(w.error_ratio))
        for w in plan.tier(tier)
    )


def _firing(model: Model, plan: engine.Plan, burn: Burn, t: int) -> list[str]:
    """The tiers firing at `t`: their condition held at every evaluation of the last `for`."""
    step = model.step
    firing = []
    for tier, hold in plan.for_.items():
        since = t - int(parse_duration(hold))
        # Pending since the last evaluation at or before `since` (a `for` need not be whole
        # steps: it fires at the first evaluation at least `for` after the condition held).
        if since >= 0 and all(
            _holds(model, plan, tier, burn, s) for s in range(since - since % step, t + 1, step)
        ):
            firing.append(tier)
    return firing


def _first(model: Model, plan: engine.Plan, burn: Burn, start: int, limit: int, want: bool,
           tier: str) -> int:  # fmt: skip
    t = start
    while t <= limit:
        if (tier in _firing(model, plan, burn, t)) == want:
            return t
        t += model.step
    raise Unproven(f"the {tier} tier does not {'fire' if want else 'resolve'} in its scenario")


def _satisfying(pattern: str, avoid: str | None = None) -> str | None:
    """A label value matching the RE2 `pattern` (and not `avoid`), from a few candidates."""
    simple = re.sub(r"\[([^\]])[^\]]*\]", r"\1", pattern.split("|")[0]).replace(".", "0")
    simple = re.sub(r"[\\^$()?*+]", "", simple)
    # A good status reads as one: `200` before whatever the pattern suggests.
    order = (*_GOOD, simple) if avoid else (simple, *_CANDIDATES)
    try:
        for value in order:
            if re.fullmatch(pattern, value) and (avoid is None or not re.fullmatch(avoid, value)):
                return value
    except re.error:  # RE2 that Python's re does not read
        return None
    return None


def _parsed(text: str) -> ast.Expr:
    try:
        return parse(text)
    except ValueError as exc:
        raise Unproven(f"`{text}`: {exc}") from None


def _labels_of(text: str, avoid: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """A series (name, labels) the selector `text` selects; with `avoid`, one the regex or
    equality matchers of `avoid` (label -> RE2) do not select."""
    node = _parsed(text)
    if not isinstance(node, ast.VectorSelector) or metric_name(node) is None:
        raise Unproven(f"`{text}` is not a selector with a metric name")
    labels: dict[str, str] = {}
    for matcher in node.matchers.matchers:
        if matcher.name == "__name__":
            continue
        op, value = str(matcher.op), str(matcher.value)
        if op.endswith(".Equal"):
            labels[matcher.name] = value
        elif op.endswith(".Re"):
            found = _satisfying(value, (avoid or {}).get(matcher.name))
            if found is None:
                raise Unproven(f"no label value of `{text}` could be found")
            labels[matcher.name] = found
    for label, pattern in (avoid or {}).items():
        if label not in labels:
            found = _satisfying(".*", pattern)
            if found is None:
                raise Unproven(f"no series of `{text}` escapes `{label}=~{pattern}`")
            labels[label] = found
    return str(metric_name(node)), labels


def _matchers(text: str) -> dict[str, str]:
    """label -> RE2 of a selector's matchers (equality as its literal)."""
    node = _parsed(text)
    if not isinstance(node, ast.VectorSelector):
        raise Unproven(f"`{text}` is not a selector")
    out = {}
    for m in node.matchers.matchers:
        op = str(m.op)
        if op.endswith(".Re"):
            out[m.name] = str(m.value)
        elif op.endswith(".Equal") and m.name != "__name__":
            out[m.name] = re.escape(str(m.value))
    return out


# A raw series: (name, labels, kind, its value per sample as a function of (sample's error
# ratio, errors so far, samples so far)).
Raw = tuple[str, dict[str, str], str, str]  # name, labels, "good"|"bad"|"total"|"up", unit


def _raw(stack: Stack, service: Service, slo: SLO) -> tuple[bool, list[Raw]]:
    """The SLI's raw series with their role: `up` (a gauge at 1 - error ratio), `total`,
    `bad` (errors) and `good` (the rest) counters."""
    ctx = service_context(stack, service)
    job = {"job": ctx.job}
    sli = slo.sli
    if isinstance(sli, RatioSLI):
        # An expression of its own: no raw series can be derived. The tiers are proven from
        # its windows' recorded ratios instead (as the SLI's rules would record them).
        identity = {"service": service.name, "slo": slo.name}
        return True, [
            (ratio_record(w), identity, f"recorded:{w}", "") for w in slo_plan(slo).ranges
        ]
    # The service is up throughout (alerts that read `up`, such as a page tier held back
    # while ServiceDown fires, see it scraped).
    alive: Raw = (ctx.metrics["up"], job, "alive", "")
    if isinstance(sli, LatencySLI):
        name = histogram(ctx, slo)
        if name is None:
            raise Unproven("the SLI names no histogram")
        le = clean_number(sli.threshold)
        return True, [
            (f"{name}_bucket", {**job, "le": le}, "good", ""),
            (f"{name}_bucket", {**job, "le": "+Inf"}, "total", ""),
            (f"{name}_count", job, "total", ""),
            alive,
        ]
    if isinstance(sli, RequestsSLI):
        if sli.total is not None and sli.errors is not None:
            total, failed = sli.total, sli.errors
        else:
            pack = pack_for(service.kind)
            if pack.requests_sli is None:
                raise Unproven(f"the kind {service.kind} has no request counters")
            total, failed = pack.requests_sli(ctx)
        total_name, total_labels = _labels_of(total)
        bad_name, bad_labels = _labels_of(failed)
        if bad_name != total_name:
            return True, [
                (total_name, {**job, **total_labels}, "total", ""),
                (bad_name, {**job, **bad_labels}, "bad", ""),
                alive,
            ]
        extra = {k: v for k, v in _matchers(failed).items() if k not in _matchers(total)}
        _, good_labels = _labels_of(total, extra)
        if bad_labels == good_labels:
            raise Unproven("the errors selector selects every request")
        return True, [
            (total_name, {**job, **bad_labels}, "bad", ""),
            (total_name, {**job, **good_labels}, "good", ""),
            alive,
        ]
    return False, [(ctx.metrics["up"], job, "up", "")]


def _number(value: Fraction) -> str:
    return clean_number(float(value)) if value.denominator != 1 else str(value.numerator)


def _exact(value: Fraction) -> str:
    """A decimal for promtool: exact where it terminates, else 15 significant digits."""
    return format(float(value), ".15g")


def _recorded(window: int, burn: Burn, step: int, end: int) -> str:
    """A window's recorded error ratio at samples 0..end, as the model has it: runs of one
    value as `vxn`, others one by one (`_` where the window holds no ratio yet)."""
    model = Model(True, step)
    values = []
    for t in range(0, end + 1, step):
        ratio = model.ratio(burn, window, t)
        values.append("_" if ratio is None else _exact(ratio))
    parts, i = [], 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        parts.append(values[i] if j == i else f"{values[i]}x{j - i}")
        i = j + 1
    return " ".join(parts)


@lru_cache(maxsize=4096)
def _values(role: str, burn: Burn, step: int, end: int) -> str:
    """A raw series' samples 0..end under `burn` (promtool's expanding notation)."""
    if role.startswith("recorded:"):
        return _recorded(int(role.split(":")[1]), burn, step, end)
    count = end // step
    per = Fraction(TRAFFIC * step)
    t1 = count if burn.t1 is None else min(count, burn.t1 // step)
    t0 = burn.t0 // step

    def rate(e: Fraction, busy: int = 1) -> Fraction:
        if role == "up":
            return 1 - e
        if role == "total":
            return per * busy
        if role == "bad":
            return per * busy * e
        return per * busy * (1 - e)

    # The history: healthy, but at the background error ratio over (since, upto] if it has one.
    since = min(t0, burn.since // step) if burn.background else t0
    upto = min(t0, burn.upto // step) if burn.background else t0
    zero = Fraction(0)
    if role == "alive":
        return f"1x{count}"
    if role == "up":
        parts = [f"{_exact(rate(zero))}x{since}"]
        if upto > since:
            parts.append(f"{_exact(rate(burn.background))}x{upto - since - 1}")
        if t0 > upto:
            parts.append(f"{_exact(rate(zero))}x{t0 - upto - 1}")
        if t1 > t0:
            parts.append(f"{_exact(rate(burn.ratio))}x{t1 - t0 - 1}")
        if count > t1:
            parts.append(f"{_exact(rate(zero))}x{count - t1 - 1}")
        return " ".join(parts)
    # Ratios read the same at any traffic: scaled to whole increments, which promtool sums
    # exactly.
    segments = [
        (rate(zero, burn.busy), since),
        *([(rate(burn.background, burn.busy), upto - since)] if upto > since else []),
        *([(rate(zero, burn.busy), t0 - upto)] if t0 > upto else []),
        (rate(burn.ratio), t1 - t0),
        (rate(zero), count - t1),
    ]
    # One scale for every counter of the test (a ratio of two counters scaled apart is off).
    per_step = Fraction(TRAFFIC * step)
    every = [per_step * burn.busy, per_step, per_step * burn.ratio, per_step * (1 - burn.ratio)]
    every += [per_step * burn.busy * burn.background, per_step * burn.busy * (1 - burn.background)]
    scale = integral_scale([Decimal(i.numerator) / Decimal(i.denominator) for i in every])
    return counter_values(
        [(Decimal(i.numerator) / Decimal(i.denominator) * scale, n) for i, n in segments]
    )


def _expand(text: str, labels: dict[str, str]) -> str:
    """Annotations as Prometheus writes them: SLO alerts' templates use `$labels` only."""
    return _LABEL_ACTION.sub(lambda m: labels.get(m.group(1), ""), text)


def _expected(alerts: dict[str, Alert], tiers: list[str]) -> list[dict[str, Any]]:
    expected = []
    for tier in tiers:
        labels = {**alerts[tier].labels, "alertname": alerts[tier].name}
        annotations = {k: _expand(v, labels) for k, v in alerts[tier].annotations.items()}
        expected.append({"exp_labels": labels, "exp_annotations": annotations})
    return expected


def tier_step(plan: engine.Plan, tier: str, base: int | None = None) -> int:
    """A tier's evaluation and sample interval: divides its `for` (so a `for` one step off is
    seen) and its windows, and at most 5m or the base window if longer (a 90d period's 15m),
    so every raw window holds enough samples and long periods' proofs take fewer steps; the other
    tiers' windows need not divide by it (`_holds`). A tier's tests span a few of its own
    windows, so its step keeps them under promtool's 10,000 samples a query (checked). It
    divides the `base` window too, whose rates every derived window sums (rate() then reads
    whole steps and never extrapolates)."""
    windows = [x for w in plan.tier(tier) for x in (w.long, w.short)]
    cap = max(300, base or 0)
    step = math.gcd(int(parse_duration(plan.for_[tier])), cap, *windows, *([base] if base else []))
    if base and (max(plan.ranges) // step + 1) * 2 > SAMPLE_LIMIT:
        # A base window that is no whole number of minutes (a 7d or 28d period) leaves the
        # step too fine for promtool's samples: the windows and the base alone set it, and
        # the `for` is held from the last evaluation before it began (`_firing`).
        step = math.gcd(*windows, base)
    return step


@dataclass(frozen=True)
class _Tests:
    """What every test of one SLO's tier shares."""

    slo: SLO
    plan: engine.Plan
    tiers: dict[str, Alert]
    raw: list[Raw]
    identity: dict[str, str]
    model: Model

    def series(self, name: str, labels: dict[str, str]) -> str:
        scraped = {} if name.startswith("slo:") else self.identity  # recorded: no target
        inner = ",".join(f"{k}={quote(v)}" for k, v in {**labels, **scraped}.items())
        return f"{name}{{{inner}}}"

    def windows_test(self, service: str, longest: int) -> dict[str, Any]:
        """Every window up to `longest` records exactly the errors of its own spans, under
        traffic that grows at every sample (`_growing`): once the longest window is full, and
        while each fills, a step past the start of each of its spans (a span read from
        another time then reads one before the first sample, or a different one). Ratios
        within a billionth: floats."""
        model, step = self.model, self.model.step
        base = model.base
        assert base is not None
        at = -(-(longest + base) // step) * step
        failed, events = _growing(model.counters, at // step + 1)
        sums = _sums_of(model, failed, events)
        spans = engine.tiling(self.plan)
        selector = f"service={quote(service)},slo={quote(self.slo.name)}"
        checks = []
        for window in (w for w in self.plan.ranges if w <= longest):
            span, count = spans.get(window, (base, window // base))
            for t in sorted({*(step + j * span for j in range(count)), at}):
                ratio = _window_ratio(model, sums, window, t)
                assert ratio is not None and ratio > 0
                checks.append(
                    {
                        "comment": f"{format_duration(window)} at {format_duration(t)}: "
                        f"{_exact(ratio)}",
                        "expr": f"abs(sum({ratio_record(window)}{{{selector}}}) / "
                        f"{format(float(ratio), '.17g')} - 1) < bool 1e-9",
                        "eval_time": format_duration(t),
                        "exp_samples": [{"labels": "{}", "value": 1}],
                    }
                )
        return {
            "name": (
                f"{self.slo.name}: under errors and traffic that grow at every sample, each "
                f"window's ratio is exactly that of its own spans, while it fills and at "
                f"{format_duration(at)}"
            ),
            "interval": format_duration(step),
            "input_series": [
                {"series": self.series(n, labels), "values": _growing_values(role, failed, events)}
                for n, labels, role, _ in self.raw
            ],
            "promql_expr_test": checks,
        }

    def others(self, burn: Burn) -> list[dict[str, str]]:
        """The healthy targets beside the one that burns, scraped until `burn.gone`."""
        if self.model.counters or burn.busy == 1:
            return []
        name, labels, _, _ = self.raw[0]
        return [
            {
                "series": self.series(name, labels).replace(
                    f"instance={quote(INSTANCE)}", f"instance={quote(f'target-{n}')}"
                ),
                "values": f"1x{burn.gone // self.model.step}",
            }
            for n in range(2, burn.busy + 1)
        ]

    def test(self, scenario: Scenario) -> dict[str, Any]:
        title, burn, checks, end = scenario
        step = self.model.step
        # A window's query reads the series of one metric name at most.
        names = [r[0] for r in self.raw if r[2] != "alive"]
        widest = max((names.count(n) for n in names), default=0)
        loaded = (min(end, max(self.plan.ranges)) // step + 1) * widest + (burn.busy - 1) * (
            burn.gone // step + 1
        ) * (not self.model.counters)
        if loaded > SAMPLE_LIMIT:
            raise Unproven(
                f"a window would load {loaded} samples in promtool, over its {SAMPLE_LIMIT}"
            )
        alertname = next(iter(self.tiers.values())).name
        return {
            "name": f"{self.slo.name}: {title}",
            "interval": format_duration(step),
            "input_series": [
                {"series": self.series(n, labels), "values": _values(role, burn, step, end)}
                for n, labels, role, _ in self.raw
            ]
            + self.others(burn),
            "alert_rule_test": [
                {
                    "eval_time": format_duration(t),
                    "alertname": alertname,
                    "exp_alerts": _expected(self.tiers, list(firing)),
                }
                for t, firing in checks
            ],
        }


def _history(model: Model, burn: Burn, budget: Fraction) -> str:
    said = []
    if burn.busy > 1 and model.counters:
        said.append(f"{burn.busy}x busier traffic")
    elif burn.busy > 1:
        said.append(f"{burn.busy - 1} more healthy targets, gone at {format_duration(burn.gone)}")
    if burn.background:
        said.append(
            f"errors at {_number(burn.background / budget)}x from {format_duration(burn.since)} "
            f"to {format_duration(burn.upto)}"
        )
    return f" (after {', '.join(said)})" if said else ""


def _pair_scenario(model: Model, plan: engine.Plan, tier: str, pair: engine.Window) -> Scenario:
    """One window pair on its own: fires exactly when it should, resolves after the burn. The
    healthy history is as long as the tier's longest window, so no other pair of the tier
    reads a window shorter than its own (a partial window over-weighs the burn)."""
    step = model.step
    history = max(w.long for w in plan.tier(tier))
    # A weighed history dilutes every longer window, so a pair whose burn a longer pair would
    # also catch (the ticket tier's 1d pair: its 10% in 1d is the 3d pair's 10% in 3d) fires
    # on its own: ten times busier healthy traffic (counters), or for `up` (a sample average
    # per target) nine more healthy targets, gone before the pair's long window begins.
    busy = BUSY if pair.long < history else 1
    hold = int(parse_duration(plan.for_[tier]))
    rate = Fraction(pair.burn_rate) * ABOVE
    # Errors in the history's last long window, up to where the pair's own window (with the
    # base window its rates cover) has left them when it fires (derived windows: the model sums
    # them exactly): a long window doubled still reads them then, and fires it sooner; the
    # pair's resolution stays the short window's alone.
    slowest = min(Fraction(w.burn_rate) for w in plan.windows)
    background = slowest * BACKGROUND * Fraction(plan.budget) if model.base else Fraction(0)
    reach = pair.long + (model.base or 0) + step  # how far back the long window reads
    for shift in range(6):
        # A step more where some window's ratio would meet a threshold exactly (floats may
        # fall either way).
        t0 = history + shift * step
        gone = t0 - pair.long - step
        since, limit = t0 - pair.long, t0 + 2 * pair.long + hold + step
        ratio = rate * Fraction(plan.budget)
        try:
            plain = Burn(ratio, t0, None, busy, gone)
            burn, fires = plain, _first(model, plan, plain, t0, limit, True, tier)
            # Errors fire it sooner, which moves where its window begins: shrink them until
            # the window at the firing has left them (none if it never does).
            upto = fires - reach
            # A tie moves the burn a step, which moves these errors with it: their level moves
            # too, so the next try differs.
            level = background * (1 - Fraction(shift, 10))
            while level and upto > since:
                burn = Burn(ratio, t0, None, busy, gone, level, since, upto)
                fires = _first(model, plan, burn, t0, limit, True, tier)
                if fires - reach >= upto:
                    break
                upto = fires - reach
            else:
                burn, fires = plain, _first(model, plan, plain, t0, limit, True, tier)
            stopped = Burn(ratio, t0, fires, busy, gone, burn.background, burn.since, burn.upto)
            resolves = _first(model, plan, stopped, fires, fires + 3 * pair.long, False, tier)
            for t in range(0, resolves + 2 * step, step):
                _firing(model, plan, stopped, t)
        except Tie:
            if shift == 5:
                raise
            continue
        within = "within" if resolves - fires <= pair.short else "after"
        checks = [fires - step, fires, *([resolves - step] if resolves - step > fires else [])]
        return (
            f"{tier} tier, {format_duration(pair.long)}/{format_duration(pair.short)} pair: a "
            f"burn of {_number(rate)}x from {format_duration(t0)}"
            f"{_history(model, burn, Fraction(plan.budget))} fires it at "
            f"{format_duration(fires)}, not before; stopped then, it resolves at "
            f"{format_duration(resolves)}, {within} its short window",
            stopped,
            _checks(model, plan, stopped, [*checks, resolves]),
            resolves + step,
        )
    raise AssertionError("unreachable")


# A test without its service: (title, burn, (evaluation time, tiers firing then), last sample).
Scenario = tuple[str, Burn, tuple[tuple[int, tuple[str, ...]], ...], int]
# Per distinct SLO arithmetic: a fleet shares a handful, and each costs thousands of
# evaluations of the window arithmetic. Bounded: a worker planning service after service must
# not grow with every new objective.
_SCENARIOS: BoundedMemo[tuple[Any, ...], dict[int, list[Scenario]]] = BoundedMemo(1024)


def _checks(
    model: Model, plan: engine.Plan, burn: Burn, times: list[int]
) -> tuple[tuple[int, tuple[str, ...]], ...]:
    return tuple((t, tuple(_firing(model, plan, burn, t))) for t in times)


def _scenarios(
    plan: engine.Plan, tiers: tuple[str, ...], counters: bool, derived: bool
) -> dict[int, list[Scenario]]:
    key = (
        plan.budget, plan.windows, plan.recorded, tuple(plan.for_.items()), tiers, counters,
        derived, plan.ranges[0], plan.period,
    )  # fmt: skip
    return _SCENARIOS.get(key, lambda: _compute_scenarios(plan, tiers, counters, derived))


def _model(plan: engine.Plan, tier: str, counters: bool, derived: bool) -> Model:
    """The tier's model: windows derived from the base window's rates unless `derived` is
    False (a `ratio` SLI's windows are its own expression)."""
    base = plan.ranges[0] if derived else None
    return Model(counters, tier_step(plan, tier, base), base, _tiled(plan, derived))


def _tiled(plan: engine.Plan, derived: bool) -> frozenset[int]:
    """The windows the rules add up from consecutive base windows (the base's own included)."""
    windows = {*plan.ranges, plan.period}
    return frozenset(w for w in windows if derived and engine.base_spans(plan, w) is not None)


def _compute_scenarios(
    plan: engine.Plan, tiers: tuple[str, ...], counters: bool, derived: bool
) -> dict[int, list[Scenario]]:
    out: dict[int, list[Scenario]] = {}
    for tier in tiers:
        model = _model(plan, tier, counters, derived)
        step = model.step
        hold = int(parse_duration(plan.for_[tier]))
        found = [_pair_scenario(model, plan, tier, pair) for pair in plan.tier(tier)]
        slow = min(Fraction(w.burn_rate) for w in plan.tier(tier)) * BELOW
        longest = max(w.long for w in plan.tier(tier))
        quiet = 2 * longest + hold + step
        burn = Burn(slow * Fraction(plan.budget), longest)
        found.append(
            (
                f"{tier} tier: a burn of {_number(slow)}x from {format_duration(longest)} leaves "
                f"it silent to {format_duration(quiet)}",
                burn,
                _checks(model, plan, burn, [longest + hold, quiet]),
                quiet,
            )
        )
        if tier == tiers[0]:
            healthy = Burn(Fraction(0), 0)
            found.append(
                (
                    f"healthy traffic fires nothing to {format_duration(longest + hold)}",
                    healthy,
                    _checks(model, plan, healthy, [hold + step, longest + hold]),
                    longest + hold,
                )
            )
        out.setdefault(step, []).extend(found)
    return out


def slo_tests(
    stack: Stack, service: Service, slo: SLO, alerts: list[Alert]
) -> dict[int, list[dict[str, Any]]]:
    """The SLO's tests by evaluation interval; Unproven saying why there are none."""
    plan = slo_plan(slo)
    tiers = {a.labels["slo_tier"]: a for a in alerts if "slo_tier" in a.labels}
    if not tiers:
        return {}
    counters, raw = _raw(stack, service, slo)
    derived = not isinstance(slo.sli, RatioSLI)
    identity = {"instance": INSTANCE, **service.labels}
    out: dict[int, list[dict[str, Any]]] = {}
    for step, found in _scenarios(plan, tuple(tiers), counters, derived).items():
        model = Model(counters, step, plan.ranges[0] if derived else None, _tiled(plan, derived))
        tests = _Tests(slo, plan, tiers, raw, identity, model)
        out[step] = [tests.test(s) for s in found]
        if derived:
            longest = max(
                w.long
                for t in tiers
                for w in plan.tier(t)
                if tier_step(plan, t, plan.ranges[0]) == step
            )
            out[step].append(tests.windows_test(service.name, longest))
    return out


def _growing(counters: bool, count: int) -> tuple[list[Fraction], list[int]]:
    """Failed and all events of samples 0..count - 1, more at each sample than at the one
    before, so a span read from another time or over another range sums to another ratio:
    counters increase by k errors and count + k other requests over the interval ending at
    sample k; `up` is 1 - k / (2 count) at sample k."""
    if counters:
        return [Fraction(k) for k in range(count)], [
            count + 2 * k if k else 0 for k in range(count)
        ]
    return [Fraction(k, 2 * count) for k in range(count)], [1] * count


def _growing_values(role: str, failed: list[Fraction], events: list[int]) -> str:
    """A raw series' samples under `_growing` (counters cumulative from 0)."""
    if role == "alive":
        return f"1x{len(failed) - 1}"
    if role == "up":
        return " ".join(_exact(1 - f) for f in failed)
    values, bad, total = [], 0, 0
    for f, n in zip(failed, events, strict=True):
        bad, total = bad + int(f), total + n
        values.append({"bad": bad, "good": total - bad, "total": total}[role])
    return " ".join(str(v) for v in values)
