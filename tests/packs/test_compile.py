"""The spec's own alert packs and panels, rendered as well as the built-in packs: linted,
linked to a panel, routed, with runbooks; and their mistakes refused at FILE:LINE:COL."""

import json

import pytest
import yaml

from stackgen.lint.spec_checks import load_checked_stack
from stackgen.packs.base import ServiceContext
from stackgen.packs.compile import UnknownPlaceholder, expand
from stackgen.plan.alerts import service_alerts
from stackgen.plan.grafana import linked_alerts
from stackgen.spec import SpecErrors
from tests.helpers import MINIMAL, render_into, write

PACK = """\
packs:
  - name: queue-worker
    metrics:
      processed_total: jobs_processed_total
      failed_total: jobs_failed_total
      queue_depth: jobs_queued
    records:
      - name: failure_ratio
        record: "job:jobs_failed:ratio_rate${range}"
        expr: >-
          sum by (job) (rate(${failed_total}[${range}]))
          / sum by (job) (rate(${processed_total}[${range}]))
    alerts:
      - name: JobFailures
        expr: "${failure_ratio} > ${threshold}"
        threshold: 0.1
        unit: ratio
        for: 10m
        severity: critical
        summary: "{{ $labels.job }} fails {{ $value | humanizePercentage }} of its jobs"
        description: "More than ${threshold} of the jobs of {{ $labels.job }} failed."
        diagnosis: [Which job types fail?]
      - name: QueueBacklog
        expr: "sum by (job) (${queue_depth}) > ${threshold}"
        threshold: 1000
        summary: "{{ $labels.job }} has {{ $value }} jobs queued"
        description: "More than ${threshold} jobs wait in {{ $labels.job }}."
    panels:
      - {title: Failure ratio, alert: JobFailures, unit: percentunit,
         queries: [{expr: "${failure_ratio}", legend: failed}]}
      - title: Queue depth
        alert: QueueBacklog
        queries: [{expr: 'sum by (instance) (${queue_depth}{instance=~"$instance"})'}]
"""
WORKER = """\
  - name: worker
    team: jobs
    kind: custom
    pack: queue-worker
    targets: {static: ["worker:9000"]}
    metrics: {queue_depth: worker_queue_length}
    alerts:
      QueueBacklog: {threshold: 500}
    dashboard_panels:
      - title: Jobs processed
        type: stat
        unit: ops
        queries: [{expr: "sum(rate(${processed_total}[$__rate_interval]))"}]
        thresholds: [{value: 100, color: orange}]
"""


def spec_text(pack: str = PACK, worker: str = WORKER) -> str:
    head, rest = MINIMAL.split("channels:\n", 1)
    return pack + head + worker + "channels:\n" + rest


@pytest.fixture
def stack(tmp_path):
    return load_checked_stack(write(tmp_path, "spec.yml", spec_text()))


def errors_of(tmp_path, text: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_checked_stack(write(tmp_path, "spec.yml", text))
    return [str(e) for e in caught.value.errors]


def test_expand_limits_roles_to_the_service_and_merges_matchers():
    ctx = ServiceContext("w", {"errors": "errs_total"}, 300.0)
    text = expand('rate(${errors}{code=~"5.."}[${range}]) > ${threshold}', ctx, {},
                  range_="5m", threshold="3")  # fmt: skip
    assert text == 'rate(errs_total{job="w",code=~"5.."}[5m]) > 3'
    assert (
        expand("${rec}", ctx, {"rec": "job:x:rate{range}"}, range_="5m") == 'job:x:rate5m{job="w"}'
    )
    with pytest.raises(UnknownPlaceholder):
        expand("${nope}", ctx, {}, range_="5m")
    assert expand('x{i=~"${instance}"}', ctx, {}, range_="5m", keep_unknown=True) == (
        'x{i=~"${instance}"}'
    )


def test_pack_alerts_take_the_services_overrides_and_roles(stack):
    worker = stack.services[1]
    alerts = {a.name: a for a in service_alerts(stack, worker)}
    assert list(alerts) == ["ServiceDown", "InstanceDown", "JobFailures", "QueueBacklog"]
    assert alerts["QueueBacklog"].expr == 'sum by (job) (worker_queue_length{job="worker"}) > 500'
    assert alerts["JobFailures"].expr == 'job:jobs_failed:ratio_rate5m{job="worker"} > 0.1'
    assert (
        alerts["JobFailures"].description
        == "More than 10% of the jobs of {{ $labels.job }} failed."
    )
    assert alerts["JobFailures"].labels == {"severity": "critical", "team": "jobs",
                                            "service": "worker"}  # fmt: skip


def test_each_pack_alert_opens_the_panel_drawn_at_its_threshold(stack):
    links = {a.name: a.dashboard_url for a in linked_alerts(stack, stack.services[1])}
    assert links["JobFailures"].endswith("/d/demo-worker?viewPanel=2")
    assert links["QueueBacklog"].endswith("/d/demo-worker?viewPanel=3")


def test_a_rendered_pack_is_linted_routed_drawn_and_has_runbooks(tmp_path):
    """The real render: the dashboard, lint and tool checks pass (or it would raise)."""
    from typer.testing import CliRunner

    from stackgen.cli import app

    spec = write(tmp_path, "spec.yml", spec_text())
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rules = yaml.safe_load((out / "prometheus/rules/worker.yml").read_text())
    records = [r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r]
    assert records == ["job:jobs_failed:ratio_rate5m"]
    matrix = yaml.safe_load((out / "alertmanager/tests/routing.yml").read_text())
    routed = {
        e["labels"]["alertname"] for e in matrix["alerts"] if e["labels"]["service"] == "worker"
    }
    assert {"JobFailures", "QueueBacklog"} <= routed
    assert (out / "runbooks/JobFailures.md").read_text().count("Which job types fail?") == 1
    dashboard = json.loads((out / "grafana/dashboards/jobs/worker.json").read_text())
    panels = {p["title"]: p for p in dashboard["panels"]}
    assert panels["Failure ratio"]["fieldConfig"]["defaults"]["thresholds"]["steps"][-1] == {
        "color": "red", "value": 0.1}  # fmt: skip
    processed = panels["Jobs processed"]
    assert processed["type"] == "stat"
    assert processed["targets"][0]["expr"] == (
        'sum(rate(jobs_processed_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))'
    )
    assert processed["fieldConfig"]["defaults"]["thresholds"]["steps"][-1] == {
        "color": "orange", "value": 100}  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('"${failure_ratio} > ${threshold}"', '"${failure_rate} > ${threshold}"',
         "packs[queue-worker].alerts[JobFailures].expr", "`${failure_rate}` is no metric role"),
        ("[${range}]))\n          /", "[30s]))\n          /",
         "packs[queue-worker].records[failure_ratio]", "[promql/rate-range]"),
        ('"{{ $labels.job }} has', '"{{ $labels.instance }} has',
         "packs[queue-worker].alerts[QueueBacklog]", "`$labels.instance` is always empty"),
        ("      - title: Queue depth\n        alert: QueueBacklog\n",
         "      - title: Queue depth\n",
         "packs[queue-worker].alerts[QueueBacklog].name", "no panel of the pack draws"),
        ("        threshold: 1000\n", "", "packs[queue-worker].alerts[QueueBacklog].expr",
         "compare with `${threshold}` and give `threshold`, or neither"),
    ],
)  # fmt: skip
def test_a_broken_pack_is_refused_where_it_is_written(tmp_path, old, new, field, message):
    assert old in PACK
    errors = errors_of(tmp_path, spec_text(pack=PACK.replace(old, new)))
    assert any(f": {field}: " in e and message in e for e in errors), errors
    assert all(e.startswith(f"{tmp_path / 'spec.yml'}:") for e in errors)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("pack: queue-worker", "pack: queue-wroker", "services[worker].pack",
         "no pack is named `queue-wroker`"),
        ("QueueBacklog: {threshold: 500}", "QueueBaklog: {threshold: 500}",
         "services[worker].alerts.QueueBaklog", "pack `queue-worker` has no alert `QueueBaklog`"),
        ("{queue_depth: worker_queue_length}", "{queue_length: x}",
         "services[worker].metrics.queue_length", "has no role `queue_length`"),
        ("unit: ops", "unit: opz", "services[worker].dashboard_panels[0].unit", "which Grafana does not know"),
        ("[$__rate_interval]", "[1m]", "services[worker].dashboard_panels[0].queries[0].expr",
         "over a fixed [1m]"),
        ("sum(rate(", "sum(rate((", "services[worker].dashboard_panels[0].queries[0].expr", "PromQL"),
        ("title: Jobs processed", "title: Queue depth", "services[worker].dashboard_panels[0].title",
         "a panel `Queue depth` is on the dashboard"),
        ("thresholds: [{value: 100, color: orange}]", "alert: NoSuchAlert",
         "services[worker].dashboard_panels[0].alert", "no alert `NoSuchAlert`"),
    ],
)  # fmt: skip
def test_a_service_that_does_not_fit_its_pack_is_refused(tmp_path, old, new, field, message):
    assert old in WORKER
    errors = errors_of(tmp_path, spec_text(worker=WORKER.replace(old, new)))
    assert any(f": {field}: " in e and message in e for e in errors), errors


def test_a_pack_alert_threshold_is_checked_by_its_unit(tmp_path):
    worker = WORKER.replace("QueueBacklog: {threshold: 500}", "JobFailures: {threshold: 5}")
    errors = errors_of(tmp_path, spec_text(worker=worker))
    assert any("services[worker].alerts.JobFailures.threshold" in e and "between 0 and 1" in e
               for e in errors), errors  # fmt: skip


def test_a_built_in_kind_service_may_add_panels(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    dashboard_panels:\n"
        "      - title: 5xx by route\n"
        "        alert: HighHTTPErrorRate\n"
        '        queries: [{expr: \'sum by (route) (rate(${requests_total}{status=~"5.."}'
        "[$__rate_interval]))', legend: '{{route}}'}]\n",
    )
    out = render_into(write(tmp_path, "spec.yml", text), tmp_path / "out")
    dashboard = json.loads(next((out / "grafana/dashboards").rglob("api.json")).read_text())
    added = dashboard["panels"][-1]
    assert added["title"] == "5xx by route"
    assert added["targets"][0]["expr"] == (
        "sum by (route) (rate(http_requests_total"
        '{job=~"$job",instance=~"$instance",status=~"5.."}[$__rate_interval]))'
    )
