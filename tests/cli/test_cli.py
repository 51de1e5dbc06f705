"""The command line as a whole: the version, and a real process's report of bad input."""

import subprocess
import sys

from typer.testing import CliRunner

from stackgen import __version__
from stackgen.cli import app
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
