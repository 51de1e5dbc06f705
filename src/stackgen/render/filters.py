"""Jinja filters that serialize spec values, so no value can break the YAML or JSON around it."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import yaml

from stackgen.common.values import clean_number

_NO_WRAP = 2**31
_FLOW_INDICATORS = set(",[]{}:#?")
# Plain scalars that a YAML 1.2 parser (Go's yaml.v3) reads as numbers although PyYAML does not.
_NUMBER_LIKE = re.compile(
    r"^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^0[xo][0-9a-fA-F_]+$|^[-+]?\.(inf|nan)$",
    re.IGNORECASE,
)


class _Dumper(yaml.SafeDumper):
    """Safe YAML with clean numbers and no line wrapping."""


def _represent_float(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", clean_number(value))


_Dumper.add_representer(float, _represent_float)


def _dump(value: Any, **options: Any) -> str:
    text = yaml.dump(
        value, Dumper=_Dumper, allow_unicode=True, width=_NO_WRAP, sort_keys=False, **options
    )
    return text.removesuffix("\n...\n").removesuffix("\n")


def to_yaml(value: Any, *, _in_flow: bool = False) -> str:
    """A value on one line, in flow style: plain where safe, double-quoted otherwise."""
    if type(value) is str:  # most calls: the cache, without the checks below
        return _scalar(str, value, _in_flow)
    if isinstance(value, dict):
        items = (
            f"{to_yaml(k, _in_flow=True)}: {to_yaml(v, _in_flow=True)}" for k, v in value.items()
        )
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_yaml(v, _in_flow=True) for v in value) + "]"
    try:
        return _scalar(type(value), value, _in_flow)
    except TypeError:  # not hashable: not cached
        return _scalar.__wrapped__(type(value), value, _in_flow)


@lru_cache(maxsize=65536)
def _scalar(kind: type, value: Any, in_flow: bool) -> str:
    """One scalar as YAML; cached, since a stack repeats its labels and values thousands of
    times (`kind` keeps True, 1 and 1.0 apart)."""
    if kind is str and _plain(value):
        # What yaml.dump would write, without running it: most text is written as it is.
        plain_in_flow = in_flow and _FLOW_INDICATORS & set(value)
        if not plain_in_flow and not _needs_escapes(value):
            return value
    return _dumped_scalar(kind, value, in_flow)


def _dumped_scalar(kind: type, value: Any, in_flow: bool) -> str:
    """`_scalar` by yaml.dump alone: the reference the fast path must equal."""
    if kind is not str:
        return _dump(value, default_flow_style=True)
    text = _dump(value, default_flow_style=True)
    # Multi-line output would break the indentation around it; some characters (NEL, LS,
    # control characters) are folded by YAML parsers; and inside [...] or {...} the flow
    # indicators end a plain scalar. Double quotes escape them all.
    plain_in_flow = in_flow and text[:1] not in ("'", '"') and _FLOW_INDICATORS & set(text)
    if "\n" in text or plain_in_flow or _needs_escapes(value):
        text = _dump(value, default_flow_style=True, default_style='"')
    return text


# The dumper `_dump` runs, kept for its analysis and resolver (neither writes to the stream).
_ANALYST = _Dumper(io.StringIO(), allow_unicode=True, width=_NO_WRAP)
_STR_TAG = "tag:yaml.org,2002:str"


def _plain(value: str) -> bool:
    """Whether `_dump(value)` is `value` itself: PyYAML writes a string plain at the root of a
    document when it reads back as a string (the resolver) and the emitter allows a plain block
    scalar (Emitter.choose_scalar_style, outside a flow and a simple key); a plain scalar is
    written unchanged, unwrapped since the width is unbounded, and `_dump` drops the `...`
    that ends it."""
    if _ANALYST.resolve(yaml.ScalarNode, value, (True, False)) != _STR_TAG:
        return False
    if value.isascii() and value.isprintable():  # the usual case, decided at C speed
        return _NOT_BLOCK_PLAIN.search(value) is None
    return bool(_ANALYST.analyze_scalar(value).allow_block_plain)


# Emitter.analyze_scalar's reasons against a plain block scalar, for printable ASCII text (no
# line breaks or special characters; the only whitespace is the space): a leading or trailing
# space, a document marker, a leading indicator, `?`, `:` or `-` first and followed by a space
# or nothing, `: ` or a final `:`, ` #`.
_NOT_BLOCK_PLAIN = re.compile(
    r"""^(?:[ #,\[\]{}&*!|>'"%@`]|---|\.\.\.|[?:-](?: |$))|:(?: |$)| #| $"""
)


def to_yaml_block(value: Any, indent: int = 0) -> str:
    """A mapping or list in block style, every line after the first indented by `indent`."""
    value = _lists(value)
    style = '"' if any(_needs_escapes(s) for s in _strings(value)) else None
    text = _dump(value, default_flow_style=False, default_style=style)
    pad = " " * indent
    return "\n".join(
        (pad + line if i and line else line) for i, line in enumerate(text.split("\n"))
    )


def _lists(value: Any) -> Any:
    """Tuples as lists, all the way down (YAML has sequences only)."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _needs_escapes(text: str) -> bool:
    """Strings that only double quotes carry safely: those a YAML 1.2 parser would read as a
    number, and those with line breaks or control or format characters (NEL, LS, BOM, ...)."""
    if _NUMBER_LIKE.match(text):
        return True
    if text.isascii():  # the usual case, at C speed: in ASCII, C and Z are the unprintables
        return not text.isprintable()
    return any(unicodedata.category(c)[0] in "CZ" and c != " " for c in text)


class _DocumentDumper(_Dumper):
    """Block style, with multi-line text as literal blocks, so that files embedded in a
    document (a ConfigMap's config, a Secret's) stay readable and diff line by line."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if _needs_escapes(value.replace("\n", "")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    # PyYAML itself falls back to quotes when a literal block cannot carry the text exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_DocumentDumper.add_representer(str, _represent_str)


def to_yaml_document(value: Any) -> str:
    """A whole YAML document in block style, ending in a newline; each string quoted only as
    it needs, multi-line ones as literal blocks."""
    return yaml.dump(
        _lists(value),
        Dumper=_DocumentDumper,
        allow_unicode=True,
        width=_NO_WRAP,
        sort_keys=False,
        default_flow_style=False,
    )


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


FILTERS = {"yaml": to_yaml, "yaml_block": to_yaml_block, "json": to_json}
