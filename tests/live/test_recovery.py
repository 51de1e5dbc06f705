"""The example as written, in real time (its own 15s intervals, pending periods and group waits,
no compressed profile), in the real Prometheus and Alertmanager: a service that goes down and
comes back pages once.

While the web API is down, ServiceDown pages and inhibits the service's other alerts. When it
comes back, its SLO's page tier must not page again for the same outage, although its
burn-rate windows still hold it: the rules hold the page tier for its short window after
ServiceDown fired (stackgen.plan.slos.outage_guard).

The run takes about eight and a half minutes: the stack's start, ServiceDown's 2m and
Alertmanager's group wait, five minutes watched after the recovery, then ServiceDown's resolve
at its group's next flush.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from stackgen.common.values import parse_duration
from stackgen.plan.meta import META, WATCHDOG, WATCHDOG_TICK
from stackgen.plan.slos import OUTAGE_ALERT, tier_condition
from tests.helpers import require_tool
from tests.live.harness import LiveStack, live_stack, summary_pattern
from tests.live.notifications import Delivery, payload_text
from tests.live.timeline import Timeline, watching

pytestmark = [pytest.mark.slow, pytest.mark.real_time, pytest.mark.tools]

SERVICE = "aion-web-api"
SLO = "availability"  # the uptime SLO: its windows see the outage
PAGER = "pagerduty-oncall"
WATCH = 300.0  # seconds watched after the recovery: no new page in them


@pytest.fixture(scope="module")
def real_time(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    prometheus = require_tool("prometheus")
    alertmanager = require_tool("prometheus-alertmanager")
    with live_stack(
        tmp_path_factory.mktemp("real-time"), prometheus, alertmanager, compress=False
    ) as stack:
        yield stack


def pages(deliveries: list[Delivery]) -> list[Delivery]:
    return [d for d in deliveries if d.receiver == PAGER and d.status == "firing"]


@dataclass(frozen=True)
class Outage:
    """What one outage of the web API, watched in real time, delivered."""

    live: LiveStack
    timeline: Timeline
    recovered: float  # seconds from the exporter's stop to its start again


@pytest.fixture(scope="module")
def outage(real_time: LiveStack) -> Outage:
    """The web API goes down until ServiceDown pages, comes back, and is watched for WATCH
    seconds and until ServiceDown's resolve: one run in real time that the tests below read."""
    live = real_time
    service = next(s for s in live.stack.services if s.name == SERVICE)
    slo = next(s for s in service.slos if s.name == SLO)
    condition = f"count({tier_condition(service, slo, 'page')})"
    down_for = parse_duration(live.rule(SERVICE, OUTAGE_ALERT)["for"])
    live.quiet(timeout=60)
    timeline = Timeline()
    with watching(live, timeline, {SERVICE}):
        live.exporter.stop(SERVICE)
        timeline.note(f"test: {SERVICE}'s exporter stopped (outage begins)")
        # ServiceDown: a failed scrape, an evaluation, its `for`, Alertmanager's group wait.
        deadline = down_for + 2 * live.scrape_interval + 2 * live.evaluation_interval
        deliveries = live.wait_for_deliveries(
            lambda ds: any(d.alertname == OUTAGE_ALERT and d.service == SERVICE for d in pages(ds)),
            deadline + live.group_wait + 30,
            f"{OUTAGE_ALERT} of {SERVICE} to page",
        )
        timeline.note(f"test: {OUTAGE_ALERT} paged")
        assert [d.alertname for d in pages(deliveries)] == [OUTAGE_ALERT], timeline

        # The page tier's condition alone holds now (its `for` has passed, too): without the
        # guard it would fire, held back only by the inhibition.
        assert live.query(condition), f"the page tier's condition does not hold:\n{timeline}"
        live.exporter.start(SERVICE)
        recovered = timeline.note(f"test: {SERVICE}'s exporter started (outage ends)")

        time.sleep(60)
        assert live.query(condition), (
            f"a minute after the recovery the page tier's condition alone still holds (the "
            f"outage is in its windows):\n{timeline}"
        )
        timeline.note("test: the page tier's condition alone still holds (guard holds it)")
        time.sleep(WATCH - 60)
        timeline.note(f"test: {WATCH:g}s watched after the recovery")
        # ServiceDown's resolve comes at its group's next flush, a group interval after its page.
        live.wait_for_deliveries(
            lambda ds: any(
                (d.receiver, d.status, d.alertname) == (PAGER, "resolved", OUTAGE_ALERT) for d in ds
            ),
            live.group_interval + 30,
            f"{OUTAGE_ALERT} resolved at {PAGER}",
        )
    print(f"\n[live] outage timeline (seconds since the exporter stopped):\n{timeline}")
    return Outage(live, timeline, recovered)


def test_an_outage_pages_once_and_not_again_after_the_recovery(outage: Outage) -> None:
    live, timeline = outage.live, outage.timeline
    arrived = zip(live.all_deliveries(), live.recorder.arrivals(), strict=False)
    after = [d for d, at in arrived if at - timeline.started > outage.recovered and d in pages([d])]
    assert after == [], f"paged again after the recovery:\n{timeline}"


def test_every_page_and_resolve_reads_as_a_person_needs_it(outage: Outage) -> None:
    """No template gap, the rule's summary, its runbook and dashboard links (issue 18, 8e),
    firing and resolved alike."""
    live = outage.live
    for delivery in live.all_deliveries():
        text = payload_text(delivery)
        assert "<no value>" not in text, f"{delivery}: a template gap in {text}"
        service = SERVICE if delivery.alertname == OUTAGE_ALERT else META
        rule = live.rule(service, delivery.alertname or "")
        summary = summary_pattern(rule["annotations"]["summary"], {"job": service})
        assert summary.search(delivery.summary), f"{delivery}: no summary in {text}"
        assert delivery.runbook == rule["annotations"]["runbook_url"], text
        assert delivery.dashboard == rule["annotations"]["dashboard_url"], text
    checked = {(d.receiver, d.status) for d in live.all_deliveries()}
    assert (PAGER, "firing") in checked and (PAGER, "resolved") in checked, checked
    print(f"[live] payloads checked: {sorted(checked)}")


def test_the_watchdog_beats_at_its_channel_alone_all_the_while(outage: Outage) -> None:
    live, timeline = outage.live, outage.timeline
    meta = live.stack.meta_monitoring
    beats = [d for d in live.all_deliveries() if d.alertname == WATCHDOG]
    assert {d.receiver for d in beats} == {meta.watchdog_channel}, beats
    elapsed = timeline.events[-1][0]
    every = parse_duration(meta.watchdog_interval) + WATCHDOG_TICK
    assert len(beats) >= int(elapsed // every), timeline
