"""A lint finding: where, which check, how bad, what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    column: int
    check: str
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, object]:
        # vars(), not dataclasses.asdict: it deep-copies every field, a large report's time
        return dict(vars(self))

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity} [{self.check}] {self.message}"
        )


def at_or_above(findings: list[Finding], severity: Severity) -> list[Finding]:
    return [f for f in findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[severity]]
