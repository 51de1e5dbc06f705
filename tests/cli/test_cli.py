"""The command line as a whole: the version, a run that builds only the command it names, and a
real process's report of bad input."""

import subprocess
import sys

from typer.testing import CliRunner

from stackgen import __version__
from stackgen.cli import app
from stackgen.cli.typer_app import COMMANDS, application
from tests.helpers import write

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"stackgen {__version__}\n"


def test_the_real_process_prints_no_traceback_on_bad_input(tmp_path):
    spec = write(tmp_path, "s.yml", "- a list\n")
    result = subprocess.run(
        [sys.executable, "-m", "stackgen", "render", str(spec), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"{spec}:1:1: (document): the top level is a list")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def registered(built) -> list[str]:
    return [info.name for info in built.registered_commands + built.registered_groups]


def test_the_whole_app_has_every_command():
    assert sorted(registered(app)) == sorted(name for name, _, _ in COMMANDS)


def test_a_run_builds_the_app_with_only_the_command_it_names():
    assert registered(application("lint")) == ["lint"]
    assert registered(application("routes")) == ["routes"]
    assert set(registered(application("no-such-command"))) == set(registered(app))


def test_a_mistyped_command_is_refused_with_a_suggestion_in_a_real_process():
    result = subprocess.run(
        [sys.executable, "-m", "stackgen", "lnt"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "No such command 'lnt'" in result.stderr and "lint" in result.stderr
