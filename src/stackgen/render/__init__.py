"""Render stage: plan artifacts -> checked file contents."""

from stackgen.render.engine import RenderError, render_all
from stackgen.render.errors import TemplateInputError

__all__ = ["RenderError", "TemplateInputError", "render_all"]
