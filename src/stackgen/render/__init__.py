"""Render stage: plan artifacts -> checked file contents."""

from stackgen.render.engine import (
    UNSHARED,
    RenderError,
    collected_late,
    render_each,
)
from stackgen.render.errors import TemplateInputError

__all__ = [
    "UNSHARED",
    "RenderError",
    "TemplateInputError",
    "collected_late",
    "render_each",
]
