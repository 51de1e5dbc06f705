"""What lint adds to the spec's validation: references to alerts that no rule defines."""

import pytest

from stackgen.lint.spec_checks import load_checked_stack
from stackgen.spec import SpecErrors
from tests.helpers import with_routing, write


def checked_errors(tmp_path, text) -> list[str]:
    spec = write(tmp_path, "spec.yml", text)
    with pytest.raises(SpecErrors) as caught:
        load_checked_stack(spec)
    return [str(e).removeprefix(f"{spec}:") for e in caught.value.errors]


@pytest.mark.parametrize(
    ("routing", "line", "path"),
    [
        ("  inhibit: [{source: {alertname: ServiceDwn}, target: {severity: warning}}]\n", 16,
         "routing.inhibit[0].source.alertname"),
        ("  inhibit: [{source: {alertname: ServiceDown}, target: {alertname: Nope}}]\n", 16,
         "routing.inhibit[0].target.alertname"),
        ("  expect: [{labels: {alertname: ServiceDwn, service: api}, receivers: [ops]}]\n", 16,
         "routing.expect[0].labels.alertname"),
    ],
)  # fmt: skip
def test_an_alert_no_rule_defines_is_an_error_where_it_is_named(tmp_path, routing, line, path):
    (error,) = checked_errors(tmp_path, with_routing(routing))
    assert error.startswith(f"{line}:"), error
    assert f"{path}: no rule of this stack defines an alert" in error


def test_a_misspelt_alert_gets_the_closest_name(tmp_path):
    routing = "  inhibit: [{source: {alertname: ServiceDwn}, target: {severity: warning}}]\n"
    (error,) = checked_errors(tmp_path, with_routing(routing))
    assert "did you mean `ServiceDown`?" in error


def test_alerts_of_rule_groups_kept_as_written_count_as_defined(tmp_path):
    text = with_routing(
        "  inhibit: [{source: {alertname: Mine}, target: {severity: warning}}]\n"
    ) + ("rule_groups:\n  - name: kept\n    rules: [{alert: Mine, expr: up == 0}]\n")
    load_checked_stack(write(tmp_path, "spec.yml", text))
