"""PromQL text: how deep an expression nests is checked before the parser sees it."""

import resource
import signal
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackgen.prometheus.promql import MAX_DEPTH, _most_depth, depth, parse


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("up", 0),
        ('sum by (job) (rate(x{a="b", c!="d"}[5m]))', 3),
        ("a + b * c", 2),
        ('x{a="((((", b=~"]]"}', 1),  # brackets in strings do not count
        ("up # ((((", 0),  # nor in comments
        ("(" * 10_000 + "up" + ")" * 10_000, 10_000),
        (" or ".join(["up"] * 300), 299),
    ],
)
def test_depth_counts_brackets_and_chained_operators(expr, expected):
    assert depth(expr) == expected


PIECES = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "+",
    "==",
    "and",
    " or ",
    "unless",
    "atan2",
    "up",
    '"("',
    "# (\n",
    " ",
]


@settings(max_examples=300, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_the_quick_bound_is_never_below_the_depth(expr):
    # parse skips `depth` when the bound is within MAX_DEPTH: it must never be lower
    assert depth(expr) <= _most_depth(expr)


@pytest.mark.parametrize(
    "expr",
    [
        "(" * 10_000 + "up" + ")" * 10_000,
        " + ".join(["up"] * 10_000),
        "abs(" * 10_000 + "up" + ")" * 10_000,
        "(" * 100_000,
    ],
)
def test_a_deeper_expression_is_refused_before_the_parser_sees_it(expr):
    with pytest.raises(ValueError, match=f"more than the {MAX_DEPTH} stackgen reads"):
        parse(expr)


def _at_most_2_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_the_parser_itself_would_abort_the_process_on_such_an_expression():
    # Why the guard exists: promql-parser's recursion grows its stack until the process dies
    # (SIGSEGV, or SIGABRT once an allocation fails). Capped at 2 GiB of address space, the
    # child dies within a second instead of first taking all the memory it can.
    script = "import promql_parser; promql_parser.parse('(' * 10000 + 'up' + ')' * 10000)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=False, preexec_fn=_at_most_2_gib
    )
    assert result.returncode in (-signal.SIGSEGV, -signal.SIGABRT), result.stderr


def test_an_expression_at_the_limit_parses():
    parse("(" * MAX_DEPTH + "up" + ")" * MAX_DEPTH)
