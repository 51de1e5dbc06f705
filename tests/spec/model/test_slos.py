"""SLOs: objective, period, SLI expressions and annotations."""

from tests.helpers import MINIMAL
from tests.spec.located import errors_of


def test_an_objective_of_100_percent_is_refused_with_the_reason(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: a, objective: 100, sli: {type: uptime}}]\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "slos[a].objective: an objective of 100% leaves no error budget" in error


def test_an_slo_period_is_whole_days(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: a, objective: 99, sli: {type: uptime}, period: 36h}]\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "period 36h is not a whole number of days or weeks" in error


def test_a_ratio_sli_expression_is_promql_once_the_window_is_in_place(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: a, objective: 99, sli: {type: ratio, "
        "expr: 'sum(rate(bad[${window}])) / sum(rate(all[${window}]'}}]\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert "slos[a].sli.expr: invalid PromQL: unclosed left parenthesis" in error


def test_slo_annotations_may_template_labels_only(tmp_path):
    text = MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n    slos: [{name: a, objective: 99, sli: {type: uptime}, "
        "annotations: {summary: 'at {{ $value }}'}}]\n",
    )
    (error,) = errors_of(tmp_path, text)
    assert (
        "slos[a].annotations.summary: may use only `{{ $labels.NAME }}` template actions" in error
    )
