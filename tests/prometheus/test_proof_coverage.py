"""Which alerting rules of a rendered stack some proof fires: the others are unproven."""

from stackgen.prometheus.proof_coverage import coverage
from tests.helpers import write

RULES = """\
groups:
  - name: api.alerts
    rules:
      - alert: Proven
        expr: up == 0
        labels: {severity: critical}
      - alert: Tiered
        expr: x > 1
        labels: {slo_tier: page}
      - alert: Tiered
        expr: x > 2
        labels: {slo_tier: ticket}
"""
TESTS = """\
# unproven: Tiered: a reason
rule_files: [../rules/api.yml]
tests:
  - alert_rule_test:
      - eval_time: 1m
        alertname: Proven
        exp_alerts: [{exp_labels: {severity: critical, job: api}}]
      - eval_time: 2m
        alertname: Tiered
        exp_alerts: [{exp_labels: {slo_tier: page}}]
"""


def test_an_alert_no_proof_fires_is_unproven_with_the_proofs_note(tmp_path):
    write(tmp_path, "prometheus/rules/api.yml", RULES)
    write(tmp_path, "prometheus/tests/api.yml", TESTS)
    found = coverage(tmp_path)
    assert (found.proven, len(found.rules)) == (2, 3)
    assert [str(r) for r in found.unproven] == ["prometheus/rules/api.yml: Tiered (ticket tier)"]
    assert found.reasons == {"prometheus/rules/api.yml": ["Tiered: a reason"]}


def test_without_proof_files_every_alert_is_unproven(tmp_path):
    write(tmp_path, "prometheus/rules/api.yml", RULES)
    assert len(coverage(tmp_path).unproven) == 3
