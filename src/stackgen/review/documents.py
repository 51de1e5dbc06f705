"""Documents for people rather than tools: the `stackgen diff` text and Markdown, and REPORT.md.

Layout is in the templates (diff.txt.j2, diff.md.j2, report.md.j2); every value reaches the
Markdown through a filter of this module that escapes it for where it goes, so no service name,
matcher or expression can break a table or end a code span.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jinja2

from stackgen.render.engine import RenderError, template_dir
from stackgen.render.options import TEMPLATE_OPTIONS

# Longest value shown beside a changed field; longer ones are cut (the file has the rest).
SHOWN_VALUE = 120
# What Markdown would read as markup anywhere in a line (emphasis, links, HTML, entities, code,
# strikethrough) and `|`, which ends a table cell. Nothing here starts a line, so `#`, `-`, `+`
# and `1.` need no escape.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


CONTEXT = 30  # characters kept on each side of where two long values differ


def value_text(value: Any) -> str:
    """A field's value on one line: `(none)` for a missing one, a string as it is (quoted only
    when empty or padded, where the quotes show something), JSON for the rest."""
    if value is None:
        return "(none)"
    if isinstance(value, str) and value and value == value.strip():
        return " ".join(value.split())
    return json.dumps(value, ensure_ascii=False)


def shown_values(old: Any, new: Any) -> tuple[str, str]:
    """A changed field's two values as shown: long ones cut to where they differ, with some
    context, so that a changed threshold deep inside an expression is what shows."""
    texts = value_text(old), value_text(new)
    if max(map(len, texts)) <= SHOWN_VALUE:
        return texts
    first, second = texts
    prefix = len(_common_prefix(first, second))
    suffix = len(_common_prefix(first[prefix:][::-1], second[prefix:][::-1]))
    start = max(0, prefix - CONTEXT)
    return tuple(  # type: ignore[return-value]
        _cut(text, start, max(start, len(text) - max(0, suffix - CONTEXT))) for text in texts
    )


def _common_prefix(first: str, second: str) -> str:
    size = 0
    while size < min(len(first), len(second)) and first[size] == second[size]:
        size += 1
    return first[:size]


def _cut(text: str, start: int, end: int) -> str:
    shown = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return shown if len(shown) <= SHOWN_VALUE else shown[: SHOWN_VALUE - 1] + "…"


def markdown_text(value: Any) -> str:
    """Plain text in Markdown (a table cell too): every special character escaped, one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def markdown_code(value: Any) -> str:
    """An inline code span holding the text as it is: fenced by more backticks than it holds in
    a row, `|` escaped (GitHub ends a table cell at a bare one, even in code)."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        **TEMPLATE_OPTIONS,
    )
    env.filters.update({"md": markdown_text, "code": markdown_code})
    env.globals["shown"] = shown_values
    return env


def render_document(template: str, context: dict[str, Any]) -> str:
    try:
        return environment().get_template(template).render(context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {template} failed: {exc}") from exc
