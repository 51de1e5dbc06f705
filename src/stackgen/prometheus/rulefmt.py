"""What Prometheus 2.42's rule file format (model/rulefmt) accepts, value by value: its fields,
their YAML types, its durations (prometheus/common's model.Duration) and its label and metric
names. The lint checks of a rule file's structure read these; each answer is an error message
or None."""

from __future__ import annotations

import re
from typing import Any

GROUP_FIELDS = ("name", "interval", "limit", "rules")
RULE_FIELDS = ("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations")
# prometheus-operator's PrometheusRule: the operator, not rulefmt, reads its groups (its CRD
# adds these fields, and Thanos's partial_response_strategy).
OPERATOR_GROUP_FIELDS = (*GROUP_FIELDS, "partial_response_strategy", "query_offset", "labels")
# mimirtool's rule files (a `namespace:` beside `groups:`): Mimir's ruler reads these too.
MIMIR_GROUP_FIELDS = (
    *GROUP_FIELDS, "source_tenants", "evaluation_delay", "query_offset",
    "align_evaluation_time_on_interval",
)  # fmt: skip

LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
RESERVED_LABEL = "__name__"

_DURATION = re.compile(
    r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?"
)
_NANOSECONDS = (
    365 * 86400 * 10**9, 7 * 86400 * 10**9, 86400 * 10**9, 3600 * 10**9, 60 * 10**9, 10**9,
    10**6,
)  # fmt: skip
_MAX_NANOSECONDS = 2**63 - 1


def kind(value: Any) -> str:
    """A value's YAML kind, as an error message names it."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else f"`{value}`"


def is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def scalar_text(value: Any) -> str:
    """A scalar as Go's YAML decoder hands it to a string field (null: empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def duration_seconds(value: Any) -> float | None:
    """A model.Duration's seconds (null: 0), or None when Prometheus refuses it."""
    if value is None:
        return 0.0
    if not is_scalar(value) or isinstance(value, float | bool):
        return None
    text = scalar_text(value)
    if text == "0":
        return 0.0
    found = _DURATION.fullmatch(text)
    if not text or found is None:
        return None
    total = 0
    for part, unit in zip(found.groups(), _NANOSECONDS, strict=True):
        if part is None:
            continue
        amount = int(part)
        if amount > _MAX_NANOSECONDS // unit:
            return None
        total += amount * unit
        if total > _MAX_NANOSECONDS:
            return None
    return total / 10**9


def duration_error(value: Any) -> str | None:
    if duration_seconds(value) is not None:
        return None
    return (
        f"{kind(value)} is not a Prometheus duration: write whole numbers with units "
        "y, w, d, h, m, s, ms from largest to smallest, such as `5m` or `1h30m`"
    )


def string_map_error(value: Any) -> str | None:
    """Labels and annotations: a mapping of names to scalars (or nothing)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return f"must be a mapping of names to values, not {kind(value)}"
    for name, item in value.items():
        if not is_scalar(item):
            return f"`{name}` must be a string, not {kind(item)}"
    return None


def string_map(value: Any) -> dict[str, str]:
    """Labels or annotations as Prometheus reads them; {} where rulefmt refuses the value."""
    if not isinstance(value, dict):
        return {}
    return {scalar_text(k): scalar_text(v) for k, v in value.items() if is_scalar(v)}


def label_name_error(name: str, *, reserved: bool = True) -> str | None:
    if not LABEL_NAME.fullmatch(name):
        return f"`{name}` is not a valid label name (letters, digits and `_`, not first a digit)"
    if reserved and name == RESERVED_LABEL:
        return f"`{name}` is reserved: a rule cannot set the metric name through a label"
    return None


def metric_name_error(name: str) -> str | None:
    if METRIC_NAME.fullmatch(name):
        return None
    return f"`{name}` is not a valid metric name (letters, digits, `_` and `:` only)"


def unknown_fields(data: dict[Any, Any], known: tuple[str, ...]) -> list[str]:
    return [str(key) for key in data if str(key) not in known]
