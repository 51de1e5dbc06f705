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
# 5 good and 5 failed (50%). At day 31 the 30d window holds 8,353 busy 5m blocks (day 1 to
# day 30, both ends: a range in Prometheus 2 includes its start) and 288 quiet ones.
BUSY_BLOCKS, QUIET_BLOCKS = 8353, 288
EXACT = (BUSY_BLOCKS * 5 + QUIET_BLOCKS * 25) / (BUSY_BLOCKS * 50_000 + QUIET_BLOCKS * 50)
AVERAGE_OF_RATIOS = (BUSY_BLOCKS * 0.0001 + QUIET_BLOCKS * 0.5) / (BUSY_BLOCKS + QUIET_BLOCKS)


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
                    {  # the average of the 5m ratios is 143 times the exact ratio
                        "expr": f"round(avg_over_time(slo:sli_error:ratio_rate5m{SLO}[30d]) "
                        f"/ {EXACT!r})",
                        "eval_time": "31d",
                        "exp_samples": [{"labels": SLO, "value": 143}],
                    },
                ],
            }
        ],
    )
    assert round(AVERAGE_OF_RATIOS / EXACT) == 143
    assert "SUCCESS" in output
