"""Checks over every rule linted together, on the files' summaries: duplicates, recording rules
used but defined nowhere, and rates of recorded aggregations. A finding is located by reading
its file again (`Reread`), only once it exists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise

from stackgen.lint.findings import Finding
from stackgen.lint.sources import Reread
from stackgen.lint.summary import RuleFileSummary, identity


def defined_records(files: Sequence[RuleFileSummary]) -> set[str]:
    return set().union(*(summary.records for summary in files))


def _repeated(files: Sequence[RuleFileSummary]) -> set[int]:
    """Digests more than one rule has: only their rules can be duplicates. Sorting a list of
    ints holds far less than a dict from every digest to its first rule would."""
    ordered = sorted(value for summary in files for value in summary.digest_values())
    return {a for a, b in pairwise(ordered) if a == b}


def duplicates(files: Sequence[RuleFileSummary], rules: Reread) -> Iterator[Finding]:
    repeated = _repeated(files)
    # by digest: (identity, file, line) of the first rule of each identity with that digest
    first: dict[int, list[tuple[str, str, int]]] = {}
    for summary in files:
        for index, value in enumerate(summary.digest_values()):
            if value not in repeated:
                continue
            rule = rules.rule(summary.file, index)  # a digest match, confirmed on the rules
            key = identity(rule.data)
            seen = first.setdefault(value, [])
            match = next((s for s in seen if s[0] == key), None)
            if match is None:
                seen.append((key, rule.file, rule.position()[0]))
                continue
            line, column = rule.position()
            yield Finding(rule.file, line, column, "rule/duplicate", "warning",
                          f"the same rule (name and labels) is already at "
                          f"{match[1]}:{match[2]}")  # fmt: skip


def undefined_records(
    files: Sequence[RuleFileSummary], defined: set[str], rules: Reread
) -> Iterator[Finding]:
    for summary in files:
        missing = summary.borrowed - defined
        if not missing:
            continue
        for rule in rules.of(summary.file):  # which rules read them: the file tells again
            for name in sorted(rule.analysed.recorded & missing) if rule.analysed else ():
                line, column = rule.position("expr")
                yield Finding(rule.file, line, column, "record/undefined", "warning",
                              f"`{name}` looks like a recording rule, but none of the linted "
                              "files defines it")  # fmt: skip


def rates_of_aggregates(files: Sequence[RuleFileSummary], rules: Reread) -> Iterator[Finding]:
    """`rate(job:x:sum[5m])` over a recording rule that sums counters hides their resets."""
    aggregates = set().union(*(summary.aggregates for summary in files))
    for summary in files:
        if summary.rated.isdisjoint(aggregates):
            continue
        for rule in rules.of(summary.file):  # which rules rate them: the file tells again
            rates = rule.analysed.counter_rates if rule.analysed else ()
            for function, name in rates:
                if name not in aggregates:
                    continue
                line, column = rule.position("expr")
                yield Finding(rule.file, line, column, "promql/rate-counter", "warning",
                              f"`{function}` of `{name}`, a recording rule that "
                              "aggregates: rate the counters first, then aggregate")  # fmt: skip
