"""`stackgen lint` on the command line: the console script runs it without typer's app and
loads nothing lint does not need (pydantic, jinja2, argparse, the spec model, another
command's module, the writer, multiprocessing; nor the standard library's dataclasses, which
loads inspect, ast, dis and tokenize, hashlib, decimal or pkgutil: lint's classes are
NamedTuples or plain ones, the others imported where used), the app hands it its arguments as
they are, and both read them alike: options before or after the files, `--help`, usage errors
(exit 2)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.cli.lint import OPTIONS, run
from stackgen.cli.options import read

# The console script's path through the CLI, in a fresh interpreter; prints what it imported
# (as it exits: the script's own exit skips the interpreter's teardown and atexit).
RUN_CLI = """
import os, sys
from stackgen.cli import main

def imported():
    first = ("pydantic", "jinja2", "multiprocessing", "typer", "click", "argparse",
             "dataclasses", "inspect", "hashlib", "decimal", "pkgutil")  # fmt: skip
    heavy = sorted(
        {name.split(".")[0] for name in sys.modules if name.split(".")[0] in first}
        | {n for n in sys.modules if n.startswith(("stackgen.spec.model", "stackgen.plan"))}
        | {name for name in sys.modules if name == "stackgen.write"}
        | {name for name in sys.modules if name.startswith("stackgen.cli.")}
        - {"stackgen.cli.lint", "stackgen.cli.exits", "stackgen.cli.options"}
    )
    print("imported", heavy, file=sys.stderr)

sys.argv = ["stackgen", *sys.argv[1:]]
exit = os._exit
os._exit = lambda code: (imported(), sys.stderr.flush(), exit(code))
main()
"""

RULES = """groups:
  - name: api
    rules:
      - alert: ApiDown
        expr: up{job="api"} == 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }} is down"}
"""


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args], cwd=cwd, capture_output=True, text=True
    )


def test_linting_a_rule_file_imports_nothing_lint_does_without(tmp_path):
    (tmp_path / "rules.yml").write_text(RULES)
    result = run_cli("lint", "rules.yml", "--format", "json", "--fail-on", "warning", cwd=tmp_path)
    assert result.returncode == 1  # findings (runbook_url missing, severity not one of ours)
    checks = [finding["check"] for finding in json.loads(result.stdout)]
    assert checks == ["annotations/required", "labels/required"]  # it did lint
    assert result.stderr == "imported []\n"


def test_a_lint_config_still_loads_through_the_spec_model(tmp_path):
    (tmp_path / "rules.yml").write_text(RULES)
    (tmp_path / ".stackgen-lint.yml").write_text("disable: [annotations/required]\n")
    result = run_cli("lint", "rules.yml", "--format", "json", cwd=tmp_path)
    assert "'pydantic'" in result.stderr and "'stackgen.spec.model'" in result.stderr
    assert "annotations/required" not in result.stdout
    assert result.returncode == 0


def console(*words: str, cwd: Path, **options) -> subprocess.CompletedProcess:
    """The console script's run, its output buffered as it is when piped (unless the
    environment asks otherwise, as this one may)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env.update(options.pop("env", {}))
    return subprocess.run(
        [sys.executable, "-m", "stackgen", *words], cwd=cwd, env=env, check=False, **options
    )


def test_the_console_script_exits_with_the_code_and_the_whole_report(tmp_path):
    # the interpreter is not torn down at the end: what was printed must all be out first
    for number in range(40):
        (tmp_path / f"r{number}.yml").write_text(RULES.replace("ApiDown", f"Down{number}"))
    result = console("lint", ".", "--format", "json", cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    assert result.stdout.endswith("]\n")
    assert {f["file"] for f in findings if f["check"] == "annotations/required"} == {
        f"r{number}.yml" for number in range(40)
    }


def test_output_that_cannot_be_written_is_not_a_silent_success(tmp_path):
    (tmp_path / "rules.yml").write_text(RULES)
    with open("/dev/full", "w") as full:  # a full disk
        result = console("lint", "rules.yml", cwd=tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert b"stackgen: cannot write the output: [Errno 28] No space left on device" in result.stderr


def test_a_reader_that_stops_early_ends_it_quietly(tmp_path):
    # more than Python's output buffer of findings, for a reader gone before the first line
    # (`true` ends at once; `head -1` would race the pipe's own buffer)
    for number in range(300):
        (tmp_path / f"r{number}.yml").write_text(RULES.replace("ApiDown", f"Down{number}"))
    piped = subprocess.run(
        f"'{sys.executable}' -m stackgen lint . | true; echo \"${{PIPESTATUS[0]}}\"",
        shell=True, executable="/bin/bash", cwd=tmp_path, capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )  # fmt: skip
    assert piped.stdout.splitlines()[-1] == "1"  # as click's commands end: no traceback
    assert piped.stderr == ""


def test_rule_text_cannot_reach_the_terminal_as_escapes_or_crash_it(tmp_path):
    # YAML's own escapes: an escape character and an emoji in the alert's name
    (tmp_path / "rules.yml").write_text(RULES.replace("ApiDown", '"Api\\e[31mDown\\U0001F600"'))
    shown = console("lint", "rules.yml", cwd=tmp_path, capture_output=True,
                    env={"PYTHONIOENCODING": "ascii"})  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert b"\x1b" not in shown.stdout and b"alert name `ApiDown?` is not CamelCase" in shown.stdout


def test_the_app_hands_lint_its_arguments_in_order(tmp_path, monkeypatch):
    (tmp_path / "rules.yml").write_text(RULES)
    monkeypatch.chdir(tmp_path)
    through_app = CliRunner().invoke(app, ["lint", "--fail-on", "warning", "rules.yml"])
    assert through_app.exit_code == 1
    assert through_app.stdout.startswith("rules.yml\n  4:9  info    annotations/required")
    listed = CliRunner().invoke(app, ["lint", "--list"])
    assert listed.exit_code == 0 and "\npromql/counter-raw " in listed.stdout


def test_help_and_usage_errors(capsys):
    assert run(["--help"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("Usage: stackgen lint [OPTIONS] [PATH]...")
    assert "--prometheus-version VERSION" in shown and "--color/--no-color" in shown
    assert "Example: stackgen lint" in shown
    assert run(["--no-such-option"]) == 2
    assert "stackgen lint: no such option: --no-such-option" in capsys.readouterr().err
    assert run(["--format"]) == 2  # an option without its value
    assert "--format needs a value: FORMAT" in capsys.readouterr().err
    assert run(["--list=yes"]) == 2
    assert "--list takes no value" in capsys.readouterr().err
    assert run(["--format", "xml", "x.yml"]) == 2
    assert "--format is one of" in capsys.readouterr().err


def test_the_options_read_as_documented():
    given, paths = read(["a.yml", "--no-color", "--format", "json", "b/", "--list"], OPTIONS)
    assert paths == ["a.yml", "b/"]
    assert (given["output_format"], given["colour"], given["list_checks"]) == ("json", False, True)
    given, paths = read(["--fail-on=info", "--color", "--", "--odd-name.yml"], OPTIONS)
    assert (given["fail_on"], given["colour"], paths) == ("info", True, ["--odd-name.yml"])
    defaults, _ = read([], OPTIONS)
    assert defaults["colour"] is None  # on a terminal only
    assert (defaults["output_format"], defaults["fail_on"]) == ("text", "error")
    # no abbreviations: a prefix of an option is an error, not a guess
    assert run(["--form", "json"]) == 2
