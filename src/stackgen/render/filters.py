"""Jinja filters that serialize spec values, so no value can break the YAML or JSON around it."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import yaml

from stackgen.values import clean_number

_NO_WRAP = 2**31
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


def to_yaml(value: Any) -> str:
    """A value on one line, in flow style: plain where safe, double-quoted otherwise."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_yaml(k)}: {to_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_yaml(v) for v in value) + "]"
    if isinstance(value, str) and _needs_escapes(value):
        return _dump(value, default_flow_style=True, default_style='"')
    return _dump(value, default_flow_style=True)


def _needs_escapes(text: str) -> bool:
    """Line breaks and control or format characters (NEL, LS, BOM, ...), which YAML parsers
    disagree on or fold away: double quotes escape them all."""
    if _NUMBER_LIKE.match(text):
        return True
    return any(unicodedata.category(c)[0] in "CZ" and c != " " for c in text)


def to_yaml_block(value: Any, indent: int = 0) -> str:
    """A mapping or list in block style, every line after the first indented by `indent`."""
    text = _dump(value, default_flow_style=False)
    pad = " " * indent
    return "\n".join(
        (pad + line if i and line else line) for i, line in enumerate(text.split("\n"))
    )


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def number(value: float | int) -> str:
    return clean_number(value)


FILTERS = {"yaml": to_yaml, "yaml_block": to_yaml_block, "json": to_json, "num": number}
