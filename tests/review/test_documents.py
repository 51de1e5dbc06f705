"""The filters that put values into Markdown: nothing a value holds can start markup, end a
table cell or end its code span; long changed values are cut to where they differ."""

from __future__ import annotations

from stackgen.review.documents import SHOWN_VALUE, markdown_code, markdown_text, shown_values


def test_markdown_text_escapes_markup_and_cell_ends():
    assert markdown_text("a_b *c* <b>|x</b> [l](u) & `d`") == (
        r"a\_b \*c\* \<b\>\|x\</b\> \[l\](u) \& \`d\`"
    )
    assert markdown_text("two\nlines") == "two lines"


def test_markdown_code_fences_past_backticks_and_escapes_pipes():
    assert markdown_code("a|b") == r"`a\|b`"
    assert markdown_code("x `y` z") == "``x `y` z``"
    assert markdown_code("`edge`") == "`` `edge` ``"


def test_long_values_are_cut_around_their_difference():
    old = "x" * 200 + " > 0.05 and " + "y" * 200
    new = old.replace("0.05", "0.02")
    before, after = shown_values(old, new)
    assert "0.05" in before and "0.02" in after
    assert before.startswith("…") and before.endswith("…")
    assert max(len(before), len(after)) <= SHOWN_VALUE


def test_short_values_are_shown_whole_and_missing_ones_named():
    assert shown_values(None, "5m") == ("(none)", "5m")
    assert shown_values(["a"], "") == ('["a"]', '""')
