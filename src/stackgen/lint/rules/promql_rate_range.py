"""rate() and friends range over 4 scrapes or more. Judged at the scrape interval given (or the
stack's); without one, at Prometheus's default of 1m, and then only as `info`: most setups
scrape more often, and a range that is short at 1m may be plenty at theirs.

Bad:

    expr: rate(x_total[1m])   # two samples of a target scraped every thirty seconds

Good:

    expr: rate(x_total[2m])   # four of them
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.common.values import format_duration
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/rate-range"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Lengthen the range (or pass the real --scrape-interval)."


def severity_for(settings: Settings) -> Severity:
    return SEVERITY if settings.scrape_told else "info"


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    scrape = settings.scrape_seconds  # the only input not in the facts: checked per rule
    interval = (
        f"a {format_duration(scrape)} scrape interval"
        if settings.scrape_told
        else f"Prometheus's default scrape interval, {format_duration(scrape)} (give yours "
        "with --scrape-interval)"
    )
    for function, seconds in rule.analysed.ranges if rule.analysed else ():
        if seconds < 4 * scrape:
            yield (
                ("expr",),
                (
                    f"`{function}` over [{format_duration(seconds)}] sees fewer than 4 samples "
                    f"at {interval}: use at least [{format_duration(4 * scrape)}]"
                ),
            )
