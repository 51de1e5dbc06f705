"""The example stack in specs/ and its committed render in out/."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from stackgen.spec import load_stack
from stackgen.write import unified_diff
from tests.helpers import OUT, SPECS, out_files, render_into

EXAMPLE_ALERTS = {
    # API
    "HighHTTPErrorRate", "HighAPILatency", "ServiceDown", "HighRequestRate",
    # database (the pool alert is the kind's, on postgres_exporter, renamed: hand_built.yml says why)
    "DatabaseConnectionPoolExhausted", "SlowDatabaseQueries", "HighDatabaseErrorRate",
    # AI
    "HighAIInferenceErrorRate", "SlowAIInference", "HighActiveAISessions",
    # system
    "HighMemoryUsage", "HighCPUUsage", "DiskSpaceLow",
    # SLA
    "SLAAvailabilityViolation", "SLAErrorRateViolation",
}  # fmt: skip


def committed_alerts() -> list[dict]:
    rules = []
    for path in sorted((OUT / "prometheus/rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            rules += [r for r in group["rules"] if "alert" in r]
    return rules


def test_committed_out_is_what_specs_render():
    assert unified_diff(OUT, out_files(load_stack(SPECS)), "out") == ""


def test_committed_out_env_staging_is_what_the_staging_overlay_renders():
    staging = OUT / "env" / "staging"
    assert unified_diff(staging, out_files(load_stack(SPECS, "staging")), "staging") == ""


def test_the_example_has_its_15_alerts_with_routing_labels_and_annotations():
    alerts = committed_alerts()
    assert {a["alert"] for a in alerts} >= EXAMPLE_ALERTS
    for alert in alerts:
        assert alert["labels"]["severity"] in {"critical", "warning", "info"}
        assert alert["labels"]["team"] and alert["labels"]["service"]
        assert set(alert["annotations"]) == {
            "summary",
            "description",
            "runbook_url",
            "dashboard_url",
        }
        assert alert["for"]


def test_generated_runbooks_exist_for_every_linked_alert():
    base = "https://git.example.com/aion/monitoring/blob/main/out/runbooks/"
    for alert in committed_alerts():
        url = alert["annotations"]["runbook_url"]
        assert url.startswith(base)
        runbook = OUT / "runbooks" / url.removeprefix(base)
        text = runbook.read_text()
        assert f"# {alert['alert']}\n" in text
        for section in ("## Diagnosis", "## Mitigation", "## Escalation"):
            assert section in text


_RUNBOOK_URL = re.compile(r"""runbook_url["']?:\s*["']?(https?://[^\s"',]+)""")
# specs/stack.yml publishes out/ at this address: a link below it names a file of the repository.
PUBLISHED = "https://git.example.com/aion/monitoring/blob/main/"


def test_every_runbook_url_anywhere_in_out_resolves_to_a_file_that_exists():
    """Rules in every form (plain, operator, workloads, Mimir, staging) and their tests: no
    link to a runbook that is not there (the hand-built stack had 12 of them)."""
    links: dict[str, set[str]] = {}
    for path in sorted(p for p in OUT.rglob("*") if p.is_file() and p.suffix != ".json"):
        for url in _RUNBOOK_URL.findall(path.read_text()):
            links.setdefault(url, set()).add(str(path.relative_to(OUT)))
    assert len(links) >= len(EXAMPLE_ALERTS)
    for url, files in sorted(links.items()):
        assert url.startswith(PUBLISHED), (url, sorted(files))
        target = OUT.parent / url.removeprefix(PUBLISHED)
        assert target.is_file(), f"{url} (linked from {sorted(files)[0]}) is not in out/"


def test_no_secret_value_reaches_out():
    everything = "\n".join(p.read_text() for p in OUT.rglob("*") if p.is_file())
    assert "${POSTGRES_PASSWORD}" in everything  # a reference, expanded by Grafana
    assert "routing_key_file: /etc/alertmanager/secrets/" in everything
    for field in ("routing_key:", "api_url:", "auth_password:", "service_key:"):
        assert field not in everything


def test_renders_in_processes_with_different_hash_seeds_are_identical(tmp_path):
    """Set and dict ordering must never leak into the bytes."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}"
        subprocess.run(
            [sys.executable, "-m", "stackgen", "render", str(SPECS), "-o", str(out), "--no-tools"],
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
            capture_output=True,
        )
        outs.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert outs[0] == outs[1]


def test_two_renders_into_two_folders_are_identical(tmp_path):
    first = render_into(SPECS, tmp_path / "one")
    second = render_into(SPECS, tmp_path / "two")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_out_layout_matches_the_readme():
    expected = [
        "prometheus/prometheus.yml",
        "prometheus/rules/aion-web-api.yml",
        "alertmanager/alertmanager.yml",
        "alertmanager/templates/stackgen.tmpl",
        "grafana/provisioning/datasources/datasources.yml",
        "grafana/provisioning/dashboards/dashboards.yml",
        "grafana/dashboards/aion/aion-overview.json",
        "grafana/dashboards/platform/aion-web-api.json",
        "runbooks/HighCPUUsage.md",
    ]
    for relative in expected:
        assert (OUT / relative).is_file(), relative
    assert Path(OUT / ".stackgen-manifest.json").is_file()
