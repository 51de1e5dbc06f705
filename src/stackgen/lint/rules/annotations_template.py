"""An alert's annotation and label templates parse as Go templates, as Prometheus parses them
when it loads the rule (Go's text/template with Prometheus's functions and variables).

Bad:

    summary: '{{ $label.job }} is down{{ else }}'

Good:

    summary: '{{ $labels.job }} is down'
"""

from __future__ import annotations

from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule
from stackgen.prometheus.gotemplate import template_error

ID = "annotations/template"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Fix the template at the line shown; `$labels`, `$value` and Prometheus's functions."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    """Only an alert's are templates: a recording rule's labels are taken as they are."""
    if not rule.is_alert:
        return
    for section, values in (("annotations", rule.annotations), ("labels", rule.labels)):
        for name, value in values.items():
            error = template_error(value)  # cached there: texts repeat across rules
            if error is not None:
                yield (section, name), f"{section[:-1]} `{name}` does not parse: {error}"
