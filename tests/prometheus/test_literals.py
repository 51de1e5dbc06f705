"""PromQL's string literals: every kind emptied whole, escapes and all, so nothing inside one is
read as code."""

from stackgen.prometheus.literals import STRING_LITERAL, blank_strings


def test_every_kind_of_string_is_emptied_whole():
    code = r"""x{a="q\"(", b='it\'s [', c=`raw`} and "#" """
    assert blank_strings(code) == 'x{a="", b="", c=""} and "" '


def test_a_raw_string_keeps_its_backslash_and_ends_at_the_backtick():
    assert [m.group(0) for m in STRING_LITERAL.finditer(r"`a\` + `b`")] == [r"`a\`", "`b`"]
