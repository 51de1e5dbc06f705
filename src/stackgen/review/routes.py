"""`stackgen routes`: the routing tree of a spec, and where an alert goes at a given time with
the given alerts firing, read from the alertmanager.yml the spec renders."""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from stackgen.alertmanager.routing import Delivery, Route, deliveries, route_tree
from stackgen.common.layout import ALERTMANAGER_CONFIG
from stackgen.common.values import format_duration
from stackgen.common.yaml_io import load
from stackgen.plan.prometheus import external_labels
from stackgen.plan.routing import complete
from stackgen.render.stream import render_tree
from stackgen.spec.model import Stack


def alertmanager_document(stack: Stack) -> dict[str, Any]:
    """The alertmanager.yml the spec renders, parsed: what Alertmanager itself would read.
    Only that file is rendered."""
    with tempfile.TemporaryDirectory(prefix="stackgen-routes-") as folder:
        render_tree(stack, Path(folder), jobs=1, only=frozenset({ALERTMANAGER_CONFIG}))
        return load((Path(folder) / ALERTMANAGER_CONFIG).read_bytes())


def parse_labels(words: list[str]) -> dict[str, str]:
    """`k=v` words (or one `k=v,k=v` word) as labels; ValueError for anything else."""
    labels = {}
    for word in (part for w in words for part in w.split(",") if part):
        name, sep, value = word.partition("=")
        if not sep or not name:
            raise ValueError(
                f"`{word}` is not a label: write name=value, such as severity=critical"
            )
        labels[name.strip()] = value.strip().strip('"')
    return labels


def firing_alert(stack: Stack, word: str, tested: dict[str, str]) -> dict[str, str]:
    """`--firing NAME` (the stack's alert NAME, for the tested alert's service where it has
    one) or `--firing k=v,k=v`."""
    if "=" in word:
        return complete(stack, parse_labels([word]))[0]
    for given in ({"alertname": word, "service": tested.get("service", "")}, {"alertname": word}):
        labels, source = complete(stack, given)
        if source is not None:
            return labels
    return {**external_labels(stack), "alertname": word}


def parse_time(text: str) -> datetime:
    """ISO 8601; a time without a zone is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"`{text}` is not a time: write ISO 8601, such as 2026-12-05T03:00 or "
            "2026-12-05T03:00+01:00 (without a zone: UTC)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def route_lines(route: Route, depth: int = 0) -> list[str]:
    matchers = ", ".join(map(str, route.matchers)) or ("(root)" if depth == 0 else "(all)")
    details = [f"receiver: {route.receiver}"]
    if route.continue_:
        details.append("continue")
    for key in ("group_wait", "group_interval", "repeat_interval"):
        if key in route.written:
            details.append(f"{key}: {format_duration(route.timings[key])}")
    if "group_by" in route.written:
        details.append(f"group_by: [{', '.join(route.group_by)}]")
    if route.mute_time_intervals:
        details.append(f"muted during: {', '.join(route.mute_time_intervals)}")
    if route.active_time_intervals:
        details.append(f"active during: {', '.join(route.active_time_intervals)}")
    lines = [f"{'    ' * depth}{'└── ' if depth else ''}{matchers}  {'  '.join(details)}"]
    for child in route.routes:
        lines += route_lines(child, depth + 1)
    return lines


def show(document: dict[str, Any]) -> str:
    return "\n".join(route_lines(route_tree(document["route"])))


def report(labels: dict[str, str], found: list[Delivery], at: datetime | None) -> str:
    lines = ["alert: " + " ".join(f"{k}={v}" for k, v in sorted(labels.items()))]
    if at is not None:
        lines.append(f"at: {at.isoformat()}")
    width = max(len(d.receiver) for d in found)
    lines += [f"  {d.receiver:<{width}}  {d.muted_by or 'notified'}" for d in found]
    sent = [d.receiver for d in found if d.sent]
    lines.append(f"receivers: {', '.join(sent) if sent else '(none)'}")
    return "\n".join(lines)


__all__ = [
    "alertmanager_document",
    "deliveries",
    "firing_alert",
    "parse_labels",
    "parse_time",
    "report",
    "show",
]
