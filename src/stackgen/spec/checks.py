"""Checks across the stack: names, references and kind-specific settings. They run on the
valid parts of a spec too, so one run reports every error."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from stackgen.alertmanager.versions import alertmanager_needs
from stackgen.common.values import clean_number, format_duration, parse_duration
from stackgen.packs.catalog import metric_roles, pack_for
from stackgen.packs.service import service_alert_defs, service_metric_roles, service_pack
from stackgen.spec import burn_rates as slo_engine
from stackgen.spec.custom import AlertPack
from stackgen.spec.errors import Path, SpecError
from stackgen.spec.loader import SourceMap
from stackgen.spec.model import (
    HISTOGRAM_ROLES,
    META_MONITORING,
    SLO,
    AlertmanagerServer,
    Channel,
    Datasource,
    DatasourceBase,
    LatencySLI,
    MetaMonitoring,
    PrometheusServer,
    RatioSLI,
    RequestsSLI,
    Route,
    Routing,
    Service,
    Stack,
    StackInfo,
    UptimeSLI,
)
from stackgen.spec.model.slos import DEFAULT_ALERT_NAMES
from stackgen.spec.rule_checks import rule_group_findings
from stackgen.spec.rules import StackRuleGroup

RESERVED_TARGET_LABELS = ("job", "instance", "service", "team", "severity", "alertname")
# Routing and inhibition rely on these alert labels; `severity` has a field of its own.
RESERVED_ALERT_LABELS = ("alertname", "service", "team", "severity", "slo", "slo_tier")
SELF_JOBS = ("prometheus", "alertmanager", "grafana")
STACK_DASHBOARDS = ("overview", "alerts")  # dashboards named `<stack>-<this>`, as services are


@dataclass(frozen=True)
class Finding:
    path: Path
    message: str
    on_key: bool = False  # point at the mapping key rather than its value
    first: Path | None = None  # for duplicates: where the name was first defined


@dataclass(frozen=True)
class Parts:
    """What the checks read: the parts of a spec that validate on their own (with their index
    in the spec), and the names the spec defines, read from the raw data so that a broken
    item still counts as defined."""

    stack_name: str | None
    prometheus: PrometheusServer
    services: list[tuple[int, Service]]
    routing: Routing | None
    datasources: list[tuple[int, DatasourceBase]]
    channel_names: list[tuple[int, str]]
    channels: list[tuple[int, Channel]]
    alertmanager: AlertmanagerServer
    service_names: list[tuple[int, str]]
    teams: set[str]
    rule_groups: list[tuple[int, StackRuleGroup]] = field(default_factory=list)
    packs: list[AlertPack] = field(default_factory=list)  # the spec's own, the valid ones
    # The lint section as written, so that a mistake in it hides none of its check IDs.
    lint: Mapping[str, Any] = field(default_factory=dict)
    # The whole stack when the spec validates (checks of what it renders need it), else None.
    stack: Stack | None = None
    meta_monitoring: MetaMonitoring = field(default_factory=MetaMonitoring)


# A check that needs what a later stage knows (lint knows its checks' IDs): the caller of
# load_stack gives it, and it runs with the spec's own checks, its findings located alike.
StackCheck = Callable[[Parts], Iterable[Finding]]


def parts_of(stack: Stack) -> Parts:
    return Parts(
        stack_name=stack.stack.name,
        prometheus=stack.prometheus,
        services=list(enumerate(stack.services)),
        routing=stack.routing,
        datasources=list(enumerate(stack.grafana.datasources)),
        channel_names=[(i, c.name) for i, c in enumerate(stack.channels)],
        channels=list(enumerate(stack.channels)),
        alertmanager=stack.alertmanager,
        service_names=[(i, s.name) for i, s in enumerate(stack.services)],
        teams={s.team for s in stack.services},
        rule_groups=list(enumerate(stack.rule_groups)),
        packs=list(stack.packs),
        lint=stack.lint.model_dump(),
        stack=stack,
        meta_monitoring=stack.meta_monitoring,
    )


def parts_of_data(data: dict[str, Any]) -> Parts:
    """The parts of a spec that failed validation as a whole."""

    def valid(model: Any, value: Any) -> Any:
        try:
            return TypeAdapter(model).validate_python(value)
        except ValidationError:
            return None

    def items(value: Any) -> list[tuple[int, Any]]:
        return list(enumerate(value)) if isinstance(value, list) else []

    def names(value: Any, key: str = "name") -> list[tuple[int, str]]:
        return [
            (i, item[key])
            for i, item in items(value)
            if isinstance(item, dict) and isinstance(item.get(key), str)
        ]

    grafana = data.get("grafana") if isinstance(data.get("grafana"), dict) else {}
    stack = valid(StackInfo, data.get("stack"))
    services = [(i, s) for i, raw in items(data.get("services")) if (s := valid(Service, raw))]
    sources = [
        (i, d) for i, raw in items(grafana.get("datasources")) if (d := valid(Datasource, raw))
    ]
    return Parts(
        stack_name=stack.name if stack else None,
        prometheus=valid(PrometheusServer, data.get("prometheus", {})) or PrometheusServer(),
        services=services,
        routing=valid(Routing, data.get("routing")),
        datasources=sources,
        channel_names=names(data.get("channels")),
        channels=[(i, c) for i, raw in items(data.get("channels")) if (c := valid(Channel, raw))],
        alertmanager=(
            valid(AlertmanagerServer, data.get("alertmanager", {})) or AlertmanagerServer()
        ),
        service_names=names(data.get("services")),
        teams={team for _, team in names(data.get("services"), "team")},
        rule_groups=[
            (i, g) for i, raw in items(data.get("rule_groups")) if (g := valid(StackRuleGroup, raw))
        ],
        packs=[p for _, raw in items(data.get("packs")) if (p := valid(AlertPack, raw))],
        lint=data["lint"] if isinstance(data.get("lint"), dict) else {},
        meta_monitoring=(
            valid(MetaMonitoring, data.get("meta_monitoring", {})) or MetaMonitoring()
        ),
    )


def check_stack(
    parts: Parts, source: SourceMap, checks: Sequence[StackCheck] = ()
) -> list[SpecError]:
    """The spec's own checks, and `checks` from the stages above."""
    findings = [
        *_unique_names(parts),
        *_renamed_across(parts),
        *_references(parts),
        *_alertmanager_version(parts),
        *_service_settings(parts),
        *_grafana(parts),
        *_rule_groups(parts),
        *_retention(parts),
        *_secret_files(parts),
        *(finding for check in checks for finding in check(parts)),
    ]
    errors = []
    for f in findings:
        message = f.message
        if f.first is not None:
            pos = source.locate(f.first)
            message += f" (first defined at {pos.file}:{pos.line}:{pos.column})"
        errors.append(source.error(f.path, message, key=f.on_key))
    return errors


def _secret_files(parts: Parts) -> Iterator[Finding]:
    """A secret file cannot lie inside another: both are files, and each deployment form
    mounts each at its path."""
    named: list[tuple[str, Path]] = [
        (value, (*where, name))
        for where, model in [
            *((("channels", i), channel) for i, channel in parts.channels),
            *(
                (("prometheus", "remote_write", i), target)
                for i, target in enumerate(parts.prometheus.remote_write)
            ),
        ]
        for name in type(model).model_fields
        if name.endswith("_file") and isinstance(value := getattr(model, name), str)
    ]
    files = {value for value, _ in named}
    for value, path in named:
        outer = sorted(f for f in files if value.startswith(f"{f}/"))
        if outer:
            yield Finding(
                path,
                f"{value} is inside {outer[0]}, which another `*_file` names as a file: "
                "give each secret a file of its own, neither inside the other",
            )


def _retention(parts: Parts) -> Iterator[Finding]:
    """Prometheus must keep a whole SLO period: the SLOs' period ratios and their dashboards
    read that far back."""
    retention = parts.prometheus.retention
    if retention is None:
        return
    for _, service in parts.services:
        for slo in service.slos:
            if parse_duration(slo.period) > parse_duration(retention):
                yield Finding(
                    ("prometheus", "retention"),
                    f"retention {retention} is shorter than the {slo.period} period of SLO "
                    f"`{slo.name}` of {service.name}: its error budget would be computed over "
                    f"part of the period; keep at least {slo.period} (or leave retention unset)",
                )
                return


# Targets under which stackgen starts Prometheus itself, with --storage.tsdb.retention.time.
STARTS_PROMETHEUS = ("compose", "kubernetes")


def retention_unknown(stack: Stack) -> Iterator[Finding]:
    """A warning, not an error: the spec sets no retention and stackgen starts no Prometheus
    (plain files, Mimir rules) or a remote store's ruler evaluates the rules, so how far back
    the SLOs' period ratios can read is unknown. One finding, at the longest SLO period."""
    server = stack.prometheus
    started = set(STARTS_PROMETHEUS) & set(stack.output.targets)
    if server.retention is not None or (started and server.rule_evaluation != "ruler"):
        return
    slos = [
        (parse_duration(slo.period), (("services", i, "slos", j, "period"), slo, service.name))
        for i, service in enumerate(stack.services)
        for j, slo in enumerate(service.slos)
    ]
    if not slos:
        return
    _, (path, slo, service) = max(slos, key=lambda item: item[0])
    who = (
        "a remote store's ruler evaluates the rules over the store's retention"
        if server.rule_evaluation == "ruler"
        else f"stackgen starts no Prometheus for targets {', '.join(stack.output.targets)}"
    )
    yield Finding(
        path,
        f"SLO `{slo.name}` of {service} reads {slo.period} back, but {who}, so how long "
        f"samples are kept is unknown: set `prometheus.retention` to that retention "
        f"(--storage.tsdb.retention.time, at least {slo.period}) and validate checks it",
    )


def _server_link(
    server: str, external_url: str | None, address_field: str, address: str
) -> tuple[tuple[str, str], str, str, str]:
    """A server's link in notifications: its external URL, else its listen address (the field
    a finding points at, the URL, the field to set, an example value)."""
    return (
        (server, "external_url" if external_url else address_field),
        external_url or f"http://{address}",
        f"{server}.external_url",
        f"https://{server}.example.com",
    )


def links_people_cannot_open(stack: Stack) -> Iterator[Finding]:
    """A warning per link people follow from a notification (dashboards, Prometheus and
    Alertmanager pages, runbooks) whose host is a bare name such as `grafana`: only the
    containers resolve it, so a link in Slack, email or PagerDuty opens nothing. localhost
    and IP addresses are left alone (a laptop's stack, a private network's address)."""
    links = [
        (("grafana", "url"), stack.grafana.url, "grafana.url", "https://grafana.example.com"),
        _server_link(
            "prometheus", stack.prometheus.external_url, "address", stack.prometheus.address
        ),
        _server_link(
            "alertmanager",
            stack.alertmanager.external_url,
            "addresses",
            stack.alertmanager.addresses[0],
        ),
        (("stack", "runbooks_url"), stack.stack.runbooks_url, "stack.runbooks_url", ""),
    ]
    for path, url, field_name, example in links:
        host = urlsplit(url).hostname if url else None
        if host is None or "." in host or ":" in host or host == "localhost":
            continue
        grafana_hint = (
            " (and grafana.address: grafana:3000 for the containers)"
            if field_name == "grafana.url"
            else ""
        )
        yield Finding(
            path,
            f"links to `{url}` name the host `{host}`, which only the stack's containers "
            f"resolve: people open these links from notifications. Set {field_name} to the "
            f"address people use{f', such as {example}' if example else ''}{grafana_hint}",
        )


def _duplicates(items: Iterable[tuple[str, Path]], what: str) -> Iterator[Finding]:
    first: dict[str, Path] = {}
    for name, path in items:
        if name in first:
            yield Finding(path, f"{what} `{name}` is defined twice; rename one", first=first[name])
        else:
            first[name] = path


def _unique_names(parts: Parts) -> Iterator[Finding]:
    yield from _duplicates(
        ((name, ("services", i, "name")) for i, name in parts.service_names), "service"
    )
    for i, name in parts.service_names:
        if name == META_MONITORING:
            yield Finding(
                ("services", i, "name"),
                f"`{name}` is reserved for the stack's own alerts (their `service` label and "
                f"prometheus/rules/{name}.yml): rename the service",
            )
    yield from _duplicates(
        ((name, ("channels", i, "name")) for i, name in parts.channel_names), "channel"
    )
    yield from _duplicates(
        ((d.name, ("grafana", "datasources", i, "name")) for i, d in parts.datasources),
        "datasource",
    )
    for i, service in parts.services:
        here: Path = ("services", i)
        yield from _duplicates(
            ((slo.name, (*here, "slos", j, "name")) for j, slo in enumerate(service.slos)), "SLO"
        )
        yield from _duplicates(
            (
                (a.name, (*here, "custom_alerts", j, "name"))
                for j, a in enumerate(service.custom_alerts)
            ),
            "custom alert",
        )
        pack_alerts = {a.name for a in service_alert_defs(parts.packs, service)}
        for j, alert in enumerate(service.custom_alerts):
            if alert.name in pack_alerts:
                yield Finding(
                    (*here, "custom_alerts", j, "name"),
                    f"`{alert.name}` is already an alert of kind `{service.kind}`: tune it under "
                    f"`alerts.{alert.name}` or pick another name",
                )
        taken = pack_alerts | {a.name for a in service.custom_alerts}
        for j, slo in enumerate(service.slos):
            if slo.alert in taken:
                yield Finding(
                    (*here, "slos", j, "alert"),
                    f"`{slo.alert}` is already an alert of the service; give the SLO's alert "
                    "a name of its own",
                )
        yield from _renamed_within(service, here, parts.packs)
        for dashboard in STACK_DASHBOARDS:
            if service.name in (dashboard, f"{parts.stack_name}-{dashboard}"):
                yield Finding(
                    (*here, "name"),
                    f"`{service.name}` is the name of the stack's {dashboard} dashboard: "
                    "rename the service",
                )
        if parts.prometheus.self_scrape and service.name in SELF_JOBS:
            yield Finding(
                (*here, "name"),
                f"`{service.name}` is the name of a built-in self-monitoring job: rename the "
                "service or set `prometheus.self_scrape: false`",
            )


def _renamed_within(service: Service, here: Path, packs: list[AlertPack]) -> Iterator[Finding]:
    """A kind alert renamed (`alerts.NAME.name`) must not take a name another alert of its
    service has or could have: routes, runbooks and panels would mix the two."""
    kind_names = {d.name for d in service_alert_defs(packs, service)}
    customs = {a.name for a in service.custom_alerts}
    slos = {slo.alert or DEFAULT_ALERT_NAMES[slo.sli.type] for slo in service.slos}
    renamed: dict[str, Path] = {}
    for alert, override in service.alert_overrides.items():
        new = override.name
        if new is None or new == alert or alert not in kind_names or not override.enabled:
            continue
        path = (*here, "alerts", alert, "name")
        if new in kind_names:
            yield Finding(
                path,
                f"`{new}` is already an alert of kind `{service.kind}`: pick a name no alert "
                "of the service has",
            )
        elif new in customs or new in slos:
            what = "a custom alert" if new in customs else "an SLO's alert"
            yield Finding(path, f"`{new}` is already {what} of the service: pick another name")
        elif new in renamed:
            yield Finding(
                path, f"`{new}` is the new name of two alerts; rename one", first=renamed[new]
            )
        else:
            renamed[new] = path


def _renamed_across(parts: Parts) -> Iterator[Finding]:
    """A renamed kind alert must not share its name with a different alert of another
    service: the stack's runbook, routes and inhibitions for that name would mean two things.
    The same alert renamed alike on several services is one alert, as before. (Within one
    service, `_renamed_within` says it.)"""
    # alert name -> (what the alert is: its kind's name or its own, the service)
    origins: dict[str, set[tuple[str, str]]] = {}
    renames: list[tuple[str, str, str, Path]] = []
    for i, service in parts.services:
        overrides = service.alert_overrides
        for definition in service_alert_defs(parts.packs, service):
            override = overrides.get(definition.name)
            if override is not None and not override.enabled:
                continue
            name = (override.name if override else None) or definition.name
            origins.setdefault(name, set()).add((definition.name, service.name))
            if name != definition.name:
                path: Path = ("services", i, "alerts", definition.name, "name")
                renames.append((name, definition.name, service.name, path))
        for alert in service.custom_alerts:
            origins.setdefault(alert.name, set()).add((alert.name, service.name))
        for slo in service.slos:
            name = slo.alert or DEFAULT_ALERT_NAMES[slo.sli.type]
            origins.setdefault(name, set()).add((name, service.name))
    for name, origin, service_name, path in renames:
        others = sorted((o, s) for o, s in origins[name] if o != origin and s != service_name)
        if others:
            what, where = others[0]
            yield Finding(
                path,
                f"`{name}` is already the name of another alert (`{what}` of service "
                f"`{where}`): a renamed alert needs a name of its own",
            )


def _known(name: str, pool: Iterable[str], what: str, path: Path) -> Iterator[Finding]:
    names = sorted(set(pool))
    if name not in names:
        choices = ", ".join(f"`{p}`" for p in names) or "none defined"
        yield Finding(path, f"no {what} is named `{name}` (known: {choices})")


def _references(parts: Parts) -> Iterator[Finding]:
    if parts.routing is None:
        return
    channels = [name for _, name in parts.channel_names]
    services = [name for _, name in parts.service_names]
    teams = parts.teams
    yield from _known(
        parts.routing.default_channel, channels, "channel", ("routing", "default_channel")
    )
    watchdog = parts.meta_monitoring.watchdog_channel
    if watchdog is not None:
        yield from _known(watchdog, channels, "channel", ("meta_monitoring", "watchdog_channel"))

    intervals = [interval.name for interval in parts.routing.time_intervals]
    yield from _duplicates(
        ((t.name, ("routing", "time_intervals", i, "name"))
         for i, t in enumerate(parts.routing.time_intervals)),
        "time interval",
    )  # fmt: skip
    for key in ("mute_time_intervals", "active_time_intervals"):
        for j, name in enumerate(getattr(parts.routing, key)):
            yield from _known(name, intervals, "time interval", ("routing", key, j))
    for i, expectation in enumerate(parts.routing.expect):
        for j, receiver in enumerate(expectation.receivers):
            path = ("routing", "expect", i, "receivers", j)
            yield from _known(receiver, channels, "channel", path)

    def walk(routes: list[Route], path: Path) -> Iterator[Finding]:
        for i, route in enumerate(routes):
            here = (*path, i)
            yield from _known(route.channel, channels, "channel", (*here, "channel"))
            for key in ("mute_time_intervals", "active_time_intervals"):
                for j, name in enumerate(getattr(route, key)):
                    yield from _known(name, intervals, "time interval", (*here, key, j))
            for key, names, what in (
                ("team", teams, "team of a service"),
                ("service", services, "service"),
            ):
                given = getattr(route, key)
                for j, name in enumerate(given):
                    # one value may be written without a list: point at it, not at an item
                    at = (*here, key, j) if len(given) > 1 else (*here, key)
                    yield from _known(name, names, what, at)
            yield from walk(route.routes, (*here, "routes"))

    yield from walk(parts.routing.routes, ("routing", "routes"))


def _alertmanager_version(parts: Parts) -> Iterator[Finding]:
    version = parts.alertmanager.version
    for i, channel in parts.channels:
        fields = {name for name in channel.model_fields_set if getattr(channel, name) is not None}
        needs = alertmanager_needs(channel.type, fields, version)
        if needs:
            what = " and ".join(f"{need} (Alertmanager {at})" for at, need in needs)
            yield Finding(
                ("channels", i, "type"),
                f"a `{channel.type}` channel needs {what}, but the target is Alertmanager "
                f'{version}: set `alertmanager.version: "{needs[-1][0]}"`',
            )


def _inherited_interval(
    service: Service, here: Path, prometheus: PrometheusServer
) -> Iterator[Finding]:
    """A service's own timeout against the global interval it inherits: Prometheus refuses a
    job whose timeout exceeds its interval. (The global timeout under a service's shorter
    interval is no error: Prometheus lowers the inherited timeout to the interval.)"""
    if service.scrape_timeout is None or service.scrape_interval is not None:
        return
    if parse_duration(service.scrape_timeout) > parse_duration(prometheus.scrape_interval):
        yield Finding(
            (*here, "scrape_timeout"),
            f"scrape_timeout {service.scrape_timeout} is longer than the scrape interval "
            f"{prometheus.scrape_interval} the service inherits from prometheus.scrape_interval; "
            "Prometheus refuses that: shorten the timeout or give the service a scrape_interval",
        )


def _service_settings(parts: Parts) -> Iterator[Finding]:
    for i, service in parts.services:
        here: Path = ("services", i)
        pack = service_pack(parts.packs, service)
        metrics = {**service_metric_roles(parts.packs, service), **service.metric_overrides}
        read = pack.query_labels | {metrics[r] for r in pack.label_roles} | {"le", "quantile"}
        for label in service.labels:
            if label in RESERVED_TARGET_LABELS:
                yield Finding(
                    (*here, "labels", label),
                    f"`{label}` is set by stackgen on every series of the service; "
                    "pick another label name",
                    on_key=True,
                )
            elif service.targets.kubernetes is not None and label in ("namespace", "pod"):
                yield Finding(
                    (*here, "labels", label),
                    f"`{label}` is set from Kubernetes discovery on this service's series; "
                    "pick another label name",
                    on_key=True,
                )
            elif label in read:
                yield Finding(
                    (*here, "labels", label),
                    f"`{label}` is a label of the scraped metrics that the `{service.kind}` "
                    f"queries read; a target label of that name would rename it to "
                    f"`exported_{label}` and break them: pick another label name",
                    on_key=True,
                )
        yield from _inherited_interval(service, here, parts.prometheus)
        for role, name in service.metric_overrides.items():
            if role in pack.label_roles and ":" in name:
                yield Finding((*here, "metrics", role), f"`{name}` is not a valid label name")
        yield from _alert_overrides(service, here, parts.packs)
        for j, custom in enumerate(service.custom_alerts):
            yield from _reserved_alert_labels(custom.labels, (*here, "custom_alerts", j, "labels"))
        scrape = parse_duration(service.scrape_interval or parts.prometheus.scrape_interval)
        for j, slo in enumerate(service.slos):
            yield from _slo_findings(service, slo, scrape, (*here, "slos", j))


def _alert_overrides(service: Service, here: Path, packs: list[AlertPack]) -> Iterator[Finding]:
    known_alerts = {a.name: a for a in service_alert_defs(packs, service)}
    for alert, override in service.alert_overrides.items():
        yield from _reserved_alert_labels(override.labels, (*here, "alerts", alert, "labels"))
        definition = known_alerts.get(alert)
        if definition is None:
            continue  # not its pack's: lint.spec_packs says so
        path = (*here, "alerts", alert, "threshold")
        if override.threshold is None:
            continue
        if definition.threshold is None:
            yield Finding(path, f"`{alert}` takes no threshold; remove it")
        elif definition.threshold_unit == "ratio" and not 0 < override.threshold < 1:
            yield Finding(
                path,
                f"`{alert}` compares a ratio: give a threshold between 0 and 1 (0.05 means 5%)",
            )
        elif override.threshold < 0:
            yield Finding(path, "must not be negative")


def _slo_findings(service: Service, slo: SLO, scrape: float, here: Path) -> Iterator[Finding]:
    pack = pack_for(service.kind)
    sli = slo.sli
    if isinstance(sli, RequestsSLI) and sli.total is None and pack.requests_sli is None:
        yield Finding(
            (*here, "sli"),
            f"kind `{service.kind}` has no request counters: give `errors` and `total` "
            "selectors, or use another SLI type",
        )
    roles = metric_roles(service.kind)
    no_histogram = not any(role in roles for role in HISTOGRAM_ROLES)
    if isinstance(sli, LatencySLI) and sli.histogram is None and no_histogram:
        yield Finding(
            (*here, "sli"), f"kind `{service.kind}` has no latency histogram: give `histogram`"
        )
    yield from _reserved_alert_labels(slo.labels, (*here, "labels"))
    for name in slo_engine.TIERS:
        labels = getattr(slo.tiers, name).labels
        yield from _reserved_alert_labels(labels, (*here, "tiers", name, "labels"))
    if slo.min_events is not None and isinstance(sli, UptimeSLI | RatioSLI):
        yield Finding(
            (*here, "min_events"),
            f"`min_events` counts requests, which an SLI of type `{sli.type}` does not have "
            "(its events are "
            + ("scrapes" if isinstance(sli, UptimeSLI) else "not counted")
            + "): use a `requests` or `latency` SLI, or remove `min_events`",
        )
    if isinstance(sli, RatioSLI) and slo.group_by:
        yield Finding(
            (*here, "group_by"),
            "a `ratio` SLI is used as written: group its expression with `sum by (...)` "
            "instead of `group_by`",
        )
    plan = slo_engine.plan(slo)
    if math.gcd(*plan.ranges) < 10 or any(
        parse_duration(d) % 1
        for tier in (slo.tiers.page, slo.tiers.ticket)
        for w in tier.windows or ()
        for d in (w.long, w.short or "1s")
    ):
        yield Finding(
            (*here, "tiers") if "tiers" in slo.model_fields_set else (*here, "period"),
            f"the windows ({', '.join(format_duration(r) for r in plan.ranges)}) share no step "
            "of 10s or more: use round durations in `period` and `tiers.*.windows`",
        )
    for window in plan.windows:
        windows = f"`tiers.{window.tier}.windows`"
        described = (
            f"the {window.tier} tier's {format_duration(window.long)}/"
            f"{format_duration(window.short)} windows"
        )
        if window.short >= window.long:
            yield Finding(
                _windows_path(slo, window.tier, here),
                f"{described}: the short window must be shorter than the long one",
            )
        elif not window.can_fire:
            yield Finding(
                (*here, "objective"),
                f"{described} can never fire: {clean_number(window.budget_consumed)}% of the "
                f"budget in {format_duration(window.long)} means an error ratio of "
                f"{clean_number(window.error_ratio)}, 1 or more; relax `objective`, disable the "
                f"tier (`tiers.{window.tier}.enabled: false`) or give it longer windows "
                f"({windows})",
            )
        elif window.short < 4 * scrape:
            yield Finding(
                _windows_path(slo, window.tier, here),
                f"{described}: {format_duration(window.short)} is shorter than 4 scrape "
                f"intervals ({format_duration(4 * scrape)}), too few samples for rate(); "
                f"give the tier longer windows ({windows}, or a longer `period`) or scrape more "
                "often (`scrape_interval`)",
            )
        elif window.long > plan.period:
            yield Finding(
                _windows_path(slo, window.tier, here),
                f"{described}: the long window is longer than the period "
                f"({format_duration(plan.period)}); shorten {windows} or lengthen `period`",
            )
        elif isinstance(sli, UptimeSLI) and window.long * window.error_ratio < scrape:
            yield Finding(
                (*here, "objective"),
                f"{described}: one failed scrape would fire it (the threshold is "
                f"{clean_number(window.long * window.error_ratio)}s of downtime in "
                f"{format_duration(window.long)}); relax `objective` or give the tier longer "
                f"windows ({windows})",
            )


def _windows_path(slo: SLO, tier: str, here: Path) -> Path:
    """Where the spec sets a tier's windows: the tier's own `windows`, or else the `period`
    they scale with (the SLO's line when neither is written)."""
    written = getattr(slo.tiers, tier)
    if "tiers" in slo.model_fields_set and "windows" in written.model_fields_set:
        return (*here, "tiers", tier, "windows")
    return (*here, "period")


def _reserved_alert_labels(labels: dict[str, str], path: Path) -> Iterator[Finding]:
    for label in labels:
        if label in RESERVED_ALERT_LABELS:
            hint = "use the `severity` field" if label == "severity" else "pick another label name"
            yield Finding(
                (*path, label),
                f"`{label}` is set by stackgen on every alert (routing relies on it); {hint}",
                on_key=True,
            )


def _rule_groups(parts: Parts) -> Iterator[Finding]:
    names = [name for _, name in parts.service_names]
    for path, message, first in rule_group_findings(parts.services, names, parts.rule_groups):
        yield Finding(path, message, first=first)


def _grafana(parts: Parts) -> Iterator[Finding]:
    defaults = [i for i, d in parts.datasources if d.default]
    for i in defaults[1:]:
        yield Finding(
            ("grafana", "datasources", i, "default"),
            "only one datasource can be the default; remove `default: true` from all but one",
        )
