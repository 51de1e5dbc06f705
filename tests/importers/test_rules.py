"""`stackgen import rules`: existing rule files become the spec's rule groups, and rendering the
imported spec gives the same groups and rules (parsed YAML; expressions after PromQL
normalisation), on every corpus file promtool accepts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.importers.rule_spec import import_rule_files, spec_text
from stackgen.importers.rules import RulesImportFailed
from stackgen.plan.imported import LEGACY_FILE
from stackgen.prometheus.promql import parse
from stackgen.spec import load_stack
from tests.helpers import SHARED, SPECS, render_files, run_tool, write

RULES = SHARED / "corpus" / "rules"
SLOTH_GEN = SHARED / "corpus" / "slo" / "sloth" / "_gen"
# The corpus files `promtool check rules` rejects (tests/lint/test_corpus.py, and the tools
# test below, hold them to promtool's verdict).
REJECTED = {"contrib-slo-plugins.yml", "victoria-metrics.yml"}
CORPUS = sorted(
    p for folder in (RULES, SLOTH_GEN) for p in folder.rglob("*") if p.suffix in (".yml", ".yaml")
)
ACCEPTED = [p for p in CORPUS if p.name not in REJECTED]


def original_groups(path: Path) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for document in yaml.safe_load_all(path.read_text()):
        if isinstance(document, dict) and document.get("kind") == "PrometheusRule":
            groups += document["spec"]["groups"]
        elif isinstance(document, dict):
            groups += document["groups"]
    return groups


def normalised(group: dict[str, Any]) -> dict[str, Any]:
    """A group as Prometheus reads it: expressions by their syntax, label values as text, and
    `rules:` left empty as no rules."""
    rules = []
    for rule in group.get("rules") or []:
        rule = {**rule, "expr": parse(str(rule["expr"])).prettify()}
        for key in ("labels", "annotations"):
            if key in rule:
                rule[key] = {k: str(v) for k, v in rule[key].items()}
        rules.append(rule)
    return {**group, "rules": rules}


def rendered_groups(files: dict[str, bytes], path: str) -> list[dict[str, Any]]:
    return yaml.safe_load(files[path])["groups"]


def imported_spec(tmp_path: Path, *sources: Path, spec: Path | None = None) -> Path:
    files = [(str(p), p.read_text()) for p in sources]
    stack = load_stack(spec) if spec is not None else None
    data, notes = import_rule_files(files, stack)
    text = spec_text(data, [n for n, _ in files], notes, str(spec) if spec else None)
    return write(tmp_path, "imported.yml", text)


@pytest.mark.corpus
@pytest.mark.parametrize("source", ACCEPTED, ids=lambda p: str(p.relative_to(SHARED)))
def test_rendering_an_imported_file_gives_its_rules_back(tmp_path, source):
    files = render_files(load_stack(imported_spec(tmp_path, source)))
    expected = [normalised(g) for g in original_groups(source)]
    assert [normalised(g) for g in rendered_groups(files, LEGACY_FILE)] == expected
    config = yaml.safe_load(files["prometheus/prometheus.yml"])
    assert "rules/legacy.yml" in config["rule_files"]


@pytest.mark.corpus
def test_the_corpus_is_all_there():
    """120 files of rules/ and Sloth's 16 accepted outputs: 1,576 rules between them."""
    assert len(ACCEPTED) == 136 and len(CORPUS) - len(ACCEPTED) == 2
    rules = sum(len(g.get("rules") or []) for p in ACCEPTED for g in original_groups(p))
    assert rules == 1576


@pytest.mark.corpus
def test_the_spec_keeps_expressions_and_texts_as_written(tmp_path):
    source = RULES / "kube-prometheus" / "alertmanager-prometheusRule.yaml"
    spec = yaml.safe_load(imported_spec(tmp_path, source).read_text())
    written = spec["rule_groups"][0]["rules"][0]
    original = original_groups(source)[0]["rules"][0]
    assert written == original and written["expr"].startswith("# Without max_over_time")
    text = (tmp_path / "imported.yml").read_text()
    assert "    expr: |\n      # Without max_over_time" in text  # a literal block, readable


ATTACHED = """\
groups:
  - name: api-extra
    interval: 30s
    limit: 10
    rules:
      - record: api:requests:rate5m
        expr: sum(rate(http_requests_total[5m]))
      - alert: ApiSlow
        expr: api:latency:p95 > 1
        for: 5m
        labels: {service: api, team: web, severity: warning}
        annotations: {summary: "slow {{ $labels.instance }}"}
  - name: mixed
    rules:
      - alert: A
        expr: up == 0
        labels: {service: api}
      - alert: B
        expr: up == 0
        labels: {service: db}
  - name: nobody
    rules:
      - alert: C
        expr: up{job="api"} == 0
"""


def test_a_group_goes_to_the_service_its_labels_name(tmp_path):
    source = write(tmp_path, "rules/old.yml", ATTACHED)
    spec = yaml.safe_load(imported_spec(tmp_path, source).read_text())
    (service,) = spec["services"]
    assert (service["name"], service["team"], service["kind"]) == ("api", "web", "custom")
    assert [g["name"] for g in service["rule_groups"]] == ["api-extra"]
    assert [g["name"] for g in spec["rule_groups"]] == ["mixed", "nobody"]
    files = render_files(load_stack(tmp_path / "imported.yml"))
    groups = rendered_groups(files, "prometheus/rules/api.yml")
    assert [g["name"] for g in groups] == ["api.alerts", "api-extra"]  # after the generated
    assert [normalised(g) for g in groups[1:]] == [normalised(original_groups(source)[0])]
    assert [g["name"] for g in rendered_groups(files, LEGACY_FILE)] == ["mixed", "nobody"]
    notes = (tmp_path / "imported.yml").read_text()
    assert "group `mixed` names services api, db: kept in `legacy`" in notes


def _example_spec(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs, ignore=shutil.ignore_patterns("env"))
    return specs


def test_with_a_spec_job_matchers_attach_and_the_output_drops_into_its_folder(tmp_path):
    specs = _example_spec(tmp_path)
    service = load_stack(specs).services[0].name
    source = write(
        tmp_path,
        "old.yml",
        f"""\
        groups:
          - name: {service}.alerts
            rules:
              - alert: Flapping
                expr: changes(up{{job="{service}"}}[1h]) > 5
          - name: elsewhere
            rules:
              - alert: Other
                expr: up{{job="not-a-service"}} == 0
        """,
    )
    result = CliRunner().invoke(
        app,
        ["import", "rules", str(source), "--spec", str(specs), "-o", str(specs / "old.yml")],
    )
    assert result.exit_code == 0, result.output
    fragment = yaml.safe_load((specs / "old.yml").read_text())
    assert list(fragment) == ["rule_groups"]
    attached, legacy = fragment["rule_groups"]
    # the name stackgen generates for the service is taken: the group gets a number
    assert (attached["name"], attached["service"]) == (f"{service}.alerts-2", service)
    assert "service" not in legacy
    files = render_files(load_stack(specs))
    names = [g["name"] for g in rendered_groups(files, f"prometheus/rules/{service}.yml")]
    assert names[-2:] == [f"{service}.alerts", f"{service}.alerts-2"]
    assert [g["name"] for g in rendered_groups(files, LEGACY_FILE)] == ["elsewhere"]


MULTI = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: one}
spec:
  groups:
    - name: first
      rules:
        - {record: "job:up:sum", expr: sum by (job) (up)}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: two}
spec:
  groups:
    - name: second
      rules:
        - {alert: Down, expr: "job:up:sum == 0", for: 1m}
    - name: first-again
      rules: []
---
namespace: mimir-tenant
groups:
  - name: first
    rules:
      - {alert: Third, expr: vector(1), keep_firing_for: 5m}
"""


def test_multi_document_prometheus_rule_files_keep_their_order(tmp_path):
    source = write(tmp_path, "multi.yaml", MULTI)
    spec_file = imported_spec(tmp_path, source)
    groups = rendered_groups(render_files(load_stack(spec_file)), LEGACY_FILE)
    assert [g["name"] for g in groups] == ["first", "second", "first-again", "first-2"]
    assert groups[2]["rules"] == [] and groups[3]["rules"][0]["keep_firing_for"] == "5m"
    assert [normalised(g) for g in groups[:3]] == [
        normalised(g) for g in original_groups(source)[:3]
    ]
    assert "group `first` renamed `first-2`" in spec_file.read_text()


def test_what_a_rule_file_holds_beside_its_groups_is_noted_at_its_line(tmp_path):
    """PrometheusRule metadata and a Mimir namespace are not carried over: each is named, at
    the line it was written, in the spec's header."""
    source = write(tmp_path, "multi.yaml", MULTI)
    text = imported_spec(tmp_path, source).read_text()
    notes = [line for line in text.splitlines() if line.startswith("# NOTE")]
    assert notes[:3] == [
        f"# NOTE {source}:3: the PrometheusRule's `metadata` not imported (stackgen names, "
        "places and labels the objects it writes: output.kubernetes)",
        f"# NOTE {source}:12: the PrometheusRule's `metadata` not imported (stackgen names, "
        "places and labels the objects it writes: output.kubernetes)",
        f"# NOTE {source}:21: Mimir namespace `mimir-tenant` not imported (the mimir target "
        "names namespaces by team or service: output.mimir.namespace_by)",
    ]


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "where", "says"),
    [
        ("contrib-slo-plugins.yml", "labels.plug-l1", "not a label name"),
        ("victoria-metrics.yml", ".expr", "histogram_share"),
    ],
)
def test_files_promtool_rejects_give_located_errors_and_exit_2(tmp_path, name, where, says):
    result = CliRunner().invoke(app, ["import", "rules", str(SLOTH_GEN / name)])
    assert result.exit_code == 2 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(SLOTH_GEN))]
    assert errors and any(where in e and says in e for e in errors), result.stderr
    for error in errors:
        _, line, column, *_ = error.split(":")
        assert int(line) > 1 and int(column) >= 1
    assert "no spec written" in result.stderr


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("groups:\n  - name: g\n    rules:\n      - expr: up\n", "`alert`"),
        ("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n        for: 5m\n",
         "unknown key `for`"),
        ("groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n", "defined twice"),
        ("groups:\n  - name: g\n    interval: 0s\n    rules: []\n", "longer than zero"),
        ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
         "        annotations: {a: '{{ nope }}'}\n", "nope"),
        ("scrape_configs: []\n", "not a rule file"),
        ("groups: [\n", "YAML"),
    ],
)  # fmt: skip
def test_broken_rules_are_refused_where_they_are(tmp_path, text, says):
    source = write(tmp_path, "bad.yml", text)
    with pytest.raises(RulesImportFailed) as failed:
        import_rule_files([(str(source), source.read_text())], None)
    assert any(says in str(e) for e in failed.value.errors), failed.value
    assert all(str(e).startswith(f"{source}:") for e in failed.value.errors)


def test_unreadable_files_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["import", "rules", str(tmp_path / "nope.yml")])
    assert result.exit_code == 2 and "cannot read" in result.stderr


@pytest.mark.corpus
def test_render_reports_the_imported_rules_findings_and_goes_on(tmp_path):
    """kube-prometheus's Alertmanager rules read `$labels.job` where their query dropped it:
    a lint finding on the user's rules, so a warning, not a stackgen bug."""
    source = RULES / "kube-prometheus" / "alertmanager-prometheusRule.yaml"
    spec = imported_spec(tmp_path, source)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(spec), "-o", str(out), "--no-tools"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("lint: ")]
    assert any(f"{out / LEGACY_FILE}:" in w and "dropped-label" in w for w in warnings)


@pytest.mark.corpus
@pytest.mark.tools
def test_import_refuses_exactly_the_files_promtool_rejects(tmp_path):
    refused, rejected = set(), set()
    for source in CORPUS:
        plain = write(tmp_path, f"{len(refused | rejected)}-{source.name}", "")
        plain.write_text(yaml.safe_dump({"groups": original_groups(source)}, sort_keys=False))
        if run_tool("promtool", "check", "rules", str(plain)).returncode != 0:
            rejected.add(source.name)
        try:
            import_rule_files([(str(source), source.read_text())], None)
        except RulesImportFailed:
            refused.add(source.name)
    assert refused == rejected == REJECTED


@pytest.mark.corpus
@pytest.mark.tools
def test_imported_corpus_renders_through_promtool(tmp_path):
    """All of awesome-prometheus-alerts and kube-prometheus in one spec: renamed where group
    names repeat across files, and accepted by promtool on render."""
    sources = [p for p in ACCEPTED if p.is_relative_to(RULES)]
    spec = imported_spec(tmp_path, *sources)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.output[-2000:]
    assert "not checked with promtool" not in result.stderr
    groups = yaml.safe_load((out / LEGACY_FILE).read_text())["groups"]
    assert sum(len(g.get("rules") or []) for g in groups) == sum(
        len(g.get("rules") or []) for p in sources for g in original_groups(p)
    )
