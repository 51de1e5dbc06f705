"""Render stage: plan artifacts -> checked file contents."""

from stackgen.render.engine import (
    UNSHARED,
    RenderError,
    render_each,
)
from stackgen.render.errors import TemplateInputError

__all__ = [
    "UNSHARED",
    "RenderError",
    "TemplateInputError",
    "render_each",
]
