"""The stack's identity, and the Prometheus and Alertmanager servers that run it."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from stackgen.common.values import parse_duration
from stackgen.spec.model.base import Model
from stackgen.spec.types import (
    HOST_PORT,
    ExternalLabelName,
    FilePath,
    HostPort,
    OneLine,
    PositiveDuration,
    PushUrl,
    RelabelLabel,
    RunbookUrl,
    ShardAddress,
    Slug,
    Url,
)

# A Kubernetes quantity of bytes: 10Gi, 500Mi.
StorageSize = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]*(Ki|Mi|Gi|Ti)$")]


class StackInfo(Model):
    """Identity of the stack, stamped on every series Prometheus sends out."""

    name: Slug
    environment: Slug = "production"
    external_labels: dict[ExternalLabelName, OneLine] = Field(
        default_factory=dict,
        description="Extra labels on every series and alert leaving Prometheus.",
    )
    runbooks_url: RunbookUrl | None = Field(
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
    url: PushUrl = Field(description="The store's push endpoint, e.g. https://mimir/api/v1/push.")
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
    retention: PositiveDuration | None = Field(
        None,
        description="How long Prometheus keeps samples (--storage.tsdb.retention.time). "
        "Default: the longest SLO period plus 7 days (at least Prometheus's 15d), so that "
        "the SLOs and their dashboards read a whole period. Shorter than an SLO period is "
        "refused.",
    )
    external_url: Url | None = Field(
        None,
        description="The URL people open Prometheus at (--web.external-url); alert links "
        "point there. Default: http:// and `address`.",
    )
    storage_size: StorageSize | None = Field(
        None,
        description="Kubernetes: the size of each Prometheus's PersistentVolumeClaim. "
        "Default: 1Gi per day of retention (at least 10Gi).",
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
    external_url: Url | None = Field(
        None,
        description="The URL people open Alertmanager at (--web.external-url): the links in "
        "notifications (silence, source) use it. Default: http:// and the first address.",
    )
    storage_size: StorageSize = Field(
        "1Gi",
        description="Kubernetes: the size of Alertmanager's PersistentVolumeClaim (silences "
        "and the notification log).",
    )


# The `service` of the stack's own alerts and the name of their rule file: no service may
# take it.
META_MONITORING = "meta-monitoring"


class MetaMonitoring(Model):
    """The stack watching itself: alerts on its own Prometheus (every shard and the global
    server), Alertmanager and Grafana, with thresholds from the upstream mixins, and a
    Watchdog that always fires so that something outside can tell the pipeline is alive."""

    enabled: bool = Field(True, description="Generate prometheus/rules/meta-monitoring.yml.")
    team: Slug = Field(
        "monitoring", description="The `team` label of these alerts: who runs the stack."
    )
    watchdog_channel: Slug | None = Field(
        None,
        description="The channel the always-firing Watchdog alert goes to, again every "
        "`watchdog_interval`: point an external dead man's switch (a heartbeat URL) at it. "
        "Without one, no Watchdog is generated.",
    )
    watchdog_interval: PositiveDuration = Field(
        "5m",
        description="How often the Watchdog is sent again (its route's repeat_interval; "
        "it arrives within a minute after).",
    )
