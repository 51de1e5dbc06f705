"""Each check trips on a rule made to trip it, and stays quiet on a near-identical good rule."""

import textwrap

import pytest

from stackgen.lint import CHECKS, Settings, lint, lint_file

GOOD_ALERT = {
    "alert": "HighErrorRate",
    "expr": 'job:errors:ratio_rate5m{job="api"} > 0.05',
    "for": "5m",
    "labels": {"severity": "critical"},
    "annotations": {"summary": "s", "description": "d", "runbook_url": "https://r"},
}
GOOD_RECORD = {"record": "job:errors:ratio_rate5m", "expr": "sum by (job) (rate(errors_total[5m]))"}


def findings(tmp_path, *rules: dict) -> list[str]:
    import yaml

    path = tmp_path / "rules.yml"
    path.write_text(
        yaml.safe_dump({"groups": [{"name": "g", "rules": list(rules)}]}, sort_keys=False)
    )
    return [f.check for f in lint_file(path)]


def test_good_rules_have_no_findings(tmp_path):
    assert findings(tmp_path, GOOD_ALERT, GOOD_RECORD) == []


@pytest.mark.parametrize(
    ("check", "bad"),
    [
        ("promql/syntax", {**GOOD_ALERT, "expr": "rate(errors_total[5m] > 1"}),
        (
            "promql/syntax",
            {**GOOD_ALERT, "expr": 'sort_by_label(up, "job") > 0'},
        ),  # newer than 2.42
        ("rule/structure", {**GOOD_RECORD, "alert": "Both"}),
        ("rule/structure", {**GOOD_RECORD, "for": "5m"}),
        ("alert/comparison", {**GOOD_ALERT, "expr": 'job:errors:ratio_rate5m{job="api"}'}),
        ("alert/absent-for", {**GOOD_ALERT, "expr": 'absent(up{job="api"})', "for": None}),
        ("alert/name", {**GOOD_ALERT, "alert": "high_error_rate"}),
        ("record/name", {**GOOD_RECORD, "record": "errors_ratio"}),
        ("labels/required", {**GOOD_ALERT, "labels": {}}),
        ("labels/required", {**GOOD_ALERT, "labels": {"severity": "page"}}),
        ("annotations/required", {**GOOD_ALERT, "annotations": {"summary": "s"}}),
        ("labels/name", {**GOOD_ALERT, "labels": {"severity": "warning", "plug-l1": "x"}}),
        ("labels/value", {**GOOD_ALERT, "labels": {"severity": "warning", "v": "{{ $value }}"}}),
        (
            "annotations/template",
            {
                **GOOD_ALERT,
                "annotations": {**GOOD_ALERT["annotations"], "summary": "{{ $labels.job"},
            },
        ),
        ("promql/regex", {**GOOD_ALERT, "expr": 'errors{job=~"api"} > 1'}),
        ("promql/rate-range", {**GOOD_RECORD, "expr": "sum(rate(errors_total[2m]))"}),
        ("promql/rate-range", {**GOOD_RECORD, "expr": "sum(rate(errors_total[2m:30s]))"}),
        ("promql/rate-counter", {**GOOD_RECORD, "expr": "sum(rate(memory_usage_bytes[5m]))"}),
        (
            "promql/rate-counter",
            {**GOOD_RECORD, "expr": "rate(sum(errors_total)[10m:1m])"},
        ),
        ("promql/counter-raw", {**GOOD_ALERT, "expr": "errors_total > 100"}),
        ("promql/counter-raw", {**GOOD_RECORD, "expr": "sum by (job) (errors_total)"}),
        (
            "annotations/dropped-label",
            {
                **GOOD_ALERT,
                "expr": "sum by (job) (rate(errors_total[5m])) > 1",
                "annotations": {**GOOD_ALERT["annotations"], "summary": "{{ $labels.instance }}"},
            },
        ),
        (
            "annotations/dropped-label",
            {
                **GOOD_ALERT,
                "expr": "sum by (job) (rate(errors_total[5m])) > 1",
                "annotations": {**GOOD_ALERT["annotations"], "summary": "{{ $labels.severity }}"},
            },
        ),  # a rule label: templates see only the query's labels
    ],
)
def test_each_check_trips_on_its_bad_rule(tmp_path, check, bad):
    bad = {k: v for k, v in bad.items() if v is not None}
    assert check in findings(tmp_path, bad)


def test_comparison_text_inside_a_string_is_not_a_comparison(tmp_path):
    rule = {**GOOD_ALERT, "expr": 'sum(rate(errors{path=">"}[5m]))'}
    assert "alert/comparison" in findings(tmp_path, rule)


@pytest.mark.parametrize(
    ("check", "bad"),
    [
        ("alert/comparison", {**GOOD_ALERT, "expr": "rate(errors_total[5m])"}),
        (
            "alert/absent-for",
            {**GOOD_ALERT, "expr": 'absent(up{job="a"}) or absent(up{job="b"})', "for": None},
        ),
        (
            "alert/absent-for",
            {**GOOD_ALERT, "expr": 'absent(up{job="api"}) and on () hour() > 8', "for": "0m"},
        ),
    ],
)
def test_what_the_alert_fires_on_is_judged(tmp_path, check, bad):
    bad = {k: v for k, v in bad.items() if v is not None}
    assert check in findings(tmp_path, bad)


@pytest.mark.parametrize(
    ("check", "good"),
    [
        # a scraped metric's series as they are: their existence is the alert (a leftover index)
        ("alert/comparison", {**GOOD_ALERT, "expr": 'pg_index_size{indexrelname=~".*ccnew.*"}'}),
        # absent() filters the left side's series: whether the alert fires is theirs to say
        (
            "alert/absent-for",
            {
                **GOOD_ALERT,
                "expr": "job_start_time > 0 and absent(job_completion_time)",
                "for": None,
            },
        ),
    ],
)
def test_rules_that_mean_it_are_left_alone(tmp_path, check, good):
    good = {k: v for k, v in good.items() if v is not None}
    assert check not in findings(tmp_path, good)


def test_a_range_judged_at_an_assumed_scrape_interval_is_info(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text(
        "groups:\n- name: g\n  rules:\n  - record: job:x:rate2m\n"
        "    expr: sum by (job) (rate(x_total[2m]))\n"
    )

    def ranges(**told):
        return [
            (f.severity, f.message) for f in lint([path], **told) if f.check == "promql/rate-range"
        ]

    ((severity, message),) = ranges()  # no --scrape-interval, no stack: Prometheus's 1m
    assert severity == "info"
    assert (
        "at Prometheus's default scrape interval, 1m (give yours with --scrape-interval)" in message
    )
    assert ranges(scrape=60) == [
        ("warning", "`rate` over [2m] sees fewer than 4 samples at a 1m scrape interval: "
                    "use at least [4m]")
    ]  # fmt: skip
    assert ranges(scrape=15) == []


def test_findings_point_at_the_expression(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text(
        textwrap.dedent(
            """\
            groups:
              - name: g
                rules:
                  - alert: Broken
                    expr: rate(x[5m]
            """
        )
    )
    (syntax,) = [f for f in lint_file(path) if f.check == "promql/syntax"]
    assert (syntax.line, syntax.column) == (5, 15)
    assert str(syntax).startswith(f"{path}:5:15: error [promql/syntax] invalid PromQL")


def test_prometheus_rule_objects_and_multiple_documents_are_read(tmp_path):
    path = tmp_path / "pr.yml"
    path.write_text(
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n"
        "    - name: g\n      rules:\n        - alert: bad_name\n          expr: up == 0\n"
        "---\nnot: rules\n"
    )
    checks = [f.check for f in lint_file(path)]
    assert "alert/name" in checks and "file/not-rules" in checks


def test_a_yaml_error_is_a_finding(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("groups: [\n")
    (finding,) = lint_file(path)
    assert (finding.check, finding.severity) == ("file/yaml", "error")


def test_every_check_has_a_doc_and_a_fix_hint():
    for check in CHECKS:
        assert check.doc and check.hint and check.severity in ("error", "warning", "info")


def test_near_identical_rules_do_not_trip_the_checks(tmp_path):
    """The good twins of the bad rules above: a regex that is one, a range of 4 scrapes."""
    assert (
        findings(
            tmp_path,
            {**GOOD_ALERT, "expr": 'errors{job=~"api|web"} > 1'},
            {**GOOD_RECORD, "expr": "sum(rate(errors_total[4m]))"},
            {
                **GOOD_ALERT,
                "annotations": {**GOOD_ALERT["annotations"], "summary": "{{ $labels.job }}"},
            },
            {**GOOD_RECORD, "expr": "sum(deriv(memory_usage_bytes[5m]))"},
            {**GOOD_RECORD, "expr": "sum(rate(errors_total[5m]))"},
            {**GOOD_ALERT, "expr": "increase(errors_total[1h]) > 100"},
            {**GOOD_ALERT, "expr": 'up{job="api"} == 0 unless on(job) deploys_total'},
            {**GOOD_ALERT, "expr": "count(errors_total) > 100"},
            {
                **GOOD_ALERT,
                "expr": "sum by (job, instance) (rate(errors_total[5m])) > 1",
                "annotations": {**GOOD_ALERT["annotations"], "summary": "{{ $labels.instance }}"},
            },
        )
        == []
    )


def test_the_rate_range_check_uses_the_scrape_interval(tmp_path):
    import yaml

    path = tmp_path / "rules.yml"
    rule = {**GOOD_RECORD, "expr": "sum(rate(errors_total[1m]))"}
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [rule]}]}))
    assert [f.check for f in lint_file(path, Settings(scrape_seconds=15))] == []
    (finding,) = lint_file(path, Settings(scrape_seconds=60))
    assert finding.message == (
        "`rate` over [1m] sees fewer than 4 samples at a 1m scrape interval: use at least [4m]"
    )


def test_a_group_interval_over_5m_is_reported(tmp_path):
    import yaml

    path = tmp_path / "rules.yml"
    path.write_text(
        yaml.safe_dump({"groups": [{"name": "g", "interval": "10m", "rules": [GOOD_ALERT]}]})
    )
    assert [f.check for f in lint_file(path)] == ["group/interval"]


def test_rules_across_files_are_checked_together(tmp_path):
    """A recording rule used in one file and defined in another is fine; one defined nowhere
    is reported; the same alert twice is a duplicate."""
    import yaml

    from stackgen.lint import lint

    defs = tmp_path / "a.yml"
    uses = tmp_path / "b.yml"
    defs.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [GOOD_RECORD, GOOD_ALERT]}]}))
    alert = {
        **GOOD_ALERT,
        "alert": "Other",
        "expr": "job:errors:ratio_rate5m > 1 and job:missing:rate5m > 0  # see https://x",
    }
    uses.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [alert, GOOD_ALERT]}]}))
    found = {(f.check, f.message.split("`")[1]) for f in lint([tmp_path]) if "`" in f.message}
    assert ("record/undefined", "job:missing:rate5m") in found
    assert not any(name == "job:errors:ratio_rate5m" for _, name in found)
    assert not any("https" in name for _, name in found)  # a comment is not code
    assert [f.check for f in lint([tmp_path]) if f.check == "rule/duplicate"] == ["rule/duplicate"]


def test_recording_rules_of_one_name_writing_different_series_are_no_duplicates(tmp_path):
    import yaml

    from stackgen.lint import lint

    twins = [
        {"record": "code:requests:rate5m", "expr": 'sum(rate(requests_total{code=~"2.."}[5m]))'},
        {"record": "code:requests:rate5m", "expr": 'sum(rate(requests_total{code=~"5.."}[5m]))'},
    ]
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": twins}]}))
    assert "rule/duplicate" not in {f.check for f in lint([path])}
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [twins[0], twins[0]]}]}))
    assert "rule/duplicate" in {f.check for f in lint([path])}


def test_mimir_ruler_files_with_a_namespace_are_read(tmp_path):
    """`mimirtool rules` files: a `namespace` beside the `groups`."""
    path = tmp_path / "mimir.yml"
    path.write_text(
        "namespace: payments\ngroups:\n  - name: g\n    rules:\n"
        "      - alert: bad_name\n        expr: up == 0\n"
    )
    found = [(f.line, f.check) for f in lint_file(path)]
    assert (5, "alert/name") in found and "file/not-rules" not in {c for _, c in found}
