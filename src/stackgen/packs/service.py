"""The pack of one service: its kind's built-in pack, or the spec's own pack (`packs:`) that a
`kind: custom` service names; and the panels of its dashboard, the pack's then its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from stackgen.packs.base import AlertDef, Pack, PanelDef
from stackgen.packs.catalog import COMMON_ALERTS, COMMON_METRICS, pack_for
from stackgen.packs.compile import build_pack, fires_below, panel_def, record_names

if TYPE_CHECKING:  # the spec imports the packs: types only
    from stackgen.spec.custom import AlertPack, Panel


def pack_spec(packs: Sequence[AlertPack], service: Any) -> AlertPack | None:
    """The spec's pack a `custom` service names, if any (and defined)."""
    name = getattr(service, "pack", None)
    return next((p for p in packs if p.name == name), None) if name else None


def service_pack(packs: Sequence[AlertPack], service: Any) -> Pack:
    """The pack of a service: its kind's, or for `kind: custom` the spec pack it names."""
    spec = pack_spec(packs, service)
    return build_pack(spec) if spec is not None else pack_for(service.kind)


def service_alert_defs(packs: Sequence[AlertPack], service: Any) -> tuple[AlertDef, ...]:
    return COMMON_ALERTS + service_pack(packs, service).alerts


def service_metric_roles(packs: Sequence[AlertPack], service: Any) -> dict[str, str]:
    """Every metric role of the service with its default metric name."""
    return {**COMMON_METRICS, **service_pack(packs, service).metrics}


def dashboard_panels(packs: Sequence[AlertPack], service: Any) -> tuple[PanelDef, ...]:
    """The panels of the service's dashboard after `Targets up`: its pack's, then its own."""
    pack = service_pack(packs, service)
    own: Sequence[Panel] = getattr(service, "dashboard_panels", ())
    if not own:
        return pack.panels
    spec = pack_spec(packs, service)
    below = fires_below(spec.alerts if spec else ())
    below |= {d.threshold_alert: d.threshold_below for d in pack.panels if d.threshold_alert}
    records = record_names(spec)
    return pack.panels + tuple(panel_def(p, records, below.get(p.alert or "", False)) for p in own)
