"""rate() and friends range over 4 scrapes or more.

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


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    scrape = settings.scrape_seconds  # the only input not in the facts: checked per rule
    for function, seconds in rule.analysed.ranges if rule.analysed else ():
        if seconds < 4 * scrape:
            yield (
                ("expr",),
                (
                    f"`{function}` over [{format_duration(seconds)}] sees fewer than 4 samples "
                    f"at a {format_duration(scrape)} scrape interval: use at least "
                    f"[{format_duration(4 * scrape)}]"
                ),
            )
