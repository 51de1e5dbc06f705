"""Alert annotations expanded as Prometheus 2.42 does, so the proofs can expect them exactly
(the figures are those of Prometheus's own template tests)."""

import pytest

from stackgen.prometheus.humanize import (
    Unsupported,
    expand,
    humanize,
    humanize1024,
    humanize_duration,
    humanize_percentage,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (0.00012, "120u"), (1234567, "1.235M"), (999, "999"), (1100, "1.1k")],
)
def test_humanize_uses_si_prefixes_and_four_digits(value, text):
    assert humanize(value) == text


def test_humanize1024_uses_binary_prefixes():
    assert humanize1024(1024 * 1024) == "1Mi"
    assert humanize1024(9448928051.2) == "8.8Gi"
    assert humanize1024(0.5) == "0.5"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0s"),
        (0.1, "100ms"),
        (1.1, "1.1s"),
        (66, "1m 6s"),
        (3600, "1h 0m 0s"),
        (90061, "1d 1h 1m 1s"),
    ],
)
def test_humanize_duration(value, text):
    assert humanize_duration(value) == text


def test_humanize_percentage():
    assert humanize_percentage(0.055) == "5.5%"
    assert humanize_percentage(0.12345) == "12.35%"


def test_expand_fills_labels_and_values_and_refuses_the_rest():
    labels = {"job": "api"}
    assert expand("{{ $labels.job }} at {{ $value | humanizePercentage }}", labels, 0.1) == (
        "api at 10%"
    )
    assert expand("{{ $value }} and {{ $labels.missing }}.", labels, 150.0) == "150 and ."
    with pytest.raises(Unsupported):
        expand('{{ printf "%.2f" $value }}', labels, 1.0)
