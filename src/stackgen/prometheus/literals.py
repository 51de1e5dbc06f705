"""PromQL's string literals (Go templates write them the same way): the one pattern every
reader of PromQL text uses to step over them."""

from __future__ import annotations

import re

# "double", 'single' or `raw`
STRING_LITERAL = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')


def blank_strings(code: str) -> str:
    """The text with every string literal emptied, so their contents are not read as code."""
    return STRING_LITERAL.sub('""', code)
