"""The meta-monitoring pack: the monitoring stack's own alerts, as data in
packs/builtin/meta.yml, read once."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal

import yaml

from stackgen.common.yaml_io import SAFE_LOADER

Component = Literal["prometheus", "alertmanager", "grafana"]


@dataclass(frozen=True)
class MetaScenario:
    """Input series (with `${...}` job matchers) in promtool's notation. A firing scenario
    names the first evaluation at which the alert's condition holds (`onset`) and, where the
    input recovers, the first at which it no longer does (`resolves`); a silent one neither."""

    series: dict[str, str]
    onset: str | None = None
    resolves: str | None = None


@dataclass(frozen=True)
class MetaTest:
    """The alert's scenarios: each firing one fires it exactly `for` after its onset (silent an
    evaluation before, and before its onset) and resolves when it says; the silent ones
    never fire it."""

    fire: tuple[MetaScenario, ...]
    silent: tuple[MetaScenario, ...] = ()
    interval: str = "1m"
    drop: tuple[str, ...] = ()  # labels of the first series the expression aggregates away


def _test(raw: dict[str, Any]) -> MetaTest:
    return MetaTest(
        fire=tuple(MetaScenario(**s) for s in raw["fire"]),
        silent=tuple(MetaScenario(series=s) for s in raw.get("silent", ())),
        interval=raw.get("interval", "1m"),
        drop=tuple(raw.get("drop", ())),
    )


@dataclass(frozen=True)
class MetaAlert:
    name: str
    component: Component
    source: Literal["prometheus-mixin", "alertmanager-mixin", "stackgen"]
    severity: Literal["critical", "warning", "info"]
    for_: str
    expr: str  # with `${prometheus}`, `${federate}`, `${alertmanager}`, `${grafana}`
    summary: str
    description: str
    diagnosis: tuple[str, ...]
    test: MetaTest
    when: Literal["always", "remote_write"] = "always"
    panel: str | None = None  # the dashboard's query, where the expression is no `query OP n`


def _load() -> tuple[MetaAlert, ...]:
    text = (files("stackgen.packs") / "builtin" / "meta.yml").read_text("utf-8")
    return tuple(
        MetaAlert(
            name=raw["name"],
            component=raw["component"],
            source=raw["source"],
            severity=raw["severity"],
            for_=raw["for"],
            expr=raw["expr"].strip(),
            summary=raw["summary"],
            description=raw["description"].strip(),
            diagnosis=tuple(raw.get("diagnosis", ())),
            test=_test(raw["test"]),
            when=raw.get("when", "always"),
            panel=raw.get("panel"),
        )
        for raw in yaml.load(text, Loader=SAFE_LOADER)["alerts"]
    )


META_ALERTS: tuple[MetaAlert, ...] = _load()
