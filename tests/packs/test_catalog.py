"""The built-in packs: data files in the spec's pack form, shipped in the package, compiled by
the same code as the spec's own packs and passing the same checks."""

from importlib.resources import files

import pytest

from stackgen.lint.spec_packs import pack_findings
from stackgen.packs.base import ServiceContext
from stackgen.packs.catalog import BUILTIN_KINDS, PACKS, builtin_form, pack_for
from stackgen.spec.custom import AlertPack


def test_every_built_in_pack_is_a_file_of_the_package():
    names = sorted(p.name for p in files("stackgen.packs").joinpath("builtin").iterdir())
    # meta: the stack's own alerts (meta-monitoring), a pack of no service kind
    assert names == sorted(f"{k}.yml" for k in (*BUILTIN_KINDS, "common", "meta"))
    assert list(PACKS) == [*BUILTIN_KINDS, "custom"]


@pytest.mark.parametrize("name", BUILTIN_KINDS)
def test_the_built_in_packs_pass_the_checks_of_the_spec_s_packs(name):
    findings = [message for _, message in pack_findings([builtin_form(name)], 15.0)]
    # A gap the checks of the spec's packs found in the built-in http pack; drawing it would
    # change the rendered dashboards.
    known = ["no panel of the pack draws `HighRequestRate`"] if name == "http" else []
    assert [m.split(":")[0] for m in findings] == known


def test_a_label_role_is_the_label_s_name_wherever_it_stands():
    http = pack_for("http")
    metrics = {**http.metrics, "status_label": "code"}
    ctx = ServiceContext("api", metrics, 300.0, http.label_roles)
    errors = http.records[1]
    assert errors.expr(ctx) == (
        'sum by (job) (rate(http_requests_total{job="api",code=~"5.."}[5m]))'
    )
    assert http.requests_sli is not None
    assert http.requests_sli(ctx) == (
        'http_requests_total{job="api"}',
        'http_requests_total{job="api",code=~"5.."}',
    )
    by_status = http.panels[1].queries[0].expr(ctx)
    assert by_status == 'sum by (code) (rate(http_requests_total{job="api"}[$__rate_interval]))'


def test_a_histogram_suffix_follows_the_metric_name_before_the_matchers():
    node, ai = pack_for("node"), pack_for("ai-inference")
    ctx = ServiceContext("llm", ai.metrics, 300.0)
    assert ai.records[2].expr(ctx) == (
        'sum by (job, model, le) (rate(inference_duration_seconds_bucket{job="llm"}[5m]))'
    )
    assert node.panels[2].threshold_below  # DiskSpaceLow fires below its threshold


def test_a_role_is_a_metric_or_a_label():
    with pytest.raises(ValueError, match="a metric or a label"):
        AlertPack.model_validate(
            {"name": "x", "metrics": {"status": "s_total"}, "labels": {"status": "code"}}
        )
