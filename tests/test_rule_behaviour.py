"""The example's alerts fire when they should and stay silent when they should not, proven with
`promtool test rules` on synthetic series against the rendered rule files."""

from pathlib import Path

import pytest

from tests.helpers import promtool_tests

pytestmark = pytest.mark.tools

WEB = {"severity": "critical", "team": "platform", "service": "aion-web-api", "job": "aion-web-api"}
DASHBOARDS = "http://grafana:3000/d"  # each alert links the panel that explains it
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
    node = {"severity": "critical", "team": "platform", "service": "node", "job": "node"}
    promtool_test(
        example_out,
        tmp_path,
        "node.yml",
        [
            {
                "interval": "15s",
                "input_series": [
                    {"series": 'up{job="node",instance="n1:9100"}', "values": "1x20 0x40"},
                    {"series": 'up{job="node",instance="n2:9100"}', "values": "1x60"},
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
                                    "summary": "n1:9100 of node is down",
                                    "description": "The target n1:9100 of node has failed its "
                                    "scrapes for 5m.",
                                    "runbook_url": f"{RUNBOOKS}/InstanceDown.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-node",
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
                                    "summary": "node is down",
                                    "description": "No target of node has answered a scrape "
                                    "for 2m, or none is discovered.",
                                    "runbook_url": f"{RUNBOOKS}/ServiceDown.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-node",
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
        labels = f'job="node",instance="n1:9100",fstype="{fstype}",mountpoint="{mountpoint}"'
        return [
            {"series": f"node_filesystem_avail_bytes{{{labels}}}", "values": f"{avail}x120"},
            {"series": f"node_filesystem_size_bytes{{{labels}}}", "values": "100x120"},
        ]

    output = promtool_test(
        example_out,
        tmp_path,
        "node.yml",
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
                                    "severity": "warning",
                                    "team": "platform",
                                    "service": "node",
                                    "job": "node",
                                    "instance": "n1:9100",
                                    "fstype": "ext4",
                                    "mountpoint": "/",
                                },
                                "exp_annotations": {
                                    "summary": "/ on n1:9100 has 5% free",
                                    "description": "Less than 10% of / on n1:9100 is free.",
                                    "runbook_url": f"{RUNBOOKS}/DiskSpaceLow.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-node?viewPanel=4",
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
    pg = 'job="aion-postgres",instance="pg:9187"'
    promtool_test(
        example_out,
        tmp_path,
        "aion-postgres.yml",
        [
            {
                "interval": "15s",
                "input_series": [
                    {
                        "series": f'pg_stat_activity_count{{{pg},datname="aion",state="active"}}',
                        "values": "60x60",
                    },
                    {
                        "series": f'pg_stat_activity_count{{{pg},datname="aion",state="idle"}}',
                        "values": "35x60",
                    },
                    {"series": f"pg_settings_max_connections{{{pg}}}", "values": "100x60"},
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "10m",
                        "alertname": "ConnectionPoolExhausted",
                        "exp_alerts": [
                            {
                                "exp_labels": {
                                    "severity": "critical",
                                    "team": "data",
                                    "service": "aion-postgres",
                                    "job": "aion-postgres",
                                    "instance": "pg:9187",
                                },
                                "exp_annotations": {
                                    "summary": "pg:9187 uses 95% of its connections",
                                    "description": "PostgreSQL pg:9187 (aion-postgres) has used "
                                    "more than 90% of max_connections for 5m; new clients "
                                    "will be refused.",
                                    "runbook_url": f"{RUNBOOKS}/ConnectionPoolExhausted.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-aion-postgres?viewPanel=3",
                                },
                            }
                        ],
                    }
                ],
            }
        ],
    )


def test_slow_inference_fires_per_model(example_out, tmp_path):
    def histogram(model: str, fast: int, slow: int) -> list[dict]:
        labels = f'job="aion-ai-engine",instance="ai:8000",model="{model}"'
        return [
            {
                "series": f'inference_duration_seconds_bucket{{{labels},le="{le}"}}',
                "values": f"0+{count}x120",
            }
            for le, count in (("0.5", fast), ("5", fast + slow), ("+Inf", fast + slow))
        ]

    promtool_test(
        example_out,
        tmp_path,
        "aion-ai-engine.yml",
        [
            {
                "interval": "15s",
                # `large`: 80% of inferences take 0.5-5s, so its p95 is 0.5 + (9.5 - 2) / 8 * 4.5 = 4.719s; `small` is fast
                "input_series": histogram("large", 2, 8) + histogram("small", 10, 0),
                "alert_rule_test": [
                    {
                        "eval_time": "20m",
                        "alertname": "SlowInference",
                        "exp_alerts": [
                            {
                                "exp_labels": {
                                    "severity": "warning",
                                    "team": "ml",
                                    "service": "aion-ai-engine",
                                    "job": "aion-ai-engine",
                                    "model": "large",
                                },
                                "exp_annotations": {
                                    "summary": "large on aion-ai-engine: p95 inference takes 4.719s",
                                    "description": "The 95th percentile inference duration of "
                                    "model large is above 2s.",
                                    "runbook_url": f"{RUNBOOKS}/SlowInference.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-aion-ai-engine?viewPanel=4",
                                },
                            }
                        ],
                    }
                ],
            }
        ],
    )


def test_availability_slo_ignores_one_failed_scrape_and_pages_on_a_real_outage(
    example_out, tmp_path
):
    """99.9% over 30d. The page tier needs more than 1.44% of the last hour unreachable (14.4x
    the budget) and of the last 5 minutes too: one failed scrape of 241 is 0.41%. An outage
    that began 10 minutes ago has both windows far above it; the ticket tier (3x over 1d and
    2h) is still pending its 15m `for`."""
    up = 'up{job="aion-web-api",instance="api:8080"}'
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
                "input_series": [{"series": up, "values": "1x200 0x40"}],
                "alert_rule_test": [
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
                                    "2d2h.",
                                    "runbook_url": f"{RUNBOOKS}/SLAAvailabilityViolation.md",
                                    "dashboard_url": f"{DASHBOARDS}/aion-aion-web-api_slo",
                                },
                            }
                        ],
                    },
                ],
            },
        ],
    )
