"""Recording rules a query uses are defined.

Bad:

    expr: job:http_errors:ratio5m > 0.05   # defined in no linted file

Good:

    # lint the file that records job:http_errors:ratio5m together with this one
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from stackgen.lint.facts import dashboard_facts
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Keys, Scope, Spot
from stackgen.lint.sources import Reread

if TYPE_CHECKING:  # summaries are made by running the checks
    from stackgen.lint.summary import RuleFileSummary

ID = "record/undefined"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("files", "stack")
AUDIENCE: Audience = "both"
HINT = "Define the recording rule, or lint the file that does together with this one."


def check(files: Sequence[RuleFileSummary], defined: set[str], rules: Reread) -> Iterator[Hit]:
    for summary in files:
        missing = summary.borrowed - defined
        if not missing:
            continue
        for rule in rules.of(summary.file):  # which rules read them: the file tells again
            for name in sorted(rule.analysed.recorded & missing) if rule.analysed else ():
                line, column = rule.position("expr")
                yield (
                    Spot(rule.file, line, column),
                    (
                        f"`{name}` looks like a recording rule, but none of the linted files "
                        "defines it"
                    ),
                )


def check_stack(queries: Iterable[tuple[Keys, str]], defined: set[str]) -> Iterator[Hit]:
    """`queries`: a dashboard's (path, expr)."""
    for where, expr in queries:
        found = dashboard_facts(expr)
        for name in sorted(found.recorded - defined) if found.error is None else ():
            yield (
                where,
                (
                    f"`{name}` looks like a recording rule, but the stack's rule files do not "
                    "define it"
                ),
            )
