"""irate() ranges are short: irate reads only the last two samples of its range, so a long
range only lets those samples be stale, and reads as an average it is not.

Bad:

    expr: irate(http_requests_total[1h]) > 100

Good:

    expr: rate(http_requests_total[1h]) > 100
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.common.values import format_duration
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "promql/irate-range"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Use rate() for an average over the range, or irate() over a few scrapes."

_SCRAPES = 10  # more than this many scrape intervals: a range no irate() needs


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    limit = _SCRAPES * settings.scrape_seconds
    for function, seconds in rule.analysed.ranges if rule.analysed else ():
        if function == "irate" and seconds > limit:
            yield (
                ("expr",),
                f"`irate` over [{format_duration(seconds)}] reads only its last two samples: "
                f"use `rate` for a {format_duration(seconds)} average, or a range of a few "
                "scrapes",
            )
