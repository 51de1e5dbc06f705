"""The example (specs/, rendered in out/) against the hand-built Ectus-R/AION stack.

hand_built.yml holds the hand-built stack's facts (SEED.md): every alert's metrics, threshold,
`for`, severity, component and intended receivers, with the deliberate differences and why.
The committed out/ must match them, and its rules must fire on series shaped as the
application really exposes them, above each hand-built threshold, and stay silent below."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import OUT, promtool_tests, run_tool

FACTS = yaml.safe_load((Path(__file__).parent / "hand_built.yml").read_text())
HAND_BUILT = FACTS["alerts"]
RULE_FILES = sorted((OUT / "prometheus/rules").glob("*.yml"))


def expected(alert: dict[str, Any], key: str) -> Any:
    """What out/ must hold: the hand-built fact, or the deliberate difference."""
    return alert.get("stackgen", {}).get(key, alert[key])


def rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def rendered(alert: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in rules() if r.get("alert") == expected(alert, "name")]


def expanded(expr: str) -> str:
    """The expression with every recording rule it reads replaced by the rule's query (the
    rule whose labels the selector's matchers name: SLO records share names across SLOs)."""
    records = [r for r in rules() if "record" in r]

    def query(match: re.Match[str]) -> str:
        wanted = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        for record in records:
            labels = {"job": wanted.get("job"), **record.get("labels", {})}
            if record["record"] == match.group(1) and all(
                labels.get(k, v) == v for k, v in wanted.items()
            ):
                return f"({record['expr']})"
        return match.group(0)

    names = "|".join(sorted({re.escape(r["record"]) for r in records}, key=len, reverse=True))
    for _ in range(5):
        expr = re.sub(rf"\b({names})(\{{[^}}]*\}})?", query, expr)
    return expr


def test_the_facts_are_the_hand_built_stack_15_alerts_8_critical():
    assert len(HAND_BUILT) == 15
    assert sum(a["severity"] == "critical" for a in HAND_BUILT) == 8


@pytest.mark.parametrize("alert", HAND_BUILT, ids=lambda a: a["name"])
def test_every_difference_is_a_real_one_and_justified(alert):
    for key, value in alert.get("stackgen", {}).items():
        assert value != alert[key], f"{alert['name']}.{key} is no difference"
    if alert.get("stackgen"):
        assert alert.get("why", "").strip(), f"{alert['name']}: say why it differs"


@pytest.mark.parametrize("alert", HAND_BUILT, ids=lambda a: a["name"])
def test_out_has_the_alert_with_its_threshold_for_severity_and_metrics(alert):
    found = rendered(alert)
    assert found, f"no alert {expected(alert, 'name')} in out/"
    # SLO alerts have a page (critical) and a ticket (warning) tier; the page is the hand-built one.
    rule = next(r for r in found if r["labels"]["severity"] == expected(alert, "severity"))
    assert rule["for"] == expected(alert, "for")
    assert rule["labels"].get("component") == expected(alert, "component")
    assert rule["labels"]["service"] == FACTS["jobs"][alert["job"]]["service"]
    query = expanded(rule["expr"])
    for metric in expected(alert, "metrics"):
        assert re.search(rf"\b{metric}\b", query), f"{alert['name']} does not read {metric}"
    assert "_bucket" not in query, "the application exposes summaries, no _bucket series"
    if "objective" in alert:
        objective = [r for r in rules() if r.get("record") == "slo:objective:ratio"]
        assert any(r["labels"]["slo"] == rule["labels"]["slo"] for r in objective)
        assert any(r["expr"] == f"vector({alert['objective']})" for r in objective)
    else:
        compare = re.search(r"(>|<|==)\s*([0-9.e+]+)(\)|\s|$)", rule["expr"])
        assert compare, rule["expr"]
        assert compare.group(1) == alert["compare"]
        assert float(compare.group(2)) == pytest.approx(alert["threshold"])


def intended_receivers(alert: dict[str, Any]) -> list[str]:
    routes = FACTS["receivers"]
    return routes[alert["severity"]] + routes.get(alert["component"], [])


@pytest.mark.parametrize("alert", HAND_BUILT, ids=lambda a: a["name"])
def test_amtool_routes_each_alert_to_the_receivers_the_hand_built_tree_intended(alert):
    rule = next(r for r in rendered(alert) if r["labels"]["severity"] == alert["severity"])
    labels = [f"{k}={v}" for k, v in {"alertname": rule["alert"], **rule["labels"]}.items()]
    result = run_tool(
        "amtool",
        "config",
        "routes",
        "test",
        f"--config.file={OUT / 'alertmanager/alertmanager.yml'}",
        *labels,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split(",") == intended_receivers(alert)


def test_the_scrape_jobs_are_the_hand_built_ones_with_their_interval_timeout_and_tier():
    config = yaml.safe_load((OUT / "prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for fact in FACTS["scrape_jobs"]:
        job = jobs[fact["job"]]
        assert job["static_configs"][0]["targets"] == [fact["target"]]
        assert job.get("scrape_interval") == fact.get("interval")
        assert job.get("scrape_timeout") == fact.get("timeout")
        tiers = [
            r["replacement"]
            for r in job.get("relabel_configs", [])
            if r.get("target_label") == "tier"
        ]
        assert tiers == ([fact["tier"]] if "tier" in fact else [])


def _series(alert: dict[str, Any], which: str) -> list[dict[str, str]]:
    """The alert's series with the target labels Prometheus adds when it scrapes the job."""
    job = alert["job"]
    target = {"job": job, **FACTS["jobs"][job]}
    out = []
    for item in alert[which]:
        name, _, own = item["series"].partition("{")
        labels = ",".join(
            [f'{k}="{v}"' for k, v in target.items()] + ([own.rstrip("}")] if own else [])
        )
        out.append({"series": f"{name}{{{labels}}}", "values": item["values"]})
    return out


def _firing(name: str, service: str) -> str:
    # By service too: the other services' ServiceDown fire on absent series.
    return (
        f'max by (alertname) (ALERTS{{alertname="{name}",service="{service}",alertstate="firing"}})'
    )


@pytest.mark.slow
def test_promtool_every_hand_built_alert_fires_above_its_threshold_and_not_below(tmp_path):
    tests = []
    for alert in HAND_BUILT:
        name = expected(alert, "name")
        service = FACTS["jobs"][alert["job"]]["service"]
        for which, samples in (
            ("fire", [{"labels": f'{{alertname="{name}"}}', "value": 1}]),
            ("quiet", []),
        ):
            tests.append(
                {
                    "name": f"{name} {which}",
                    "interval": "15s",
                    "input_series": _series(alert, which),
                    "promql_expr_test": [
                        {"expr": _firing(name, service), "eval_time": "20m", "exp_samples": samples}
                    ],
                }
            )
    output = promtool_tests(tmp_path, RULE_FILES, "15s", tests)
    assert "SUCCESS" in output
