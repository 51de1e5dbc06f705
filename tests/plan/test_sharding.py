"""Sharded scraping, the global Prometheus, rules at a remote ruler, and remote_write.

Which shard keeps a target is decided the way Prometheus decides it: the shard configs'
relabel rules are applied here with Prometheus's hashmod (MD5 of the address, last 8 bytes,
big-endian, modulo the shards); tests/live/test_shards.py checks the same with the real
Prometheus.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from stackgen.lint import lint
from stackgen.spec import SpecErrors, load_stack
from tests.helpers import (
    MINIMAL,
    SPECS,
    render_files,
    run_tool,
    stack_from,
    without_reminder,
    write_tree,
)

SHARDED = "  address: prometheus:9091\n  shards: 3\n  rule_evaluation: federation\n"


def example_with(tmp_path: Path, prometheus_lines: str) -> Path:
    """A copy of the example spec with `prometheus_lines` after its prometheus.address."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    stack = specs / "stack.yml"
    text = stack.read_text(encoding="utf-8")
    stack.write_text(text.replace("  address: prometheus:9091\n", prometheus_lines), "utf-8")
    return specs


def hashmod(value: str, modulus: int) -> int:
    return int.from_bytes(hashlib.md5(value.encode()).digest()[8:], "big") % modulus


def keeps(job: dict, address: str) -> bool:
    """Whether the job's relabelling keeps a target at `address` (the actions stackgen uses
    before its constant labels: hashmod, keep, and replacements of constants)."""
    labels = {"__address__": address}
    for rule in job.get("relabel_configs", []):
        value = ";".join(labels.get(name, "") for name in rule.get("source_labels", []))
        action = rule.get("action", "replace")
        if action == "hashmod":
            labels[rule["target_label"]] = str(hashmod(value, rule["modulus"]))
        elif action == "keep":
            if not re.fullmatch(rule["regex"], value):
                return False
        elif action == "replace" and "source_labels" not in rule:
            labels[rule["target_label"]] = rule["replacement"]
        else:
            raise AssertionError(f"relabel action not simulated here: {rule}")
    return True


def configs(files: dict[str, bytes], pattern: str) -> dict[str, dict]:
    return {
        path: yaml.safe_load(data) for path, data in files.items() if re.fullmatch(pattern, path)
    }


def static_targets(config: dict) -> list[tuple[str, str]]:
    return [
        (job["job_name"], target)
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        for target in static["targets"]
    ]


def test_with_three_shards_every_example_target_lands_in_exactly_one_shard(tmp_path):
    plain = render_files(load_stack(SPECS))
    wanted = [
        (job, target)
        for job, target in static_targets(yaml.safe_load(plain["prometheus/prometheus.yml"]))
        if job not in ("prometheus", "alertmanager", "grafana")  # the stack's own
    ]
    assert len(wanted) == 4  # the example's service targets

    files = render_files(load_stack(example_with(tmp_path, SHARDED)))
    shards = configs(files, r"prometheus/shards/shard-\d+\.yml")
    assert sorted(shards) == [f"prometheus/shards/shard-{n}.yml" for n in range(3)]
    for job_name, target in wanted:
        keeping = [
            path
            for path, config in shards.items()
            for job in config["scrape_configs"]
            if job["job_name"] == job_name and keeps(job, target)
        ]
        assert len(keeping) == 1, (job_name, target, keeping)
        assert keeping[0].endswith(f"shard-{hashmod(target, 3)}.yml")


def test_shards_split_a_fleet_evenly_and_each_keeps_only_its_own(tmp_path):
    text = MINIMAL + "prometheus:\n  shards: 3\n  rule_evaluation: federation\n"
    files = render_files(stack_from(tmp_path, text))
    jobs = [
        next(j for j in config["scrape_configs"] if j["job_name"] == "api")
        for config in configs(files, r"prometheus/shards/shard-\d+\.yml").values()
    ]
    addresses = [f"host-{n}.fleet.internal:9100" for n in range(3000)]
    counts = [sum(keeps(job, a) for a in addresses) for job in jobs]
    assert sum(counts) == len(addresses)  # every address kept once: no gap, no overlap
    assert all(900 < count < 1100 for count in counts), counts


def test_each_shard_labels_its_series_scrapes_itself_and_evaluates_no_rules(tmp_path):
    files = render_files(load_stack(example_with(tmp_path, SHARDED)))
    for shard, (_, config) in enumerate(sorted(configs(files, r".*/shard-\d+\.yml").items())):
        assert config["global"]["external_labels"]["shard"] == str(shard)
        assert config["rule_files"] == []
        assert "alerting" not in config
        own = next(j for j in config["scrape_configs"] if j["job_name"] == "prometheus")
        assert own["static_configs"] == [{"targets": [f"prometheus-shard-{shard}:9090"]}]
        assert "alertmanager" not in [j["job_name"] for j in config["scrape_configs"]]


def test_the_global_prometheus_federates_every_shard_and_evaluates_the_rules(tmp_path):
    files = render_files(load_stack(example_with(tmp_path, SHARDED)))
    config = yaml.safe_load(files["prometheus/prometheus.yml"])
    assert "shard" not in config["global"]["external_labels"]
    assert len(config["rule_files"]) == 5  # the 4 services' and meta-monitoring.yml
    assert config["alerting"]["alertmanagers"][0]["static_configs"] == [
        {"targets": ["alertmanager:9093"]}
    ]
    (federate,) = [j for j in config["scrape_configs"] if j["job_name"] == "federate"]
    assert federate["honor_labels"] is True
    assert federate["metrics_path"] == "/federate"
    assert federate["params"] == {"match[]": ['{service!=""}', '{job="prometheus"}']}
    assert federate["static_configs"] == [
        {"targets": [f"prometheus-shard-{n}:9090" for n in range(3)]}
    ]
    own = {"prometheus", "alertmanager", "grafana"}  # the stack's own, scraped where it alerts
    services = {j["job_name"] for j in config["scrape_configs"]} - own
    assert services == {"federate"}  # the shards scrape the services, not the global server


def test_with_a_ruler_there_is_no_global_server_and_lint_still_finds_the_rules(tmp_path):
    lines = (
        "  address: prometheus:9091\n  shards: 2\n  rule_evaluation: ruler\n"
        "  remote_write: [{name: mimir, url: 'http://mimir:8080/api/v1/push', tenant: aion}]\n"
    )
    files = render_files(load_stack(example_with(tmp_path, lines)))
    assert "prometheus/prometheus.yml" not in files
    shard0, shard1 = configs(files, r".*/shard-\d+\.yml").values()
    assert "alertmanager" in [j["job_name"] for j in shard0["scrape_configs"]]  # watched once
    assert "alertmanager" not in [j["job_name"] for j in shard1["scrape_configs"]]
    assert shard0["remote_write"][0]["headers"] == {"X-Scope-OrgID": "aion"}
    out = tmp_path / "out"
    write_tree(out, files)
    assert without_reminder(lint([out])) == []
    broken = out / "prometheus" / "rules" / "node-exporter.yml"
    broken.write_text(broken.read_text().replace("expr: ", "expr: sum(", 1), "utf-8")
    assert {f.check for f in without_reminder(lint([out]))} == {
        "promql/syntax"
    }  # the rules are linted


def test_one_server_with_a_ruler_writes_remote_and_loads_no_rules(tmp_path):
    text = MINIMAL + (
        "prometheus:\n  rule_evaluation: ruler\n"
        "  remote_write: [{name: thanos, url: 'http://receive:19291/api/v1/receive',"
        " store: thanos, tenant: team-a}]\n"
    )
    config = yaml.safe_load(render_files(stack_from(tmp_path, text))["prometheus/prometheus.yml"])
    assert config["rule_files"] == []
    assert "alerting" not in config
    assert config["remote_write"][0]["headers"] == {"THANOS-TENANT": "team-a"}


REMOTE_WRITE = """\
prometheus:
  remote_write:
    - name: mimir
      url: https://mimir.example.com/api/v1/push
      tenant: "aion: prod"
      basic_auth_username: aion
      basic_auth_password_file: /etc/prometheus/secrets/mimir-password
      remote_timeout: 30s
      queue: {max_shards: 50, capacity: 10000, batch_send_deadline: 5s}
      write_relabel:
        - {action: drop, source_labels: [__name__], regex: "go_.*|process_.*"}
        - {action: labeldrop, regex: pod_template_hash}
    - name: cortex
      url: https://cortex.example.com/api/v1/push
      store: cortex
      bearer_token_file: /etc/prometheus/secrets/cortex-token
"""


def test_remote_write_carries_tenant_auth_files_queue_and_relabelling(tmp_path):
    config = yaml.safe_load(
        render_files(stack_from(tmp_path, MINIMAL + REMOTE_WRITE))["prometheus/prometheus.yml"]
    )
    mimir, cortex = config["remote_write"]
    assert mimir == {
        "name": "mimir",
        "url": "https://mimir.example.com/api/v1/push",
        "remote_timeout": "30s",
        "headers": {"X-Scope-OrgID": "aion: prod"},
        "basic_auth": {
            "username": "aion",
            "password_file": "/etc/prometheus/secrets/mimir-password",
        },
        "queue_config": {"capacity": 10000, "max_shards": 50, "batch_send_deadline": "5s"},
        "write_relabel_configs": [
            {"action": "drop", "source_labels": ["__name__"], "regex": "go_.*|process_.*"},
            {"action": "labeldrop", "regex": "pod_template_hash"},
        ],
    }
    assert cortex == {
        "name": "cortex",
        "url": "https://cortex.example.com/api/v1/push",
        "authorization": {"credentials_file": "/etc/prometheus/secrets/cortex-token"},
    }


@pytest.mark.tools
def test_promtool_accepts_every_config_of_a_sharded_stack_with_remote_write(tmp_path):
    lines = SHARDED + REMOTE_WRITE.removeprefix("prometheus:\n")
    out = tmp_path / "out"
    write_tree(out, render_files(load_stack(example_with(tmp_path, lines))))
    paths = [out / "prometheus/prometheus.yml", *sorted(out.glob("prometheus/shards/*.yml"))]
    assert len(paths) == 4
    result = run_tool("promtool", "check", "config", *map(str, paths))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("  shards: 2\n", "set rule_evaluation to federation"),
        ("  rule_evaluation: ruler\n", "rule_evaluation ruler needs remote_write"),
        ("  shards: 20\n  rule_evaluation: federation\n  shard_address: 'p:909{shard}'\n",
         "not a host:port address"),
        ("  shard_address: 'p-shard:9090'\n", "needs `{shard}` once"),
        ("  remote_write: [{name: a, url: 'http://u:1@m/x'}]\n", "`http://u:***@m/x` has a user"),
        ("  remote_write: [{name: a, url: 'http://m/x', basic_auth_username: u}]\n",
         "basic_auth_password_file together"),
        ("  remote_write: [{name: a, url: 'http://m/x', write_relabel: [{action: hashmod,"
         " source_labels: [a], target_label: b}]}]\n", "`modulus` goes with action hashmod"),
        ("  remote_write: [{name: a, url: 'http://m/x', write_relabel: [{regex: '(x'}]}]\n",
         "does not compile"),
    ],
)  # fmt: skip
def test_sharding_and_remote_write_mistakes_are_spec_errors_at_their_line(tmp_path, lines, message):
    spec = example_with(tmp_path, "  address: prometheus:9091\n" + lines)
    with pytest.raises(SpecErrors) as caught:
        load_stack(spec)
    (error,) = caught.value.errors
    assert message in str(error)
    assert re.match(rf"{re.escape(str(spec / 'stack.yml'))}:1[2-9]:\d+: prometheus", str(error))
