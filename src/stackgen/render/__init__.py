"""Render stage: plan artifacts -> checked file contents."""

from stackgen.render.engine import RenderError, render_all

__all__ = ["RenderError", "render_all"]
