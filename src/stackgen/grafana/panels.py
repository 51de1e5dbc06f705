"""The panels of a Grafana dashboard, with their places in it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    return (panel for _, panel in placed_panels(dashboard))


def placed_panels(dashboard: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every panel with its path in the dashboard."""
    for index, panel in enumerate(dashboard.get("panels", [])):
        yield ("panels", index), panel
        inner = panel.get("panels", []) if panel.get("type") == "row" else ()
        yield from ((("panels", index, "panels", k), p) for k, p in enumerate(inner))
