"""Grafana: its version, address and datasources."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from stackgen.spec.model.base import Model
from stackgen.spec.types import (
    Address,
    EnvRef,
    FolderName,
    OneLine,
    OneLineOrEnv,
    PositiveDuration,
    Url,
)

# Grafana's PostgreSQL versions (its settings page), as it stores them in `postgresVersion`.
POSTGRES_VERSIONS = {
    "9.3": 903,
    "9.4": 904,
    "9.5": 905,
    "9.6": 906,
    "10": 1000,
    "11": 1100,
    "12": 1200,
    "13": 1300,
    "14": 1400,
    "15": 1500,
}


class DatasourceBase(Model):
    name: OneLineOrEnv = Field(min_length=1)
    default: bool = Field(False, description="Grafana's default datasource (one at most).")


class PrometheusDatasource(DatasourceBase):
    type: Literal["prometheus"]
    url: Address | None = Field(None, description="Default: http:// and prometheus.address.")
    time_interval: PositiveDuration | None = Field(
        None,
        description="The shortest step Grafana asks for (`timeInterval`); default: "
        "prometheus.scrape_interval, so `$__rate_interval` spans four scrapes.",
    )
    query_timeout: PositiveDuration | None = Field(
        None, description="How long Grafana waits for a query (`queryTimeout`); default Grafana's."
    )
    http_method: Literal["POST", "GET"] | None = Field(
        None,
        description="POST carries long queries Prometheus's URL limit would cut (`httpMethod`); "
        "default Grafana's (POST).",
    )


class LokiDatasource(DatasourceBase):
    type: Literal["loki"]
    url: Address
    max_lines: int | None = Field(
        None, ge=1, description="Most log lines a query returns (`maxLines`); default Grafana's."
    )


class HttpDatasource(DatasourceBase):
    type: Literal["jaeger", "tempo"]
    url: Address


class AlertmanagerDatasource(DatasourceBase):
    type: Literal["alertmanager"]
    url: Address | None = Field(None, description="Default: http:// and the first address.")


class PostgresDatasource(DatasourceBase):
    type: Literal["postgres"]
    url: Address = Field(examples=["postgres:5432"])
    database: OneLineOrEnv = Field(min_length=1)
    user: OneLineOrEnv = Field(min_length=1)
    password: EnvRef | None = None
    sslmode: Literal["disable", "require", "verify-ca", "verify-full"] = "require"
    postgres_version: (
        Literal["9.3", "9.4", "9.5", "9.6", "10", "11", "12", "13", "14", "15"] | None
    ) = Field(
        None,
        description="The server's major version (`postgresVersion`): Grafana offers the SQL "
        "functions it has; default Grafana's.",
    )
    timescaledb: bool = Field(False, description="The TimescaleDB extension's functions.")


Datasource = Annotated[
    PrometheusDatasource
    | LokiDatasource
    | HttpDatasource
    | AlertmanagerDatasource
    | PostgresDatasource,
    Field(discriminator="type"),
]


class Grafana(Model):
    version: Literal["10.4", "11.6", "12"] = Field(
        "10.4", description="The Grafana that loads the dashboards: sets their schemaVersion."
    )
    url: Url = Field(
        "http://localhost:3000",
        description="The address people open Grafana at: every dashboard link in alerts, "
        "notifications and runbooks uses it.",
    )
    address: Address | None = Field(
        None,
        description="host:port where Prometheus and the other containers reach Grafana (its "
        "/metrics, the compose and Kubernetes service), when people open another address "
        "(url: https://grafana.example.com). Default: url's host and port.",
        examples=["grafana:3000"],
    )
    datasources: list[Datasource] = Field(default_factory=list)
    default_folder: FolderName = Field("Services")
    dashboards_path: OneLine = Field(
        "/var/lib/grafana/dashboards", description="Where out/grafana/dashboards is mounted."
    )

    @field_validator("address")
    @classmethod
    def _host_and_port(cls, value: str | None) -> str | None:
        if value is not None:
            host, _, port = value.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"`{value}` is not host:port; write it as grafana:3000")
        return value

    def reached_at(self) -> tuple[str, int]:
        """The host and port the stack reaches Grafana at: `address`, else url's."""
        if self.address is not None:
            host, _, port = self.address.rpartition(":")
            return host.strip("[]"), int(port)
        url = urlsplit(self.url)
        return url.hostname or "grafana", url.port or (443 if url.scheme == "https" else 80)
