"""The spec model: the single source of truth for a stack spec and its JSON Schema."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from stackgen.alertmanager.time_intervals import parse_time_range
from stackgen.common.values import parse_duration
from stackgen.packs import alerts_for, metric_roles
from stackgen.spec.custom import AlertPack, Panel
from stackgen.spec.rules import RuleGroup, StackRuleGroup
from stackgen.spec.types import (
    HOST_PORT,
    Address,
    AlertName,
    DayOfMonthRange,
    Duration,
    Email,
    EnvRef,
    ExternalLabelName,
    FilePath,
    HostPort,
    KubernetesLabel,
    KubernetesLabelValue,
    LabelName,
    LabelsOnlyTemplate,
    MetricName,
    MonthRange,
    OneLine,
    OneLineTemplate,
    PositiveDuration,
    PromQL,
    RatioTemplate,
    RelabelLabel,
    SdFile,
    ShardAddress,
    Slug,
    TemplateText,
    TimeOfDay,
    TimeZoneName,
    Url,
    WeekdayRange,
    YearRange,
)

Severity = Literal["critical", "warning", "info"]
ServiceKind = Literal["http", "database", "ai-inference", "node", "custom"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- stack and servers -------------------------------------------------------------------------


class StackInfo(Model):
    """Identity of the stack, stamped on every series Prometheus sends out."""

    name: Slug
    environment: Slug = "production"
    external_labels: dict[ExternalLabelName, OneLine] = Field(
        default_factory=dict,
        description="Extra labels on every series and alert leaving Prometheus.",
    )
    runbooks_url: Url | None = Field(
        None,
        description="Where out/runbooks/ is published; generated runbook links point there. "
        "Without it they are paths relative to out/.",
    )


RelabelAction = Literal[
    "replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap", "labeldrop",
    "labelkeep", "lowercase", "uppercase",
]  # fmt: skip
# Actions that write `target_label` (Prometheus refuses them without one).
_WRITES_TARGET = {"replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"}


class Relabel(Model):
    """One relabelling step, in Prometheus's own fields."""

    action: RelabelAction = "replace"
    source_labels: list[RelabelLabel] = Field(default_factory=list)
    separator: OneLine = ";"
    regex: OneLine = "(.*)"
    target_label: RelabelLabel | None = None
    replacement: OneLine = "$1"
    modulus: int | None = Field(None, ge=1, description="For `hashmod` only.")

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, regex: str) -> str:
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"regex {regex!r} does not compile ({exc}): fix the pattern") from None
        return regex

    @model_validator(mode="after")
    def _fields_for_action(self) -> Relabel:
        if self.action in _WRITES_TARGET and not self.target_label:
            raise ValueError(f"action {self.action} needs a target_label: name the label to write")
        if (self.action == "hashmod") != (self.modulus is not None):
            raise ValueError("`modulus` goes with action hashmod, and only with it")
        return self


class RemoteWriteQueue(Model):
    """Prometheus's queue_config; unset fields keep Prometheus's defaults."""

    capacity: int | None = Field(None, ge=1)
    min_shards: int | None = Field(None, ge=1)
    max_shards: int | None = Field(None, ge=1)
    max_samples_per_send: int | None = Field(None, ge=1)
    batch_send_deadline: PositiveDuration | None = None
    min_backoff: PositiveDuration | None = None
    max_backoff: PositiveDuration | None = None


# The header each store reads the tenant from.
TENANT_HEADERS = {"mimir": "X-Scope-OrgID", "cortex": "X-Scope-OrgID", "thanos": "THANOS-TENANT"}


class RemoteWrite(Model):
    """Where Prometheus sends its samples for the global view and long-term storage."""

    name: Slug
    url: Url = Field(description="The store's push endpoint, e.g. https://mimir/api/v1/push.")
    store: Literal["mimir", "cortex", "thanos"] = Field(
        "mimir", description="Which store receives: it decides the tenant header."
    )
    tenant: OneLine | None = Field(
        None, description="Tenant (org) ID, sent in X-Scope-OrgID or THANOS-TENANT."
    )
    basic_auth_username: OneLine | None = None
    basic_auth_password_file: FilePath | None = None
    bearer_token_file: FilePath | None = Field(
        None, description="File holding a bearer token (Authorization header)."
    )
    remote_timeout: PositiveDuration | None = None
    queue: RemoteWriteQueue = Field(default_factory=RemoteWriteQueue)
    write_relabel: list[Relabel] = Field(
        default_factory=list, description="Relabelling of samples before they are sent."
    )

    @model_validator(mode="after")
    def _one_auth(self) -> RemoteWrite:
        if (self.basic_auth_username is None) != (self.basic_auth_password_file is None):
            raise ValueError(
                "basic auth needs basic_auth_username and basic_auth_password_file together"
            )
        if self.basic_auth_username is not None and self.bearer_token_file is not None:
            raise ValueError("choose basic auth or bearer_token_file, not both")
        return self


class PrometheusServer(Model):
    version: Literal["2.42"] = Field(
        "2.42",
        description="The Prometheus that runs the config and rules (2.42 is Debian 12's); "
        "PromQL is checked against its functions.",
    )
    address: HostPort = Field("localhost:9090", description="Where Prometheus listens.")
    scrape_interval: PositiveDuration = "15s"
    scrape_timeout: PositiveDuration = "10s"
    evaluation_interval: PositiveDuration = "15s"
    self_scrape: bool = Field(True, description="Scrape Prometheus and Alertmanager themselves.")
    shards: int = Field(
        1,
        ge=1,
        le=256,
        description="Prometheus servers that share the scraping: each keeps the targets whose "
        "address hashes (hashmod) to its number, and carries a `shard` external label.",
    )
    shard_address: ShardAddress = Field(
        "prometheus-shard-{shard}:9090",
        description="Where shard N listens: host:port with `{shard}` for its number.",
    )
    rule_evaluation: Literal["local", "federation", "ruler"] = Field(
        "local",
        description="Where the rules run. local: the one Prometheus. federation: a global "
        "Prometheus at `address` federates the shards' series and evaluates the rules. ruler: "
        "the Mimir, Thanos or Cortex ruler, fed by remote_write (see the mimir target).",
    )
    remote_write: list[RemoteWrite] = Field(
        default_factory=list,
        description="Stores every scraping Prometheus (each shard) sends its samples to.",
    )

    @model_validator(mode="after")
    def _timeout_within_interval(self) -> PrometheusServer:
        if parse_duration(self.scrape_timeout) > parse_duration(self.scrape_interval):
            raise ValueError(
                f"scrape_timeout {self.scrape_timeout} is longer than scrape_interval "
                f"{self.scrape_interval}; Prometheus refuses that: shorten the timeout"
            )
        return self

    @model_validator(mode="after")
    def _rules_see_every_series(self) -> PrometheusServer:
        if self.shards > 1 and self.rule_evaluation == "local":
            raise ValueError(
                f"with {self.shards} shards no Prometheus sees every series the rules read: "
                "set rule_evaluation to federation (a global Prometheus) or ruler (Mimir, "
                "Thanos or Cortex via remote_write)"
            )
        if self.rule_evaluation == "ruler" and not self.remote_write:
            raise ValueError(
                "rule_evaluation ruler needs remote_write: add the store whose ruler runs the rules"
            )
        for address in self.shard_addresses():
            if not HOST_PORT.match(address) or not 0 < int(address.rsplit(":", 1)[1]) < 65536:
                raise ValueError(
                    f"shard_address gives {address!r}, not a host:port address: put `{{shard}}` "
                    "in the host name, or keep the port valid for every shard"
                )
        names = [w.name for w in self.remote_write]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"remote_write {', '.join(repeated)} named twice: name each once")
        return self

    @property
    def sharded(self) -> bool:
        """Whether the scraping runs on shard servers of their own."""
        return self.shards > 1 or self.rule_evaluation == "federation"

    def shard_addresses(self) -> list[str]:
        return [self.shard_address.format(shard=n) for n in range(self.shards)]


class AlertmanagerServer(Model):
    version: Literal["0.25", "0.26", "0.27", "0.28"] = Field(
        "0.25",
        description="The Alertmanager that reads the config: only fields it knows are written "
        "(0.25 is Debian 12's).",
    )
    addresses: list[HostPort] = Field(default_factory=lambda: ["localhost:9093"], min_length=1)
    resolve_timeout: PositiveDuration = "5m"


# --- services ------------------------------------------------------------------------------------


class FileSD(Model):
    files: list[SdFile] = Field(min_length=1)
    refresh_interval: PositiveDuration = "5m"


class KubernetesSD(Model):
    role: Literal["endpoints", "endpointslice", "pod", "service"] = "endpoints"
    namespaces: list[Slug] = Field(default_factory=list, description="Empty: all namespaces.")
    selector: dict[KubernetesLabel, OneLine] = Field(
        default_factory=dict, description="Kubernetes labels the objects must carry."
    )
    port: OneLine | None = Field(None, description="Keep only the port with this name.")


class Targets(Model):
    """Exactly one way to find the service's scrape targets."""

    static: list[HostPort] | None = Field(None, min_length=1)
    file_sd: FileSD | None = None
    kubernetes: KubernetesSD | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Targets:
        given = [k for k in ("static", "file_sd", "kubernetes") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of `static`, `file_sd` or `kubernetes`"
                + (f" (found {', '.join(given)})" if given else "")
            )
        return self


class AlertOverride(Model):
    """Tunes one alert of the service kind's pack."""

    enabled: bool = True
    threshold: float | None = Field(None, allow_inf_nan=False)
    for_: Duration | None = Field(None, alias="for")
    severity: Severity | None = None
    runbook_url: Url | None = None
    labels: dict[LabelName, OneLineTemplate] = Field(default_factory=dict)


class CustomAlert(Model):
    name: AlertName
    expr: PromQL = Field(description="PromQL; the alert fires while it returns series.")
    for_: Duration = Field("5m", alias="for")
    severity: Severity = "warning"
    summary: OneLineTemplate = Field(min_length=1)
    description: TemplateText = Field(min_length=1)
    runbook_url: Url | None = None
    labels: dict[LabelName, OneLineTemplate] = Field(default_factory=dict)


class UptimeSLI(Model):
    """Good = scrapes that succeed (`up`)."""

    type: Literal["uptime"]


class RequestsSLI(Model):
    """Good = requests that did not fail: the kind's request counters, or these selectors."""

    type: Literal["requests"]
    errors: PromQL | None = Field(None, examples=['http_requests_total{code=~"5.."}'])
    total: PromQL | None = Field(None, examples=["http_requests_total"])

    @model_validator(mode="after")
    def _both_or_neither(self) -> RequestsSLI:
        if (self.errors is None) != (self.total is None):
            raise ValueError("give both `errors` and `total` selectors, or neither")
        return self


class LatencySLI(Model):
    """Good = requests served within `threshold` seconds, from a histogram's buckets."""

    type: Literal["latency"]
    threshold: float = Field(
        gt=0, allow_inf_nan=False, description="Seconds; must be one of the histogram's `le`."
    )
    histogram: MetricName | None = Field(None, description="Default: the kind's latency metric.")


class RatioSLI(Model):
    """Any error-ratio expression; `${window}` stands for the range of each window."""

    type: Literal["ratio"]
    expr: RatioTemplate = Field(
        examples=["sum(rate(errors[${window}])) / sum(rate(all[${window}]))"]
    )


SLI = Annotated[UptimeSLI | RequestsSLI | LatencySLI | RatioSLI, Field(discriminator="type")]


class BurnWindow(Model):
    """Alert when `budget_consumed` percent of the period's budget goes within `long`, and the
    `short` window (default long / 12) shows it is still going."""

    long: PositiveDuration
    short: PositiveDuration | None = None
    budget_consumed: float = Field(gt=0, le=100, allow_inf_nan=False, description="Percent.")


class Tier(Model):
    enabled: bool = True
    severity: Severity | None = Field(None, description="Default: critical page, warning ticket.")
    windows: list[BurnWindow] | None = Field(
        None,
        min_length=1,
        description="Default: the budget-consumption model, scaled to the period.",
    )
    for_: Duration | None = Field(None, alias="for", description="Default: 2m page, 15m ticket.")
    labels: dict[LabelName, OneLineTemplate] = Field(
        default_factory=dict, description="Extra labels on this tier's alert."
    )


class Tiers(Model):
    page: Tier = Field(default_factory=Tier)
    ticket: Tier = Field(default_factory=Tier)


class SLO(Model):
    """A service level objective, alerted on by multi-window multi-burn-rate tiers."""

    name: Slug
    objective: float = Field(allow_inf_nan=False, description="Percent: 99.9.")
    sli: SLI
    period: PositiveDuration = Field("30d", description="Whole days or weeks: 7d, 4w, 28d, 30d.")
    group_by: list[LabelName] = Field(
        default_factory=list, description="One SLO per value of these labels (route, customer)."
    )
    tiers: Tiers = Field(default_factory=Tiers)
    alert: AlertName | None = Field(None, description="Default: by SLI type.")
    missing_metric_alert: bool = Field(
        False, description="Also alert when the SLI's series are missing."
    )
    labels: dict[LabelName, OneLineTemplate] = Field(default_factory=dict)
    annotations: dict[LabelName, LabelsOnlyTemplate] = Field(
        default_factory=dict,
        description="Extra alert annotations (or your own summary); templates may use "
        "{{ $labels.NAME }} only, so the generated proofs can check them.",
    )
    runbook_url: Url | None = None

    @field_validator("objective")
    @classmethod
    def _leaves_a_budget(cls, objective: float) -> float:
        if objective >= 100:
            raise ValueError(
                f"an objective of {objective:g}% leaves no error budget, so no alert could ever "
                "fire: use 99.99 or lower"
            )
        if objective <= 0:
            raise ValueError("an objective is a percentage above 0, such as 99.9")
        return objective

    @model_validator(mode="after")
    def _whole_days(self) -> SLO:
        if parse_duration(self.period) % 86400:
            raise ValueError(f"period {self.period} is not a whole number of days or weeks")
        return self


class ServiceBase(Model):
    name: Slug
    team: Slug
    description: OneLine = ""
    targets: Targets
    metrics_path: OneLine = Field("/metrics", pattern=r"^/")
    scheme: Literal["http", "https"] = "http"
    scrape_interval: PositiveDuration | None = None
    labels: dict[LabelName, OneLine] = Field(
        default_factory=dict, description="Extra target labels on every series of the service."
    )
    custom_alerts: list[CustomAlert] = Field(default_factory=list)
    slos: list[SLO] = Field(default_factory=list)
    runbook_url: Url | None = Field(None, description="Runbook for all the service's alerts.")
    dashboard_folder: OneLine | None = Field(
        None, description="Grafana folder of its dashboards; default: a folder per team."
    )
    rule_groups: list[RuleGroup] = Field(
        default_factory=list,
        description="Rule groups kept as written (`stackgen import rules`), after the "
        "generated ones in the service's rule file.",
    )
    dashboard_panels: list[Panel] = Field(
        default_factory=list, description="Panels of your own, after the kind's on its dashboard."
    )

    @property
    def alert_overrides(self) -> dict[str, AlertOverride]:
        return {name: o for name, o in self.alerts if o is not None}  # type: ignore[attr-defined]

    @property
    def metric_overrides(self) -> dict[str, str]:
        return {role: m for role, m in self.metrics if m is not None}  # type: ignore[attr-defined]


class _PackAlerts(Model):
    """A `custom` service's pack is the spec's: its alerts are checked against it (spec.checks)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, AlertOverride] = Field(init=False)  # type: ignore[assignment]


class _PackMetrics(Model):
    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, MetricName] = Field(init=False)  # type: ignore[assignment]


def _service_model(kind: str) -> type[ServiceBase]:
    """The service model of one kind: its alerts and metric roles are fields, so the JSON
    Schema lists them for editors, and a misspelt one is an unknown key. A `custom` service
    may name a pack of the spec, whose alerts and roles the static schema cannot list."""
    title = "".join(part.title() for part in kind.split("-"))
    custom = kind == "custom"
    alerts = create_model(
        f"{title}Alerts",
        __base__=_PackAlerts if custom else Model,
        __doc__=f"Per-alert overrides of kind `{kind}`.",
        **{a.name: (AlertOverride | None, None) for a in alerts_for(kind)},
    )
    metrics = create_model(
        f"{title}Metrics",
        __base__=_PackMetrics if custom else Model,
        __doc__=f"Metric names (or labels) that the `{kind}` alerts and panels use.",
        **{
            role: (MetricName | None, Field(None, description=f"Default: {default}"))
            for role, default in metric_roles(kind).items()
        },
    )
    return create_model(
        f"{title}Service",
        __base__=ServiceBase,
        kind=(Literal[kind], ...),
        metrics=(metrics, Field(default_factory=metrics)),
        alerts=(alerts, Field(default_factory=alerts)),
        **(
            {"pack": (Slug | None, Field(None, description="A pack of the spec's `packs`."))}
            if custom
            else {}
        ),
    )


if TYPE_CHECKING:  # the union of the kinds' models is made at run time, for mypy their base

    class Service(ServiceBase):
        kind: ServiceKind

else:
    Service = Annotated[
        Union[tuple(_service_model(kind) for kind in get_args(ServiceKind))],  # noqa: UP007
        Field(discriminator="kind"),
    ]


# --- channels ------------------------------------------------------------------------------------


class ChannelBase(Model):
    name: Slug
    send_resolved: bool = True


class SlackChannel(ChannelBase):
    type: Literal["slack"]
    api_url_file: FilePath
    channel: str = Field(pattern=r"^[#@]?[A-Za-z0-9._-]+$", examples=["#alerts"])


class PagerDutyChannel(ChannelBase):
    type: Literal["pagerduty"]
    routing_key_file: FilePath
    url: Url | None = Field(None, description="Events API address; default PagerDuty's.")


class EmailChannel(ChannelBase):
    type: Literal["email"]
    send_resolved: bool = False
    to: list[Email] = Field(min_length=1)
    from_: Email = Field(alias="from")
    smarthost: HostPort
    auth_username: OneLine | None = None
    auth_password_file: FilePath | None = None
    require_tls: bool = True


class WebhookChannel(ChannelBase):
    type: Literal["webhook"]
    url: Url | None = Field(None, description="For an address that holds no secret.")
    url_file: FilePath | None = Field(
        None, description="A file holding the address (Alertmanager 0.26 or newer)."
    )
    bearer_token_file: FilePath | None = None
    max_alerts: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _one_address(self) -> WebhookChannel:
        if (self.url is None) == (self.url_file is None):
            raise ValueError("give exactly one of `url` and `url_file`")
        return self


class OpsgenieResponder(Model):
    type: Literal["team", "user", "escalation", "schedule"]
    name: OneLine = Field(min_length=1)


class OpsgenieChannel(ChannelBase):
    type: Literal["opsgenie"]
    api_key_file: FilePath
    api_url: Url | None = Field(None, description="Default: Opsgenie's API.")
    priority: Literal["P1", "P2", "P3", "P4", "P5"] | None = Field(
        None, description="Default: P1 for critical, P3 for warning, P5 for info."
    )
    responders: list[OpsgenieResponder] = Field(default_factory=list)


class TeamsChannel(ChannelBase):
    type: Literal["msteams"]
    webhook_url_file: FilePath = Field(
        description="A file holding the incoming webhook's address (Alertmanager 0.27 or newer)."
    )


class TelegramChannel(ChannelBase):
    type: Literal["telegram"]
    bot_token_file: FilePath = Field(description="Alertmanager 0.26 or newer.")
    chat_id: int
    api_url: Url | None = Field(None, description="Default: Telegram's API.")


class DiscordChannel(ChannelBase):
    type: Literal["discord"]
    webhook_url_file: FilePath = Field(description="Alertmanager 0.27 or newer.")


Channel = Annotated[
    SlackChannel
    | PagerDutyChannel
    | EmailChannel
    | WebhookChannel
    | OpsgenieChannel
    | TeamsChannel
    | TelegramChannel
    | DiscordChannel,
    Field(discriminator="type"),
]


# --- routing -------------------------------------------------------------------------------------


class Route(Model):
    channel: Slug
    mute_time_intervals: list[Slug] = Field(
        default_factory=list, description="No notifications while one of these is active."
    )
    active_time_intervals: list[Slug] = Field(
        default_factory=list, description="Notifications only while one of these is active."
    )
    severity: list[Severity] = Field(default_factory=list, description="Match any of these.")
    team: Slug | None = None
    service: Slug | None = None
    match: dict[LabelName, OneLine] = Field(default_factory=dict, description="label: value")
    continue_: bool = Field(False, alias="continue")
    group_by: list[LabelName] | None = None
    group_wait: Duration | None = None
    group_interval: PositiveDuration | None = None
    repeat_interval: PositiveDuration | None = None
    routes: list[Route] = Field(default_factory=list)


class InhibitRule(Model):
    source: dict[LabelName, OneLine] = Field(min_length=1)
    target: dict[LabelName, OneLine] = Field(min_length=1)
    equal: list[LabelName] = Field(default_factory=list)


class TimeRange(Model):
    start_time: TimeOfDay
    end_time: TimeOfDay

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        parse_time_range(self.start_time, self.end_time)
        return self


class TimeIntervalEntry(Model):
    """Alertmanager's time interval syntax: every field given must match (none: always)."""

    times: list[TimeRange] = Field(default_factory=list)
    weekdays: list[WeekdayRange] = Field(default_factory=list, examples=[["monday:friday"]])
    days_of_month: list[DayOfMonthRange] = Field(default_factory=list, examples=[["1:7", "-1"]])
    months: list[MonthRange] = Field(default_factory=list, examples=[["december"]])
    years: list[YearRange] = Field(default_factory=list, examples=[["2026"]])
    location: TimeZoneName | None = Field(None, description="IANA time zone; default UTC.")


class TimeInterval(Model):
    name: Slug
    time_intervals: list[TimeIntervalEntry] = Field(
        min_length=1, description="Active while any of these entries matches."
    )


class RoutingExpectation(Model):
    """What an alert must reach: checked by `stackgen test` with amtool and the simulator."""

    labels: dict[LabelName, OneLine] = Field(min_length=1)
    receivers: list[Slug] = Field(min_length=1)


class Routing(Model):
    default_channel: Slug
    group_by: list[LabelName] = Field(default_factory=lambda: ["alertname", "service"])
    group_wait: Duration = "30s"
    group_interval: PositiveDuration = "5m"
    repeat_interval: PositiveDuration = "4h"
    routes: list[Route] = Field(default_factory=list)
    default_inhibitions: bool = Field(
        True,
        description="A down service silences its other alerts; critical silences warning "
        "for the same alert and service.",
    )
    inhibit: list[InhibitRule] = Field(default_factory=list)
    time_intervals: list[TimeInterval] = Field(default_factory=list)
    expect: list[RoutingExpectation] = Field(
        default_factory=list,
        description="Routing tests: these label sets must reach exactly these channels.",
    )


# --- grafana -------------------------------------------------------------------------------------


class DatasourceBase(Model):
    name: OneLine = Field(min_length=1)
    default: bool = Field(False, description="Grafana's default datasource (one at most).")


class PrometheusDatasource(DatasourceBase):
    type: Literal["prometheus"]
    url: Address | None = Field(None, description="Default: http:// and prometheus.address.")


class HttpDatasource(DatasourceBase):
    type: Literal["loki", "jaeger", "tempo"]
    url: Address


class AlertmanagerDatasource(DatasourceBase):
    type: Literal["alertmanager"]
    url: Address | None = Field(None, description="Default: http:// and the first address.")


class PostgresDatasource(DatasourceBase):
    type: Literal["postgres"]
    url: Address = Field(examples=["postgres:5432"])
    database: OneLine = Field(min_length=1)
    user: OneLine = Field(min_length=1)
    password: EnvRef | None = None
    sslmode: Literal["disable", "require", "verify-ca", "verify-full"] = "require"


Datasource = Annotated[
    PrometheusDatasource | HttpDatasource | AlertmanagerDatasource | PostgresDatasource,
    Field(discriminator="type"),
]


class Grafana(Model):
    version: Literal["10.4", "11.6", "12"] = Field(
        "10.4", description="The Grafana that loads the dashboards: sets their schemaVersion."
    )
    url: Url = Field("http://localhost:3000", description="Grafana's address, for links.")
    datasources: list[Datasource] = Field(default_factory=list)
    default_folder: OneLine = Field("Services", min_length=1)
    dashboards_path: OneLine = Field(
        "/var/lib/grafana/dashboards", description="Where out/grafana/dashboards is mounted."
    )


# --- lint --------------------------------------------------------------------------------------


def _known_check(value: str) -> str:
    from stackgen.lint.checks import CHECKS  # the catalogue imports the spec loader

    ids = [check.id for check in CHECKS]
    if value not in ids:
        raise ValueError(f"`{value}` is not a check; `stackgen lint --list` names them all")
    return value


CheckId = Annotated[str, AfterValidator(_known_check)]


class LintConfig(Model):
    """How `stackgen lint` judges rule files: the spec's `lint:` section, or a
    `.stackgen-lint.yml` file with the same keys."""

    disable: list[CheckId] = Field(default_factory=list, description="Checks not to run.")
    severity: dict[CheckId, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="A severity per check, instead of its default."
    )
    required_labels: dict[LabelName, list[OneLine]] = Field(
        default_factory=lambda: {"severity": ["critical", "warning", "info"]},
        description="Labels every alert must carry, each with its allowed values "
        "(an empty list: any value).",
    )
    required_annotations: list[LabelName] = Field(
        default_factory=lambda: ["summary", "description", "runbook_url"],
        description="Annotations every alert must carry.",
    )


# --- output --------------------------------------------------------------------------------------

Target = Literal["prometheus", "kubernetes", "mimir", "compose"]
MIB = 1024 * 1024


class KubernetesOutput(Model):
    """How the kubernetes target writes its objects (kubernetes/ in OUT)."""

    namespace: Slug = Field(
        "monitoring",
        description="Namespace of every object written (it must exist); one stack per namespace.",
    )
    labels: dict[KubernetesLabel, KubernetesLabelValue] = Field(
        default_factory=dict,
        description="Labels on every object, such as the ones the operator's Prometheus "
        "selects with ruleSelector and serviceMonitorSelector (kube-prometheus-stack: "
        "`release: <its release name>`).",
        examples=[{"release": "kube-prometheus-stack"}],
    )
    operator: bool = Field(
        True,
        description="Write prometheus-operator resources: a ServiceMonitor per service found by "
        "Kubernetes discovery, the other scrape jobs as an additionalScrapeConfigs Secret, a "
        "PrometheusRule per service and the Alertmanager config Secret.",
    )
    workloads: bool = Field(
        False,
        description="Write Deployments, Services and ConfigMaps that run Prometheus, "
        "Alertmanager and Grafana themselves, for clusters without the operator.",
    )
    alertmanager_name: Slug = Field(
        "main",
        description="The operator's Alertmanager object: its config goes in the Secret "
        "`alertmanager-<name>` (kube-prometheus: main).",
    )
    additional_scrape_configs: Slug = Field(
        "additional-scrape-configs",
        description="The Secret holding the scrape jobs of static and file_sd services (key "
        "`prometheus-additional.yaml`): name it in the Prometheus's additionalScrapeConfigs.",
    )
    dashboard_folder_annotation: KubernetesLabel = Field(
        "k8s-sidecar-target-directory",
        description="The annotation the Grafana sidecar reads a dashboard's folder from (the "
        "k8s-sidecar's default; the Grafana chart's sidecar.dashboards.folderAnnotation).",
    )


# A Mimir tenant ID: at most 150 of these characters, not `.` or `..` (Mimir's own rules).
_TENANT_ID = r"^[A-Za-z0-9!_.*'()-]{1,150}$"
TenantId = Annotated[str, Field(pattern=_TENANT_ID)]


class MimirOutput(Model):
    """How the mimir target writes Mimir ruler namespaces (mimir/ in OUT, mimirtool's format)."""

    namespace_by: Literal["team", "service"] = Field(
        "team",
        description="One ruler namespace per team, or per service. A namespace over "
        "output.max_file_bytes is split into parts named `<name>.<bits>`.",
    )
    source_tenants: list[TenantId] = Field(
        default_factory=list,
        description="Tenants every rule group queries (Mimir's federated rule groups: "
        "`source_tenants`; the ruler needs tenant federation on). Empty: the tenant the rules "
        "are loaded into.",
        examples=[["team-a", "team-b"]],
    )

    @field_validator("source_tenants")
    @classmethod
    def _tenants(cls, tenants: list[str]) -> list[str]:
        for tenant in tenants:
            if tenant in (".", "..", "__mimir_cluster"):
                raise ValueError(f"`{tenant}` is not a tenant ID Mimir accepts")
        repeated = sorted({t for t in tenants if tenants.count(t) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} named twice: name each tenant once")
        return tenants


class Output(Model):
    """What `stackgen render` writes, and in which forms."""

    targets: list[Target] = Field(
        default_factory=lambda: ["prometheus"],
        min_length=1,
        description="prometheus: plain files (prometheus/, alertmanager/, grafana/, runbooks/); "
        "kubernetes: prometheus-operator resources and workloads (kubernetes/); mimir: ruler "
        "files (mimir/); compose: a docker-compose.yml running the plain files. "
        "`stackgen render --target` overrides this list.",
    )
    max_file_bytes: int = Field(
        MIB,
        ge=4096,
        description="Rule files and Kubernetes objects are split to stay under this size "
        "(default 1 MiB, the Kubernetes object limit).",
    )
    kubernetes: KubernetesOutput = Field(default_factory=KubernetesOutput)
    mimir: MimirOutput = Field(default_factory=MimirOutput)
    templates: list[OneLine] = Field(
        default_factory=list,
        description="Folders of the project's own templates, relative to the spec folder (SPEC "
        "when it is a folder, else the spec file's folder): a file there replaces the built-in "
        "template of the same name. `stackgen render --templates DIR` searches DIR first.",
        examples=[["templates"]],
    )

    @field_validator("targets")
    @classmethod
    def _targets_once(cls, targets: list[str]) -> list[str]:
        repeated = sorted({t for t in targets if targets.count(t) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} named twice: name each target once")
        return targets


# --- the stack -----------------------------------------------------------------------------------


class Stack(Model):
    """A whole monitoring stack."""

    stack: StackInfo
    prometheus: PrometheusServer = Field(default_factory=PrometheusServer)
    alertmanager: AlertmanagerServer = Field(default_factory=AlertmanagerServer)
    services: list[Service] = Field(default_factory=list)
    channels: list[Channel] = Field(min_length=1)
    routing: Routing
    grafana: Grafana = Field(default_factory=Grafana)
    lint: LintConfig = Field(default_factory=LintConfig)
    output: Output = Field(default_factory=Output)
    packs: list[AlertPack] = Field(
        default_factory=list,
        description="Alert packs of your own, for services of `kind: custom` with `pack: NAME`.",
    )
    rule_groups: list[StackRuleGroup] = Field(
        default_factory=list,
        description="Rule groups kept as written (`stackgen import rules`): with `service`, in "
        "that service's rule file; without, in prometheus/rules/legacy.yml. Concatenated "
        "across spec files, like services.",
    )
