"""The SLO rules of plan/slos.py run by promtool on raw counters: the period's error ratio is
exact under uneven traffic, and the low-traffic guard holds one error back but not an outage."""

from pathlib import Path

import pytest

from tests.helpers import minimal_with_slos, promtool_tests, render_files, stack_from

pytestmark = pytest.mark.tools

OK = 'http_requests_total{job="api",instance="api:8080",status="200"}'
FAILED = 'http_requests_total{job="api",instance="api:8080",status="503"}'
SLO = '{service="api",slo="errors"}'


def rule_file(tmp_path: Path, slos: str) -> Path:
    """The service's rendered rule file of MINIMAL with these SLOs."""
    files = render_files(stack_from(tmp_path, minimal_with_slos(slos)))
    path = tmp_path / "api.yml"
    path.write_bytes(files["prometheus/rules/api.yml"])
    return path


# 30 busy days, then a quiet day: per minute, 9,999 good requests and 1 failed (0.01%), then
# 5 good and 5 failed (50%). At day 31 the 30d window (ten 3d spans, down to 5m ones) holds
# exactly the 8,352 busy 5m blocks after day 1 and the 288 quiet ones.
BUSY_BLOCKS, QUIET_BLOCKS = 8352, 288
EXACT = (BUSY_BLOCKS * 5 + QUIET_BLOCKS * 25) / (BUSY_BLOCKS * 50_000 + QUIET_BLOCKS * 50)
# avg_over_time over [30d] reads the 5m ratios at both ends of its range (Prometheus 2): one
# busy block more.
AVERAGE_OF_RATIOS = ((BUSY_BLOCKS + 1) * 0.0001 + QUIET_BLOCKS * 0.5) / (
    BUSY_BLOCKS + 1 + QUIET_BLOCKS
)


@pytest.mark.slow
def test_the_period_ratio_is_all_failed_requests_over_all_requests_under_uneven_traffic(tmp_path):
    """The exact ratio is 0.01172% (budget 88.28% left); the average of the 5m ratios, which
    the period was before (and is in Sloth), says 1.676%, 143 times too much: a quiet day
    weighs as much as a busy one. Evaluated every 5m, so each 5m rate covers its own block and
    the 30d range stays under promtool's 10,000 samples per query."""
    minutes_busy, quiet = 30 * 1440, 1440 - 1  # `a+bxN` is N+1 samples: a, then N steps
    output = promtool_tests(
        tmp_path,
        [rule_file(tmp_path, "{name: errors, objective: 99.9, sli: {type: requests}}")],
        "5m",
        [
            {
                "interval": "1m",
                "input_series": [
                    {
                        "series": OK,
                        "values": f"0+9999x{minutes_busy} {9999 * minutes_busy + 5}+5x{quiet}",
                    },
                    {
                        "series": FAILED,
                        "values": f"0+1x{minutes_busy} {minutes_busy + 5}+5x{quiet}",
                    },
                ],
                "promql_expr_test": [
                    {  # the recorded period ratio over the exact one: 1 (to 6 digits)
                        "expr": f"round(slo:sli_error:ratio_rate30d{SLO} / {EXACT!r}, 0.000001)",
                        "eval_time": "31d",
                        "exp_samples": [{"labels": SLO, "value": 1}],
                    },
                    {
                        "expr": f"round(slo:period_error_budget_remaining:ratio{SLO}, 0.0001)",
                        "eval_time": "31d",
                        "exp_samples": [{"labels": SLO, "value": 0.8828}],
                    },
                    {  # the average of the 5m ratios: 1.676%, 143 times the exact ratio
                        "expr": f"round(avg_over_time(slo:sli_error:ratio_rate5m{SLO}[30d]) "
                        f"/ {AVERAGE_OF_RATIOS!r}, 0.000001)",
                        "eval_time": "31d",
                        "exp_samples": [{"labels": SLO, "value": 1}],
                    },
                ],
            }
        ],
    )
    assert round(AVERAGE_OF_RATIOS, 5) == 0.01676 and round(AVERAGE_OF_RATIOS / EXACT) == 143
    assert "SUCCESS" in output


def test_a_service_that_never_failed_a_request_records_zero_failures_from_its_first_rate(
    tmp_path,
):
    """No error series at all: the failed events are `0 *` the events the group recorded just
    before, in the same evaluation (rules of a group run in order), so the first evaluation
    that has a rate records 0, not nothing; and every window's ratio is 0."""
    output = promtool_tests(
        tmp_path,
        [rule_file(tmp_path, "{name: errors, objective: 99.9, sli: {type: requests}}")],
        "1m",
        [
            {
                "interval": "1m",
                "input_series": [{"series": OK, "values": "0+60x20"}],
                "promql_expr_test": [
                    {
                        "expr": f"slo:sli_errors:rate5m{SLO}",
                        "eval_time": at,
                        "exp_samples": [{"labels": f"slo:sli_errors:rate5m{SLO}", "value": 0}],
                    }
                    for at in ("1m", "10m")
                ]
                + [
                    {
                        "expr": f"slo:sli_error:ratio_rate1h{SLO}",
                        "eval_time": "10m",
                        "exp_samples": [{"labels": f"slo:sli_error:ratio_rate1h{SLO}", "value": 0}],
                    }
                ],
            }
        ],
    )
    assert "SUCCESS" in output


def page_alert(description_tail: str = "") -> dict:
    description = (
        "SLO `errors` (99.9% over 30d) is burning its error budget: 14.4x the budget (1.44% "
        "errors) over 1h and 5m or 6x the budget (0.6% errors) over 6h and 30m. At 14.4x, 2% of "
        "the budget goes in 1h and all of it in 2d2h."
        + description_tail
        + " It stays quiet for 30m after ServiceDown fired for the service: that outage has "
        "paged already."
    )
    return {
        "exp_labels": {
            "severity": "critical",
            "team": "web",
            "service": "api",
            "slo": "errors",
            "slo_tier": "page",
        },
        "exp_annotations": {
            "summary": "api burns the error budget of SLO `errors` fast (page)",
            "description": description,
            "runbook_url": "runbooks/ErrorRateViolation.md",
            "dashboard_url": "http://localhost:3000/d/demo-api_slo",
        },
    }


def guard_tests(fires_on_one_error: bool, tail: str) -> list[dict]:
    # Seven hours of one request a minute, one of which (at 6h31m) fails: 1/60 of the hour,
    # above 1.44%, from 6h31m, while the 5m window holds it (to 6h35m); the 6h pair, at
    # 1/360, stays below its 0.6%. The page tier's `for: 2m` has passed by 6h33m. The guard's
    # hour saw 60 requests.
    one_error = [
        {"series": OK, "values": "0+1x420"},
        {"series": FAILED, "values": "0x390 1x30"},
    ]
    # Ten requests a minute, all failing from minute 20: a real outage (600 requests an hour).
    outage = [
        {"series": OK, "values": "0+10x20 200x20"},
        {"series": FAILED, "values": "0x20 10+10x20"},
    ]
    return [
        {
            "interval": "1m",
            "input_series": one_error,
            "alert_rule_test": [
                {
                    "eval_time": "6h34m",
                    "alertname": "ErrorRateViolation",
                    "exp_alerts": [page_alert(tail)] if fires_on_one_error else [],
                }
            ],
        },
        {
            "interval": "1m",
            "input_series": outage,
            "alert_rule_test": [
                {
                    "eval_time": "30m",
                    "alertname": "ErrorRateViolation",
                    "exp_alerts": [page_alert(tail)],
                }
            ],
        },
    ]


def test_the_low_traffic_guard_holds_one_error_back_and_still_pages_on_an_outage(tmp_path):
    """`min_events: 100`: the hour saw 60 requests, so one failure does not page; an outage at
    600 requests an hour does. Without the guard the one failure pages."""
    guarded = rule_file(
        tmp_path, "{name: errors, objective: 99.9, sli: {type: requests}, min_events: 100}"
    )
    tail = " A window pair fires only once its long window saw 100 requests."
    promtool_tests(tmp_path, [guarded], "1m", guard_tests(fires_on_one_error=False, tail=tail))
    plain = rule_file(tmp_path, "{name: errors, objective: 99.9, sli: {type: requests}}")
    promtool_tests(tmp_path, [plain], "1m", guard_tests(fires_on_one_error=True, tail=""))


def test_a_full_outage_pages_when_explain_says(tmp_path):
    """`stackgen explain` says a full outage pages in 2m52s at 99.9% over 30d, as with raw
    windows: the hour (twelve 5m spans) holds 1.44% errors 51.84s in, then `for: 2m`. Fed from
    raw counters every 15s (100 requests a minute), an outage after six hours of steady
    traffic (so the 6h pair sees a full window) pages at the first evaluation after that: the
    hour holds 100 of its 6,000 requests failed (1.67%) at 6h1m (75 at 6h45s: 1.25%), pending
    from then, firing at 6h3m and not at 6h2m45s."""
    from stackgen.review.explain import explain_slo

    stack = stack_from(
        tmp_path, minimal_with_slos("{name: errors, objective: 99.9, sli: {type: requests}}")
    )
    assert explain_slo("api", stack.services[0].slos[0]).rows[0].outage_detected_in == "2m52s"
    outage = [
        {"series": OK, "values": "0+25x1440 36000x40"},  # 100 requests a minute, then none good
        {"series": FAILED, "values": "0x1440 25+25x40"},  # all 100 fail from 6h
    ]
    alerts = [
        {"eval_time": "6h2m45s", "alertname": "ErrorRateViolation", "exp_alerts": []},
        {"eval_time": "6h3m", "alertname": "ErrorRateViolation", "exp_alerts": [page_alert()]},
    ]
    promtool_tests(
        tmp_path,
        [rule_file(tmp_path, "{name: errors, objective: 99.9, sli: {type: requests}}")],
        "15s",
        [{"interval": "15s", "input_series": outage, "alert_rule_test": alerts}],
    )


def test_a_scrape_gap_leaves_the_windows_the_traffic_seen_around_it(tmp_path):
    """Two hours of 100 requests a minute, 1% failing, with no samples from 1h1m to 1h15m (a
    Prometheus restart): while the 5m rates are missing no window has a ratio (nothing is
    invented); after it, every window holds the traffic it saw, the spans of the gap adding
    nothing: 1% again, for the hour, the 6h window (younger than 6h) and the period."""
    ratio = {
        w: f"round(slo:sli_error:ratio_rate{w}{SLO}, 0.000001)" for w in ("5m", "1h", "6h", "30d")
    }
    seen = [{"labels": SLO, "value": 0.01}]
    output = promtool_tests(
        tmp_path,
        [rule_file(tmp_path, "{name: errors, objective: 99.9, sli: {type: requests}}")],
        "1m",
        [
            {
                "interval": "1m",
                "input_series": [
                    {"series": OK, "values": "0+99x60 _x14 7425+99x44"},
                    {"series": FAILED, "values": "0+1x60 _x14 75+1x44"},
                ],
                "promql_expr_test": [
                    {"expr": ratio["1h"], "eval_time": "1h10m", "exp_samples": []},
                    *[
                        {"expr": ratio[w], "eval_time": "1h50m", "exp_samples": seen}
                        for w in ("5m", "1h", "6h", "30d")
                    ],
                ],
            }
        ],
    )
    assert "SUCCESS" in output
