"""Regexes are judged as Go's regexp (RE2) compiles them, not as Python's `re` does."""

import pytest

from stackgen.prometheus.re2 import re2_error


@pytest.mark.parametrize(
    "pattern",
    [
        "a*?", "a??", "(?i)api|[[:alpha:]]+|\\d{2,3}", "a(?i)b", "(?P<n>x)", "\\12", "[a-z]",
        "\\pL\\p{Greek}", "a{,5}", "[]a]", "[^]a]", "\\Qa.b\\E", ".*", "", "^*$", "(?s:.)",
        "\\x41\\x{263a}", "a{1000}",
    ],
)  # fmt: skip
def test_go_compiles_these(pattern):
    assert re2_error(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("(?<n>a)", "unsupported Perl syntax"),  # Go 1.22 takes it; 2.42 is built with 1.19
        ("(?=a)", "unsupported Perl syntax"),
        ("a{1001}", "invalid repeat count"),
        ("a++", "invalid nested repetition operator"),
        ("a*??", "invalid nested repetition operator"),
        ("\\1", "invalid escape sequence"),
        ("\\Z", "invalid escape sequence"),
        ("[z-a]", "invalid character class range"),
        ("[[:foo:]]", "invalid character class range"),
        ("(a", "missing closing )"),
        ("a)", "unexpected )"),
        ("*a", "missing argument to repetition operator"),
        ("[a", "missing closing ]"),
    ],
)
def test_go_refuses_these_with_its_reason(pattern, why):
    assert why in (re2_error(pattern) or "")
