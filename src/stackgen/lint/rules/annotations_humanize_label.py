"""Templates humanize numbers, not label values: a label value is text, and `humanize` of text
that is no number fails when the alert fires (the annotation shows the error).

Bad:

    summary: '{{ $labels.instance | humanize }}'

Good:

    summary: '{{ $value | humanize }} on {{ $labels.instance }}'
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "annotations/humanize-label"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Humanize `$value` (or a query's value), not a label."

_HUMANIZE = r"humanize(?:1024|Duration|Percentage|Timestamp)?"
_ON_LABEL = re.compile(rf"\$labels\.(\w+)\s*\|\s*{_HUMANIZE}\b|\b{_HUMANIZE}\s+\$labels\.(\w+)")


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    if not rule.is_alert:
        return
    for section, values in (("annotations", rule.annotations), ("labels", rule.labels)):
        for name, value in values.items():
            if "humanize" not in value:  # most templates: no regex scan needed
                continue
            for found in _ON_LABEL.finditer(value):
                label = found.group(1) or found.group(2)
                yield (
                    (section, name),
                    f"`{found.group(0)}` humanizes the label `{label}`, which is text: "
                    "the template fails when its value is no number",
                )
