"""A command line read from a table of its options, for a command that must start fast
(`stackgen lint`): argparse costs more to import and set up than such a command's whole
reading of its words. Options are long (`--name value`, `--name=value`, flags, `--x/--no-x`),
in any order with the positional words; `--` ends them; `-h`/`--help` asks for the help."""

from __future__ import annotations

from typing import Any, NamedTuple

HELP = ("-h", "--help")


class Option(NamedTuple):
    name: str  # "--format"
    attribute: str  # where its value goes
    help: str
    metavar: str = ""  # what its value is; "" for a flag
    default: Any = None
    negative: str = ""  # a flag's "--no-..." form, which sets it False


class UsageError(ValueError):
    """Words the command does not take: the message says which and why."""


class HelpAsked(Exception):
    """`-h` or `--help` among the words (before any `--`)."""


def read(words: list[str], options: tuple[Option, ...]) -> tuple[dict[str, Any], list[str]]:
    """The options' values (their defaults where not given) and the positional words; an
    option given twice keeps the last. UsageError or HelpAsked."""
    values = {option.attribute: option.default for option in options}
    named = {option.name: option for option in options}
    named |= {option.negative: option for option in options if option.negative}
    positional: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            positional += words[index:]
            break
        if word in HELP:
            raise HelpAsked()
        if not word.startswith("--"):
            positional.append(word)
            continue
        name, equals, value = word.partition("=")
        option = named.get(name)
        if option is None:
            raise UsageError(f"no such option: {name}")
        if not option.metavar:
            if equals:
                raise UsageError(f"{name} takes no value")
            values[option.attribute] = name != option.negative
            continue
        if not equals:
            if index == len(words):
                raise UsageError(f"{name} needs a value: {option.metavar}")
            value = words[index]
            index += 1
        values[option.attribute] = value
    return values, positional


def usage(program: str, positional: str) -> str:
    return f"Usage: {program} [OPTIONS] [{positional}]..."


def help_text(
    program: str, about: str, options: tuple[Option, ...], positional: tuple[str, str]
) -> str:
    """The help: usage, `about` (paragraphs), the positional words and each option."""
    import textwrap  # here: only asked-for help needs it

    def entry(left: str, text: str) -> str:
        lines = textwrap.wrap(text, 76 - 30)
        head = f"  {left:<28}" if len(left) <= 26 else f"  {left}\n{' ' * 30}"
        return head + f"\n{' ' * 30}".join(lines)

    flags = [
        (
            f"{option.name}/{option.negative}"
            if option.negative
            else f"{option.name} {option.metavar}".rstrip(),
            option.help,
        )
        for option in options
    ]
    paragraphs = [textwrap.fill(p, 76, initial_indent="  ", subsequent_indent="  ")
                  for p in about.split("\n\n")]  # fmt: skip
    return "\n".join(
        [
            usage(program, positional[0]),
            "",
            "\n\n".join(paragraphs),
            "",
            "Arguments:",
            entry(f"{positional[0]}...", positional[1]),
            "",
            "Options:",
            *(entry(left, text) for left, text in flags),
            entry("-h, --help", "Show this message and exit."),
        ]
    )
