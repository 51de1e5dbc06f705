"""What every importer shares: names made valid, labels kept or dropped, the spec around."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from stackgen.prometheus.names import ALERT_NAME, LABEL_NAME
from stackgen.spec.types import ratio_template

RESERVED = {"alertname", "service", "team", "severity", "slo", "slo_tier", "job", "instance"}


class ImportFailed(Exception):
    """The input cannot become a stackgen spec; the message says why and what to do."""


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:63].strip("-")
    return value or "unnamed"


def camel(text: str) -> str:
    if ALERT_NAME.match(text):
        return text
    words = re.split(r"[^A-Za-z0-9]+", text)
    value = "".join(w[:1].upper() + w[1:] for w in words if w)
    return value if re.match(r"^[A-Z]", value) else f"Slo{value}"


def labels(
    source: dict[str, Any] | None,
    notes: list[str],
    where: str,
    at: Callable[[str], str] | None = None,
) -> dict[str, str]:
    """Labels stackgen can carry; the others are named in `notes`, at their line when `at`
    gives a label's FILE:LINE."""
    kept: dict[str, str] = {}
    if source is None:  # none given
        return kept
    if not isinstance(source, dict):
        notes.append(f"{where}: labels dropped (not a mapping)")
        return kept

    def note(key: Any, text: str) -> None:
        notes.append(f"{at(str(key))}: {where}: {text}" if at else f"{where}: {text}")

    for key, value in source.items():
        if value is None:
            note(key, f"label `{key}` dropped (no value)")
        elif key in RESERVED:
            note(key, f"label `{key}: {value}` dropped (stackgen sets `{key}` itself)")
        elif not LABEL_NAME.match(str(key)) or str(key).startswith("__"):
            note(key, f"label `{key}` dropped (not a valid Prometheus label name)")
        else:
            kept[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
    return kept


def window_placeholder(query: str) -> str:
    """Sloth's and OpenSLO's `{{.window}}` become stackgen's `${window}`."""
    return re.sub(r"\{\{\s*\.window\s*\}\}", "${window}", query).strip()


def checked_ratio(expr: str, where: str) -> dict[str, str]:
    """A `ratio` SLI, refused here when Prometheus could not run its query."""
    try:
        ratio_template(expr)
    except ValueError as exc:
        raise ImportFailed(f"{where}: the SLI cannot run on Prometheus: {exc}") from None
    return {"type": "ratio", "expr": expr}


def stack_spec(name: str, services: list[dict[str, Any]]) -> dict[str, Any]:
    """A whole spec around imported services, with placeholders a person fills in."""
    return {
        "stack": {"name": slug(name)},
        "services": services,
        "channels": [{"name": "default", "type": "webhook", "url": "http://localhost:9095/alerts"}],
        "routing": {"default_channel": "default"},
    }


def imported_service(name: str, team: str, slos: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": slug(name),
        "team": slug(team),
        "kind": "custom",
        # Where the service's targets are: to be filled in.
        "targets": {"file_sd": {"files": [f"targets/{slug(name)}.json"]}},
        "slos": slos,
    }


def as_spec_text(spec: dict[str, Any], source: str, tool: str, notes: list[str]) -> str:
    header = [
        f"# Imported from {source} by `stackgen import {tool}`.",
        "# Fill in each service's targets and the channels, then run `stackgen render`.",
        *(f"# NOTE {note}" for note in notes),
    ]
    body = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + "\n" + body
