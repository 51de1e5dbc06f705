"""What a render can fail with: a stackgen bug, or a project template's mistake."""

from __future__ import annotations


class RenderError(Exception):
    """A template produced something invalid: a bug in stackgen, never in the spec."""


class TemplateInputError(RenderError):
    """A project's own template failed (the user's input, exit 2), located in its file."""

    def __init__(self, file: str, line: int | None, message: str):
        self.file, self.line, self.message = file, line, message.rstrip(".")
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {self.message}")

    def __reduce__(self) -> tuple[type, tuple[str, int | None, str]]:
        # raised in a render's worker process, re-raised in the parent
        return type(self), (self.file, self.line, self.message)
