"""The meta-monitoring pack: the monitoring stack's own alerts, as data in
packs/builtin/meta.yml, read once."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Literal

import yaml

from stackgen.common.yaml_io import SAFE_LOADER

Component = Literal["prometheus", "alertmanager", "grafana"]


@dataclass(frozen=True)
class MetaTest:
    """Input series (with `${...}` job matchers) that fire the alert by `at`."""

    series: dict[str, str]
    at: str
    interval: str = "1m"
    drop: tuple[str, ...] = ()  # labels of the first series the expression aggregates away


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
            test=MetaTest(**{**raw["test"], "drop": tuple(raw["test"].get("drop", ()))}),
            when=raw.get("when", "always"),
            panel=raw.get("panel"),
        )
        for raw in yaml.load(text, Loader=SAFE_LOADER)["alerts"]
    )


META_ALERTS: tuple[MetaAlert, ...] = _load()
