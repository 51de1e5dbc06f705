"""Annotation and label templates parse.

Bad:

    summary: '{{ $labels.job }'

Good:

    summary: '{{ $labels.job }}'
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule
from stackgen.prometheus.gotemplate import check_template

ID = "annotations/template"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = "Close every `{{ ... }}`; use only Prometheus template functions."


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    """Annotations and labels are Go templates Prometheus parses when it loads the rule."""
    for section in ("annotations", "labels"):
        for name, value in (rule.data.get(section) or {}).items():
            error = _template_error(str(value))
            if error is not None:
                yield (section, str(name)), f"{section[:-1]} `{name}` {error}"


@lru_cache(maxsize=1 << 14)
def _template_error(text: str) -> str | None:
    """Why a template does not parse; once per distinct text (many repeat across services)."""
    try:
        check_template(text)
    except ValueError as exc:
        return str(exc)
    return None
