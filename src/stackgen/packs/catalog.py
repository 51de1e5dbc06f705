"""The built-in packs: packs/builtin/*.yml, written in the spec's pack form and compiled as the
spec's own packs are. Kind knowledge lives there only; the planners ask a pack for its rules
given one service."""

from __future__ import annotations

from importlib.resources import files

from stackgen.common.yaml_io import load
from stackgen.packs.base import AlertDef, Pack
from stackgen.packs.compile import build_pack
from stackgen.spec.custom import AlertPack

# The kinds with a pack of their own, in the order the stack overview draws them.
BUILTIN_KINDS = ("http", "database", "ai-inference", "node")


def builtin_form(name: str) -> AlertPack:
    """A built-in pack as written, validated as the spec's packs are."""
    text = files("stackgen.packs").joinpath("builtin", f"{name}.yml").read_text("utf-8")
    return AlertPack.model_validate(load(text))


# What every service gets, whatever its kind.
COMMON = build_pack(builtin_form("common"))
COMMON_METRICS: dict[str, str] = COMMON.metrics
COMMON_ALERTS: tuple[AlertDef, ...] = COMMON.alerts

CUSTOM = Pack(kind="custom", metrics={}, records=(), alerts=(), panels=())

PACKS: dict[str, Pack] = {
    p.kind: p for p in (*(build_pack(builtin_form(k)) for k in BUILTIN_KINDS), CUSTOM)
}


def pack_for(kind: str) -> Pack:
    return PACKS[kind]


def metric_roles(kind: str) -> dict[str, str]:
    """Every metric role of a kind with its default metric name."""
    return {**COMMON_METRICS, **PACKS[kind].metrics}


def alerts_for(kind: str) -> tuple[AlertDef, ...]:
    """Every alert a service of this kind gets: the common ones, then the kind's own."""
    return COMMON_ALERTS + PACKS[kind].alerts
