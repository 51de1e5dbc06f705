"""Alert annotations as Prometheus 2.42 expands them, for the templates stackgen's packs write:
`{{ $labels.NAME }}`, `{{ $value }}` and `{{ $value | humanize... }}`. The generated proofs
expect exact annotations; a template outside this subset is reported, not guessed."""

from __future__ import annotations

import math
import re

_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_LABEL = re.compile(r"^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$")
_VALUE = re.compile(r"^\$value(?:\s*\|\s*(\w+))?$")


class Unsupported(ValueError):
    """A template this expander does not know."""


def _g4(value: float) -> str:
    """Go's `%.4g`, which Python's matches for finite numbers."""
    return f"{value:.4g}"


def humanize(value: float) -> str:
    if value == 0 or math.isnan(value) or math.isinf(value):
        return _g4(value)
    if abs(value) >= 1:
        prefix = ""
        for unit in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(value) < 1000:
                break
            prefix = unit
            value /= 1000
        return _g4(value) + prefix
    prefix = ""
    for unit in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(value) >= 1:
            break
        prefix = unit
        value *= 1000
    return _g4(value) + prefix


def humanize1024(value: float) -> str:
    if abs(value) <= 1 or math.isnan(value) or math.isinf(value):
        return _g4(value)
    prefix = ""
    for unit in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(value) < 1024:
            break
        prefix = unit
        value /= 1024
    return _g4(value) + prefix


def humanize_duration(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return _g4(value)
    if value == 0:
        return "0s"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1:
        whole = int(value)
        days, hours = whole // 86400, whole // 3600 % 24
        minutes, seconds = whole // 60 % 60, whole % 60
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{_g4(value)}s"
    prefix = ""
    for unit in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if value >= 1:
            break
        prefix = unit
        value *= 1000
    return f"{sign}{_g4(value)}{prefix}s"


def humanize_percentage(value: float) -> str:
    return _g4(value * 100) + "%"


FUNCTIONS = {
    "humanize": humanize,
    "humanize1024": humanize1024,
    "humanizeDuration": humanize_duration,
    "humanizePercentage": humanize_percentage,
}


def go_float(value: float) -> str:
    """`{{ $value }}`: Go prints a float64 with strconv's shortest form."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    mantissa, _, exponent = text.partition("e")
    if exponent:
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}e{sign}{exponent.lstrip('+-').zfill(2)}"
    return text


def expand(text: str, labels: dict[str, str], value: float) -> str:
    """The annotation `text` for an alert with `labels` and `value`; Unsupported if it uses
    more of Go's templates than labels and values."""

    def action(match: re.Match[str]) -> str:
        body = match.group(1)
        label = _LABEL.match(body)
        if label:
            return labels.get(label.group(1), "")
        found = _VALUE.match(body)
        if found:
            function = found.group(1)
            if function is None:
                return go_float(value)
            if function in FUNCTIONS:
                return FUNCTIONS[function](value)
        raise Unsupported(f"the template action `{{{{ {body} }}}}`")

    return _ACTION.sub(action, text)
