"""Canonical JSON text: what `json.dumps(value, indent=2, ensure_ascii=False)` writes, numbers
cleaned, without the standard library's indenting encoder (pure Python, a generator per
container: most of the time of a dashboard's render)."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from json.encoder import encode_basestring  # the C encoder of ensure_ascii=False
from typing import Any

from stackgen.common.values import clean_number

_INFINITY = float("inf")


class _Unusual(Exception):
    """A value json.loads does not make (a tuple, a key that is no string): left to json."""


def canonical_json(value: Any) -> tuple[str, Any]:
    """The JSON text of `value` (what json.loads made), indented by two spaces, floats as a
    person writes them (2.0 -> 2, 0.30000000000000004 -> 0.3); and the value, its floats so
    cleaned in place, so that it is what json.loads makes of the text."""
    if type(value) is float:
        value = clean_float(value)
    parts: list[str] = []
    try:
        _encode(value, "\n", parts)
    except _Unusual:
        value = _clean_numbers(value)
        return json.dumps(value, indent=2, ensure_ascii=False), value
    return "".join(parts), value


@lru_cache(maxsize=4096)
def clean_float(value: float) -> int | float:
    number = Decimal(clean_number(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _clean_numbers(value: Any) -> Any:
    if isinstance(value, float):
        return clean_float(value)
    if isinstance(value, dict):
        return {k: _clean_numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_numbers(v) for v in value]
    return value


def _encode(value: Any, newline: str, parts: list[str]) -> None:
    """Append the text of `value`, its inner lines starting `newline` (a line break and the
    indentation of `value`); the separators and empty containers of json.dumps(indent=2)."""
    kind = type(value)
    if kind is dict or kind is list:
        opening, closing = ("{", "}") if kind is dict else ("[", "]")
        if not value:
            parts.append(opening + closing)
            return
        inner = newline + "  "
        separator = opening + inner
        for slot, item in value.items() if kind is dict else enumerate(value):
            label = ""
            if kind is dict:
                if type(slot) is not str:
                    raise _Unusual(slot)
                label = f"{encode_basestring(slot)}: "
            if type(item) is float:
                item = value[slot] = clean_float(item)
            if type(item) is str:
                parts.append(separator + label + encode_basestring(item))
            else:
                parts.append(separator + label)
                _encode(item, inner, parts)
            separator = "," + inner
        parts.append(newline + closing)
    else:
        parts.append(_scalar(value))


def _scalar(value: Any) -> str:
    if type(value) is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is float:  # json's floatstr (its default allow_nan)
        if value != value:
            return "NaN"
        if value in (_INFINITY, -_INFINITY):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise _Unusual(value)
