"""Grafana: provisioning (datasources, dashboard providers) and one dashboard per service plus
the stack overview, with stable uids and folders."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from stackgen.packs import metric_roles
from stackgen.plan.artifact import Artifact
from stackgen.plan.panels import overview_panels, service_panels, slo_panels
from stackgen.spec.model import PostgresDatasource, PrometheusDatasource, Stack

# The dashboard schemaVersion each Grafana version writes.
SCHEMA_VERSIONS = {"10.4": 39, "11.6": 41, "12": 42}
_PLUGIN_TYPES = {"postgres": "grafana-postgresql-datasource"}


def kind_metric_names(stack: Stack) -> set[str]:
    """The metric names the services' kinds read, as the spec names them."""
    return {
        name
        for service in stack.services
        for name in {**metric_roles(service.kind), **service.metric_overrides}.values()
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
        sources.insert(
            0, PrometheusDatasource(name="Prometheus", type="prometheus", default=not has_default)
        )
    if not any(s.default for s in sources):
        first = next(i for i, s in enumerate(sources) if s.type == "prometheus")
        sources[first] = sources[first].model_copy(update={"default": True})
    uids = distinct_slugs([f"{stack.stack.name}-{s.name}" for s in sources])
    out = []
    for source in sources:
        entry: dict[str, Any] = {
            "name": literal(source.name),
            "type": _PLUGIN_TYPES.get(source.type, source.type),
            "uid": uid_for(uids[f"{stack.stack.name}-{source.name}"]),
            "access": "proxy",
            "url": literal(source.url or f"http://{stack.prometheus.address}"),
            "isDefault": source.default,
            "editable": False,
        }
        if isinstance(source, PrometheusDatasource):
            # Lets Grafana pick $__rate_interval from the real scrape interval.
            entry["jsonData"] = {"timeInterval": stack.prometheus.scrape_interval}
        elif isinstance(source, PostgresDatasource):
            entry["user"] = literal(source.user)
            entry["jsonData"] = {"database": literal(source.database), "sslmode": source.sslmode}
            if source.password is not None:  # a ${ENV} reference, for Grafana to expand
                entry["secureJsonData"] = {"password": source.password}
        out.append(entry)
    return out


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
        "schema_version": SCHEMA_VERSIONS[stack.grafana.version],
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
    for service, folder in zip(stack.services, service_folders, strict=True):
        if service.slos:
            dashboards.append(
                Artifact(
                    # `.slo` and `_slo`: no service name holds a dot or an underscore.
                    f"grafana/dashboards/{folders[folder]}/{service.name}.slo.json",
                    "dashboard.json.j2",
                    _dashboard_context(
                        stack,
                        uid_for(f"{stack.stack.name}-{service.name}_slo"),
                        f"{service.name} SLOs",
                        ["slo", f"team-{service.team}"],
                        f"Objectives, error budgets and burn rates of {service.name}.",
                        slo_panels(service),
                    ),
                )
            )
    providers = [
        {
            "name": f"stackgen-{stack.stack.name}-{directory}",
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
