"""Recording rules are named level:metric:operations.

Bad:

    - record: http_requests_rate

Good:

    - record: job:http_requests:rate5m
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "record/name"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Rename it, such as `job:http_requests:rate5m`."

_RECORD_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*[a-zA-Z0-9_]$")


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    name = rule.data.get("record")
    if name is not None and not _RECORD_NAME.match(str(name)):
        yield ("record",), f"recording rule `{name}` is not named `level:metric:operations`"
