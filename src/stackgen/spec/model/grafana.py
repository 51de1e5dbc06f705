"""Grafana: its version, address and datasources."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from stackgen.spec.model.base import Model
from stackgen.spec.types import Address, EnvRef, FolderName, OneLine, Url


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
    default_folder: FolderName = Field("Services")
    dashboards_path: OneLine = Field(
        "/var/lib/grafana/dashboards", description="Where out/grafana/dashboards is mounted."
    )
