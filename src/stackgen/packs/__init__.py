"""Alert packs: what each service kind contributes (metric names, recording rules, alerts, panels).

Kind knowledge lives here only; the planner asks a pack for its rules given one service.
"""

from __future__ import annotations

from stackgen.packs.ai_inference import AI_INFERENCE
from stackgen.packs.base import AlertDef, Pack, PanelDef, Query, RecordDef, ServiceContext
from stackgen.packs.common import COMMON_ALERTS, COMMON_METRICS
from stackgen.packs.database import DATABASE
from stackgen.packs.http import HTTP
from stackgen.packs.node import NODE

CUSTOM = Pack(kind="custom", metrics={}, records=(), alerts=(), panels=())

PACKS: dict[str, Pack] = {p.kind: p for p in (HTTP, DATABASE, AI_INFERENCE, NODE, CUSTOM)}


def pack_for(kind: str) -> Pack:
    return PACKS[kind]


def metric_roles(kind: str) -> dict[str, str]:
    """Every metric role of a kind with its default metric name."""
    return {**COMMON_METRICS, **PACKS[kind].metrics}


def alerts_for(kind: str) -> tuple[AlertDef, ...]:
    """Every alert a service of this kind gets: the common ones, then the kind's own."""
    return COMMON_ALERTS + PACKS[kind].alerts


__all__ = [
    "PACKS",
    "AlertDef",
    "Pack",
    "PanelDef",
    "Query",
    "RecordDef",
    "ServiceContext",
    "alerts_for",
    "metric_roles",
    "pack_for",
]
