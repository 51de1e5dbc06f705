"""Grafana: dashboard uids, the panel grid, alert thresholds on panels, the overview, datasources."""

import re
import textwrap

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stackgen.plan.grafana import datasources, grafana_artifacts, uid_for
from stackgen.plan.panels import GRID_WIDTH, layout, overview_panels, service_panels, slo_panels
from stackgen.spec import load_stack
from tests.helpers import MINIMAL, SPECS, run_tool, stack_from

# The web API is a `custom` service (its panels come from the aion-app pack), so the overview
# draws the kinds the example has: the database and the host.
EXAMPLE_OVERVIEW = [
    ("Database connections", "timeseries"),
    ("CPU usage", "timeseries"),
    ("Memory usage", "timeseries"),
]


def with_service(extra: str = "", kind: str = "http") -> str:
    """MINIMAL with its service of `kind` and `extra` service keys (YAML at service level)."""
    text = MINIMAL.replace("kind: http", f"kind: {kind}")
    extra = textwrap.dedent(extra).rstrip("\n") + "\n" if extra else ""
    return text.replace(
        "      static: [api:8080]\n", "      static: [api:8080]\n" + textwrap.indent(extra, "    ")
    )


def with_datasources(*sources: str, top: str = "") -> str:
    lines = "".join(f"    - {s}\n" for s in sources)
    return MINIMAL + top + ("grafana:\n  datasources:\n" + lines if sources else "")


def panels_of(tmp_path, text: str) -> dict[str, dict]:
    stack = stack_from(tmp_path, text)
    return {p["title"]: p for p in service_panels(stack, stack.services[0])}


def steps(panel: dict) -> list[dict]:
    return panel["fieldConfig"]["defaults"]["thresholds"]["steps"]


@pytest.fixture(scope="module")
def example():
    return load_stack(SPECS)


# --- uids ----------------------------------------------------------------------------------------


def test_a_short_name_is_its_own_uid():
    assert uid_for("payments-api") == "payments-api"


def test_characters_grafana_refuses_in_a_uid_become_dashes():
    assert uid_for("Team A/payments.api") == "Team-A-payments-api"


def test_a_long_name_keeps_a_readable_prefix_and_a_hash():
    name = "a-very-long-service-name-that-goes-on-and-on-forever"
    uid = uid_for(name)
    assert len(uid) == 40
    assert uid.startswith(name[:31] + "-")


def test_long_names_with_a_shared_prefix_get_different_uids():
    prefix = "x" * 45
    assert uid_for(prefix + "-one") != uid_for(prefix + "-two")


@given(st.text(max_size=80))
def test_every_uid_is_at_most_40_safe_characters(name):
    assert re.fullmatch(r"[A-Za-z0-9_-]{0,40}", uid_for(name))


# --- layout --------------------------------------------------------------------------------------


@given(st.lists(st.integers(min_value=1, max_value=GRID_WIDTH), max_size=30))
def test_layout_never_overflows_the_grid_and_numbers_panels_from_1(widths):
    placed = layout([{"title": str(i), "_width": w} for i, w in enumerate(widths)])
    assert [p["id"] for p in placed] == list(range(1, len(widths) + 1))
    for panel, width in zip(placed, widths, strict=True):
        assert panel["gridPos"]["w"] == width
        assert panel["gridPos"]["x"] + width <= GRID_WIDTH
        assert "_width" not in panel


def test_layout_wraps_a_panel_that_does_not_fit_onto_the_next_row():
    placed = layout([{"_width": 12}, {"_width": 6}, {"_width": 12}])
    assert [(p["gridPos"]["x"], p["gridPos"]["y"]) for p in placed] == [(0, 0), (12, 0), (0, 8)]


@pytest.mark.parametrize("kind", ["http", "database", "ai-inference", "node", "custom"])
def test_service_dashboards_fit_the_grid_with_unique_ids(tmp_path, kind):
    panels = list(panels_of(tmp_path, with_service(kind=kind)).values())
    assert [p["id"] for p in panels] == list(range(1, len(panels) + 1))
    assert all(p["gridPos"]["x"] + p["gridPos"]["w"] <= GRID_WIDTH for p in panels)


# --- service panels ------------------------------------------------------------------------------


def test_every_service_dashboard_starts_with_targets_up(tmp_path):
    panels = list(panels_of(tmp_path, MINIMAL).values())
    assert panels[0]["title"] == "Targets up"
    assert [t["expr"] for t in panels[0]["targets"]] == [
        'sum(up{job=~"$job",instance=~"$instance"})',
        'count(up{job=~"$job",instance=~"$instance"})',
    ]


def test_a_custom_service_has_only_a_full_width_targets_panel(tmp_path):
    (panel,) = panels_of(tmp_path, with_service(kind="custom")).values()
    assert (panel["title"], panel["gridPos"]["w"]) == ("Targets up", GRID_WIDTH)


def test_panel_thresholds_are_the_pack_alert_thresholds_by_default(tmp_path):
    panels = panels_of(tmp_path, MINIMAL)
    assert steps(panels["Error ratio (5xx)"])[-1] == {"color": "red", "value": 0.05}
    assert steps(panels["Latency"])[-1] == {"color": "red", "value": 0.5}


def test_panel_thresholds_follow_the_services_alert_overrides(tmp_path):
    text = with_service(
        "alerts: {SlowQueries: {threshold: 30}, ConnectionPoolExhausted: {threshold: 0.75}}",
        kind="database",
    )
    panels = panels_of(tmp_path, text)
    assert steps(panels["Longest transaction"]) == [
        {"color": "green", "value": None},
        {"color": "red", "value": 30},
    ]
    assert steps(panels["Connections used"])[-1]["value"] == 0.75
    assert steps(panels["Rollback ratio"])[-1]["value"] == 0.05


def test_a_panel_for_an_alert_that_fires_below_its_threshold_is_red_below_it(tmp_path):
    panels = panels_of(tmp_path, with_service("alerts: {DiskSpaceLow: {threshold: 0.2}}", "node"))
    assert steps(panels["Disk space free"]) == [
        {"color": "red", "value": None},
        {"color": "green", "value": 0.2},
    ]


def test_a_disabled_alert_draws_no_threshold_line(tmp_path):
    panels = panels_of(tmp_path, with_service("alerts: {HighAPILatency: {enabled: false}}"))
    assert steps(panels["Latency"]) == [{"color": "green", "value": None}]
    assert panels["Latency"]["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"] == {
        "mode": "off"
    }


def test_a_threshold_is_drawn_as_a_line_on_time_series(tmp_path):
    panel = panels_of(tmp_path, MINIMAL)["Latency"]
    assert panel["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"] == {"mode": "line"}


def test_panels_query_through_the_dashboards_datasource_variable(tmp_path):
    for panel in panels_of(tmp_path, MINIMAL).values():
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


# --- the overview --------------------------------------------------------------------------------


def test_the_example_overview_has_exactly_its_three_panels(example):
    panels = overview_panels(example)
    assert [(p["title"], p["type"]) for p in panels] == EXAMPLE_OVERVIEW
    assert [p["id"] for p in panels] == list(range(1, 4))
    assert all(p["gridPos"]["x"] + p["gridPos"]["w"] <= GRID_WIDTH for p in panels)


def test_the_overview_omits_the_kinds_the_stack_lacks(tmp_path):
    http_only = [p["title"] for p in overview_panels(stack_from(tmp_path, MINIMAL))]
    assert http_only == ["Request rate", "Error rate (5xx)", "API latency"]
    nodes = overview_panels(stack_from(tmp_path, with_service(kind="node")))
    assert [p["title"] for p in nodes] == ["CPU usage", "Memory usage"]


def test_the_overview_of_custom_services_only_is_empty(tmp_path):
    assert overview_panels(stack_from(tmp_path, with_service(kind="custom"))) == []


def test_the_overview_joins_services_of_a_kind_and_draws_the_strictest_threshold(tmp_path):
    text = with_service("alerts: {HighHTTPErrorRate: {threshold: 0.1}}").replace(
        "channels:\n",
        "  - name: web\n    team: web\n    kind: http\n    targets: {static: ['web:80']}\n"
        "    alerts: {HighHTTPErrorRate: {threshold: 0.02}}\nchannels:\n",
    )
    request_rate, error_rate, _ = overview_panels(stack_from(tmp_path, text))
    assert request_rate["targets"][0]["expr"] == 'sum(job:http_requests:rate5m{job=~"api|web"})'
    assert steps(error_rate)[-1]["value"] == 0.02


def test_a_spec_pack_draws_its_own_overview_panels_after_the_built_in_ones(tmp_path):
    text = with_service("pack: queue", kind="custom") + textwrap.dedent("""\
        packs:
          - name: queue
            metrics: {depth: jobs_queued}
            overview:
              - title: Queue depth
                queries:
                  - {expr: 'sum(${depth})', legend: jobs}
                  - {expr: 'max by (job) (${depth})', legend: '{{job}}', each_service: true}
        """)
    (depth,) = overview_panels(stack_from(tmp_path, text))
    assert depth["title"] == "Queue depth"
    assert [t["expr"] for t in depth["targets"]] == [
        'sum(jobs_queued{job="api"})',
        'max by (job) (jobs_queued{job="api"})',
    ]


def test_services_whose_queries_differ_beyond_the_job_are_joined_with_or(tmp_path):
    text = with_service().replace(
        "channels:\n",
        "  - {name: web, team: web, kind: http, targets: {static: ['web:80']}}\n"
        "  - name: db\n    team: data\n    kind: database\n    targets: {static: ['db:9187']}\n"
        "  - name: db2\n    team: data\n    kind: database\n    targets: {static: ['db2:9187']}\n"
        "    metrics: {connections: pg_connections}\nchannels:\n",
    )
    stack = stack_from(tmp_path, text)
    panels = {p["title"]: p for p in overview_panels(stack)}
    assert panels["Request rate"]["targets"][0]["expr"] == (
        'sum(job:http_requests:rate5m{job=~"api|web"})'
    )
    # db2 counts its connections under another name: its own query, joined with `or`
    assert panels["Database connections"]["targets"][0]["expr"] == (
        'sum by (job, instance) (pg_stat_activity_count{job="db"}) or '
        'sum by (job, instance) (pg_connections{job="db2"})'
    )


# --- datasources ---------------------------------------------------------------------------------


def test_default_prometheus_and_alertmanager_datasources_are_added_when_none_is_given(tmp_path):
    source, alertmanager = datasources(stack_from(tmp_path, MINIMAL))
    assert source["name"] == "Prometheus"
    assert source["type"] == "prometheus"
    assert source["url"] == "http://localhost:9090"
    assert source["isDefault"] is True
    assert (alertmanager["type"], alertmanager["url"]) == ("alertmanager", "http://localhost:9093")
    assert alertmanager["jsonData"]["implementation"] == "prometheus"


def test_a_prometheus_datasource_is_added_first_next_to_other_ones(tmp_path):
    text = with_datasources("{name: Loki, type: loki, url: 'http://loki:3100'}")
    sources = datasources(stack_from(tmp_path, text))
    assert [(s["name"], s["isDefault"]) for s in sources] == [
        ("Prometheus", True),
        ("Loki", False),
        ("Alertmanager", False),
    ]


def test_the_first_prometheus_becomes_the_default_when_none_is_marked(tmp_path):
    text = with_datasources(
        "{name: Loki, type: loki, url: 'http://loki:3100'}",
        "{name: Main, type: prometheus, url: 'http://p1:9090'}",
        "{name: Other, type: prometheus, url: 'http://p2:9090'}",
    )
    defaults = [s["name"] for s in datasources(stack_from(tmp_path, text)) if s["isDefault"]]
    assert defaults == ["Main"]


def test_the_example_has_exactly_one_default_datasource(example):
    assert [s["name"] for s in datasources(example) if s["isDefault"]] == ["Prometheus"]


def test_a_non_prometheus_default_stays_the_only_default(tmp_path):
    text = with_datasources("{name: Loki, type: loki, url: 'http://loki:3100', default: true}")
    defaults = [s["name"] for s in datasources(stack_from(tmp_path, text)) if s["isDefault"]]
    assert defaults == ["Loki"]


def test_the_example_postgres_datasource_is_the_hand_built_one(example):
    (postgres,) = [s for s in datasources(example) if s["name"] == "PostgreSQL"]
    assert postgres["type"] == "grafana-postgresql-datasource"
    assert postgres["secureJsonData"] == {"password": "${POSTGRES_PASSWORD}"}
    # Grafana expands the user from its environment, as the hand-built file had it.
    assert postgres["user"] == "${POSTGRES_USER}"
    assert postgres["jsonData"] == {
        "database": "ectus_r",
        "sslmode": "require",  # the hand-built `disable`, over the network (commented)
        "postgresVersion": 1400,
        "timescaledb": False,
    }


def test_the_example_sets_the_hand_built_jsondata_options(example):
    options = {s["name"]: s.get("jsonData") for s in datasources(example)}
    assert options["Prometheus"] == {
        "timeInterval": "15s",
        "queryTimeout": "60s",
        "httpMethod": "POST",
    }
    assert options["Loki"] == {"maxLines": 1000}
    assert options["Jaeger"] is None


def test_options_the_spec_leaves_out_are_grafanas_defaults(tmp_path):
    text = with_datasources(
        "{name: Loki, type: loki, url: 'http://loki:3100'}",
        "{name: pg, type: postgres, url: 'db:5432', database: d, user: u}",
    )
    _, loki, pg, _ = datasources(stack_from(tmp_path, text))
    assert "jsonData" not in loki
    assert pg["jsonData"] == {"database": "d", "sslmode": "require", "timescaledb": False}


# Every text field of every datasource type, with the other fields it needs.
_DATASOURCE_TEXT_FIELDS = [
    ("prometheus", {}, ["name", "url"]),
    ("loki", {"url": "http://loki:3100"}, ["name", "url"]),
    ("jaeger", {"url": "http://jaeger:16686"}, ["name", "url"]),
    ("alertmanager", {}, ["name", "url"]),
    (
        "postgres",
        {"url": "db:5432", "database": "d", "user": "u"},
        ["name", "url", "database", "user", "password"],
    ),
]


def _entry(tmp_path, kind: str, fields: dict) -> dict:
    flow = ", ".join(f"{k}: '{v}'" for k, v in {"name": "src", **fields}.items())
    sources = datasources(stack_from(tmp_path, with_datasources(f"{{type: {kind}, {flow}}}")))
    return next(s for s in sources if s["type"].endswith(kind) or kind in s["type"])


@pytest.mark.parametrize(
    ("kind", "field", "base"),
    [(kind, field, base) for kind, base, fields in _DATASOURCE_TEXT_FIELDS for field in fields],
)
def test_a_field_given_as_an_env_reference_reaches_grafana_as_one(tmp_path, kind, field, base):
    """The class of the `$${POSTGRES_USER}` bug: whichever field takes a whole `${NAME}`, the
    provisioning keeps it for Grafana to expand, never doubled into a literal."""
    entry = _entry(tmp_path, kind, {**base, field: "${GF_PROBE}"})
    text = yaml.safe_dump(entry)
    assert "${GF_PROBE}" in text
    assert "$${GF_PROBE}" not in text


@pytest.mark.parametrize(
    ("kind", "field", "base"),
    [
        (kind, field, base)
        for kind, base, fields in _DATASOURCE_TEXT_FIELDS
        for field in fields
        if field not in ("url", "password")  # an address has no `$`; a password is a reference
    ],
)
def test_a_dollar_inside_other_text_stays_literal(tmp_path, kind, field, base):
    entry = _entry(tmp_path, kind, {**base, field: "a$b ${NOT} whole"})
    assert "a$$b $${NOT} whole" in yaml.safe_dump(entry)


def test_prometheus_time_interval_is_the_scrape_interval(tmp_path):
    stack = stack_from(tmp_path, MINIMAL + "prometheus: {scrape_interval: 30s}\n")
    source, _ = datasources(stack)
    assert source["jsonData"] == {"timeInterval": "30s"}


def test_only_prometheus_datasources_get_a_time_interval(example):
    for source in datasources(example):
        has_interval = "timeInterval" in source.get("jsonData", {})
        assert has_interval == (source["type"] == "prometheus"), source["name"]


def test_datasource_uids_are_the_stack_and_name_in_lowercase(example):
    """Stack-prefixed, so two stacks can provision into one Grafana."""
    assert [s["uid"] for s in datasources(example)] == [
        "aion-prometheus",
        "aion-loki",
        "aion-jaeger",
        "aion-postgresql",
        "aion-alertmanager",
    ]


# --- artifacts -----------------------------------------------------------------------------------


def test_every_service_gets_a_dashboard_in_its_teams_folder_next_to_the_overview(tmp_path):
    paths = [a.path for a in grafana_artifacts(stack_from(tmp_path, MINIMAL))]
    assert paths == [
        "grafana/provisioning/datasources/datasources.yml",
        "grafana/provisioning/dashboards/dashboards.yml",
        "grafana/dashboards/services/demo-overview.json",
        "grafana/dashboards/services/demo-alerts.json",
        "grafana/dashboards/web/api.json",
    ]
    text = with_service("dashboard_folder: Team Web")
    paths = [a.path for a in grafana_artifacts(stack_from(tmp_path, text))]
    assert paths[-1] == "grafana/dashboards/team-web/api.json"


def test_each_dashboard_folder_gets_a_provider(tmp_path):
    text = with_service("dashboard_folder: Team Web")
    artifacts = grafana_artifacts(stack_from(tmp_path, text))
    assert artifacts[1].context["providers"] == [
        {
            "name": "stackgen-demo-services",
            "folder": "Services",
            "path": "/var/lib/grafana/dashboards/services",
        },
        {
            "name": "stackgen-demo-team-web",
            "folder": "Team Web",
            "path": "/var/lib/grafana/dashboards/team-web",
        },
    ]


def test_folders_that_slug_alike_get_distinct_providers(tmp_path):
    text = with_service("dashboard_folder: services")
    providers = grafana_artifacts(stack_from(tmp_path, text))[1].context["providers"]
    assert len({p["path"] for p in providers}) == len({p["name"] for p in providers}) == 2


def test_dashboards_are_tagged_and_identified_by_service(tmp_path):
    dashboard = grafana_artifacts(stack_from(tmp_path, MINIMAL))[4].context
    assert dashboard["uid"] == "demo-api"  # stack-prefixed: stacks can share a Grafana
    assert dashboard["tags"] == ["stackgen", "demo", "http", "team-web"]
    assert dashboard["description"] == "http service api"


def test_dollars_in_provisioned_values_are_escaped_for_grafana(tmp_path):
    """Grafana expands $VAR in provisioning files: a literal $ is written as $$."""
    text = MINIMAL + (
        "grafana:\n  default_folder: 'Team $HOME'\n"
        "  datasources: [{name: 'Prom $USER', type: prometheus}]\n"
    )
    stack = stack_from(tmp_path, text)
    assert datasources(stack)[0]["name"] == "Prom $$USER"
    providers = grafana_artifacts(stack)[1].context["providers"]
    assert providers[0]["folder"] == "Team $$HOME"


# --- SLO dashboards ------------------------------------------------------------------------------


def test_a_service_with_slos_gets_an_slo_dashboard(tmp_path):
    text = with_service(
        "slos: [{name: e, objective: 99.5, sli: {type: requests}, group_by: [route]}]"
    )
    artifacts = {a.path: a for a in grafana_artifacts(stack_from(tmp_path, text))}
    slo = artifacts["grafana/dashboards/web/api.slo.json"].context
    assert slo["uid"] == "demo-api_slo"
    titles = [p["title"] for p in slo["panels"]]
    assert titles == [
        "e: 99.5% over 30d",
        "e: objective",
        "e: SLI over 30d",
        "e: error budget left",
        "e: burn rate by window",
    ]


def test_slo_burn_rate_panel_draws_the_tiers_burn_rates_and_keeps_group_labels(tmp_path):
    text = with_service(
        "slos: [{name: e, objective: 99.5, sli: {type: requests}, group_by: [route]}]"
    )
    stack = stack_from(tmp_path, text)
    burn = slo_panels(stack.services[0])[4]  # after the SLO's row
    assert [s["value"] for s in burn["fieldConfig"]["defaults"]["thresholds"]["steps"]] == [
        None, 1, 3, 6, 14.4,
    ]  # fmt: skip
    assert [t["legendFormat"] for t in burn["targets"]] == [
        "{{route}} 1h", "{{route}} 6h", "{{route}} 1d", "{{route}} 3d",
    ]  # fmt: skip
    assert burn["targets"][0]["expr"] == 'slo:sli_error:ratio_rate1h{service="api",slo="e"} / 0.005'


# --- conventions across the example's dashboards -------------------------------------------------


def example_dashboards() -> dict[str, dict]:
    import json

    from tests.helpers import OUT

    return {
        p.relative_to(OUT).as_posix(): json.loads(p.read_text())
        for p in sorted((OUT / "grafana" / "dashboards").rglob("*.json"))
    }


def test_uids_are_short_unique_and_stable_across_renders(tmp_path, example):
    import json

    from tests.helpers import render_files

    uids = [d["uid"] for d in example_dashboards().values()]
    # 4 services, the web API's SLOs, the overview, the alerts, the meta-monitoring
    assert len(uids) == len(set(uids)) == 8 and all(len(u) <= 40 for u in uids)
    again = render_files(example)
    assert sorted(
        json.loads(v)["uid"]
        for k, v in again.items()
        if k.endswith(".json") and "/dashboards/" in k
    ) == sorted(uids)


def test_every_dashboard_has_a_datasource_variable_and_no_fixed_rate_range():
    from stackgen.grafana.queries import (
        DASHBOARD_RANGE,
        RATE_INTERVAL,
        dashboard_queries,
        parse_dashboard_query,
    )
    from stackgen.prometheus.query import function, unwrap, walk

    ranged = 0
    for path, dashboard in example_dashboards().items():
        variables = dashboard["templating"]["list"]
        assert variables[0]["type"] == "datasource", path
        for _, expr in dashboard_queries(dashboard):
            for node, _ in walk(parse_dashboard_query(expr)):
                if function(node) in ("rate", "irate", "increase"):
                    ranged += 1
                    assert unwrap(node.args[0]).range.total_seconds() in (
                        RATE_INTERVAL,
                        DASHBOARD_RANGE,
                    ), (path, expr)
    assert ranged > 0  # the HTTP dashboard's requests by status


def test_service_dashboards_have_job_and_instance_variables_refreshed_on_time_change():
    for path, dashboard in example_dashboards().items():
        if any(part in path for part in ("-alerts", "-overview", ".slo", "-meta-monitoring")):
            continue
        job, instance = dashboard["templating"]["list"][1:]
        service = dashboard["title"]
        assert job["query"] == f'label_values(up{{job="{service}"}}, job)', path
        assert instance["query"] == 'label_values(up{job=~"$job"}, instance)', path
        assert job["refresh"] == instance["refresh"] == 2, path  # on time range change
        assert instance["includeAll"] and instance["multi"] and not job["includeAll"], path
        up = dashboard["panels"][0]["targets"][0]["expr"]
        assert 'job=~"$job",instance=~"$instance"' in up, path


def test_slo_dashboards_have_an_open_row_per_slo_with_its_panels_after_it():
    slo = example_dashboards()["grafana/dashboards/platform/aion-web-api.slo.json"]
    rows = [p for p in slo["panels"] if p["type"] == "row"]
    assert [r["title"] for r in rows] == ["availability: 99.9% over 30d", "errors: 99.9% over 30d"]
    for r in rows:
        assert r["collapsed"] is False and r["panels"] == [] and r["gridPos"]["w"] == 24
    first, second = (slo["panels"].index(r) for r in rows)
    assert all(p["title"].startswith("availability:") for p in slo["panels"][first + 1 : second])
    assert slo["panels"][first + 1]["gridPos"]["y"] == rows[0]["gridPos"]["y"] + 1


def test_a_service_and_its_slo_dashboard_link_each_other():
    dashboards = example_dashboards()
    main = dashboards["grafana/dashboards/platform/aion-web-api.json"]
    slo = dashboards["grafana/dashboards/platform/aion-web-api.slo.json"]
    assert {"title": "aion-web-api SLOs", "url": f"/d/{slo['uid']}"}.items() <= main["links"][
        1
    ].items()
    assert {"title": "aion-web-api", "url": f"/d/{main['uid']}"}.items() <= slo["links"][1].items()


def test_alerts_link_the_panel_drawn_at_their_threshold(example):
    from stackgen.plan.grafana import linked_alerts

    web = next(s for s in example.services if s.name == "aion-web-api")
    urls = {
        (a.name, a.labels.get("slo_tier")): a.annotations["dashboard_url"]
        for a in linked_alerts(example, web)
    }
    panels = {
        p["title"]: p["id"]
        for p in example_dashboards()["grafana/dashboards/platform/aion-web-api.json"]["panels"]
    }
    assert (
        urls["HighHTTPErrorRate", None]
        == f"https://grafana.aion.example.com/d/aion-aion-web-api?viewPanel={panels['Error rate (5xx)']}"
    )
    assert urls["HighAPILatency", None].endswith(
        f"?viewPanel={panels['API latency (p50, p95, p99)']}"
    )
    assert urls["ServiceDown", None] == "https://grafana.aion.example.com/d/aion-aion-web-api"
    assert (
        urls["SLAAvailabilityViolation", "page"]
        == "https://grafana.aion.example.com/d/aion-aion-web-api_slo"
    )


@pytest.mark.parametrize("kind", ["http", "database", "ai-inference", "node", "custom"])
def test_panel_ids_without_the_panels_are_the_ids_the_dashboard_gets(tmp_path, kind):
    from stackgen.plan.panels import service_panel_ids

    stack = stack_from(tmp_path, with_service(kind=kind))
    drawn = {p["title"]: p["id"] for p in service_panels(stack, stack.services[0])}
    assert service_panel_ids(stack.services[0]) == drawn


def test_the_alerts_dashboard_counts_the_stacks_firing_alerts_by_severity_and_team():
    alerts = example_dashboards()["grafana/dashboards/aion/aion-alerts.json"]
    titles = [p["title"] for p in alerts["panels"]]
    assert titles == [
        "Firing: critical", "Firing: warning", "Firing: info",
        "Firing alerts by team", "Firing alerts by severity", "Firing alerts by service and alert",
    ]  # fmt: skip
    critical = alerts["panels"][0]["targets"][0]["expr"]
    assert critical == (
        'count (ALERTS{severity="critical",alertstate="firing",'
        'service=~"aion-web-api|node-exporter|postgres-exporter|redis-exporter"}) or vector(0)'
    )


@pytest.mark.tools
def test_a_regex_of_jobs_evaluates_as_the_or_of_their_queries(tmp_path):
    """What the overview's merge relies on, asked of the real Prometheus engine (promtool):
    a selector, and an aggregation by job, over `job=~"a|b"` equal the `or` of each job's."""
    pairs = {
        "sel": ('x{job="a"} or x{job="b"}', 'x{job=~"a|b"}'),
        "agg": (
            'sum by (job, instance) (x{job="a"}) or sum by (job, instance) (x{job="b"})',
            'sum by (job, instance) (x{job=~"a|b"})',
        ),
    }
    rules = [
        {"record": f"check:{name}:{form}", "expr": expr}
        for name, exprs in pairs.items()
        for form, expr in zip(("or", "re"), exprs, strict=True)
    ]
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": rules}]}))
    series = [
        ('x{job="a",instance="1"}', "1"), ('x{job="a",instance="2"}', "2"),
        ('x{job="b",instance="1"}', "4"), ('x{job="c",instance="1"}', "100"),
    ]  # fmt: skip
    expected = {
        "sel": [{"labels": s.replace("x{", "check:sel:FORM{"), "value": float(v)} for s, v in series[:3]],
        "agg": [{"labels": s.replace("x{", "check:agg:FORM{"), "value": float(v)} for s, v in series[:3]],
    }  # fmt: skip
    tests = [
        {
            "eval_time": "1m",
            "expr": f"check:{name}:{form}",
            "exp_samples": [
                {**sample, "labels": sample["labels"].replace("FORM", form)}
                for sample in expected[name]
            ],
        }
        for name in pairs
        for form in ("or", "re")
    ]
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": f"{v}x5"} for s, v in series],
                "promql_expr_test": tests,
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test))
    result = run_tool("promtool", "test", "rules", str(tmp_path / "test.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


# --- service dashboards honour their variables ------------------------------------------------


def test_every_query_of_every_service_dashboard_filters_by_job_and_instance():
    stack = load_stack(SPECS)
    for service in stack.services:
        for panel in service_panels(stack, service):
            for target in panel.get("targets", []):
                expr = target["expr"]
                assert 'job=~"$job"' in expr and 'instance=~"$instance"' in expr, expr
                assert f'job="{service.name}"' not in expr, expr


def named(stack, name: str):
    return next(s for s in stack.services if s.name == name)


def test_a_job_level_record_is_drawn_from_its_expression_an_instance_level_one_kept():
    stack = load_stack(SPECS)
    api = {p["title"]: p for p in service_panels(stack, named(stack, "aion-web-api"))}
    (rate,) = api["Request rate"]["targets"]
    assert rate["expr"] == (
        'sum by (job) (rate(http_requests_total{job=~"$job",instance=~"$instance"}'
        "[$__rate_interval]))"
    )
    node = {p["title"]: p for p in service_panels(stack, named(stack, "node-exporter"))}
    assert node["CPU usage"]["targets"][0]["expr"] == (
        'instance:node_cpu_utilisation:rate5m{job=~"$job",instance=~"$instance"}'
    )
