"""Inline `# stackgen-lint disable=ID[,ID]` comments (on a rule's lines, in its PromQL, or on
the comment lines just above it) and `# stackgen-lint disable-file=ID` for a whole file."""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from stackgen.lint.findings import Finding

_DIRECTIVE = re.compile(
    r"#\s*stackgen-lint\s+(disable|disable-file)\s*=\s*([\w/\-]+(?:\s*,\s*[\w/\-]+)*)"
)


class Suppressions(NamedTuple):
    whole_file: frozenset[str] = frozenset()
    # (first line, last line, check IDs) ; "all" hides every check
    spans: tuple[tuple[int, int, frozenset[str]], ...] = ()

    def hides(self, finding: Finding) -> bool:
        if {finding.check, "all"} & self.whole_file:
            return True
        return any(
            first <= finding.line <= last and {finding.check, "all"} & ids
            for first, last, ids in self.spans
        )


def _next_content_line(lines: list[str], index: int) -> int:
    """The 1-based number of the first line after `index` (0-based) that is not a comment."""
    for later in range(index + 1, len(lines)):
        stripped = lines[later].strip()
        if stripped and not stripped.startswith("#"):
            return later + 1
    return len(lines)


def suppressions(text: str, rule_starts: list[int]) -> Suppressions:
    """The directives of a file. With `rule_starts` (the first line of each rule), a directive
    covers the rule it sits in or the rule right below it; without, the line it is on (or the
    line below a comment line)."""
    if "stackgen-lint" not in text:  # every directive names it: no need to read each line
        return Suppressions()
    lines = text.splitlines()
    starts = sorted(rule_starts)
    whole: set[str] = set()
    spans = []
    for index, line in enumerate(lines):
        for match in _DIRECTIVE.finditer(line):
            ids = frozenset(part.strip() for part in match.group(2).split(","))
            if match.group(1) == "disable-file":
                whole |= ids
                continue
            number = index + 1
            if line.strip().startswith("#"):
                below = _next_content_line(lines, index)
                number = below if below in starts or not starts else number
            if not starts:
                spans.append((number, number, ids))
                continue
            at = bisect.bisect_right(starts, number) - 1
            if at < 0:
                continue  # above the first rule: names no rule
            last = starts[at + 1] - 1 if at + 1 < len(starts) else len(lines)
            spans.append((starts[at], last, ids))
    return Suppressions(frozenset(whole), tuple(spans))
