"""Prometheus durations and clean numbers: the value formats every output shares."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decimal import Decimal

_DURATION = re.compile(
    r"^(?:(?P<y>\d+)y)?(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?"
    r"(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?(?:(?P<ms>\d+)ms)?$"
)
_MAX_SECONDS = (2**63 - 1) / 1e9  # Go's time.Duration, in nanoseconds
_UNIT_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


@lru_cache(maxsize=65536)  # a spec of thousands of services repeats its few durations
def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as `1h30m`; ValueError if it is not one."""
    match = _DURATION.match(text)
    if not text or match is None or not any(match.groupdict().values()):
        raise ValueError(
            f"{text!r} is not a Prometheus duration: use a number with a unit, "
            "such as 30s, 5m, 1h30m or 7d (units ms, s, m, h, d, w, y)"
        )
    parts = match.groupdict()
    seconds: float = sum(
        int(parts[unit]) * size for unit, size in _UNIT_SECONDS.items() if parts[unit]
    )
    seconds += int(parts["ms"]) / 1000 if parts["ms"] else 0
    if seconds > _MAX_SECONDS:
        raise ValueError(f"{text!r} is longer than Prometheus can hold (about 292 years)")
    return seconds


# Memoised: a plan formats the same few windows and ratios for every service (typed, so that
# True never answers for 1; bounded, as a long-lived process sees endless values).
@lru_cache(maxsize=65536, typed=True)
def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for a whole number of seconds (or milliseconds)."""
    millis = round(seconds * 1000)
    if millis <= 0:
        return "0s"
    out = []
    # No weeks: `30d` reads better than `4w2d`.
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, millis = divmod(millis, size * 1000)
        if count:
            out.append(f"{count}{unit}")
    if millis:
        out.append(f"{millis}ms")
    return "".join(out)


@lru_cache(maxsize=65536, typed=True)
def written_number(value: float | int) -> str:
    """A number from the spec as it was written, every digit kept (`100.0001`, never `100`),
    without exponent notation: for messages about the value itself."""
    if isinstance(value, int):
        return str(value)
    from decimal import Decimal  # imported here: `stackgen lint` does without it (start-up time)

    text = format(Decimal(repr(value)), "f")  # repr: the shortest text that reads back the same
    return text.rstrip("0").rstrip(".") if "." in text else text


def clean_number(value: float | int | Decimal) -> str:
    """A number as a person writes it: `0.999`, never `0.9990000000000001` nor `1e-05`."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return str(value)
    from decimal import Decimal  # imported here: `stackgen lint` does without it (start-up time)

    # 12 significant digits drop binary float noise; Decimal avoids exponent notation.
    dec = Decimal(format(value, ".12g"))
    text = format(dec.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def counted(count: int, noun: str) -> str:
    """`1 service`, `2 services`: a count with its noun."""
    return f"{count} {noun}{'s' * (count != 1)}"
