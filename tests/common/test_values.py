from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackgen.common.values import clean_number, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("15s", 15), ("5m", 300), ("1h30m", 5400), ("7d", 604800), ("2w", 1209600), ("250ms", 0.25)],
)
def test_parse_duration_reads_prometheus_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5 minutes", "m5", "1.5h", "5M", "-5m", "1m1h"])
def test_parse_duration_rejects_what_prometheus_rejects(text):
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10**8))
def test_format_duration_round_trips(seconds):
    assert parse_duration(format_duration(seconds)) == seconds


def test_format_duration_is_shortest():
    assert format_duration(300) == "5m"
    assert format_duration(5400) == "1h30m"
    assert format_duration(86400) == "1d"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1 + 0.2, "0.3"),
        (0.9990000000000001, "0.999"),
        (1e-05, "0.00001"),
        (100.0, "100"),
        (5, "5"),
        (-0.0, "0"),
        (Decimal("0.0010"), "0.001"),
    ],
)
def test_clean_number_drops_float_noise_and_exponents(value, text):
    assert clean_number(value) == text


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_clean_number_is_a_plain_decimal_close_to_the_value(value):
    text = clean_number(value)
    assert "e" not in text.lower()
    assert float(text) == pytest.approx(value, rel=1e-11, abs=1e-300)


def test_durations_longer_than_go_can_hold_are_refused():
    assert parse_duration("290y") == 290 * 365 * 86400
    with pytest.raises(ValueError, match="longer than Prometheus can hold"):
        parse_duration("300y")


def test_remembered_numbers_keep_their_types_apart():
    """The formats are memoised by value and type: 1 == True == 1.0, yet a boolean is no number."""
    assert clean_number(1) == clean_number(1.0) == "1"
    with pytest.raises(TypeError):
        clean_number(True)
    assert clean_number(Decimal("0.1")) == clean_number(0.1) == "0.1"
    assert format_duration(90) == format_duration(90.0) == "1m30s"
