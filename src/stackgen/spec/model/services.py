"""Services: how their targets are found, and their alerts, SLOs, rules and panels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args

from pydantic import ConfigDict, Field, create_model, model_validator

from stackgen.common.values import parse_duration
from stackgen.packs.catalog import alerts_for, metric_roles
from stackgen.spec.custom import AlertProof, Panel
from stackgen.spec.model.base import Model, Severity
from stackgen.spec.model.slos import SLO
from stackgen.spec.rules import RuleGroup
from stackgen.spec.runbooks import Runbook
from stackgen.spec.types import (
    AlertName,
    Duration,
    FolderName,
    HostPort,
    KubernetesLabel,
    LabelName,
    MetricName,
    OneLine,
    OneLineTemplate,
    PositiveDuration,
    PromQL,
    RunbookUrl,
    SdFile,
    Slug,
    TemplateText,
)

ServiceKind = Literal["http", "database", "ai-inference", "node", "custom"]


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


def _one_runbook(alert: AlertOverride | CustomAlert) -> Any:
    if alert.runbook is not None and alert.runbook_url is not None:
        raise ValueError(
            "give `runbook_url` (a runbook kept elsewhere) or `runbook` (content for the "
            "generated one), not both"
        )
    return alert


class AlertOverride(Model):
    """Tunes one alert of the service kind's pack."""

    enabled: bool = True
    name: AlertName | None = Field(
        None,
        description="The alert's name in the rules, instead of the kind's (to keep a name "
        "people already know); routes, inhibition, runbooks and dashboards follow it.",
        examples=["DatabaseConnectionPoolExhausted"],
    )
    threshold: float | None = Field(None, allow_inf_nan=False)
    for_: Duration | None = Field(None, alias="for")
    severity: Severity | None = None
    runbook_url: RunbookUrl | None = None
    runbook: Runbook | None = Field(
        None, description="Runbook content for the generated runbook; not with `runbook_url`."
    )
    labels: dict[LabelName, OneLineTemplate] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_runbook(self) -> AlertOverride:
        return _one_runbook(self)


class CustomAlert(Model):
    name: AlertName
    expr: PromQL = Field(description="PromQL; the alert fires while it returns series.")
    for_: Duration = Field("5m", alias="for")
    severity: Severity = "warning"
    summary: OneLineTemplate = Field(min_length=1)
    description: TemplateText = Field(min_length=1)
    runbook_url: RunbookUrl | None = None
    runbook: Runbook | None = Field(
        None, description="Runbook content for the generated runbook; not with `runbook_url`."
    )
    labels: dict[LabelName, OneLineTemplate] = Field(default_factory=dict)
    proof: AlertProof | None = Field(
        None,
        description="The scenario that proves it (`firing` and `silent` levels, series by "
        "metric name); without one, `stackgen test` reports it unproven.",
    )

    @model_validator(mode="after")
    def _one_runbook(self) -> CustomAlert:
        return _one_runbook(self)


class ServiceBase(Model):
    name: Slug
    team: Slug
    description: OneLine = ""
    targets: Targets = Field(
        description="Exactly one way to find the service's scrape targets.",
        examples=[
            {"static": ["host:9100"]},
            {"file_sd": {"files": ["targets/*.json"]}},
            {
                "kubernetes": {
                    "role": "endpoints",
                    "namespaces": ["web"],
                    "selector": {"app": "api"},
                }
            },
        ],
    )
    metrics_path: OneLine = Field("/metrics", pattern=r"^/")
    scheme: Literal["http", "https"] = "http"
    scrape_interval: PositiveDuration | None = None
    scrape_timeout: PositiveDuration | None = Field(
        None, description="Default: prometheus.scrape_timeout; at most the scrape interval."
    )
    labels: dict[LabelName, OneLine] = Field(
        default_factory=dict, description="Extra target labels on every series of the service."
    )
    custom_alerts: list[CustomAlert] = Field(default_factory=list)
    slos: list[SLO] = Field(default_factory=list)
    runbook_url: RunbookUrl | None = Field(
        None, description="Runbook for all the service's alerts."
    )
    dashboard_folder: FolderName | None = Field(
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

    @model_validator(mode="after")
    def _timeout_within_interval(self) -> ServiceBase:
        # Prometheus refuses a job whose timeout exceeds its interval.
        if (
            self.scrape_interval is not None
            and self.scrape_timeout is not None
            and parse_duration(self.scrape_timeout) > parse_duration(self.scrape_interval)
        ):
            raise ValueError(
                f"scrape_timeout {self.scrape_timeout} is longer than scrape_interval "
                f"{self.scrape_interval}: shorten the timeout"
            )
        return self

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
