"""Alert packs: what each service kind contributes (metric names, recording rules, alerts,
panels, overview panels), written as data in the spec's pack form (packs/builtin/*.yml)."""

from __future__ import annotations

# The built-in packs are read through the spec's pack form (spec.custom), and the spec package
# reads the packs as it loads: load it first, so its modules find packs.catalog whole.
import stackgen.spec  # noqa: F401
from stackgen.packs.base import AlertDef, Pack, PanelDef, Query, RecordDef, ServiceContext
from stackgen.packs.catalog import (
    COMMON_ALERTS,
    COMMON_METRICS,
    PACKS,
    alerts_for,
    metric_roles,
    pack_for,
)

__all__ = [
    "COMMON_ALERTS",
    "COMMON_METRICS",
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
