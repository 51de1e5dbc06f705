"""A lint finding: where, which check, how bad, what is wrong."""

from __future__ import annotations

from typing import Literal, NamedTuple

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


class Finding(NamedTuple):
    """Ordered by place, then check: a tuple, so that sorting a large report compares in C."""

    file: str
    line: int
    column: int
    check: str
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, object]:
        return self._asdict()

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity} [{self.check}] {self.message}"
        )


def at_or_above(findings: list[Finding], severity: Severity) -> list[Finding]:
    return [f for f in findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[severity]]
