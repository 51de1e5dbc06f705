"""Checks over every rule linted together, on the files' summaries (scope `files` of
lint.rules: duplicates, recording rules used but defined nowhere, rates of recorded
aggregations). A finding is located by reading its file again (`Reread`), only once it exists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from stackgen.lint.checks import of_scope
from stackgen.lint.findings import Finding
from stackgen.lint.rules import record_undefined
from stackgen.lint.rules.base import Spot
from stackgen.lint.sources import Reread
from stackgen.lint.summary import RuleFileSummary


def defined_records(files: Sequence[RuleFileSummary]) -> set[str]:
    return set().union(*(summary.records for summary in files))


def ruleset_findings(
    files: Sequence[RuleFileSummary], defined: set[str], rules: Reread
) -> Iterator[Finding]:
    for each in of_scope("files"):
        function = each.function("files")
        hits = (
            function(files, defined, rules)
            if each.module is record_undefined
            else function(files, rules)
        )
        for spot, message in hits:
            assert isinstance(spot, Spot), "a check across files locates its findings"
            yield each.finding(spot, message)
