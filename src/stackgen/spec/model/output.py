"""What `stackgen render` writes, and in which forms."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from stackgen.spec.model.base import Model
from stackgen.spec.types import KubernetesLabel, KubernetesLabelValue, OneLine, Slug

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
