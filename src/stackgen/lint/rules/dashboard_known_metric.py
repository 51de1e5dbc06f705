"""Every query of a dashboard stackgen writes parses, and reads a recording rule of the render,
a metric of a declared service kind, or a series Prometheus writes itself.

Bad:

    "expr": "sum(rate(nowhere_total[$__rate_interval]))"

Good:

    "expr": "sum(rate(http_requests_total[$__rate_interval]))"
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from stackgen.lint.facts import DashboardFacts, dashboard_facts_as_written
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope

ID = "dashboard/known-metric"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("stack",)
AUDIENCE: Audience = "generated"
HINT = "Fix the query, or read a metric the service's kind or a recording rule has."

# Series Prometheus itself writes, which any dashboard may read.
BUILTIN_SERIES = frozenset({"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds",
                            "scrape_samples_scraped", "scrape_series_added"})  # fmt: skip


class Doubt(NamedTuple):
    """A query that does not parse (`metrics` empty), or one reading metrics not known yet."""

    title: Any
    expr: str
    error: str | None
    metrics: tuple[str, ...]


def _unknown(known: set[str]) -> Callable[[str | None], bool]:
    return lambda name: bool(name) and name not in known and name not in BUILTIN_SERIES


def doubts(
    panels: Iterable[tuple[dict[str, Any], Sequence[tuple[str, DashboardFacts]]]], known: set[str]
) -> Iterator[Doubt]:
    """What a dashboard alone leaves open, given the metrics `known` so far."""
    for panel, queries in panels:
        for expr, facts in queries:
            unknown = tuple(filter(_unknown(known), facts.metrics))
            if facts.error is not None or unknown:
                yield Doubt(panel.get("title"), expr, facts.error, unknown)  # type: ignore[arg-type]


def check(doubts: Sequence[Doubt], known: set[str]) -> Iterator[Hit]:
    """The doubts that `known` (more names: the render's recording rules) does not lift."""
    unknown = _unknown(known)
    for doubt in doubts:
        if doubt.error is not None:
            yield (), f"panel `{doubt.title}`: {doubt.error}"
        elif any(map(unknown, doubt.metrics)):
            # each place it is read, in order (those known at first stay known)
            read = dashboard_facts_as_written(doubt.expr).metrics
            for name in (n for n in read if n in doubt.metrics and unknown(n)):
                yield (
                    (),
                    (
                        f"panel `{doubt.title}` reads `{name}`, which is neither a recording rule "
                        "of this render nor a metric of a service's kind"
                    ),
                )
