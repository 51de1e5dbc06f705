"""A command line read from a table of options (stackgen.cli.options): long options with their
values given either way, flags and their `--no-` forms, positional words anywhere, `--` ending
the options, help, and what is refused."""

import pytest

from stackgen.cli.options import HelpAsked, Option, UsageError, help_text, read

OPTIONS = (
    Option("--name", "name", "A name.", "NAME", "x"),
    Option("--loud", "loud", "Be loud.", default=False),
    Option("--colour", "colour", "Colour.", negative="--no-colour"),
)


def test_values_either_way_and_positional_words_anywhere():
    given, words = read(["a", "--name", "y", "b", "--loud", "--no-colour", "c"], OPTIONS)
    assert given == {"name": "y", "loud": True, "colour": False}
    assert words == ["a", "b", "c"]
    given, _ = read(["--name=with=equals", "--colour"], OPTIONS)
    assert given == {"name": "with=equals", "loud": False, "colour": True}


def test_defaults_and_the_last_of_an_option_given_twice():
    assert read([], OPTIONS) == ({"name": "x", "loud": False, "colour": None}, [])
    assert read(["--name", "a", "--name", "b"], OPTIONS)[0]["name"] == "b"


def test_a_value_is_the_next_word_whatever_it_looks_like():
    assert read(["--name", "--loud"], OPTIONS)[0] == {
        "name": "--loud",
        "loud": False,
        "colour": None,
    }
    assert read(["--name", "-"], OPTIONS)[0]["name"] == "-"


def test_double_dash_ends_the_options():
    assert read(["--", "--loud", "-h"], OPTIONS) == (
        {"name": "x", "loud": False, "colour": None},
        ["--loud", "-h"],
    )


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["--nam", "y"], "no such option: --nam"),
        (["--name"], "--name needs a value: NAME"),
        (["--loud=yes"], "--loud takes no value"),
        (["--no-loud"], "no such option: --no-loud"),
    ],
)
def test_what_is_refused_says_why(words, message):
    with pytest.raises(UsageError, match=f"^{message}$"):
        read(words, OPTIONS)


@pytest.mark.parametrize("word", ["-h", "--help"])
def test_help_is_asked_for_before_any_error(word):
    with pytest.raises(HelpAsked):
        read(["a", word, "--no-such"], OPTIONS)


def test_the_help_lists_every_option_with_its_value_and_help():
    text = help_text("tool", "What it does.\n\nExample: tool a", OPTIONS, ("FILE", "Files."))
    assert text.splitlines()[0] == "Usage: tool [OPTIONS] [FILE]..."
    for line in ("  What it does.", "  Example: tool a", "  FILE...", "  --name NAME",
                 "  --loud ", "  --colour/--no-colour", "  -h, --help"):  # fmt: skip
        assert line in text
