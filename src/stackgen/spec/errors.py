"""Spec errors located in the source: `FILE:LINE:COL: field.path: message`."""

from __future__ import annotations

from dataclasses import dataclass

PathPart = str | int
Path = tuple[PathPart, ...]


@dataclass(frozen=True, order=True)
class Position:
    file: str
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True)
class SpecError:
    position: Position
    path: Path
    message: str

    def __str__(self) -> str:
        pos = self.position
        return f"{pos.file}:{pos.line}:{pos.column}: {format_path(self.path)}: {self.message}"


class SpecErrors(Exception):
    """Every problem found in a spec, reported together."""

    def __init__(self, errors: list[SpecError]):
        self.errors = sorted(set(errors), key=lambda e: (e.position, format_path(e.path)))
        super().__init__("\n".join(str(e) for e in self.errors))


def format_path(path: Path) -> str:
    """('services', 2, 'targets') -> 'services[2].targets'; the empty path is the document."""
    if not path:
        return "(document)"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
