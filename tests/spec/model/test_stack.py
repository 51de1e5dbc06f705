"""The whole stack: a minimal spec is valid, with defaults."""

from tests.helpers import MINIMAL, stack_from


def test_minimal_spec_is_valid_with_defaults(tmp_path):
    stack = stack_from(tmp_path, MINIMAL)
    assert stack.prometheus.scrape_interval == "15s"
    assert stack.routing.group_by == ["alertname", "service"]
    assert stack.services[0].metrics_path == "/metrics"
