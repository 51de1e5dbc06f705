"""Grafana: provisioning (datasources, dashboard providers) and one dashboard per service plus
the stack overview, with stable uids and folders."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any

from stackgen.common.layout import DASHBOARDS_DIR, DASHBOARDS_PROVISIONING, DATASOURCES_PROVISIONING
from stackgen.packs.service import dashboard_panels, service_metric_roles
from stackgen.plan.alerts import Alert, service_alerts
from stackgen.plan.artifact import Artifact
from stackgen.plan.memo import per_plan
from stackgen.plan.panels import (
    alerts_panels,
    overview_panels,
    service_panel_ids,
    service_panels,
    slo_panels,
    target_variables,
)
from stackgen.plan.spec_panels import spec_panel_metrics
from stackgen.spec.model import (
    AlertmanagerDatasource,
    Datasource,
    LokiDatasource,
    PostgresDatasource,
    PrometheusDatasource,
    Service,
    Stack,
)
from stackgen.spec.model.grafana import POSTGRES_VERSIONS
from stackgen.spec.types import is_env_reference

# The dashboard schemaVersion each Grafana version writes.
SCHEMA_VERSIONS = {"10.4": 39, "11.6": 41, "12": 42}
_PLUGIN_TYPES = {"postgres": "grafana-postgresql-datasource"}


def kind_metric_names(stack: Stack) -> set[str]:
    """The metric names the services' kinds (and the spec's packs) read, as the spec names
    them, and those the spec's own panels read."""
    roles = {
        name
        for service in stack.services
        for name in {
            **service_metric_roles(stack.packs, service),
            **service.metric_overrides,
        }.values()
    }
    # a histogram role names its base: its series are these (records read them, and service
    # dashboards inline records aggregated above the instance)
    series = {f"{name}{suffix}" for name in roles for suffix in HISTOGRAM_SERIES}
    from stackgen.plan.meta import meta_metric_names  # meta builds on this module's links

    return roles | series | spec_panel_metrics(stack) | meta_metric_names(stack)


HISTOGRAM_SERIES = ("_bucket", "_count", "_sum")


def service_dashboard_uids(stack: Stack, service: Service) -> tuple[str, str | None]:
    """The uids of the service's dashboard and of its SLO dashboard (None without SLOs)."""
    slo = uid_for(f"{stack.stack.name}-{service.name}_slo") if service.slos else None
    return dashboard_uid(stack, service.name), slo


@per_plan
def linked_alerts(stack: Stack, service: Service) -> list[Alert]:
    """The service's alerts as the rules write them, each with the `dashboard_url` of the
    dashboard that explains it: SLO alerts their SLO dashboard, the others the service's,
    opened on the panel drawn at the alert's threshold."""
    base = stack.grafana.url.rstrip("/")
    main, slo = service_dashboard_uids(stack, service)
    ids = service_panel_ids(service, stack.packs)
    drawn = dashboard_panels(stack.packs, service)
    panel_of = {d.threshold_alert: d.title for d in reversed(drawn)}
    linked = []
    for alert in service_alerts(stack, service):
        if alert.labels.get("slo") and slo is not None:
            url = f"{base}/d/{slo}"
        else:
            title = panel_of.get(alert.origin)
            url = f"{base}/d/{main}" + (f"?viewPanel={ids[title]}" if title in ids else "")
        linked.append(replace(alert, dashboard_url=url))
    return linked


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
    used: set[str] = set()  # taken's values, looked up without a scan
    for name in names:
        candidate = slug(name)
        if candidate in used:
            candidate = f"{candidate}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
        taken[name] = candidate
        used.add(candidate)
    return taken


def literal(text: str) -> str:
    """Grafana expands `$VAR` in provisioning files; `$$` keeps a literal dollar."""
    return text.replace("$", "$$")


def _default_url(stack: Stack, kind: str) -> str:
    if kind == "alertmanager":
        return f"http://{stack.alertmanager.addresses[0]}"
    return f"http://{stack.prometheus.address}"


def provisioning_text(value: str) -> str:
    """A datasource field as the provisioning file holds it: a whole `${NAME}` reference kept
    for Grafana to expand, any other text literal. One rule for every field, so a user, a
    database or a URL given by reference reaches Grafana as one."""
    return value if is_env_reference(value) else literal(value)


def _json_data(stack: Stack, source: Datasource) -> dict[str, Any]:
    """The type's jsonData, in Grafana's key names, with only the options the spec sets
    (Grafana's defaults stand for the rest)."""
    if isinstance(source, PrometheusDatasource):
        options: dict[str, Any] = {
            # Lets Grafana pick $__rate_interval from the real scrape interval.
            "timeInterval": source.time_interval or stack.prometheus.scrape_interval,
            "queryTimeout": source.query_timeout,
            "httpMethod": source.http_method,
        }
    elif isinstance(source, LokiDatasource):
        options = {"maxLines": source.max_lines}
    elif isinstance(source, AlertmanagerDatasource):
        options = {"implementation": "prometheus", "handleGrafanaManagedAlerts": False}
    elif isinstance(source, PostgresDatasource):
        version = source.postgres_version
        options = {
            "database": provisioning_text(source.database),
            "sslmode": source.sslmode,
            "postgresVersion": POSTGRES_VERSIONS[version] if version else None,
            "timescaledb": source.timescaledb,
        }
    else:
        options = {}
    return {key: value for key, value in options.items() if value is not None}


def datasources(stack: Stack) -> list[dict[str, Any]]:
    sources = list(stack.grafana.datasources)
    if not any(s.type == "prometheus" for s in sources):
        has_default = any(s.default for s in sources)
        sources.insert(
            0, PrometheusDatasource(name="Prometheus", type="prometheus", default=not has_default)
        )
    if not any(s.type == "alertmanager" for s in sources):
        # Grafana's alerting view of the stack's own Alertmanager, silences included.
        sources.append(AlertmanagerDatasource(name="Alertmanager", type="alertmanager"))
    if not any(s.default for s in sources):
        first = next(i for i, s in enumerate(sources) if s.type == "prometheus")
        sources[first] = sources[first].model_copy(update={"default": True})
    uids = distinct_slugs([f"{stack.stack.name}-{s.name}" for s in sources])
    out = []
    for source in sources:
        entry: dict[str, Any] = {
            "name": provisioning_text(source.name),
            "type": _PLUGIN_TYPES.get(source.type, source.type),
            "uid": uid_for(uids[f"{stack.stack.name}-{source.name}"]),
            "access": "proxy",
            "url": provisioning_text(source.url or _default_url(stack, source.type)),
            "isDefault": source.default,
            "editable": False,
        }
        if isinstance(source, PostgresDatasource):
            entry["user"] = provisioning_text(source.user)
        json_data = _json_data(stack, source)
        if json_data:
            entry["jsonData"] = json_data
        if isinstance(source, PostgresDatasource) and source.password is not None:
            entry["secureJsonData"] = {"password": source.password}  # always a ${NAME}
        out.append(entry)
    return out


# --- artifacts -----------------------------------------------------------------------------------


def dashboard_context(
    stack: Stack,
    uid: str,
    title: str,
    tags: list[str],
    description: str,
    panels: list[dict[str, Any]],
    links: list[tuple[str, str]] = (),  # type: ignore[assignment]
    variables: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """`links`: (title, uid) of the dashboards this one points to; `variables` after the
    datasource one."""
    return {
        "variables": list(variables),
        "links": [{"title": title, "url": f"/d/{uid}"} for title, uid in links],
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["stackgen", stack.stack.name, *tags],
        "panels": panels,
        "schema_version": SCHEMA_VERSIONS[stack.grafana.version],
        "stack_tag": stack.stack.name,
    }


def service_folder(service: Service) -> str:
    return service.dashboard_folder or service.team


def dashboard_folders(stack: Stack) -> dict[str, str]:
    """The directory of each dashboard folder, the default one first: all different, and a
    folder keeps its directory when services are added after it."""
    names = [stack.grafana.default_folder, *map(service_folder, stack.services)]
    return distinct_slugs(list(dict.fromkeys(names)))


def _stack_dashboard(
    stack: Stack,
    folders: dict[str, str],
    name: str,
    title: str,
    description: str,
    panels: list[dict[str, Any]],
) -> Artifact:
    """The overview or the alerts dashboard, in the default folder."""
    directory = folders[stack.grafana.default_folder]
    return Artifact(
        f"{DASHBOARDS_DIR}/{directory}/{stack.stack.name}-{name}.json",
        "dashboard.json.j2",
        dashboard_context(stack, dashboard_uid(stack, name), title, [name], description, panels),
    )


def stack_grafana_artifacts(stack: Stack, folders: dict[str, str]) -> list[Artifact]:
    """Provisioning, the overview and the alerts dashboard; `folders`: dashboard_folders."""
    grafana, name = stack.grafana, stack.stack.name
    providers = [
        {
            "name": f"stackgen-{name}-{directory}",
            "folder": literal(folder),
            "path": literal(f"{grafana.dashboards_path.rstrip('/')}/{directory}"),
        }
        for folder, directory in folders.items()
    ]
    return [
        Artifact(
            DATASOURCES_PROVISIONING,
            "grafana-datasources.yml.j2",
            {"stack": stack.stack, "datasources": datasources(stack)},
        ),
        Artifact(
            DASHBOARDS_PROVISIONING,
            "grafana-dashboards.yml.j2",
            {"stack": stack.stack, "providers": providers},
        ),
        _stack_dashboard(
            stack, folders, "overview", f"{name} overview",
            f"Health of every service of the {name} stack.", overview_panels(stack),
        ),
        _stack_dashboard(
            stack, folders, "alerts", f"{name} alerts",
            f"Alerts of the {name} stack firing now, by severity and team.", alerts_panels(stack),
        ),
    ]  # fmt: skip


def service_dashboards(stack: Stack, service: Service, folders: dict[str, str]) -> list[Artifact]:
    """The service's dashboard, and its SLO dashboard when it has SLOs."""
    directory = f"{DASHBOARDS_DIR}/{folders[service_folder(service)]}"
    main, slo = service_dashboard_uids(stack, service)
    dashboards = [
        Artifact(
            f"{directory}/{service.name}.json",
            "dashboard.json.j2",
            dashboard_context(
                stack,
                main,
                service.name,
                [service.kind, f"team-{service.team}"],
                service.description or f"{service.kind} service {service.name}",
                service_panels(stack, service),
                [(f"{service.name} SLOs", slo)] if slo else [],
                target_variables(service.name),
            ),
        )
    ]
    if slo is not None:
        dashboards.append(
            Artifact(
                # `.slo` and `_slo`: no service name holds a dot or an underscore.
                f"{directory}/{service.name}.slo.json",
                "dashboard.json.j2",
                dashboard_context(
                    stack,
                    slo,
                    f"{service.name} SLOs",
                    ["slo", f"team-{service.team}"],
                    f"Objectives, error budgets and burn rates of {service.name}.",
                    slo_panels(service),
                    [(service.name, main)],
                ),
            )
        )
    return dashboards


def grafana_artifacts(stack: Stack) -> list[Artifact]:
    """Provisioning, the stack's dashboards, then each service's."""
    folders = dashboard_folders(stack)
    return [
        *stack_grafana_artifacts(stack, folders),
        *(d for service in stack.services for d in service_dashboards(stack, service, folders)),
    ]
