"""A project's own templates: folders searched before the built-in one, file by file. They run
in Jinja's sandbox (they are input, not stackgen's code), and their errors name FILE:LINE."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from stackgen.render.errors import RenderError, TemplateInputError
from stackgen.render.filters import FILTERS
from stackgen.render.options import TEMPLATE_OPTIONS

# The project's template folders, first wins; the built-in folder comes after them.
SearchPath = tuple[Path, ...]


@cache
def _sandbox(templates: SearchPath, builtin: Path) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([*templates, builtin]),
        **TEMPLATE_OPTIONS,
    )
    env.filters.update(FILTERS)
    return env


@cache
def _overridden(templates: SearchPath) -> frozenset[str]:
    return frozenset(
        name for folder in templates for name in jinja2.FileSystemLoader(folder).list_templates()
    )


@cache
def project_environment(
    template: str, templates: SearchPath, builtin: Path
) -> SandboxedEnvironment | None:
    """The sandbox when the project overrides `template` or a template it includes; None when
    the built-in environment renders it as it always does."""
    if not templates:
        return None
    env = _sandbox(templates, builtin)
    return env if _reaches(env, template, _overridden(templates), frozenset()) else None


def _reaches(
    env: jinja2.Environment, template: str, overridden: frozenset[str], seen: frozenset[str]
) -> bool:
    if template in overridden:
        return True
    if template in seen:
        return False
    try:
        source, _, _ = env.loader.get_source(env, template)  # type: ignore[union-attr]
        found = meta.find_referenced_templates(env.parse(source))
    except jinja2.TemplateError:
        return False  # a missing or broken built-in template fails later, as a bug
    return any(
        name is None  # a computed name: it could be any template, the project's too
        or _reaches(env, name, overridden, seen | {template})
        for name in found
    )


def render_project(
    env: SandboxedEnvironment,
    template: str,
    context: dict[str, object],
    templates: SearchPath,
    check: Callable[[str], str],
) -> str:
    """Render `template` in the sandbox and `check` its output. A failure inside one of the
    project's files is a TemplateInputError at its line; one inside a built-in file stays a
    RenderError (a stackgen bug)."""
    try:
        text = env.get_template(template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        _raise_located(exc, exc.filename, exc.lineno, templates)
    except Exception as exc:  # a filter or a method the template calls can raise anything
        file, line = _innermost_template(exc.__traceback__)
        _raise_located(exc, file, line, templates)
    try:
        return check(text)
    except RenderError as exc:
        file = env.get_template(template).filename or template
        if not _in(file, templates):
            raise
        raise TemplateInputError(file, None, f"its output is not valid: {exc}") from exc


def _raise_located(
    exc: Exception, file: str | None, line: int | None, templates: SearchPath
) -> None:
    message = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
    if file is not None and _in(file, templates):
        raise TemplateInputError(file, line, message) from exc
    raise RenderError(f"template {file} failed: {message}") from exc


def _innermost_template(tb: TracebackType | None) -> tuple[str | None, int | None]:
    """The template file and line the error happened on: Jinja rewrites the traceback so that
    each template frame is a stand-in compiled with the template's file name and line."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _in(file: str, templates: SearchPath) -> bool:
    path = Path(file).resolve()
    return any(path.is_relative_to(folder.resolve()) for folder in templates)
