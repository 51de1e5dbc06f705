"""The routing matrix and the inhibition rules in real time: the rendered example's own group
waits and intervals (no compressed profile) in the real Alertmanager, with local receivers.

Every case of the routing matrix (alertmanager/tests/routing.yml) is posted to Alertmanager at
once, and with them, for each inhibition rule, a source and a target it must silence. Each
posted alert carries a summary of its own (`live-case-NNN`), so what reached each receiver's
fake is read per alert, whichever notification grouped it. Alerts that must not inhibit each
other get an `environment` of their own: every inhibition rule holds only between alerts of
one environment (its `equal`), and no route reads `environment`, so routing is the matrix's.
All arrive within one group wait and one group interval (the Watchdog's group exists already
and flushes within its minute).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from stackgen.alertmanager.routing import inhibitions
from stackgen.plan.meta import WATCHDOG
from tests.helpers import require_tool
from tests.live.harness import (
    LiveStack,
    MatrixEntry,
    _matched_labels,
    live_stack,
    poll,
    time_gated,
)

pytestmark = [pytest.mark.slow, pytest.mark.real_time, pytest.mark.tools]

CASE = re.compile(r"live-case-(\d{3})")
ISOLATING = "environment"  # inhibition is equal on it; no route reads it


@pytest.fixture(scope="module")
def real_time(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    prometheus = require_tool("prometheus")
    alertmanager = require_tool("prometheus-alertmanager")
    with live_stack(
        tmp_path_factory.mktemp("real-time-routing"), prometheus, alertmanager, compress=False
    ) as stack:
        yield stack


def _posted(index: int, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "labels": labels,
        "annotations": {
            "summary": f"live-case-{index:03d} {labels['alertname']}",
            "runbook_url": "https://runbooks.example.com/live-test",
        },
    }


def _inhibition_pairs(live: LiveStack) -> list[tuple[MatrixEntry, MatrixEntry]]:
    """For each inhibition rule of the rendered alertmanager.yml, a source and a target of the
    matrix it silences (the example's: ServiceDown and another alert of its service; a
    critical and a warning of one alert; a page and a ticket of one SLO)."""
    config = yaml.safe_load((live.out / "alertmanager" / "alertmanager.yml").read_text())
    pairs = []
    for rule in inhibitions(config):
        found = next(
            (
                (source, target)
                for source in live.matrix.entries
                for target in live.matrix.entries
                if target is not source and rule.silences(dict(target.labels), dict(source.labels))
            ),
            None,
        )
        assert found is not None, f"no matrix alerts to exercise {rule}"
        pairs.append(found)
    return pairs


def test_every_matrix_case_reaches_exactly_its_receivers_and_inhibitions_hold(
    real_time: LiveStack,
) -> None:
    live = real_time
    routes = live.stack.routing.routes
    assert ISOLATING not in _matched_labels(routes)
    assert all(ISOLATING not in (r.severity, r.team, r.service) for r in routes)
    live.quiet(timeout=60)

    posted, expected = [], {}  # case -> the receivers that must get it
    cases = [e for e in live.matrix.entries if not time_gated(e.labels, routes)]
    for index, entry in enumerate(cases):
        labels = {**entry.labels, ISOLATING: f"case-{index:03d}"}
        posted.append(_posted(index, labels))
        expected[index] = set(entry.receivers)
    silenced = []
    for number, (source, target) in enumerate(_inhibition_pairs(live)):
        for entry in (source, target):
            index = len(posted)
            posted.append(_posted(index, {**entry.labels, ISOLATING: f"inhibition-{number}"}))
            expected[index] = set(entry.receivers) if entry is source else set()
        silenced.append(index)

    def reached(deliveries) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {i: set() for i in expected}
        for delivery in deliveries:
            if delivery.status == "firing":
                for case in CASE.findall(delivery.summary):
                    found[int(case)].add(delivery.receiver)
        return found

    started = time.monotonic()
    live.post_alerts(posted)
    wait = max(live.group_wait, 30.0) + 60.0  # the Watchdog's group flushes within its minute
    try:  # the Watchdog's deliveries count here: all_deliveries
        poll(
            lambda: all(expected[i] <= got for i, got in reached(live.all_deliveries()).items()),
            wait + 30,
            "every matrix case at its receivers",
            every=1.0,
        )
    except AssertionError:
        pass  # what is missing is said below, case by case
    else:
        arrived = time.monotonic() - started
        print(
            f"\n[live] {len(posted)} alerts posted at once, all at their receivers in {arrived:.1f}s"
        )
        live.grace()  # a stray notification would come by now
    got = reached(live.all_deliveries())
    wrong = {
        i: (posted[i]["labels"]["alertname"], sorted(got[i]), sorted(expected[i]))
        for i in expected
        if got[i] != expected[i]
    }
    assert wrong == {}, "case: (alert, reached, the matrix says)"
    assert len(cases) == len(live.matrix.entries) and len(silenced) == 3
    assert any(p["labels"]["alertname"] == WATCHDOG for p in posted)
