"""Daily use of the command line: every command's `--help` ends in an example that the command
accepts, and shell completion (typer's, `--install-completion`) completes command names."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.cli.options import read
from stackgen.cli.typer_app import COMMANDS, OWN_ARGUMENTS

runner = CliRunner()
ROOT = get_command(app)
EXAMPLE = re.compile(r"Example: (stackgen\b.*?)(?:\n\s*\n|$)", re.S)
# Where a shell line stops being the command's words: a redirection, a pipe, a second command.
SHELL_END = re.compile(r"\s(?:>|\||&&|;|\()")
STACKGEN = Path(sys.executable).with_name("stackgen")


def commands(
    command: Any = ROOT, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and group below the root (the root too), by its words."""
    yield path, command
    for name, child in sorted(getattr(command, "commands", {}).items()):
        yield from commands(child, (*path, name))


def example(command: Any) -> str | None:
    text = "\n\n".join(t for t in (command.help, command.epilog) if t)
    found = EXAMPLE.search(text)
    return " ".join(found[1].split()) if found else None


def leaf(words: list[str]) -> tuple[Any, list[str], str]:
    """The command the words run, the words it gets and its name."""
    command, name = ROOT, "stackgen"
    while words and words[0] in getattr(command, "commands", {}):
        name, command, words = words[0], command.commands[words[0]], words[1:]
    return command, words, name


ALL = list(commands())


def test_the_commands_are_found():
    names = {" ".join(path) for path, _ in ALL}
    assert {
        "",
        "render",
        "diff",
        "report",
        "lint",
        "routes",
        "routes show",
        "import sloth",
    } <= names


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p) or "stackgen")
def test_every_help_shows_an_example_the_command_accepts(path):
    command = dict(ALL)[path]
    shown = runner.invoke(app, [*path, "--help"])
    assert shown.exit_code == 0, shown.output
    assert "Example: stackgen" in shown.stdout
    line = example(command)
    assert line is not None
    words = shlex.split(SHELL_END.split(line, maxsplit=1)[0])[1:]
    target, rest, name = leaf(words)
    assert words[: len(path)] == list(path), f"`{line}` is not an example of {path}"
    # the command's own parser takes the example's options and arguments
    if name in OWN_ARGUMENTS:  # read by the command itself: the app hands its words on
        module = next(m for command, m, _ in COMMANDS if command == name)
        read(rest, import_module(module).OPTIONS)  # a UsageError fails the test
    else:
        target.make_context(name, rest)


def complete(words: str, shell: str = "bash") -> subprocess.CompletedProcess[str]:
    """What the installed `stackgen` answers a shell's completion request with."""
    env = {
        **os.environ,
        "_STACKGEN_COMPLETE": f"complete_{shell}",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
        "_TYPER_COMPLETE_ARGS": words,
    }
    return subprocess.run(
        [str(STACKGEN)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_bash_completion_offers_the_commands():
    result = complete("stackgen ")
    assert result.returncode == 0, result.stderr
    offered = set(result.stdout.split())
    assert {"render", "diff", "report", "lint", "routes", "import"} <= offered


def test_bash_completion_completes_a_prefix_and_subcommands():
    assert complete("stackgen rep").stdout.split() == ["report"]
    assert set(complete("stackgen routes ").stdout.split()) == {"show", "test"}


def test_show_completion_prints_a_script_for_the_shell():
    # Typer detects the shell from the parent process, as it would from a user's terminal; the
    # parent is bash here whatever started the tests (sh, or a pytest-xdist worker); the second
    # command keeps bash from replacing itself with stackgen.
    result = subprocess.run(
        ["bash", "-c", f"'{STACKGEN}' --show-completion; exit $?"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "_STACKGEN_COMPLETE=complete_bash" in result.stdout
    assert "complete -o default -F _stackgen_completion stackgen" in result.stdout
