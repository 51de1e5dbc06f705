"""`stackgen import openslo`: OpenSLO ratio-metric SLOs (v1alpha, and v1 Service/SLI/SLO)."""

import re
import textwrap

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.importers import ImportFailed
from stackgen.importers.openslo import import_openslo
from stackgen.spec import load_stack
from tests.helpers import SHARED

CORPUS = SHARED / "corpus" / "slo" / "sloth"

V1 = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: checkout}
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: checkout-errors}
spec:
  ratioMetric:
    bad:
      metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))'}}
    total:
      metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total[{{.window}}]))'}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-availability}
spec:
  service: checkout
  indicatorRef: checkout-errors
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives: [{targetPercent: 99.5}]
"""


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name", ["openslo-getting-started.yml", "openslo-kubernetes-apiserver.yml"]
)
def test_the_corpus_examples_import_into_valid_specs(tmp_path, name):
    out = tmp_path / "spec.yml"
    result = CliRunner().invoke(app, ["import", "openslo", str(CORPUS / name), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_stack(out).services[0].slos


@pytest.mark.corpus
def test_good_over_total_becomes_one_minus_the_ratio(tmp_path):
    spec, _ = import_openslo((CORPUS / "openslo-getting-started.yml").read_text(), "x")
    slo = spec["services"][0]["slos"][0]
    assert slo["objective"] == 99.9 and slo["period"] == "30d"
    assert slo["sli"]["expr"].startswith("1 - (sum(rate(http_request_duration_seconds_count{")
    assert "[${window}]" in slo["sli"]["expr"]


def test_v1_service_sli_and_slo_documents_import(tmp_path):
    spec, _ = import_openslo(textwrap.dedent(V1), "v1.yml")
    (service,) = spec["services"]
    (slo,) = service["slos"]
    assert (service["name"], slo["name"], slo["objective"], slo["period"]) == (
        "checkout", "checkout-availability", 99.5, "28d",
    )  # fmt: skip
    assert slo["sli"]["expr"] == (
        '(sum(rate(http_requests_total{code=~"5.."}[${window}]))) / '
        "((sum(rate(http_requests_total[${window}]))) > 0)"
    )


def test_a_query_without_the_window_cannot_be_imported():
    text = textwrap.dedent(V1).replace("[{{.window}}]", "[5m]")
    with pytest.raises(ImportFailed, match=re.escape("the query has no `{{.window}}`")):
        import_openslo(text, "v1.yml")


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "openslo-getting-started.yml",
            [
                ":10: SLO sloth-slo-my-service: `displayName` not imported",
                ":13: SLO sloth-slo-my-service: `description` not imported",
            ],
        ),
        (
            "openslo-kubernetes-apiserver.yml",
            [
                ":12: SLO requests-availability-openslo: `displayName` not imported",
                ":15: SLO requests-availability-openslo: `description` not imported",
                ":38: SLO requests-latency-openslo: `displayName` not imported",
                ":41: SLO requests-latency-openslo: `description` not imported",
            ],
        ),
    ],
)
def test_what_is_not_carried_over_is_noted_at_its_line(name, expected):
    path = CORPUS / name
    _, notes = import_openslo(path.read_text(), str(path))
    assert [n.removeprefix(str(path)).split(" (")[0] for n in notes] == expected


def test_policies_calendar_windows_and_objective_fields_are_noted_at_their_lines():
    text = textwrap.dedent(V1).replace(
        "  timeWindow: [{duration: 28d, isRolling: true}]\n  objectives: [{targetPercent: 99.5}]\n",
        "  timeWindow: [{duration: 28d, isRolling: false}]\n"
        "  objectives: [{targetPercent: 99.5, displayName: Good}]\n"
        "  alertPolicies: [fast-burn]\n",
    )
    _, notes = import_openslo(text, "v1.yml")
    assert [n.split(" (")[0] for n in notes] == [
        "v1.yml:23: SLO checkout-availability: `displayName` not imported",
        "v1.yml:22: SLO checkout-availability: a calendar window imported as a rolling one of "
        "the same length",
        "v1.yml:24: SLO checkout-availability: alert policies not imported",
    ]


def test_an_imported_ratio_divides_by_total_above_zero():
    """The README's `total > 0` guard: a window without traffic gives no ratio, not NaN."""
    spec, _ = import_openslo(textwrap.dedent(V1), "v1.yml")
    assert spec["services"][0]["slos"][0]["sli"]["expr"].endswith(
        "/ ((sum(rate(http_requests_total[${window}]))) > 0)"
    )
