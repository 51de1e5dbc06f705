"""Spec errors located in the source: `FILE:LINE:COL: field.path: message`."""

from __future__ import annotations

from typing import NamedTuple

PathPart = str | int
Path = tuple[PathPart, ...]


class Position(NamedTuple):  # ordered as a tuple: by file, line, column
    file: str
    line: int  # 1-based
    column: int  # 1-based


class SpecError(NamedTuple):
    position: Position
    field: str  # the field's path as format_path writes it
    message: str

    def __str__(self) -> str:
        pos = self.position
        return f"{pos.file}:{pos.line}:{pos.column}: {self.field}: {self.message}"


class SpecErrors(Exception):
    """Every problem found in a spec, reported together."""

    def __init__(self, errors: list[SpecError]):
        self.errors = sorted(set(errors), key=lambda e: (e.position, e.field, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))


def format_path(path: Path, names: dict[Path, str] | None = None) -> str:
    """('services', 2, 'targets') -> 'services[2].targets', or 'services[api].targets' when
    `names` knows item 2 is named `api`; the empty path is the document."""
    if not path:
        return "(document)"
    text = ""
    for end, part in enumerate(path, start=1):
        if isinstance(part, int):
            text += f"[{(names or {}).get(path[:end], part)}]"
        else:
            text += f".{part}" if text else str(part)
    return text
