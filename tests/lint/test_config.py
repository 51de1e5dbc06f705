"""Lint settings: a `.stackgen-lint.yml` file, `--config FILE`, or the spec's `lint:` section
disable checks, change severities and set the required labels and annotations; bad settings
are FILE:LINE:COL errors, exit 2."""

import textwrap

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.lint import lint
from stackgen.spec.model import LintConfig
from tests.helpers import MINIMAL, write

RULE = {
    "alert": "api_down",
    "expr": 'up{job="api"} == 0',
    "for": "5m",
    "labels": {"severity": "page", "team": "web"},
    "annotations": {"summary": "s", "description": "d"},
}


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [RULE]}]}))
    return path


def checks(rules, config=None) -> list[tuple[str, str]]:
    return sorted((f.check, f.severity) for f in lint([rules], config=config))


def test_the_defaults(rules):
    assert checks(rules) == [
        ("alert/name", "warning"),
        ("annotations/required", "info"),
        ("labels/required", "warning"),  # severity `page`
    ]


def test_disable_and_severity(rules):
    config = LintConfig(disable=["alert/name"], severity={"labels/required": "error"})
    assert checks(rules, config) == [("annotations/required", "info"), ("labels/required", "error")]


def test_required_labels_and_annotations_are_the_teams(rules):
    config = LintConfig(
        required_labels={"severity": ["page", "ticket"], "owner": []},
        required_annotations=["summary"],
    )
    found = lint([rules], config=config)
    assert [(f.check, f.message) for f in found if f.check != "alert/name"] == [
        ("labels/required", "the alert has no `owner` label, which routing relies on")
    ]


def run_lint(tmp_path, *args):
    return CliRunner().invoke(app, ["lint", *args], catch_exceptions=False)


def test_a_config_file_in_the_current_folder_is_read(rules, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".stackgen-lint.yml", "severity: {alert/name: error}\n")
    result = run_lint(tmp_path, str(rules))
    assert result.exit_code == 1 and "error   alert/name" in result.stdout


def test_the_specs_lint_section_is_read(rules, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path, "specs/stack.yml", MINIMAL + "lint:\n  disable: [alert/name, labels/required]\n"
    )
    result = run_lint(tmp_path, str(rules), "--fail-on", "warning")
    assert result.exit_code == 0, result.stdout
    assert "alert/name" not in result.stdout


def test_bad_settings_are_located_errors_and_exit_2(rules, tmp_path):
    config = write(tmp_path, "lint.yml", textwrap.dedent("""\
        disable: [promql/sintax]
        severity: {alert/name: fatal}
        colour: yes
        """))  # fmt: skip
    result = run_lint(tmp_path, str(rules), "--config", str(config))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{config}:1:") and "promql/sintax" in line for line in lines)
    assert any(line.startswith(f"{config}:2:") and "fatal" in line for line in lines)
    assert any(line.startswith(f"{config}:3:") and "colour" in line for line in lines)
    assert "Traceback" not in result.output


def test_the_specs_lint_section_names_only_checks_or_the_spec_is_refused(tmp_path):
    text = MINIMAL + "lint:\n  disable: [promql/sintax]\n  severity: {x/y: fatal}\n"
    spec = write(tmp_path, "spec.yml", text)
    result = CliRunner().invoke(app, ["validate", str(spec)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{spec}:17:13: lint.disable[0]: `promql/sintax` is not a check; "
        "`stackgen lint --list` names them all",
        f"{spec}:18:14: lint.severity.x/y: `x/y` is not a check; "
        "`stackgen lint --list` names them all",
        f"{spec}:18:19: lint.severity.x/y: Input should be 'error', 'warning' or 'info' "
        "(got str 'fatal')",
        f"3 errors in {spec}",
    ]


DIALECT_RULES = textwrap.dedent("""\
    groups:
    - name: g
      rules:
      - record: job:a:sorted
        expr: sort_by_label(up, "job")
      - record: job:a:smoothed
        expr: holt_winters(up[5m], 0.5, 0.5)
    """)  # fmt: skip


def syntax_lines(result) -> list[int]:
    return [
        int(line.split(":")[0]) for line in result.stdout.split("\n") if "promql/syntax" in line
    ]


def test_the_prometheus_version_picks_the_promql_dialect(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rules = write(tmp_path, "rules.yml", DIALECT_RULES)
    # 2.42 (the default): sort_by_label is newer; holt_winters is 2.42's own
    assert syntax_lines(run_lint(tmp_path, str(rules))) == [5]
    assert syntax_lines(run_lint(tmp_path, str(rules), "--prometheus-version", "2.42.0")) == [5]
    # 3.x: sort_by_label exists; holt_winters is now double_exponential_smoothing
    result = run_lint(tmp_path, str(rules), "--prometheus-version", "3.5.0")
    assert syntax_lines(result) == [7] and "double_exponential_smoothing" in result.stdout


def test_the_specs_prometheus_version_is_the_default_and_the_option_overrides_it(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    rules = write(tmp_path, "rules.yml", DIALECT_RULES)
    write(tmp_path, "specs/stack.yml", MINIMAL + "prometheus:\n  version: '2.42'\n")
    assert syntax_lines(run_lint(tmp_path, str(rules))) == [5]
    assert syntax_lines(run_lint(tmp_path, str(rules), "--prometheus-version", "3")) == [7]


def test_a_prometheus_version_stackgen_does_not_know_is_bad_input(rules, tmp_path):
    result = run_lint(tmp_path, str(rules), "--prometheus-version", "2.30")
    assert result.exit_code == 2
    assert "--prometheus-version" in result.stderr and "2.42 or 3.x" in result.stderr
    assert result.stdout == ""


def counter_findings(path, config=None) -> list[tuple[int, str]]:
    counter_checks = ("promql/counter-raw", "promql/rate-counter")
    return [(f.line, f.check) for f in lint([path], config=config) if f.check in counter_checks]


def test_metric_type_hints_come_before_any_other_evidence(tmp_path):
    path = write(tmp_path, "rules.yml", textwrap.dedent("""\
        groups:
        - name: g
          rules:
          - record: job:ceph_pgs:max
            expr: max by (job) (ceph_pg_total) > 100
          - record: job:app_queue:rate5m
            expr: rate(app_queue_size_total[5m])
          - record: job:app_errors:raw
            expr: app_errors_total > 0
        """))  # fmt: skip
    # the evidence alone: ceph_pg_total is a gauge (the table), the other two `_total` counters
    assert counter_findings(path) == [(9, "promql/counter-raw")]
    hints = LintConfig(
        metric_types={"ceph_pg_total": "counter", "app_.*_size_total": "gauge", "app_.*": "counter"}
    )
    # the team's word: ceph_pg_total is a counter read raw; app_queue_size_total a gauge
    # (the first pattern that matches wins) rated; app_errors_total still a counter
    assert counter_findings(path, hints) == [
        (5, "promql/counter-raw"),
        (7, "promql/rate-counter"),
        (9, "promql/counter-raw"),
    ]


def test_a_metric_type_pattern_that_is_no_regex_is_a_located_error(rules, tmp_path):
    config = write(tmp_path, "lint.yml", "metric_types:\n  good_total: counter\n  'bad[': gauge\n")
    result = run_lint(tmp_path, str(rules), "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{config}:3:3: metric_types.bad[: not a regex")


POLICY_RULES = textwrap.dedent("""\
    groups:
    - name: g
      rules:
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total{job="api"}[5m]))
      - record: job:http_errors:rate5m
        expr: sum by (instance) (rate(http_errors_total[5m]))
      - record: instance:node_cpu:top
        expr: topk(3, rate(node_cpu_seconds_total[5m]))
      - record: instance:node_load:max
        expr: max without (job) (node_load1)
    """)  # fmt: skip


def policy_findings(path, config) -> list[tuple[int, str, str]]:
    return [
        (f.line, f.check, f.message)
        for f in lint([path], config=config)
        if f.check.endswith("-policy")
    ]


def test_no_policy_no_policy_finding(tmp_path):
    path = write(tmp_path, "rules.yml", POLICY_RULES)
    assert policy_findings(path, None) == []


def test_selectors_of_the_policys_metrics_must_match_on_its_labels(tmp_path):
    path = write(tmp_path, "rules.yml", POLICY_RULES)
    config = LintConfig(selector_policies=[{"metrics": "http_.*", "required_labels": ["job"]}])
    assert policy_findings(path, config) == [
        (7, "promql/selector-policy",
         "`http_errors_total` is selected without `job`, which the policy requires"),
    ]  # fmt: skip


def test_aggregations_keep_and_drop_what_the_policy_for_the_rule_says(tmp_path):
    path = write(tmp_path, "rules.yml", POLICY_RULES)
    config = LintConfig(
        aggregation_policies=[
            {"rules": "job:.*", "keep": ["job"], "drop": ["instance"]},
            {"rules": "instance:.*", "keep": ["job"]},
        ]
    )
    assert policy_findings(path, config) == [
        (7, "promql/aggregation-policy",
         "`sum` keeps `instance`, which the policy for `job:.*` says to drop"),
        (7, "promql/aggregation-policy",
         "`sum` removes `job`, which the policy for `job:.*` says to keep"),
        # topk returns its input series whole: left alone
        (11, "promql/aggregation-policy",
         "`max` removes `job`, which the policy for `instance:.*` says to keep"),
    ]  # fmt: skip


def test_a_policy_that_says_nothing_is_a_located_error(rules, tmp_path):
    config = write(tmp_path, "lint.yml", "aggregation_policies:\n- rules: 'job:.*'\n")
    result = run_lint(tmp_path, str(rules), "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{config}:2:3: aggregation_policies[0]")
    assert "needs `keep` or `drop` labels" in result.stderr
