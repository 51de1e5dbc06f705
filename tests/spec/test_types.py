"""The field types: durations, names and labels, each error located with a fix."""

import pytest

from tests.helpers import MINIMAL
from tests.spec.located import errors_of


@pytest.mark.parametrize("bad", ["5 minutes", "5", "1.5h", "'-1m'"])
def test_bad_duration_is_located(tmp_path, bad):
    text = MINIMAL.replace(
        "  name: demo\n", f"  name: demo\nprometheus:\n  scrape_interval: {bad}\n"
    )
    (error,) = errors_of(tmp_path, text)
    assert error.startswith("4:20: prometheus.scrape_interval: ")
    assert "Prometheus duration" in error or "valid string" in error


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ('"api\\nx"', "is not a valid name"),
        ('"Api"', "is not a valid name"),
        ('"a:b"', "is not a valid name"),
        ('"{{ x }}"', "is not a valid name"),
        ('"it\'s"', "is not a valid name"),
    ],
)
def test_names_that_would_break_outputs_are_rejected_clearly(tmp_path, name, fragment):
    (error,) = errors_of(tmp_path, MINIMAL.replace("  - name: api", f"  - name: {name}"))
    assert fragment in error and "lowercase letters, digits and dashes" in error


def test_label_names_and_values_are_checked(tmp_path):
    text = MINIMAL.replace(
        "  name: demo\n", "  name: demo\n  external_labels: {'bad-label': x, ok: \"two\\nlines\"}\n"
    )
    errors = errors_of(tmp_path, text)
    assert any(
        "stack.external_labels.bad-label: 'bad-label' is not a valid Prometheus label name" in e
        for e in errors
    )
    assert any("stack.external_labels.ok: must be a single line of text" in e for e in errors)
