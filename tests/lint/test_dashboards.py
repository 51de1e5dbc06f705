"""Every dashboard stackgen writes is held, on every render, to Grafana's schemas and to the
metrics the stack has: a query reading a metric no service's kind has, nor any recording rule of
the render, fails the render naming the dashboard and the panel."""

import json
import pickle

import pytest

from stackgen.grafana.queries import dashboard_queries
from stackgen.lint.dashboards import (
    check_dashboards,
    check_rendered,
    convention_errors,
    dashboard_errors,
    dashboard_problems,
    metric_errors,
    rendered_record_names,
)
from stackgen.plan.grafana import kind_metric_names
from stackgen.spec import load_stack
from tests.helpers import OUT, SPECS, write


def test_a_spec_that_renames_a_metric_breaks_the_dashboards_written_before(tmp_path):
    """The example's web API dashboard reads `http_requests_total`; in a spec that renames it, the
    metric exists no more, and the check names the dashboard and the panel."""
    renamed = (
        (SPECS / "services" / "web-api.yml")
        .read_text()
        .replace(
            "    labels:\n      tier: frontend\n",
            "    labels:\n      tier: frontend\n    metrics: {requests_total: api_requests_total, request_duration: api_request_seconds}\n",
            1,
        )
    )
    spec = tmp_path / "specs"
    for path in SPECS.rglob("*.yml"):
        write(spec, str(path.relative_to(SPECS)), path.read_text())
    write(spec, "services/web-api.yml", renamed)
    known = kind_metric_names(load_stack(spec))
    assert "api_requests_total" in known and "http_requests_total" not in known
    problems = check_dashboards(OUT, known)  # the example's dashboards, against the renamed stack
    # a query each: the panels drawn from records read the records' metrics (dashboard
    # variables), two in each error ratio, one per quantile of the summary in the latency panel
    read = [("Request rate", "http_requests_total")]
    read += [("Error rate (5xx)", "http_requests_total")] * 2
    read += [("API latency (p50, p95, p99)", "http_request_duration_seconds")] * 3
    read += [("Error rate", "http_requests_total")] * 2
    assert problems == [
        f"grafana/dashboards/platform/aion-web-api.json: panel `{panel}` reads `{metric}`, which "
        "is neither a recording rule of this render nor a metric of a service's kind"
        for panel, metric in read
    ]
    assert check_dashboards(OUT, kind_metric_names(load_stack(SPECS))) == []


def test_an_unparsable_query_names_its_panel():
    dashboard = {
        "panels": [
            {
                "type": "timeseries",
                "title": "Broken",
                "targets": [{"expr": "sum(rate(x[$__rate_interval]"}],
            }
        ]
    }
    (error,) = metric_errors(dashboard, set())
    assert error.startswith("panel `Broken`: invalid PromQL")


def _web_api() -> dict:
    return json.loads((OUT / "grafana/dashboards/platform/aion-web-api.json").read_text())


def test_the_example_follows_the_dashboard_conventions():
    for path in sorted((OUT / "grafana" / "dashboards").rglob("*.json")):
        assert convention_errors(json.loads(path.read_text())) == [], path


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda d: d["templating"]["list"].pop(0), "no `datasource` variable"),
        (lambda d: d["panels"][1].update(datasource={"type": "prometheus", "uid": "prom-1"}),
         "panel `Request rate` does not use the `datasource` variable"),
        (lambda d: d["panels"][1]["fieldConfig"]["defaults"].update(unit="requests"),
         "panel `Request rate` has unit `requests`, which Grafana does not know"),
        (lambda d: d["panels"][2]["targets"][0].update(expr="sum(rate(http_requests_total[5m]))"),
         "panel `Error rate (5xx)`: `rate` over a fixed range, not $__rate_interval"),
    ],
)  # fmt: skip
def test_each_convention_is_checked(break_it, message):
    dashboard = _web_api()
    break_it(dashboard)
    assert any(error.startswith(message) for error in convention_errors(dashboard))


def _out_files() -> dict[str, bytes]:
    return {p.relative_to(OUT).as_posix(): p.read_bytes() for p in OUT.rglob("*") if p.is_file()}


def _renamed_known() -> set[str]:
    known = kind_metric_names(load_stack(SPECS)) - {"http_requests_total"}
    return known | {"api_requests_total"}


def test_a_render_in_memory_is_checked_as_its_tree_on_disk():
    assert check_rendered(_out_files(), _renamed_known()) == check_dashboards(OUT, _renamed_known())
    assert check_rendered(_out_files(), _renamed_known())  # the renamed metric is found


def test_what_the_render_parsed_is_checked_without_parsing_the_bytes_again():
    files = _out_files()
    dashboard = "grafana/dashboards/platform/aion-web-api.json"
    parsed = {path: json.loads(files[path]) for path in files if path.endswith(".json")}
    files = {**files, **dict.fromkeys(parsed, b"not json")}
    parsed[dashboard]["panels"][2]["targets"][0]["expr"] = (
        'sum(rate(nowhere_total{job=~"$job",instance=~"$instance"}[5m]))'
    )
    assert check_rendered(files, kind_metric_names(load_stack(SPECS)), parsed) == [
        f"{dashboard}: panel `Error rate (5xx)`: `rate` over a fixed range, not $__rate_interval",
        f"{dashboard}: panel `Error rate (5xx)` reads `nowhere_total`, which is neither a "
        "recording rule of this render nor a metric of a service's kind",
    ]


def _panel(*exprs: str) -> dict:
    targets = [{"expr": expr} for expr in exprs]
    return {"panels": [{"type": "timeseries", "title": "P", "targets": targets}]}


def test_queries_differing_in_plain_label_values_are_judged_alike_but_each_names_its_metric():
    dashboard = _panel(
        'sum(rate(a_total{job="svc-1"}[5m]))',
        'sum(rate(a_total{job="svc-2"}[$__rate_interval]))',
        '{__name__="b_total", job="svc-1"}',
        '{__name__="c_total", job="svc-2"}',
        'x{job="svc-1"} == "svc-1"',
    )
    assert metric_errors(dashboard, {"a_total", "b_total", "x"}) == [
        "panel `P` reads `c_total`, which is neither a recording rule of this render nor a "
        "metric of a service's kind",
        "panel `P`: invalid PromQL: binary expression must contain only scalar and instant "
        "vector types",
    ]
    assert convention_errors(dashboard)[-1:] == [
        "panel `P`: `rate` over a fixed range, not $__rate_interval"
    ]


def test_a_long_or_chain_is_checked_term_by_term_as_written():
    """The overview `or`s every service's series; its check reads each distinct term once, yet
    reports every finding as often as the query holds it."""
    terms = [f'rate(a_total{{job="svc-{i}"}}[$__rate_interval])' for i in range(2000)]
    assert metric_errors(_panel(f"sum({' or '.join(terms)})"), {"a_total"}) == []
    fixed = " or ".join(f'rate(a_total{{job="svc-{i}"}}[5m])' for i in range(3))
    assert (
        convention_errors(_panel(f"sum({fixed})")).count(
            "panel `P`: `rate` over a fixed range, not $__rate_interval"
        )
        == 3
    )
    unknown = metric_errors(_panel(" or ".join(['b_total{job="1"}'] * 3)), {"a_total"})
    assert len(unknown) == 3 and all("reads `b_total`" in e for e in unknown)


@pytest.mark.parametrize(
    "expr",
    [
        "sum((a or (a or (a or b))",  # terms that do not close what they open
        "a or a[5m] or a[5m] or a[5m]",  # a range vector in a set operation
        'a or b{l="x} or b{l="x} or b{l="x}',  # an unterminated string
    ],
)
def test_a_chain_that_does_not_parse_is_reported(expr):
    (error,) = metric_errors(_panel(expr), {"a", "b"})
    assert error.startswith("panel `P`: invalid PromQL")


def test_a_dashboard_checked_alone_then_finished_with_the_records_finds_what_one_check_finds():
    # A render's workers check each dashboard alone; the parent finishes with the records.
    kind_metrics = _renamed_known()
    records = rendered_record_names(OUT)
    for path in sorted((OUT / "grafana" / "dashboards").rglob("*.json")):
        dashboard = json.loads(path.read_text())
        dashboard["panels"][-1].setdefault("targets", []).append(
            {"expr": "sum(rate(nowhere_total[5m])) / sum(job:undefined:rate5m)", "refId": "Z"}
        )
        alone = dashboard_problems(dashboard, kind_metrics)
        assert pickle.loads(pickle.dumps(alone)) == alone
        finished = alone.finish(records)
        assert finished == dashboard_errors(dashboard, kind_metrics | records), path
        assert any("job:undefined:rate5m" in error for error in finished)
        assert any("nowhere_total" in error for error in finished)
    assert not any("api_requests_total" in e for e in alone.finish(records))  # known at first


def test_the_queries_found_once_for_the_whole_dashboard_are_each_panels_own():
    # A render finds a dashboard's queries once, for lint and for this check.
    row = {
        "type": "row",
        "title": "collapsed",
        "panels": [
            {"type": "timeseries", "title": "inner", "targets": [{"expr": "rate(x_total[5m])"}]}
        ],
        "targets": [{"expr": "sum(y)"}],
    }
    dashboards = [json.loads(p.read_text()) for p in (OUT / "grafana").rglob("*.json")]
    dashboards.append({**dashboards[0], "panels": [*dashboards[0]["panels"], row]})
    for dashboard in dashboards:
        queries = list(dashboard_queries(dashboard))
        alone = dashboard_problems(dashboard, _renamed_known())
        assert dashboard_problems(dashboard, _renamed_known(), queries) == alone
    assert any("x_total" in str(doubt) for doubt in alone.doubts)


def test_a_panel_that_ignores_a_variable_of_its_dashboard_is_an_error():
    from stackgen.lint.rules.dashboard_variables import check

    dashboard = json.loads((OUT / "grafana/dashboards/platform/aion-web-api.json").read_text())
    assert list(check(dashboard, [])) == []
    dashboard["panels"][1]["targets"][0]["expr"] = 'sum(rate(x{job=~"$job"}[$__rate_interval]))'
    ((where, message),) = check(dashboard, [])
    assert where == ("panels", 1, "targets", 0, "expr")
    assert message == (
        f"panel `{dashboard['panels'][1]['title']}` ignores $instance: it shows the same "
        "whatever is chosen there"
    )
    assert dashboard_errors(dashboard, set())  # a render holding it fails
