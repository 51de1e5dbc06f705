"""The whole plan: every output file once, in a stable order, the same on every call."""

import pytest

from stackgen.plan import build_plan
from stackgen.spec import load_stack
from tests.helpers import MINIMAL, SPECS, stack_from


@pytest.fixture(scope="module")
def example():
    return load_stack(SPECS)


def test_plan_paths_are_unique_and_sorted(example):
    paths = [a.path for a in build_plan(example)]
    assert paths == sorted(set(paths))


def test_two_plans_of_one_stack_are_equal(example):
    assert build_plan(example) == build_plan(example)


def test_two_loads_of_one_spec_plan_the_same(example):
    assert build_plan(load_stack(SPECS)) == build_plan(example)


def test_the_plan_of_a_minimal_spec_holds_every_kind_of_output(tmp_path):
    paths = [a.path for a in build_plan(stack_from(tmp_path, MINIMAL))]
    assert paths == [
        "alertmanager/alertmanager.yml",
        "alertmanager/templates/stackgen.tmpl",
        "alertmanager/tests/routing.yml",
        "grafana/dashboards/services/demo-alerts.json",
        "grafana/dashboards/services/demo-overview.json",
        "grafana/dashboards/web/api.json",
        "grafana/provisioning/dashboards/dashboards.yml",
        "grafana/provisioning/datasources/datasources.yml",
        "prometheus/prometheus.yml",
        "prometheus/rules/api.yml",
        "prometheus/tests/api.yml",
        "runbooks/HighAPILatency.md",
        "runbooks/HighHTTPErrorRate.md",
        "runbooks/HighRequestRate.md",
        "runbooks/InstanceDown.md",
        "runbooks/ServiceDown.md",
    ]


def test_the_example_plans_one_rule_file_and_one_dashboard_per_service(example):
    paths = [a.path for a in build_plan(example)]
    for service in example.services:
        assert f"prometheus/rules/{service.name}.yml" in paths
        assert f"grafana/dashboards/{service.team}/{service.name}.json" in paths
    assert "grafana/dashboards/aion/aion-overview.json" in paths


def test_every_generated_expression_is_valid_promql(tmp_path):
    """Recording rules, alerts and panel queries of every kind parse with a real PromQL parser
    (panel queries once Grafana's variables are substituted)."""
    import promql_parser

    from stackgen.grafana.queries import parse_dashboard_query
    from stackgen.plan.prometheus import rule_groups
    from tests.plan.test_alerts import EVERY_KIND

    stack = stack_from(tmp_path, EVERY_KIND)
    for service in stack.services:
        for group in rule_groups(stack, service):
            for rule in group["records"]:
                promql_parser.parse(rule["expr"])
            for alert in group["alerts"]:
                promql_parser.parse(alert.expr)
    for artifact in build_plan(stack):
        for panel in artifact.context.get("panels", []):
            for target in panel.get("targets", []):
                parse_dashboard_query(target["expr"])
