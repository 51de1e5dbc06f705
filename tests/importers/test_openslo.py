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
        "(sum(rate(http_requests_total[${window}])))"
    )


def test_a_query_without_the_window_cannot_be_imported():
    text = textwrap.dedent(V1).replace("[{{.window}}]", "[5m]")
    with pytest.raises(ImportFailed, match=re.escape("the query has no `{{.window}}`")):
        import_openslo(text, "v1.yml")
