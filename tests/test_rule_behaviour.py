"""The example's alerts fire when they should and stay silent when they should not, proven with
`promtool test rules` on synthetic series against the rendered rule files."""

from pathlib import Path

import pytest

from tests.helpers import promtool_tests

pytestmark = pytest.mark.tools

WEB = {"severity": "critical", "team": "platform", "service": "aion-web-api", "job": "aion-web-api"}
DASHBOARDS = "https://grafana.aion.example.com/d"  # each alert links the panel that explains it
RUNBOOKS = "https://git.example.com/aion/monitoring/blob/main/out/runbooks"


def promtool_test(out: Path, tmp_path: Path, rule_file: str, tests: list[dict]) -> str:
    """Run the tests against one rendered rule file; returns promtool's output on success."""
    return promtool_tests(tmp_path, [out / "prometheus/rules" / rule_file], "15s", tests)


def requests(ok_per_step: int, errors_per_step: int, steps: int = 120) -> list[dict]:
    return [
        {
            "series": 'http_requests_total{job="aion-web-api",instance="api:8080",status="200"}',
            "values": f"0+{ok_per_step}x{steps}",
        },
        {
            "series": 'http_requests_total{job="aion-web-api",instance="api:8080",status="503"}',
            "values": f"0+{errors_per_step}x{steps}",
        },
        {"series": 'up{job="aion-web-api",instance="api:8080"}', "values": f"1x{steps}"},
    ]


def test_high_http_error_rate_fires_at_10_percent_5xx_and_not_at_1_percent(example_out, tmp_path):
    annotations = {
        "summary": "aion-web-api answers 10% of requests with 5xx",
        "description": "More than 5% of the requests to aion-web-api failed with a 5xx status "
        "over the last 5m; users are affected.",
        "runbook_url": f"{RUNBOOKS}/HighHTTPErrorRate.md",
        "dashboard_url": f"{DASHBOARDS}/aion-aion-web-api?viewPanel=3",
    }
    promtool_test(
        example_out,
        tmp_path,
        "aion-web-api.yml",
        [
            {
                "interval": "15s",
                "input_series": requests(90, 10),
                "alert_rule_test": [
                    # pending until the error ratio has held for `for: 5m`
                    {"eval_time": "4m", "alertname": "HighHTTPErrorRate", "exp_alerts": []},
                    {
                        "eval_time": "15m",
                        "alertname": "HighHTTPErrorRate",
                        "exp_alerts": [
                            {
                                "exp_labels": {**WEB, "component": "api"},
                                "exp_annotations": annotations,
                            }
                        ],
                    },
                ],
            },
            {
                "interval": "15s",
                "input_series": requests(99, 1),
                "alert_rule_test": [
                    {"eval_time": "25m", "alertname": "HighHTTPErrorRate", "exp_alerts": []},
                ],
            },
        ],
    )


def test_service_down_fires_when_every_target_is_down_or_none_is_discovered(example_out, tmp_path):
    node = {
        "severity": "critical",
        "team": "platform",
        "service": "node-exporter",
        "job": "node-exporter",
    }
    promtool_test(
        example_out,
        tmp_path,
        "node-exporter.yml",
        [
            {
                "interval": "15s",
                "input_series": [
                    {"series": 'up{job="node-exporter",instance="n1:9100"}', "values": "1x20 0x40"},
                    {"series": 'up{job="node-exporter",instance="n2:9100"}', "values": "1x60"},
                ],
                "alert_rule_test": [
                    # one host of two down: InstanceDown, but the service is not down
                    {"eval_time": "14m", "alertname": "ServiceDown", "exp_alerts": []},
                    {
                        "eval_time": "14m",
                        "alertname": "InstanceDown",
                        "exp_alerts": [
                            {
                                "exp_labels": {
                                    **node,
                                    "severity": "warning",
                                    "instance": "n1:9100",
                                },
                                "exp_annotations": {
                                    "summary": "n1:9100 of node-exporter is down",
                                    "description": "The target n1:9100 of node-exporter has failed its "
                                    "scrapes for 5m.",
                                    "runbook_url": f"{RUNBOOKS}/InstanceDown.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-node-exporter",
                                },
                            }
                        ],
                    },
                ],
            },
            {
                "interval": "15s",
                "input_series": [{"series": 'up{job="other"}', "values": "1x60"}],
                "alert_rule_test": [
                    {
                        "eval_time": "5m",
                        "alertname": "ServiceDown",
                        "exp_alerts": [
                            {
                                "exp_labels": node,
                                "exp_annotations": {
                                    "summary": "node-exporter is down",
                                    "description": "No target of node-exporter has answered a scrape "
                                    "for 2m, or none is discovered.",
                                    "runbook_url": f"{RUNBOOKS}/ServiceDown.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-node-exporter",
                                },
                            }
                        ],
                    },
                ],
            },
        ],
    )


def test_disk_space_low_ignores_tmpfs(example_out, tmp_path):
    def filesystem(fstype: str, mountpoint: str, avail: int) -> list[dict]:
        labels = (
            f'job="node-exporter",instance="n1:9100",fstype="{fstype}",mountpoint="{mountpoint}"'
        )
        return [
            {"series": f"node_filesystem_avail_bytes{{{labels}}}", "values": f"{avail}x120"},
            {"series": f"node_filesystem_size_bytes{{{labels}}}", "values": "100x120"},
        ]

    output = promtool_test(
        example_out,
        tmp_path,
        "node-exporter.yml",
        [
            {
                "interval": "15s",
                "input_series": filesystem("ext4", "/", 5) + filesystem("tmpfs", "/run", 1),
                "alert_rule_test": [
                    {
                        "eval_time": "20m",
                        "alertname": "DiskSpaceLow",
                        "exp_alerts": [
                            {
                                "exp_labels": {
                                    "severity": "critical",
                                    "team": "platform",
                                    "component": "system",
                                    "service": "node-exporter",
                                    "job": "node-exporter",
                                    "instance": "n1:9100",
                                    "fstype": "ext4",
                                    "mountpoint": "/",
                                },
                                "exp_annotations": {
                                    "summary": "/ on n1:9100 has 5% free",
                                    "description": "Less than 10% of / on n1:9100 is free.",
                                    "runbook_url": f"{RUNBOOKS}/DiskSpaceLow.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-node-exporter?viewPanel=4",
                                },
                            }
                        ],
                    }
                ],
            }
        ],
    )
    assert "SUCCESS" in output


def test_connection_pool_exhausted_fires_at_95_of_100_connections(example_out, tmp_path):
    pg = 'job="postgres-exporter",instance="pg:9187"'
    promtool_test(
        example_out,
        tmp_path,
        "postgres-exporter.yml",
        [
            {
                "interval": "15s",
                "input_series": [
                    {
                        "series": f'pg_stat_activity_count{{{pg},datname="ectus_r",state="active"}}',
                        "values": "60x60",
                    },
                    {
                        "series": f'pg_stat_activity_count{{{pg},datname="ectus_r",state="idle"}}',
                        "values": "35x60",
                    },
                    {"series": f"pg_settings_max_connections{{{pg}}}", "values": "100x60"},
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "10m",
                        "alertname": "DatabaseConnectionPoolExhausted",
                        "exp_alerts": [
                            {
                                "exp_labels": {
                                    "severity": "critical",
                                    "team": "data",
                                    "component": "database",
                                    "service": "postgres-exporter",
                                    "job": "postgres-exporter",
                                    "instance": "pg:9187",
                                },
                                "exp_annotations": {
                                    "summary": "pg:9187 uses 95% of its connections",
                                    "description": "PostgreSQL pg:9187 (postgres-exporter) has used "
                                    "more than 90% of max_connections for 5m; new clients "
                                    "will be refused.",
                                    "runbook_url": f"{RUNBOOKS}/DatabaseConnectionPoolExhausted.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-postgres-exporter?viewPanel=3",
                                },
                            }
                        ],
                    }
                ],
            }
        ],
    )


def test_slow_inference_fires_per_model(example_out, tmp_path):
    def p95(model: str, seconds: int) -> dict:
        # the app exposes a summary: its 0.95 quantile per model, no buckets
        labels = f'job="aion-web-api",instance="api:9090",model="{model}",quantile="0.95"'
        return {"series": f"ai_inference_duration_seconds{{{labels}}}", "values": f"{seconds}x120"}

    promtool_test(
        example_out,
        tmp_path,
        "aion-web-api.yml",
        [
            {
                "interval": "15s",
                # `large` takes 45s at p95, above the 30s threshold; `small` is fast
                "input_series": [p95("large", 45), p95("small", 2)],
                "alert_rule_test": [
                    # pending until it has held for `for: 10m`
                    {"eval_time": "9m", "alertname": "SlowAIInference", "exp_alerts": []},
                    {
                        "eval_time": "20m",
                        "alertname": "SlowAIInference",
                        "exp_alerts": [
                            {
                                "exp_labels": {
                                    "severity": "warning",
                                    "team": "platform",
                                    "component": "ai-engine",
                                    "service": "aion-web-api",
                                    "job": "aion-web-api",
                                    "model": "large",
                                },
                                "exp_annotations": {
                                    "summary": "Model large: p95 inference takes 45s",
                                    "description": "The 95th percentile inference duration of "
                                    "model large is above 30s.",
                                    "runbook_url": f"{RUNBOOKS}/SlowAIInference.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-aion-web-api?viewPanel=9",
                                },
                            }
                        ],
                    },
                ],
            }
        ],
    )


def test_availability_slo_ignores_one_failed_scrape_pages_on_a_partial_outage_and_not_twice(
    example_out, tmp_path
):
    """99.9% over 30d. The page tier needs more than 1.44% of the last hour unreachable (14.4x
    the budget) and of the last 5 minutes too: one failed scrape of 241 is 0.41%. One target of
    two down for 10 minutes has both windows far above it, and ServiceDown does not see it: the
    SLO pages (the ticket tier, 3x over 1d and 2h, is still pending its 15m `for`). The whole
    service down for 10 minutes is ServiceDown's page: the SLO's page tier is held (issue 18),
    so the on-call is not paged twice for one outage, nor again when it ends."""
    up = 'up{job="aion-web-api",instance="api:8080"}'
    other = 'up{job="aion-web-api",instance="api-2:8080"}'
    # SLO series are aggregated per service (and group), so no `job` label
    page = {**WEB, "slo": "availability", "slo_tier": "page"}
    page |= {"component": "sla", "sla_type": "availability"}
    del page["job"]
    promtool_test(
        example_out,
        tmp_path,
        "aion-web-api.yml",
        [
            {
                "interval": "15s",
                "input_series": [{"series": up, "values": "1x200 0 1x200"}],
                "alert_rule_test": [
                    {"eval_time": "60m", "alertname": "SLAAvailabilityViolation", "exp_alerts": []},
                ],
            },
            {
                "interval": "15s",
                "input_series": [
                    {"series": up, "values": "1x200 0x40"},
                    {"series": other, "values": "1x240"},
                ],
                "alert_rule_test": [
                    {"eval_time": "60m", "alertname": "ServiceDown", "exp_alerts": []},
                    {
                        "eval_time": "60m",
                        "alertname": "SLAAvailabilityViolation",
                        "exp_alerts": [
                            {
                                "exp_labels": page,
                                "exp_annotations": {
                                    "summary": "aion-web-api burns the error budget of SLO "
                                    "`availability` fast (page)",
                                    "description": "SLO `availability` (99.9% over 30d) is "
                                    "burning its error budget: 14.4x the budget (1.44% errors) "
                                    "over 1h and 5m or 6x the budget (0.6% errors) over 6h and "
                                    "30m. At 14.4x, 2% of the budget goes in 1h and all of it in "
                                    "2d2h. It stays quiet for 30m after ServiceDown fired for "
                                    "the service: that outage has paged already.",
                                    "runbook_url": f"{RUNBOOKS}/SLAAvailabilityViolation.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-aion-web-api_slo",
                                },
                            }
                        ],
                    },
                ],
            },
            {
                "interval": "15s",
                "input_series": [{"series": up, "values": "1x200 0x40"}],
                "alert_rule_test": [
                    {
                        "eval_time": "60m",
                        "alertname": "ServiceDown",
                        "exp_alerts": [
                            {
                                "exp_labels": {**WEB, "component": "api"},
                                "exp_annotations": {
                                    "summary": "aion-web-api is down",
                                    "description": "No target of aion-web-api has answered a "
                                    "scrape for 2m, or none is discovered.",
                                    "runbook_url": f"{RUNBOOKS}/ServiceDown.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-aion-web-api",
                                },
                            }
                        ],
                    },
                    {"eval_time": "60m", "alertname": "SLAAvailabilityViolation", "exp_alerts": []},
                ],
            },
        ],
    )
