"""Rule label names are valid Prometheus label names, and not the reserved `__name__`.

Bad:

    labels: {plug-l1: x, __name__: y}

Good:

    labels: {plug_l1: x}
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule
from stackgen.prometheus.rulefmt import label_name_error

ID = "labels/name"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Use letters, digits and underscores, such as `plug_l1`."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    for name in rule.labels:
        if (error := label_name_error(name)) is not None:
            yield ("labels", name), error
