"""The file is UTF-8 text and valid YAML (a file that is not is reported at its first bad byte,
and the other files are still linted).

Bad:

    groups: [

Good:

    groups: []
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Spot

ID = "file/yaml"
SEVERITY: Severity = "error"
SCOPES: tuple[Scope, ...] = ("file",)
AUDIENCE: Audience = "both"
HINT = "Fix the YAML at the position shown."


def check(file: str, errors: Sequence[tuple[int, int, str]]) -> Iterator[Hit]:
    """The errors of reading the file (line, column, message)."""
    for line, column, message in errors:
        yield Spot(file, line, column), message
