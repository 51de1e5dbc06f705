"""`# stackgen-lint disable=ID` comments: on a rule's lines (YAML or PromQL comments) or just
above it they silence that rule only; `disable-file=ID` silences a file."""

import textwrap

from stackgen.lint import lint_file

RULES = """\
groups:
  - name: g
    rules:
      # stackgen-lint disable=alert/name
      - alert: first_alert
        expr: up == 0
        labels: {severity: warning}
        annotations: {summary: s, description: d, runbook_url: 'https://runbooks.example/r'}
      - alert: second_alert  # stackgen-lint disable=alert/name, labels/required
        expr: up == 0
        annotations: {summary: s, description: d, runbook_url: 'https://runbooks.example/r'}
      - alert: third_alert
        expr: |
          # stackgen-lint disable=all
          up == 0
      - alert: fourth_alert
        expr: up == 0
        labels: {severity: warning}
        annotations: {summary: s, description: d, runbook_url: 'https://runbooks.example/r'}
"""


def found(tmp_path, text: str) -> list[tuple[int, str]]:
    path = tmp_path / "rules.yml"
    path.write_text(textwrap.dedent(text))
    return [(f.line, f.check) for f in lint_file(path)]


def test_comments_silence_only_the_rule_they_belong_to(tmp_path):
    assert found(tmp_path, RULES) == [(16, "alert/name")]  # fourth_alert, no comment


def test_without_the_comments_every_rule_is_reported(tmp_path):
    bare = "\n".join(line.split("# stackgen-lint")[0].rstrip() for line in RULES.splitlines())
    checks = [check for _, check in found(tmp_path, bare + "\n")]
    assert checks.count("alert/name") == 4 and "labels/required" in checks


def test_disable_file_silences_a_check_everywhere_in_the_file(tmp_path):
    text = "# stackgen-lint disable-file=alert/name\n" + RULES
    assert [check for _, check in found(tmp_path, text)] == []


def test_a_comment_names_checks_not_prefixes(tmp_path):
    text = RULES.replace("disable=alert/name\n", "disable=alert\n", 1)
    assert (5, "alert/name") in found(tmp_path, text)
