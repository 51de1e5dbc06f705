"""Recording rules are named level:metric:operations.

Bad:

    - record: http_requests_rate

Good:

    - record: job:http_requests:rate5m
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule
from stackgen.prometheus.names import RECORD_NAME

ID = "record/name"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Rename it, such as `job:http_requests:rate5m`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    name = rule.data.get("record")
    if name is not None and not RECORD_NAME.match(str(name)):
        yield ("record",), f"recording rule `{name}` is not named `level:metric:operations`"
