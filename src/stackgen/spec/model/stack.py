"""A whole monitoring stack: every section of the spec."""

from __future__ import annotations

from pydantic import Field

from stackgen.spec.custom import AlertPack
from stackgen.spec.model.base import Model
from stackgen.spec.model.channels import Channel
from stackgen.spec.model.grafana import Grafana
from stackgen.spec.model.lint import LintConfig
from stackgen.spec.model.output import Output
from stackgen.spec.model.routing import Routing
from stackgen.spec.model.servers import (
    AlertmanagerServer,
    MetaMonitoring,
    PrometheusServer,
    StackInfo,
)
from stackgen.spec.model.services import Service
from stackgen.spec.rules import StackRuleGroup


class Stack(Model):
    """A whole monitoring stack."""

    stack: StackInfo
    prometheus: PrometheusServer = Field(default_factory=PrometheusServer)
    alertmanager: AlertmanagerServer = Field(default_factory=AlertmanagerServer)
    services: list[Service] = Field(default_factory=list)
    channels: list[Channel] = Field(min_length=1)
    routing: Routing
    grafana: Grafana = Field(default_factory=Grafana)
    meta_monitoring: MetaMonitoring = Field(default_factory=MetaMonitoring)
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
