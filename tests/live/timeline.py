"""A live test's timeline: what the test did, the alerts' states in Prometheus and every
notification the fakes received, each with the seconds since the timeline began."""

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

    def note(self, text: str) -> float:
        """Record `text` now; the seconds since the start."""
        at = time.monotonic() - self.started
        with self._lock:
            self.events.append((at, text))
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

    def watch() -> None:
        states: dict[str, str] = {}
        seen = 0
        while not stop.is_set():
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
            for delivery in deliveries[seen:]:
                timeline.note(f"notification: {delivery!r}")
            seen = len(deliveries)
            stop.wait(EVERY)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
