"""The live stack: the example spec with the test profile, rendered by stackgen, run by the real
Prometheus and Alertmanager against the fakes, and what a test asks of it."""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import yaml

from stackgen.common.values import parse_duration
from stackgen.plan.meta import WATCHDOG
from stackgen.spec import Stack, load_stack
from stackgen.spec.model import EmailChannel, Route
from tests.helpers import SPECS, render_files, run_tool, write_tree
from tests.live import processes
from tests.live.fakes import Exporter, HttpReceiver, Received, Recorder, SmtpServer
from tests.live.notifications import Delivery, decode
from tests.live.processes import LOOPBACK, Process, free_port, http_json
from tests.live.profile import Endpoints, live_profile

T = TypeVar("T")
ROUTING_MATRIX = "alertmanager/tests/routing.yml"
STARTUP_TIMEOUT = 20.0


class Timings:
    """How long each phase took, printed with the test's output."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, float]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.phases.append((name, time.monotonic() - started))
            print(f"[live] {name}: {self.phases[-1][1]:.1f}s")

    def __str__(self) -> str:
        lines = [f"  {name:<52} {seconds:5.1f}s" for name, seconds in self.phases]
        total = sum(seconds for _, seconds in self.phases)
        return "\n".join([*lines, f"  {'total':<52} {total:5.1f}s"])


def poll(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.2) -> T:
    """`check()`'s first truthy answer; AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(every)


@dataclass(frozen=True)
class MatrixEntry:
    labels: Mapping[str, str]
    receivers: frozenset[str]


@dataclass(frozen=True)
class RoutingMatrix:
    """alertmanager/tests/routing.yml as stackgen renders it: every alert the rules generate,
    with its labels and the receivers it must reach. The live test reads the profiled render's,
    which test_profile.py proves is the example's."""

    entries: tuple[MatrixEntry, ...]

    @classmethod
    def load(cls, path: Path) -> RoutingMatrix:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            tuple(
                MatrixEntry(entry["labels"], frozenset(entry["receivers"]))
                for entry in document["alerts"]
            )
        )

    def receivers(
        self, alertname: str | None, service: str | None, severity: str | None
    ) -> frozenset[str]:
        """Where an alert group must go; AssertionError when the matrix does not say."""
        found = {
            entry.receivers
            for entry in self.entries
            if entry.labels.get("alertname") == alertname
            and entry.labels.get("service") == service
            and (severity is None or entry.labels.get("severity") == severity)
        }
        if len(found) != 1:
            raise AssertionError(
                f"the routing matrix names {len(found)} receiver sets for {alertname} on "
                f"{service} ({severity}): {found}"
            )
        return found.pop()


@dataclass
class LiveStack:
    stack: Stack  # the profiled stack that runs
    out: Path  # what stackgen rendered from it
    matrix: RoutingMatrix
    exporter: Exporter
    recorder: Recorder[Received]
    endpoints: Endpoints
    prometheus: Process | None = None
    alertmanager: Process | None = None
    timings: Timings = field(default_factory=Timings)

    # --- the stack's own settings ---------------------------------------------------------------

    @property
    def scrape_interval(self) -> float:
        return parse_duration(self.stack.prometheus.scrape_interval)

    @property
    def evaluation_interval(self) -> float:
        return parse_duration(self.stack.prometheus.evaluation_interval)

    @property
    def group_wait(self) -> float:
        return parse_duration(self.stack.routing.group_wait)

    @property
    def group_interval(self) -> float:
        return parse_duration(self.stack.routing.group_interval)

    @property
    def receiver_names(self) -> set[str]:
        return {channel.name for channel in self.stack.channels}

    def sends_resolved(self, receiver: str) -> bool:
        return next(c.send_resolved for c in self.stack.channels if c.name == receiver)

    def rule(self, service: str, alertname: str) -> dict[str, Any]:
        """The alerting rule stackgen rendered, from prometheus/rules/<service>.yml."""
        path = self.out / "prometheus" / "rules" / f"{service}.yml"
        groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
        rules = [r for g in groups for r in g["rules"] if r.get("alert") == alertname]
        assert len(rules) == 1, f"{path}: {len(rules)} rules alert {alertname}"
        return rules[0]

    # --- what the fakes received ---------------------------------------------------------------

    def deliveries(self) -> list[Delivery]:
        """What the fakes received, but the Watchdog's (it arrives whatever a test does)."""
        return self._decode(self.recorder.items)

    def all_deliveries(self) -> list[Delivery]:
        """What the fakes received, the Watchdog's included."""
        return self._decode(self.recorder.items, watchdog=True)

    def _decode(self, items: list[Received], watchdog: bool = False) -> list[Delivery]:
        email = {
            frozenset(c.to): c.name for c in self.stack.channels if isinstance(c, EmailChannel)
        }
        decoded = [decode(item, email) for item in items]
        return [d for d in decoded if watchdog or d.alertname != WATCHDOG]

    def wait_for_deliveries(
        self, predicate: Callable[[list[Delivery]], bool], timeout: float, what: str
    ) -> list[Delivery]:
        items = self.recorder.wait_for(lambda xs: predicate(self._decode(xs)), timeout, what)
        return self._decode(items)

    def grace(self) -> None:
        """Alertmanager notifies every receiver of an alert from the same flush: once the
        expected notifications are in, one group interval more shows any stray one."""
        time.sleep(self.group_interval)

    # --- Prometheus and Alertmanager -----------------------------------------------------------

    @property
    def prometheus_url(self) -> str:
        return f"http://{self.endpoints.prometheus}"

    @property
    def alertmanager_url(self) -> str:
        return f"http://{self.endpoints.alertmanager}"

    def targets(self) -> list[dict[str, Any]]:
        return http_json(f"{self.prometheus_url}/api/v1/targets")["data"]["activeTargets"]

    def prometheus_alerts(self, state: str | None = None) -> list[dict[str, Any]]:
        """Prometheus's pending and firing alerts (only those in `state` when given), but the
        Watchdog, which always fires."""
        alerts = http_json(f"{self.prometheus_url}/api/v1/alerts")["data"]["alerts"]
        return [
            a
            for a in alerts
            if (state is None or a["state"] == state) and a["labels"]["alertname"] != WATCHDOG
        ]

    def alertmanager_alerts(self) -> list[dict[str, Any]]:
        """Alertmanager's unresolved alerts, inhibited and silenced ones included, but the
        Watchdog."""
        alerts = http_json(f"{self.alertmanager_url}/api/v2/alerts")
        return [a for a in alerts if a["labels"].get("alertname") != WATCHDOG]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query's result now."""
        url = f"{self.prometheus_url}/api/v1/query?query={urllib.parse.quote(expr)}"
        return http_json(url)["data"]["result"]

    def post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        http_json(f"{self.alertmanager_url}/api/v2/alerts", body=alerts)

    def wait_for_evaluations(self, count: int) -> None:
        """Until every rule group has been evaluated `count` more times, each at its own
        interval (the SLO's long windows are evaluated less often)."""
        groups = http_json(f"{self.prometheus_url}/api/v1/rules")["data"]["groups"]
        now = datetime.now(timezone.utc)
        since = {g["name"]: now + timedelta(seconds=(count - 1) * g["interval"]) for g in groups}

        def evaluated() -> bool:
            groups = http_json(f"{self.prometheus_url}/api/v1/rules")["data"]["groups"]
            return all(_timestamp(g["lastEvaluation"]) > since[g["name"]] for g in groups)

        longest = max((g["interval"] for g in groups), default=self.evaluation_interval)
        poll(evaluated, count * longest + 10, f"{count} rule evaluations")

    def targets_up(self, *, but: tuple[str, ...] = ()) -> bool:
        targets = [t for t in self.targets() if t["labels"]["job"] not in but]
        return bool(targets) and all(t["health"] == "up" for t in targets)

    def quiet(self, timeout: float = 30.0) -> None:
        """Wait until the stack is at rest (every target up, no alert firing in Prometheus,
        none unresolved in Alertmanager), then forget what the fakes received so far."""
        poll(
            lambda: (
                self.targets_up()
                and not self.prometheus_alerts("firing")
                and not self.alertmanager_alerts()
            ),
            timeout,
            "a quiet stack (all targets up, no alert firing)",
        )
        self.recorder.clear()

    def amtool_receivers(self, labels: Mapping[str, str]) -> frozenset[str]:
        """Where the real `amtool config routes test` routes these labels."""
        config = self.out / "alertmanager" / "alertmanager.yml"
        result = run_tool(
            "amtool",
            "config",
            "routes",
            "test",
            f"--config.file={config}",
            *(f"{k}={v}" for k, v in labels.items()),
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return frozenset(result.stdout.strip().split(","))

    def canaries(self) -> list[tuple[dict[str, str], frozenset[str]]]:
        """Alerts to post straight to Alertmanager that together reach every receiver, each
        with the receivers the real amtool routes it to. Their labels are the stack's external
        labels, alone (for the default route) or with the team, severity and the labels routes
        `match` (the example's `component`) of an alert of the routing matrix; a name of their own keeps them out of each other's inhibitions. Labels
        that would reach a route muted or active only at certain times are left out: what
        reaches it depends on the clock."""
        info = self.stack.stack
        external = {"stack": info.name, "environment": info.environment, **info.external_labels}
        candidates = [external]
        routed = ["team", "severity", *sorted(_matched_labels(self.stack.routing.routes))]
        for entry in self.matrix.entries:
            labels = {**external, **{k: entry.labels[k] for k in routed if k in entry.labels}}
            if labels not in candidates and not time_gated(labels, self.stack.routing.routes):
                candidates.append(labels)
        canaries: dict[frozenset[str], dict[str, str]] = {}
        for labels in candidates:
            canaries.setdefault(self.amtool_receivers(labels), labels)
        return [
            ({**labels, "alertname": f"LiveTestCanary{i}"}, receivers)
            for i, (receivers, labels) in enumerate(canaries.items(), start=1)
        ]

    def log_tails(self) -> list[tuple[str, str]]:
        return [(p.name, p.tail()) for p in (self.prometheus, self.alertmanager) if p is not None]


def _timestamp(text: str) -> datetime:
    # Go writes nanoseconds; Python's fromisoformat takes up to microseconds.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))
    return datetime.fromisoformat(text)


def summary_pattern(template: str, labels: Mapping[str, str]) -> re.Pattern[str]:
    """A rule's summary template as a regex: `{{ $labels.x }}` is the label's value where known,
    any other action (`{{ $value | humanizePercentage }}`) any text."""
    parts = re.split(r"(\{\{.*?\}\})", template)
    pattern = ""
    for part in parts:
        action = re.fullmatch(r"\{\{\s*\$labels\.(\w+)\s*\}\}", part)
        if action and action[1] in labels:
            pattern += re.escape(labels[action[1]])
        elif part.startswith("{{"):
            pattern += ".+?"
        else:
            pattern += re.escape(part)
    return re.compile(pattern)


def _matched_labels(routes: list[Route]) -> set[str]:
    """The labels routes (at any depth) `match` on, beside severity, team and service."""
    return {k for route in routes for k in (*route.match, *_matched_labels(route.routes))}


def time_gated(labels: Mapping[str, str], routes: list[Route]) -> bool:
    """Whether the labels match a route (at any depth) that only notifies at certain times:
    what reaches it depends on the clock, so it cannot prove a fake is wired."""

    def among(value: str | None, values: str | list[str]) -> bool:
        return value in (values if isinstance(values, list) else [values])

    for route in routes:
        matches = (
            (not route.severity or labels.get("severity") in route.severity)
            and (not route.team or among(labels.get("team"), route.team))
            and (not route.service or among(labels.get("service"), route.service))
            and all(among(labels.get(k), v) for k, v in route.match.items())
        )
        gated = route.mute_time_intervals or route.active_time_intervals
        if (matches and gated) or time_gated(labels, route.routes):
            return True
    return False


@contextmanager
def live_stack(
    tmp: Path, prometheus: str, alertmanager: str, *, compress: bool = True
) -> Iterator[LiveStack]:
    """The example stack, running; everything started here is stopped when the block ends.
    `compress=False`: the example's own intervals, pending periods and waits (real time)."""
    timings = Timings()
    with ExitStack() as cleanup:
        with timings.phase("fakes started, profiled example rendered"):
            example = load_stack(SPECS)
            recorder: Recorder[Received] = Recorder()
            receivers = HttpReceiver(recorder)
            cleanup.callback(receivers.close)
            smtp = SmtpServer(recorder)
            cleanup.callback(smtp.close)
            exporter = Exporter(example.services, example.packs)
            cleanup.callback(exporter.close)
            endpoints = Endpoints(
                prometheus=f"{LOOPBACK}:{free_port()}",
                alertmanager=f"{LOOPBACK}:{free_port()}",
                targets=exporter.addresses(),
                receivers_url=receivers.url,
                smtp=smtp.address,
            )
            profiled = live_profile(example, endpoints, tmp / "secrets", compress=compress)
            out = tmp / "out"
            write_tree(out, render_files(profiled))
            live = LiveStack(
                stack=profiled,
                out=out,
                matrix=RoutingMatrix.load(out / ROUTING_MATRIX),
                exporter=exporter,
                recorder=recorder,
                endpoints=endpoints,
                timings=timings,
            )

        with timings.phase("Prometheus started: targets up, nothing firing"):
            live.prometheus = cleanup.enter_context(
                processes.prometheus(
                    prometheus,
                    out / "prometheus" / "prometheus.yml",
                    endpoints.prometheus,
                    tmp / "prometheus",
                )
            )
            # Until Prometheus has discovered and scraped the targets (its discovery sends its
            # first targets after 5s), `absent(up{job=...})` makes every ServiceDown true, and
            # the profile's short `for` fires them. Alertmanager starts once they are resolved,
            # so that no startup alert reaches a receiver.
            _startup(live, lambda: live.targets_up(but=("alertmanager",)))
            _startup(live, lambda: not live.prometheus_alerts("firing"))

        with timings.phase("Alertmanager started: its target up"):
            live.alertmanager = cleanup.enter_context(
                processes.alertmanager(
                    alertmanager,
                    out / "alertmanager" / "alertmanager.yml",
                    endpoints.alertmanager,
                    tmp / "alertmanager",
                )
            )
            _startup(live, live.targets_up)

        try:
            yield live
        finally:
            print(f"[live] phase timings:\n{timings}")


def _startup(live: LiveStack, check: Callable[[], bool]) -> None:
    try:
        # The first scrape comes within a scrape interval of discovery.
        poll(check, STARTUP_TIMEOUT + 2 * live.scrape_interval, "the stack to start")
    except AssertionError as error:
        targets = [(t["labels"]["job"], t["health"], t["lastError"]) for t in live.targets()]
        logs = "\n".join(f"--- {name}:\n{tail}" for name, tail in live.log_tails())
        raise AssertionError(
            f"{error}\ntargets: {targets}\nalerts: {live.prometheus_alerts()}\n{logs}"
        ) from None
