"""The stack's identity and the Prometheus server's settings."""

import pytest

from tests.helpers import MINIMAL
from tests.spec.located import errors_of


def test_scrape_timeout_longer_than_interval_is_refused(tmp_path):
    text = MINIMAL + "prometheus:\n  scrape_interval: 10s\n  scrape_timeout: 20s\n"
    (error,) = errors_of(tmp_path, text)
    assert "scrape_timeout 20s is longer than scrape_interval 10s" in error


@pytest.mark.parametrize("label", ["stack", "environment"])
def test_external_labels_cannot_replace_the_stacks_own(tmp_path, label):
    text = MINIMAL.replace("  name: demo\n", f"  name: demo\n  external_labels: {{{label}: x}}\n")
    (error,) = errors_of(tmp_path, text)
    assert f"stack.external_labels.{label}: `{label}` is set from `stack." in error
