"""Grafana provisioning (datasources, dashboard providers) and the dashboards themselves."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from stackgen.packs import PanelDef, ServiceContext, ai_inference, http, node, pack_for
from stackgen.plan.alerts import service_alerts, service_context
from stackgen.plan.artifact import Artifact
from stackgen.spec.model import Datasource, Service, Stack

SCHEMA_VERSION = 39  # Grafana 10.4 and newer read it
GRID_WIDTH = 24
PANEL_HEIGHT = 8
DATASOURCE_VAR = "${datasource}"
_PLUGIN_TYPES = {"postgres": "grafana-postgresql-datasource"}
GAUGE_OPTIONS = {
    "showThresholdLabels": False,
    "showThresholdMarkers": True,
    "sizing": "auto",
    "minVizWidth": 75,
    "minVizHeight": 75,
}
STAT_OPTIONS = {
    "graphMode": "area",
    "colorMode": "value",
    "justifyMode": "auto",
    "textMode": "auto",
    "wideLayout": True,
    "showPercentChange": False,
    "percentChangeColorMode": "standard",
}


def uid_for(name: str) -> str:
    """A stable dashboard uid: at most 40 of [A-Za-z0-9_-], hashed when the name is longer."""
    uid = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    if len(uid) <= 40:
        return uid
    return f"{uid[:31]}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def dashboard_uid(stack: Stack, service: str) -> str:
    """Stack-prefixed, so two stacks can share one Grafana."""
    return uid_for(f"{stack.stack.name}-{service}")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def distinct_slugs(names: list[str]) -> dict[str, str]:
    """A slug per name, all different: a slug already taken gets a hash of the name appended
    (`Services` and `services` must not share a folder or a uid)."""
    taken: dict[str, str] = {}
    for name in names:
        candidate = slug(name)
        if candidate in taken.values():
            candidate = f"{candidate}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
        taken[name] = candidate
    return taken


def literal(text: str) -> str:
    """Grafana expands `$VAR` in provisioning files; `$$` keeps a literal dollar."""
    return text.replace("$", "$$")


def datasources(stack: Stack) -> list[dict[str, Any]]:
    sources = list(stack.grafana.datasources)
    if not any(s.type == "prometheus" for s in sources):
        has_default = any(s.default for s in sources)
        sources.insert(0, Datasource(name="Prometheus", type="prometheus", default=not has_default))
    if not any(s.default for s in sources):
        first = next(i for i, s in enumerate(sources) if s.type == "prometheus")
        sources[first] = sources[first].model_copy(update={"default": True})
    uids = distinct_slugs([s.name for s in sources])
    out = []
    for source in sources:
        entry: dict[str, Any] = {
            "name": literal(source.name),
            "type": _PLUGIN_TYPES.get(source.type, source.type),
            "uid": uid_for(uids[source.name]),
            "access": "proxy",
            "url": literal(source.url or f"http://{stack.prometheus.address}"),
            "isDefault": source.default,
            "editable": False,
        }
        json_data: dict[str, Any] = {}
        if source.type == "prometheus":
            # Lets Grafana pick $__rate_interval from the real scrape interval.
            json_data["timeInterval"] = stack.prometheus.scrape_interval
        if source.type == "postgres":
            entry["user"] = literal(source.user or "")
            json_data |= {
                "database": literal(source.database or ""),
                "sslmode": source.sslmode or "require",
            }
        if json_data:
            entry["jsonData"] = json_data
        if source.password is not None:  # a ${ENV} reference, for Grafana to expand
            entry["secureJsonData"] = {"password": source.password}
        out.append(entry)
    return out


# --- panels --------------------------------------------------------------------------------------


def _thresholds(threshold: float | None, below: bool) -> dict[str, Any]:
    if threshold is None:
        steps = [{"color": "green", "value": None}]
    elif below:
        steps = [{"color": "red", "value": None}, {"color": "green", "value": threshold}]
    else:
        steps = [{"color": "green", "value": None}, {"color": "red", "value": threshold}]
    return {"mode": "absolute", "steps": steps}


def panel(
    definition: PanelDef,
    targets: list[tuple[str, str]],
    threshold: float | None,
) -> dict[str, Any]:
    """One panel's JSON (without id and gridPos, which the layout assigns)."""
    defaults: dict[str, Any] = {
        "unit": definition.unit,
        "thresholds": _thresholds(threshold, definition.threshold_below),
    }
    if definition.min is not None:
        defaults["min"] = definition.min
    if definition.max is not None:
        defaults["max"] = definition.max
    if definition.type == "timeseries":
        mode = "line" if threshold is not None else "off"
        defaults["custom"] = {"thresholdsStyle": {"mode": mode}, "fillOpacity": 10}
        options: dict[str, Any] = {
            "legend": {
                "displayMode": "list",
                "placement": "bottom",
                "showLegend": True,
                "calcs": [],
            },
            "tooltip": {"mode": "multi", "sort": "desc"},
        }
    else:
        options = {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "orientation": "auto",
        }
        options |= GAUGE_OPTIONS if definition.type == "gauge" else STAT_OPTIONS
    return {
        "type": definition.type,
        "title": definition.title,
        "description": definition.description,
        "datasource": {"type": "prometheus", "uid": DATASOURCE_VAR},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "datasource": {"type": "prometheus", "uid": DATASOURCE_VAR},
                "expr": expr,
                "legendFormat": legend,
                "range": True,
            }
            for i, (expr, legend) in enumerate(targets)
        ],
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": options,
        "_width": definition.width,
    }


def layout(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Place panels left to right on the 24-column grid, wrapping rows; number them."""
    placed, x, y = [], 0, 0
    for number, item in enumerate(panels, start=1):
        width = item.pop("_width")
        if x + width > GRID_WIDTH:
            x, y = 0, y + PANEL_HEIGHT
        placed.append(
            {"id": number, **item, "gridPos": {"h": PANEL_HEIGHT, "w": width, "x": x, "y": y}}
        )
        x += width
    return placed


def service_panels(stack: Stack, service: Service) -> list[dict[str, Any]]:
    ctx = service_context(stack, service)
    thresholds = {a.name: a.threshold for a in service_alerts(stack, service)}
    up = PanelDef(
        "Targets up",
        "stat",
        (),
        unit="short",
        description="Scrape targets of the service that answer.",
        width=24 if not pack_for(service.kind).panels else 12,
    )
    panels = [panel(up, [(f"sum({ctx.m('up')})", "up"), (f"count({ctx.m('up')})", "total")], None)]
    for definition in pack_for(service.kind).panels:
        targets = [(q.expr(ctx), q.legend) for q in definition.queries]
        threshold = thresholds.get(definition.threshold_alert or "")
        panels.append(panel(definition, targets, threshold))
    return layout(panels)


# --- the overview --------------------------------------------------------------------------------

OverviewQuery = Callable[[ServiceContext], str]


def _either(contexts: list[ServiceContext], query: OverviewQuery) -> str:
    """One query over several services: their series are disjoint (by job), so `or` joins them."""
    return " or ".join(query(c) for c in contexts)


def overview_panels(stack: Stack) -> list[dict[str, Any]]:
    by_kind: dict[str, list[ServiceContext]] = {}
    thresholds: dict[str, list[float]] = {}
    for service in stack.services:
        by_kind.setdefault(service.kind, []).append(service_context(stack, service))
        for alert in service_alerts(stack, service):
            if alert.threshold is not None:
                thresholds.setdefault(alert.name, []).append(alert.threshold)

    def strictest(alert: str) -> float | None:
        return min(thresholds[alert]) if alert in thresholds else None

    panels = []
    if apis := by_kind.get("http"):
        requests = _either(apis, lambda c: c.rec(http.REQUESTS))
        errors = _either(apis, lambda c: c.rec(http.ERRORS))
        panels.append(
            panel(
                PanelDef("Request rate", "gauge", (), unit="reqps", min=0, width=6),
                [(f"sum({requests})", "requests/s")],
                None,
            )
        )
        panels.append(
            panel(
                PanelDef(
                    "Error rate (5xx)", "gauge", (), unit="percentunit", min=0, max=0.2, width=6
                ),
                [(f"sum({errors}) / sum({requests}) or vector(0)", "5xx ratio")],
                strictest("HighHTTPErrorRate"),
            )
        )
        latency = PanelDef("API latency", "timeseries", (), unit="s", min=0, width=12)
        buckets = _either(apis, lambda c: c.rec(http.LATENCY_BUCKETS))
        panels.append(
            panel(
                latency,
                [
                    (
                        f"histogram_quantile({q}, {buckets})",
                        f"{{{{job}}}} p{round(float(q) * 100)}",
                    )
                    for q in ("0.5", "0.95", "0.99")
                ],
                strictest("HighAPILatency"),
            )
        )
    if dbs := by_kind.get("database"):
        panels.append(
            panel(
                PanelDef("Database connections", "timeseries", (), unit="short", min=0),
                [
                    (
                        _either(dbs, lambda c: f"sum by (job, instance) ({c.m('connections')})"),
                        "{{instance}}",
                    )
                ],
                None,
            )
        )
    if models := by_kind.get("ai-inference"):
        panels.append(
            panel(
                PanelDef("AI inference duration p95 by model", "timeseries", (), unit="s", min=0),
                [
                    (
                        f"histogram_quantile(0.95, "
                        f"{_either(models, lambda c: c.rec(ai_inference.DURATION_BUCKETS))})",
                        "{{model}}",
                    )
                ],
                strictest("SlowInference"),
            )
        )
    if hosts := by_kind.get("node"):
        for title, record, alert in (
            ("CPU usage", node.CPU, "HighCPU"),
            ("Memory usage", node.MEMORY, "HighMemory"),
        ):
            panels.append(
                panel(
                    PanelDef(title, "timeseries", (), unit="percentunit", min=0, max=1),
                    [(_either(hosts, lambda c, r=record: c.rec(r)), "{{instance}}")],
                    strictest(alert),
                )
            )
    return layout(panels)


# --- artifacts -----------------------------------------------------------------------------------


def _dashboard_context(
    stack: Stack,
    uid: str,
    title: str,
    tags: list[str],
    description: str,
    panels: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["stackgen", stack.stack.name, *tags],
        "panels": panels,
        "schema_version": SCHEMA_VERSION,
        "stack_tag": stack.stack.name,
    }


def grafana_artifacts(stack: Stack) -> list[Artifact]:
    grafana = stack.grafana
    service_folders = [s.dashboard_folder or grafana.default_folder for s in stack.services]
    folders = distinct_slugs(list(dict.fromkeys([grafana.default_folder, *service_folders])))
    dashboards = [
        Artifact(
            f"grafana/dashboards/{folders[grafana.default_folder]}/{stack.stack.name}-overview.json",
            "dashboard.json.j2",
            _dashboard_context(
                stack,
                dashboard_uid(stack, "overview"),
                f"{stack.stack.name} overview",
                ["overview"],
                f"Health of every service of the {stack.stack.name} stack.",
                overview_panels(stack),
            ),
        )
    ]
    for service, folder in zip(stack.services, service_folders, strict=True):
        dashboards.append(
            Artifact(
                f"grafana/dashboards/{folders[folder]}/{service.name}.json",
                "dashboard.json.j2",
                _dashboard_context(
                    stack,
                    dashboard_uid(stack, service.name),
                    service.name,
                    [service.kind, f"team-{service.team}"],
                    service.description or f"{service.kind} service {service.name}",
                    service_panels(stack, service),
                ),
            )
        )
    providers = [
        {
            "name": f"stackgen-{directory}",
            "folder": literal(folder),
            "path": literal(f"{grafana.dashboards_path.rstrip('/')}/{directory}"),
        }
        for folder, directory in folders.items()
    ]
    return [
        Artifact(
            "grafana/provisioning/datasources/datasources.yml",
            "grafana-datasources.yml.j2",
            {"stack": stack.stack, "datasources": datasources(stack)},
        ),
        Artifact(
            "grafana/provisioning/dashboards/dashboards.yml",
            "grafana-dashboards.yml.j2",
            {"stack": stack.stack, "providers": providers},
        ),
        *dashboards,
    ]
