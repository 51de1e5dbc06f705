"""Generated proofs: every alert of a service proven from the raw series it exposes. A pack or
custom alert fires exactly `for` after its condition first holds (silent one evaluation
before), resolves when its input stops, and stays silent just below its threshold and on
healthy input; each SLO tier's window pairs are proven one by one, resolving after the burn
stops. Whatever cannot be proven is named, with the reason."""

from stackgen.plan.proofs import proof_artifacts, service_tests
from tests.helpers import MINIMAL, minimal_with_slos, stack_from

SLO = "{name: e, objective: 99.9, sli: {type: requests}}"


def proofs_of(tmp_path, text: str) -> tuple[list[dict], list[str]]:
    stack = stack_from(tmp_path, text)
    by_step, unproven = service_tests(stack, stack.services[0])
    return [t for tests in by_step.values() for t in tests], unproven


def named(tests: list[dict], prefix: str) -> list[dict]:
    return [t for t in tests if t["name"].startswith(prefix)]


def checks(test: dict) -> list[tuple[str, list[str]]]:
    """(evaluation time, labels `slo_tier` or alertname of the alerts expected firing)."""
    return [
        (c["eval_time"], [a["exp_labels"].get("slo_tier", c["alertname"]) for a in c["exp_alerts"]])
        for c in test["alert_rule_test"]
    ]


def test_every_alert_of_the_kind_gets_a_firing_a_below_and_a_healthy_scenario(tmp_path):
    tests, unproven = proofs_of(tmp_path, MINIMAL)
    assert unproven == []
    alerts = ["ServiceDown", "InstanceDown", "HighHTTPErrorRate", "HighAPILatency"]
    for alert in [*alerts, "HighRequestRate"]:
        fire, below, healthy = named(tests, f"{alert}: ")
        assert "fires it at" in fire["name"]
        assert "just short of its threshold" in below["name"]
        assert "(healthy)" in healthy["name"]


def test_a_ratio_alert_fires_exactly_for_after_its_first_increase_and_resolves_with_its_window(
    tmp_path,
):
    tests, _ = proofs_of(tmp_path, MINIMAL)
    fire, below, healthy = named(tests, "HighHTTPErrorRate: ")
    # 5.5% of requests fail from 5m: the ratio holds at the first increase (6m), `for` is 5m;
    # the input stops when it fires, and the 5m window is empty at 16m
    assert fire["name"] == (
        "HighHTTPErrorRate: 0.055 from 5m fires it at 11m, not before, and it resolves at 16m"
    )
    assert checks(fire) == [
        ("10m", []),
        ("11m", ["HighHTTPErrorRate"]),
        ("15m", ["HighHTTPErrorRate"]),
        ("16m", []),
    ]
    assert all(exp == [] for _, exp in checks(below) + checks(healthy))


def test_the_raw_series_are_the_kinds_metrics_as_the_spec_renames_them(tmp_path):
    renamed = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    metrics: {requests_total: api_requests_total}\n",
    )
    tests, _ = proofs_of(tmp_path, renamed)
    (fire, *_) = named(tests, "HighHTTPErrorRate: ")
    assert [s["series"] for s in fire["input_series"]] == [
        'api_requests_total{job="api",instance="target-1",status="500"}',
        'api_requests_total{job="api",instance="target-1",status="200"}',
    ]
    # 10 requests a second, 5.5% failing, in steps of 1m (scaled to whole counts)
    assert fire["input_series"][0]["values"] == "0 0+0x4 33+33x5 198+0x5"


def test_expected_alerts_carry_their_labels_and_annotations_as_prometheus_expands_them(tmp_path):
    tests, _ = proofs_of(tmp_path, MINIMAL)
    (fire, *_) = named(tests, "HighHTTPErrorRate: ")
    (alert,) = fire["alert_rule_test"][1]["exp_alerts"]
    assert alert["exp_labels"] == {
        "job": "api",
        "severity": "critical",
        "team": "web",
        "service": "api",
        "alertname": "HighHTTPErrorRate",
    }
    assert alert["exp_annotations"]["summary"] == "api answers 5.5% of requests with 5xx"


def test_a_rate_alert_fires_once_its_window_holds_enough_of_the_rate(tmp_path):
    tests, _ = proofs_of(tmp_path, MINIMAL)
    (fire, *_) = named(tests, "HighRequestRate: ")
    # 1100 requests/s from 5m: the 5m rate passes 1000 only once the window is full (10m);
    # `for` 10m; stopped then, it falls to 1000 or below after a 1m step
    assert checks(fire) == [("19m", []), ("20m", ["HighRequestRate"]), ("21m", [])]


def test_an_alert_that_fires_below_its_threshold_is_driven_below_it(tmp_path):
    tests, _ = proofs_of(tmp_path, MINIMAL.replace("kind: http", "kind: node"))
    fire, below, _ = named(tests, "DiskSpaceLow: ")
    assert fire["name"].startswith("DiskSpaceLow: 0.09 from 5m fires it at 20m")
    assert below["name"].startswith("DiskSpaceLow: 0.11 (just short of its threshold)")


CUSTOM = """\
    custom_alerts:
      - name: QueueBacklog
        expr: 'sum by (job) (jobs_queued{job="api"}) > 100'
        summary: '{{ $labels.job }} has {{ $value }} jobs queued'
        description: Work piles up.
"""
PROOF = """\
        proof: {series: [{metric: jobs_queued, gauge: value}], healthy: 0, firing: 150, silent: 50}
"""


def test_a_custom_alert_is_proven_with_its_declared_scenario_else_named_unproven(tmp_path):
    plain = MINIMAL.replace("      static: [api:8080]\n", "      static: [api:8080]\n" + CUSTOM)
    tests, unproven = proofs_of(tmp_path, plain)
    assert named(tests, "QueueBacklog") == []
    assert unproven == [
        "QueueBacklog: no proof scenario is declared for it (`proof:` of its pack alert)"
    ]
    proven = MINIMAL.replace(
        "      static: [api:8080]\n", "      static: [api:8080]\n" + CUSTOM + PROOF
    )
    tests, unproven = proofs_of(tmp_path, proven)
    assert unproven == []
    (fire, *_) = named(tests, "QueueBacklog: ")
    summary = fire["alert_rule_test"][1]["exp_alerts"][0]["exp_annotations"]["summary"]
    assert summary == "api has 150 jobs queued"


def test_each_window_pair_of_each_tier_is_proven_on_its_own_then_below_and_healthy(tmp_path):
    tests, unproven = proofs_of(tmp_path, minimal_with_slos(SLO))
    assert unproven == []
    assert [t["name"] for t in named(tests, "e: ")] == [
        # after 6h of traffic (the page tier's longest window), ten times busier than the
        # burn's, so the 6h window is diluted and the 1h pair fires on its own: 15.84x passes
        # 14.4x in the 1h window at 6h59m33s (twelve 5m spans: a raw window's ratio), holds
        # from the evaluation at 7h, + `for` 2m. Errors at 0.9x the slowest burn rate (the
        # ticket's 1x) from 5h to where the 1h window has left them when it fires: a doubled
        # (2h) window would still hold them and fire sooner
        "e: page tier, 1h/5m pair: a burn of 15.84x from 6h (after 10x busier traffic, "
        "errors at 0.9x from 5h to 5h56m) fires it at 7h2m, not before; stopped then, it "
        "resolves at 7h3m, within its short window",
        # a step later: from 6h, the 6h window's ratio would meet 6x exactly at an evaluation;
        # the second try's errors are 10% lower (0.81x), as a tie moves them with the burn
        "e: page tier, 6h/30m pair: a burn of 6.6x from 6h1m (after errors at 0.81x from 1m "
        "to 5h25m) fires it at 11h31m, not before; stopped then, it resolves at 11h34m, "
        "within its short window",
        "e: page tier: a burn of 5.4x from 6h leaves it silent to 12h3m",
        "e: healthy traffic fires nothing to 6h2m",
        # every window the page tier reads (5m, 30m, 1h, 6h) once its longest is full
        "e: under errors and traffic that grow at every sample, each window's ratio is exactly "
        "that of its own spans, while it fills and at 6h5m",
        # 10% of the budget in 1d is 10% in 3d: only a diluted 3d window lets the 1d pair
        # fire (and resolve) on its own; the errors of its busier history, still in the 1d
        # window before it fires, fire it a step sooner than without them
        "e: ticket tier, 1d/2h pair: a burn of 3.3x from 3d (after 10x busier traffic, errors "
        "at 0.9x from 2d to 2d23h50m) fires it at 4d, not before; stopped then, it resolves "
        "at 4d15m, within its short window",
        "e: ticket tier, 3d/6h pair: a burn of 1.1x from 3d (after errors at 0.9x from 0s to "
        "2d17h) fires it at 5d17h45m, not before; stopped then, it resolves at 5d18h20m, "
        "within its short window",
        "e: ticket tier: a burn of 0.9x from 3d leaves it silent to 6d20m",
        "e: under errors and traffic that grow at every sample, each window's ratio is exactly "
        "that of its own spans, while it fills and at 3d5m",
    ]


def test_a_tier_is_silent_a_step_before_it_fires_and_resolves_after_the_burn(tmp_path):
    tests, _ = proofs_of(tmp_path, minimal_with_slos(SLO))
    (first, *_) = named(tests, "e: page tier, 1h/5m")
    assert checks(first) == [("7h1m", []), ("7h2m", ["page"]), ("7h3m", [])]
    # another tier of the same alert is expected as the windows say: the ticket tier's 3d
    # pair, whose windows hold 11h of history only, fires in the 6h pair's scenario
    (second, *_) = named(tests, "e: page tier, 6h/30m")
    assert checks(second)[:2] == [("11h30m", ["ticket"]), ("11h31m", ["page", "ticket"])]


def test_the_history_is_weighed_by_busier_traffic_or_more_targets(tmp_path):
    """`up` is a sample average per target: its history weighs more with more targets, which
    leave before the pair's long window begins, so only the longer windows hold them."""
    slo = "{name: u, objective: 99.9, sli: {type: uptime}}"
    tests, _ = proofs_of(tmp_path, minimal_with_slos(slo))
    (one_day, *_) = named(tests, "u: ticket tier, 1d/2h")
    assert (
        "(after 9 more healthy targets, gone at 1d23h55m, errors at 0.9x from 2d" in one_day["name"]
    )
    assert [s["series"] for s in one_day["input_series"]][:3] == [
        'up{job="api",instance="target-1"}',
        'up{job="api",instance="target-2"}',
        'up{job="api",instance="target-3"}',
    ]
    assert one_day["input_series"][1]["values"] == "1x575"  # scraped to 1d23h55m, every 5m
    tests, _ = proofs_of(tmp_path, minimal_with_slos(SLO))
    (first, *_) = named(tests, "e: page tier, 1h/5m")
    bad, good, _ = (s["values"] for s in first["input_series"])
    # 10 requests a second, 600 a step (scaled by 1000 to whole counts): 10 times that before
    # the burn, 0.09% of it failing from 5h to 5h56m; then 1.584% of 600 fail
    assert good.startswith("0 6000000+6000000x299 1805994600+5994600x55 2141697600+6000000x3 "
                           "2160288096+590496x61 ")  # fmt: skip
    assert bad.startswith("0 0+0x299 5400+5400x55 302400+0x3 311904+9504x61 ")


def test_slo_proofs_feed_the_raw_request_counters_of_the_kind(tmp_path):
    tests, _ = proofs_of(tmp_path, minimal_with_slos(SLO))
    (first, *_) = named(tests, "e: page tier")
    assert [s["series"] for s in first["input_series"]] == [
        'http_requests_total{job="api",status="500",instance="target-1"}',
        'http_requests_total{job="api",status="200",instance="target-1"}',
        'up{job="api",instance="target-1"}',  # the service is up throughout
    ]


def test_an_uptime_slo_feeds_up_and_a_latency_slo_the_histogram(tmp_path):
    slos = (
        "{name: u, objective: 99, sli: {type: uptime}}, "
        "{name: l, objective: 99, sli: {type: latency, threshold: 0.3}}"
    )
    tests, _ = proofs_of(tmp_path, minimal_with_slos(slos))
    (up, *_) = named(tests, "u: page tier, 6h/30m")  # the tier's longest pair: one target
    assert [s["series"] for s in up["input_series"]] == ['up{job="api",instance="target-1"}']
    (latency, *_) = named(tests, "l: page tier")
    assert [s["series"].split("{")[0] for s in latency["input_series"]] == [
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_count",
        "up",
    ]
    assert 'le="0.3"' in latency["input_series"][0]["series"]


def test_a_ratio_sli_is_proven_from_its_recorded_window_ratios(tmp_path):
    """A `ratio` SLI is an expression of its own: no raw series can be derived from it, so
    its tiers are proven from the windows' ratios as its rules would record them."""
    slo = "{name: r, objective: 99, sli: {type: ratio, expr: 'sum(rate(a[${window}])) / sum(rate(b[${window}]))'}}"
    tests, unproven = proofs_of(tmp_path, minimal_with_slos(slo))
    assert unproven == []
    (first, *_) = named(tests, "r: page tier")
    names = [s["series"] for s in first["input_series"]]
    assert names[0] == 'slo:sli_error:ratio_rate5m{service="api",slo="r"}'
    assert len(names) == 7  # every window the rules record


def test_tests_of_another_evaluation_interval_get_a_file_of_their_own(tmp_path):
    """A file has one evaluation interval: the page tier's (1m, for its 2m `for`) and the
    ticket tier's (5m)."""
    files = proof_artifacts(stack_from(tmp_path, minimal_with_slos(SLO)))
    assert [(f.path, f.context["evaluation_interval"]) for f in files] == [
        ("prometheus/tests/api.step-1m.yml", "1m"),
        ("prometheus/tests/api.step-5m.yml", "5m"),
    ]
    # the slow group adds up the 3d spans `.slo` records: evaluated after it, before the alerts
    assert files[0].context["group_order"] == [
        "api.recording",
        "api.slo",
        "api.slo-long",
        "api.alerts",
    ]
    (only,) = proof_artifacts(stack_from(tmp_path, MINIMAL))
    assert only.path == "prometheus/tests/api.yml"


def test_a_disabled_tier_gets_no_scenarios(tmp_path):
    slo = "{name: e, objective: 99, sli: {type: uptime}, tiers: {ticket: {enabled: false}}}"
    tests, _ = proofs_of(tmp_path, minimal_with_slos(slo))
    assert named(tests, "e: page tier")
    assert not any("ticket" in t["name"] for t in tests)
