"""Environment overlays: SPEC/env/NAME.yaml changes the base spec for one environment, and
every error points at the file and line that wrote the value."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.spec import SpecErrors, load_stack
from tests.helpers import SPECS, render_files, write

BASE = """\
stack: {name: demo, runbooks_url: "https://runbooks.example.com"}
services:
  - name: api
    team: web
    kind: http
    targets: {static: ["api:8080"]}
  - name: db
    team: data
    kind: http
    targets: {static: ["db:9187"]}
    alerts:
      HighHTTPErrorRate: {threshold: 0.1}
channels:
  - {name: ops, type: webhook, url: "http://hooks.internal/ops"}
  - {name: dev, type: webhook, url: "http://hooks.internal/dev"}
routing: {default_channel: ops}
"""


def spec_with(tmp_path: Path, overlay: str, base: str = BASE) -> Path:
    write(tmp_path / "spec", "stack.yml", base)
    write(tmp_path / "spec", "env/test.yaml", overlay)
    return tmp_path / "spec"


def errors_of(spec: Path, env: str = "test") -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_stack(spec, env)
    return [str(error) for error in caught.value.errors]


def leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def parsed(path: str, data: bytes):
    if path.endswith(".json"):
        return json.loads(data)
    if path.endswith(".yml"):
        return yaml.safe_load(data)
    return data.decode().splitlines()


def changed_leaves(base: dict[str, bytes], other: dict[str, bytes]) -> set[tuple]:
    """(file, leaf path) of every value that differs; the routing matrix's alert numbers
    collapsed to `*` (every alert carries the external labels)."""
    assert base.keys() == other.keys()
    changed = set()
    for path in base:
        before, after = (
            dict(leaves(parsed(path, base[path]))),
            dict(leaves(parsed(path, other[path]))),
        )
        for leaf in before.keys() | after.keys():
            if before.get(leaf) != after.get(leaf):
                if path.endswith("routing.yml"):
                    leaf = (leaf[0], "*", *leaf[2:])
                changed.add((path, leaf))
    return changed


def test_staging_changes_exactly_what_its_overlay_says():
    base = render_files(load_stack(SPECS))
    staging = render_files(load_stack(SPECS, "staging"))
    changed = changed_leaves(base, staging)
    changed.discard((".stackgen-manifest.json", ()))
    assert changed == {
        # stack.environment and external_labels.cluster: on every series and alert
        ("prometheus/prometheus.yml", ("global", "external_labels", "environment")),
        ("prometheus/prometheus.yml", ("global", "external_labels", "cluster")),
        ("alertmanager/tests/routing.yml", ("alerts", "*", "labels", "environment")),
        ("alertmanager/tests/routing.yml", ("alerts", "*", "labels", "cluster")),
        ("alertmanager/tests/routing.yml", ("expected", "*", "labels", "environment")),
        ("alertmanager/tests/routing.yml", ("expected", "*", "labels", "cluster")),
        # aion-web-api's targets (after the jobs of Prometheus, Alertmanager and Grafana)
        ("prometheus/prometheus.yml", ("scrape_configs", 6, "static_configs", 0, "targets", 0)),
        # HighAPILatency's threshold: the rule, its text, the panels drawn at it, the runbook
        ("prometheus/rules/aion-web-api.yml", ("groups", 3, "rules", 3, "expr")),
        ("prometheus/rules/aion-web-api.yml", ("groups", 3, "rules", 3, "annotations", "description")),
        # (the web API is a `custom` service: the overview draws no API latency)
        ("grafana/dashboards/platform/aion-web-api.json",
         ("panels", 3, "fieldConfig", "defaults", "thresholds", "steps", 1, "value")),
        ("runbooks/HighAPILatency.md", (9,)),
        # and its proof: the levels around the new threshold, the annotations at them
        ("prometheus/tests/aion-web-api.step-1m.yml", ("tests", 9, "input_series", 0, "values")),
        ("prometheus/tests/aion-web-api.step-1m.yml", ("tests", 10, "input_series", 0, "values")),
        ("prometheus/tests/aion-web-api.step-1m.yml",
         ("tests", 9, "alert_rule_test", 1, "exp_alerts", 0, "exp_annotations", "summary")),
        ("prometheus/tests/aion-web-api.step-1m.yml",
         ("tests", 9, "alert_rule_test", 1, "exp_alerts", 0, "exp_annotations", "description")),
        # the slack-critical channel
        ("alertmanager/alertmanager.yml", ("receivers", 2, "slack_configs", 0, "channel")),
    }  # fmt: skip


def test_the_base_spec_leaves_its_env_folder_alone(tmp_path):
    spec = spec_with(tmp_path, "services: not a list\n")
    assert [s.name for s in load_stack(spec).services] == ["api", "db"]


def test_an_overlay_merges_named_items_adds_new_ones_and_removes_on_request(tmp_path):
    overlay = """\
services:
  - {name: api, remove: true}
  - name: db
    targets: {static: ["db-staging:9187"]}
  - name: cache
    team: data
    kind: node
    targets: {static: ["cache:9100"]}
"""
    stack = load_stack(spec_with(tmp_path, overlay), "test")
    assert [s.name for s in stack.services] == ["db", "cache"]
    db = stack.services[0]
    assert db.targets.static == ["db-staging:9187"]
    assert db.team == "data" and db.alert_overrides["HighHTTPErrorRate"].threshold == 0.1


def test_removing_an_item_the_base_lacks_is_an_error_at_the_overlay_line(tmp_path):
    spec = spec_with(tmp_path, "channels:\n  - {name: dve, remove: true}\n")
    (error,) = errors_of(spec)
    assert error.startswith(f"{spec / 'env' / 'test.yaml'}:2:")
    assert "cannot remove 'dve': the base has no such item (it has dev, ops)" in error


def test_null_drops_a_key_back_to_its_default_and_scalars_replace(tmp_path):
    stack = load_stack(
        spec_with(tmp_path, "stack: {runbooks_url: null, environment: qa}\n"), "test"
    )
    assert stack.stack.runbooks_url is None
    assert (stack.stack.name, stack.stack.environment) == ("demo", "qa")


def test_an_error_in_a_value_the_overlay_set_points_into_the_overlay(tmp_path):
    overlay = "services:\n  - name: db\n    targets: {static: [no-port]}\n"
    spec = spec_with(tmp_path, overlay)
    (error,) = errors_of(spec)
    assert error.startswith(f"{spec / 'env' / 'test.yaml'}:3:")
    assert "services[db].targets.static[0]" in error


def test_an_error_the_overlay_causes_in_a_base_value_points_into_the_base(tmp_path):
    # api is removed, so db moves up; turning db into a node service makes its base-written
    # HighHTTPErrorRate override unknown: the error names db's base line, not a stale one.
    overlay = "services:\n  - {name: api, remove: true}\n  - {name: db, kind: node}\n"
    spec = spec_with(tmp_path, overlay)
    errors = errors_of(spec)
    assert any(
        e.startswith(f"{spec / 'stack.yml'}:12:") and "services[db].alerts.HighHTTPErrorRate" in e
        for e in errors
    ), errors


def test_an_unknown_environment_names_the_known_ones(tmp_path):
    spec = spec_with(tmp_path, "stack: {environment: test}\n")
    (error,) = errors_of(spec, "prod")
    assert "no overlay for environment 'prod' (environments: test)" in error


def test_render_with_env_writes_its_own_tree_under_out_env(tmp_path, monkeypatch):
    spec = tmp_path / "specs"
    shutil.copytree(SPECS, spec)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["render", "specs", "--env", "staging", "--no-tools"])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load(Path("out/env/staging/prometheus/prometheus.yml").read_text())
    assert config["global"]["external_labels"]["environment"] == "staging"
    assert not Path("out/prometheus").exists()
    check = runner.invoke(app, ["render", "specs", "--env", "staging", "--check"])
    assert check.exit_code == 0, check.output
    assert runner.invoke(app, ["validate", "specs", "-e", "staging"]).exit_code == 0
    broken = runner.invoke(app, ["validate", "specs", "-e", "nowhere"])
    assert broken.exit_code == 2
    assert re.search(r"environments: staging\)", broken.output)
