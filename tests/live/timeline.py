"""A live test's timeline: what the test did, the alerts' states in Prometheus (as seen by
a look every EVERY seconds) and every notification the fakes received (as of its arrival), each
with the seconds since the timeline began."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.live.harness import LiveStack

EVERY = 0.5  # seconds between two looks at Prometheus's alerts and the fakes


@dataclass
class Timeline:
    started: float = field(default_factory=time.monotonic)
    events: list[tuple[float, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, text: str, when: float | None = None) -> float:
        """Record `text` as of `when` (time.monotonic(); default now); the seconds since the
        start."""
        at = (time.monotonic() if when is None else when) - self.started
        with self._lock:
            self.events.append((at, text))
            self.events.sort(key=lambda event: event[0])
        return at

    def __str__(self) -> str:
        with self._lock:
            return "\n".join(f"  {at:6.1f}s  {text}" for at, text in self.events)


def _alert_key(alert: dict[str, object]) -> str:
    labels = alert["labels"]
    assert isinstance(labels, dict)
    tier = f" {labels['slo_tier']} tier" if "slo_tier" in labels else ""
    return f"{labels['alertname']}{tier} of {labels.get('service', labels.get('component'))}"


@contextmanager
def watching(live: LiveStack, timeline: Timeline, services: set[str]) -> Iterator[None]:
    """While the block runs, note every change of state in Prometheus of the alerts of
    `services` (pending, firing, gone) and every notification received."""
    stop = threading.Event()
    states: dict[str, str] = {}
    seen = 0

    def look() -> None:
        nonlocal states, seen
        now = {
            _alert_key(a): a["state"]
            for a in live.prometheus_alerts()
            if a["labels"].get("service") in services
        }
        for key in sorted(now.keys() | states.keys()):
            if now.get(key) != states.get(key):
                timeline.note(f"Prometheus: {key} {now.get(key, 'inactive')}")
        states = now
        deliveries = live.all_deliveries()
        arrivals = live.recorder.arrivals()
        for delivery, arrived in zip(deliveries[seen:], arrivals[seen:], strict=False):
            # stamped when the fake received it, not when this loop saw it
            timeline.note(f"notification: {delivery!r}", arrived)
        seen = len(deliveries)

    def watch() -> None:
        while not stop.is_set():
            look()
            stop.wait(EVERY)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        look()  # what arrived since the last look
