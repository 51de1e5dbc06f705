"""Sloth's rules for one event-based SLO, written the way Sloth generates them (prometheus/v1
spec, default 30d windows), so bench/rule_cost.py can run them beside stackgen's.

`check_against_corpus()` regenerates Sloth's own example from the shared corpus
(corpus/slo/sloth/getting-started.yml) and compares it with Sloth's output there
(corpus/slo/sloth/_gen/getting-started.yml): same groups, records, alerts, labels and
expressions (whitespace aside).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "slo" / "sloth"
WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
PERIOD_DAYS = 30
# (severity, (short, long, burn factor) pairs), Sloth's defaults for 30 days
TIERS = (
    ("page", (("5m", "1h", 14.4), ("30m", "6h", 6.0))),
    ("ticket", (("2h", "1d", 3.0), ("6h", "3d", 1.0))),
)


def go_float(value: float) -> str:
    """A float as Go's strconv prints it for Sloth (shortest round trip, no `.0`)."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def sloth_rules(spec: dict[str, Any], extra_labels: dict[str, str]) -> dict[str, Any]:
    """The rule file Sloth writes for the first SLO of a prometheus/v1 spec."""
    service = spec["service"]
    slo = spec["slos"][0]
    slo_name = slo["name"]
    slo_id = f"{service}-{slo_name}"
    ids = {"sloth_id": slo_id, "sloth_service": service, "sloth_slo": slo_name}
    matcher = f'sloth_id="{slo_id}", sloth_service="{service}", sloth_slo="{slo_name}"'
    common = {**extra_labels, **spec.get("labels", {}), **slo.get("labels", {}), **ids}
    objective = slo["objective"] / 100
    budget = (100 - slo["objective"]) / 100
    events = slo["sli"]["events"]

    def query(template: str, window: str) -> str:
        return template.replace("{{.window}}", window)

    def ratio(window: str) -> str:
        failed, total = query(events["error_query"], window), query(events["total_query"], window)
        return f"({failed})\n/\n({total})\n"

    sli = [
        {
            "record": f"slo:sli_error:ratio_rate{w}",
            "expr": ratio(w),
            "labels": {**common, "sloth_window": w},
        }
        for w in WINDOWS
    ]
    ratio5m = f"slo:sli_error:ratio_rate5m{{{matcher}}}"
    period = f"{PERIOD_DAYS}d"
    sli.append(
        {
            "record": f"slo:sli_error:ratio_rate{period}",
            "expr": f"sum_over_time({ratio5m}[{period}])\n/ ignoring (sloth_window)\n"
            f"count_over_time({ratio5m}[{period}])\n",
            "labels": {**common, "sloth_window": period},
        }
    )
    budget_series = f"slo:error_budget:ratio{{{matcher}}}"
    on = "/ on(sloth_id, sloth_slo, sloth_service) group_left"
    meta = [
        ("slo:objective:ratio", f"vector({go_float(objective)})"),
        ("slo:error_budget:ratio", f"vector(1-{go_float(objective)})"),
        ("slo:time_period:days", f"vector({PERIOD_DAYS})"),
        ("slo:current_burn_rate:ratio", f"{ratio5m}\n{on}\n{budget_series}\n"),
        (
            "slo:period_burn_rate:ratio",
            f"slo:sli_error:ratio_rate{period}{{{matcher}}}\n{on}\n{budget_series}\n",
        ),
        (
            "slo:period_error_budget_remaining:ratio",
            f"1 - slo:period_burn_rate:ratio{{{matcher}}}",
        ),
    ]
    metas = [{"record": r, "expr": e, "labels": dict(common)} for r, e in meta]
    info = {
        **common,
        "sloth_mode": "cli-gen-prom",
        "sloth_objective": go_float(slo["objective"]),
        "sloth_spec": spec["version"],
        "sloth_version": "dev",
    }
    metas.append({"record": "sloth_slo_info", "expr": "vector(1)", "labels": info})
    alerting = slo["alerting"]
    alerts = []
    for severity, pairs in TIERS:

        def above(window: str, factor: float) -> str:
            return (
                f"max(slo:sli_error:ratio_rate{window}{{{matcher}}} > "
                f"({go_float(factor)} * {go_float(budget)})) without (sloth_window)"
            )

        parts = [
            f"(\n    {above(short, factor)}\n    and\n    {above(long, factor)}\n)"
            for short, long, factor in pairs
        ]
        alerts.append(
            {
                "alert": alerting["name"],
                "expr": "\nor\n".join(parts) + "\n",
                "labels": {
                    **alerting.get("labels", {}),
                    **alerting.get(f"{severity}_alert", {}).get("labels", {}),
                    "sloth_severity": severity,
                },
                "annotations": {
                    **alerting.get("annotations", {}),
                    "title": f"({severity}) {{{{$labels.sloth_service}}}} "
                    "{{$labels.sloth_slo}} SLO error budget burn rate is too fast.",
                },
            }
        )
    return {
        "groups": [
            {"name": f"sloth-slo-sli-recordings-{slo_id}", "rules": sli},
            {"name": f"sloth-slo-meta-recordings-{slo_id}", "rules": metas},
            {"name": f"sloth-slo-alerts-{slo_id}", "rules": alerts},
        ]
    }


def _normal(document: Any) -> Any:
    """Expressions compared without their line breaks and indentation."""
    if isinstance(document, dict):
        return {k: _normal(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_normal(v) for v in document]
    if isinstance(document, str):
        return re.sub(r"\s+", " ", document).strip()
    return document


def check_against_corpus(corpus: Path = CORPUS) -> list[str]:
    """Where the generator differs from Sloth's own output for its getting-started example
    (empty: it writes what Sloth writes)."""
    spec = yaml.safe_load((corpus / "getting-started.yml").read_text())
    expected = yaml.safe_load((corpus / "_gen" / "getting-started.yml").read_text())
    # Sloth's examples are generated with `--extra-labels cmd=examplesgen.sh`
    got = _normal(sloth_rules(spec, {"cmd": "examplesgen.sh"}))
    want = _normal(expected)
    differences = []
    for g_got, g_want in zip(got["groups"], want["groups"], strict=True):
        if g_got["name"] != g_want["name"]:
            differences.append(f"group {g_got['name']} != {g_want['name']}")
        for r_got, r_want in zip(g_got["rules"], g_want["rules"], strict=True):
            if r_got != r_want:
                differences.append(
                    f"{r_got.get('record') or r_got.get('alert')}: {r_got} != {r_want}"
                )
    return differences
