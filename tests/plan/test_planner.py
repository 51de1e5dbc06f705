"""The plan a service at a time: the stack's outputs and each service's, planned apart, are
build_plan's; a service's outputs are its own, whatever else the stack holds; planning one
reads no other service and keeps nothing once it returns."""

import gc
import tracemalloc
from typing import Any

import pytest
import yaml

import stackgen.plan.alerts as alerts_module
from stackgen.plan import Artifact, Planner, build_plan
from stackgen.plan.memo import _CURRENT, planning
from stackgen.spec import load_stack
from tests.helpers import SPECS, counting, stack_from

# Every kind, a spec pack, SLOs of each SLI type, teams and folders whose slugs collide
# (`Web` and the team `web`), custom alerts, and rule groups of a service, of the stack for a
# service, and of none (legacy.yml).
RICH = """\
packs:
  - name: queue-worker
    metrics: {processed_total: jobs_processed_total, failed_total: jobs_failed_total}
    records:
      - name: failure_ratio
        record: "job:jobs_failed:ratio_rate${range}"
        expr: sum(rate(${failed_total}[${range}])) / sum(rate(${processed_total}[${range}]))
    alerts:
      - {name: JobFailures, expr: "${failure_ratio} > ${threshold}", threshold: 0.1,
         unit: ratio, summary: Jobs fail, description: "More than ${threshold} fail."}
    panels:
      - {title: Failure ratio, alert: JobFailures, queries: [{expr: "${failure_ratio}"}]}
stack: {name: fleet}
grafana: {default_folder: Services}
services:
  - name: api
    team: web
    kind: http
    targets: {static: ["api:8080"]}
    alerts: {HighHTTPErrorRate: {threshold: 0.07}}
    slos:
      - {name: availability, objective: 99.7, sli: {type: uptime}}
      - {name: errors, objective: 99.95, sli: {type: requests}, group_by: [route]}
      - {name: latency, objective: 99, sli: {type: latency, threshold: 0.5}}
  - name: shop
    team: storefront
    dashboard_folder: Web
    kind: http
    targets: {static: ["shop:8080"]}
    slos: [{name: errors, objective: 99.9, sli: {type: requests}}]
  - name: db
    team: data
    dashboard_folder: Databases
    kind: database
    targets: {static: ["db:9187"]}
    slos: [{name: availability, objective: 99.95, sli: {type: uptime}}]
  - name: model
    team: ml
    kind: ai-inference
    targets: {static: ["model:8000"]}
    slos: [{name: errors, objective: 99.3, sli: {type: requests}}]
  - name: hosts
    team: platform
    kind: node
    targets: {static: ["host:9100"]}
  - name: worker
    team: jobs
    kind: custom
    pack: queue-worker
    targets: {static: ["worker:9000"]}
    dashboard_panels:
      - {title: Jobs processed, type: stat, queries: [{expr: "sum(rate(${processed_total}[${range}]))"}]}
  - name: exporter
    team: platform
    kind: custom
    targets: {static: ["exporter:9090"]}
    custom_alerts:
      - {name: QueueBacklog, expr: "sum(queue_depth) > 100", summary: Backlog,
         description: The queue backs up.}
    rule_groups:
      - {name: exporter-own, rules: [{record: "job:queue_depth:sum", expr: sum(queue_depth)}]}
rule_groups:
  - {name: api-extra, service: api, rules: [{alert: ApiGone, expr: up == 0, for: 5m}]}
  - {name: nobody, rules: [{record: "x:up:sum", expr: sum(up)}]}
channels: [{name: ops, type: webhook, url: "http://hooks.internal/alerts"}]
routing: {default_channel: ops}
"""
KINDS = ["http", "database", "ai-inference", "node"]


def fleet_service(i: int) -> dict[str, Any]:
    """A service as bench/run.py's fleet has them: its kind's alerts and two SLOs."""
    kind = KINDS[i % len(KINDS)]
    availability = {"name": "availability", "objective": 99.9, "sli": {"type": "uptime"}}
    second = (
        {"name": "errors", "objective": 99.5, "sli": {"type": "requests"}}
        if kind in ("http", "ai-inference")
        else {**availability, "name": "availability-strict", "objective": 99.95}
    )
    return {
        "name": f"svc-{i}",
        "team": f"team-{i % 7}",
        "kind": kind,
        "targets": {"static": [f"host-{i}:9100"]},
        "slos": [availability, second],
    }


def fleet(services: int) -> str:
    return yaml.safe_dump(
        {
            "stack": {"name": "bench"},
            "services": [fleet_service(i) for i in range(services)],
            "channels": [{"name": "ops", "type": "webhook", "url": "http://hooks/x"}],
            "routing": {"default_channel": "ops"},
        }
    )


def grown(spec: str) -> str:
    """The spec with services added after its own: new teams, a folder whose slug its
    `Databases` has, SLOs, and a stack rule group for one of them."""
    data = yaml.safe_load(spec)
    added = [{**fleet_service(i), "team": f"crew-{i % 3}"} for i in range(100, 112)]
    added[-1]["dashboard_folder"] = "databases"
    data["services"] += added
    rules = [{"record": "x:y:z", "expr": "sum(up)"}]
    data["rule_groups"] = [
        *data.get("rule_groups", []),
        {"name": "fleet-extra", "service": "svc-103", "rules": rules},
    ]
    return yaml.safe_dump(data)


def planned(planner: Planner, stack_services: list[Any]) -> list[Artifact]:
    artifacts = planner.stack_artifacts()
    for service in stack_services:
        artifacts += planner.service_artifacts(service)
    return artifacts


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    return stack_from(tmp_path_factory.mktemp("rich"), RICH)


@pytest.fixture(
    scope="module",
    params=["example", "rich", "rich-sharded", "fleet"],
)
def stack(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "example":
        return load_stack(SPECS)
    if request.param == "rich-sharded":
        return stack_from(folder, RICH + "prometheus: {shards: 2, rule_evaluation: federation}\n")
    return stack_from(folder, RICH if request.param == "rich" else fleet(40))


# --- the two parts are the plan ------------------------------------------------------------------


def test_the_stacks_outputs_and_every_services_are_the_plan(stack):
    artifacts = planned(Planner(stack), stack.services)
    paths = [a.path for a in artifacts]
    assert len(paths) == len(set(paths))
    assert sorted(artifacts, key=lambda a: a.path) == build_plan(stack)


def test_a_services_outputs_are_its_rule_file_proofs_and_dashboards(rich):
    api = Planner(rich).service_artifacts(rich.services[0])
    assert [a.path for a in api] == [
        "prometheus/rules/api.yml",
        "prometheus/tests/api.step-1m.yml",  # its alerts, its SLOs' page tiers
        "prometheus/tests/api.step-5m.yml",  # its SLOs' ticket tiers
        "prometheus/tests/api.recovery.yml",  # no page again after an outage ServiceDown paged
        "grafana/dashboards/web/api.json",
        "grafana/dashboards/web/api.slo.json",
    ]
    assert [g["name"] for g in api[0].context["imported"]] == ["api-extra"]


def test_the_stacks_outputs_name_no_single_services_file(rich):
    paths = [a.path for a in Planner(rich).stack_artifacts()]
    assert "prometheus/rules/legacy.yml" in paths
    for service in rich.services:
        assert not any(f"/{service.name}." in path for path in paths), service.name


# --- per service ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [RICH, fleet(8)], ids=["rich", "fleet"])
def test_a_services_outputs_do_not_change_when_services_are_added(tmp_path, spec):
    small = stack_from(tmp_path / "small", spec)
    large = stack_from(tmp_path / "large", grown(spec))
    assert len(large.services) > len(small.services)
    alone, among = Planner(small), Planner(large)
    for service, same in zip(small.services, large.services, strict=False):
        assert service.name == same.name
        assert alone.service_artifacts(service) == among.service_artifacts(same), service.name


class _Untouchable(list):
    """A stack's list that a service's planning must not read: doing so costs the stack's size
    for every service."""

    def __iter__(self):
        raise AssertionError("planning one service read every service of the stack")

    def __len__(self):
        raise AssertionError("planning one service read every service of the stack")


def test_planning_a_service_reads_no_other_service(rich):
    expected = {s.name: Planner(rich).service_artifacts(s) for s in rich.services}
    services = _Untouchable(rich.services)
    stack = rich.model_copy(
        update={"services": services, "rule_groups": _Untouchable(rich.rule_groups)}
    )
    planner = Planner(rich)
    planner.stack = stack  # what __init__ worked out stays; the lists are out of reach now
    for service in list.__iter__(services):
        assert planner.service_artifacts(service) == expected[service.name]


def test_a_service_forgets_what_it_remembered_when_it_returns(rich, monkeypatch):
    calls = counting(monkeypatch, alerts_module, "pack_alerts")
    planner, api = Planner(rich), rich.services[0]
    first = planner.service_artifacts(api)
    assert len(calls) == 1  # its rule file, proofs and dashboards shared one resolution
    assert _CURRENT.get() is None
    assert planner.service_artifacts(api) == first
    assert len(calls) == 2


def test_inside_a_plan_the_services_share_the_plans_memo(rich, monkeypatch):
    calls = counting(monkeypatch, alerts_module, "pack_alerts")
    with planning():
        planned(Planner(rich), rich.services)
    assert len(calls) == len(rich.services)


def test_planning_services_one_after_another_keeps_nothing_of_them(tmp_path):
    """A worker plans thousands of services with one Planner: the memory it holds after
    planning many is what it held after a few."""
    stack = stack_from(tmp_path, fleet(200))
    planner = Planner(stack)
    for service in stack.services[:40]:  # warm up: the caches of the few distinct SLOs
        planner.service_artifacts(service)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for service in stack.services[40:]:
            planner.service_artifacts(service)
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert growth < 100_000  # a kept artifact set alone is tens of KiB per service
