"""What every command reads: each class of bad spec exits 2 with located errors, and nothing
is written."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from tests.helpers import MINIMAL, with_routing, write

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def rendered_out(tmp_path):
    """An OUT rendered from MINIMAL, to check that bad input leaves it untouched."""
    spec = write(tmp_path, "good/spec.yml", MINIMAL)
    out = tmp_path / "out"
    assert run("render", str(spec), "-o", str(out), "--no-tools").exit_code == 0
    return out


BAD_INPUTS = {
    "yaml-syntax": ("stack:\n  name: [demo\n", "YAML syntax error"),
    "unknown-key": (MINIMAL + "colour: blue\n", "unknown key `colour`"),
    "empty-file": ("", "the file is empty"),
    "top-level-list": ("- stack\n", "the top level is a list"),
    "wrong-type": (MINIMAL.replace("static: [api:8080]", "static: api:8080"), "Input should be"),
    "missing-field": (MINIMAL.replace("    team: web\n", ""), "missing required field `team`"),
    "dangling-reference": (
        MINIMAL.replace("default_channel: ops", "default_channel: pager"),
        "no channel is named `pager`",
    ),
    "duplicate": (
        MINIMAL.replace(
            "channels:\n", "channels:\n  - {name: ops, type: webhook, url: 'http://x/y'}\n"
        ),
        "channel `ops` is defined twice",
    ),
    "bad-duration": (
        MINIMAL + "prometheus: {scrape_interval: 15 s}\n",
        "not a Prometheus duration",
    ),
    "inline-secret": (
        MINIMAL.replace(
            "    url: http://hooks.internal/alerts\n", "    url: http://h/a\n    token: s3cret\n"
        ),
        "inline secrets are not allowed",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_located_errors_and_writes_nothing(tmp_path, rendered_out, case):
    text, message = BAD_INPUTS[case]
    spec = write(tmp_path, "bad/spec.yml", text)
    before = snapshot(rendered_out)
    result = run("render", str(spec), "-o", str(rendered_out))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{spec}:"), first
    line, column = first.removeprefix(f"{spec}:").split(":")[:2]
    assert line.isdigit() and column.isdigit()
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(rendered_out) == before


def test_every_error_is_reported_at_once(tmp_path):
    text = MINIMAL.replace("static: [api:8080]", "static: api").replace("    team: web\n", "")
    text += "extra: 1\n"
    result = run("validate", str(write(tmp_path, "s.yml", text)))
    assert result.exit_code == 2
    assert "3 errors in" in result.stderr


# --- Hostile input: bounded work, located errors, nothing echoed --------------------------

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
)  # ten to the ninth `lol`s once expanded
DEEP_PROMQL = "(" * 10_000 + "up" + ")" * 10_000
CHAINED_PROMQL = " + ".join(["up"] * 10_000)


def _deep_routes(levels: int) -> str:
    route = "{channel: ops}"
    for _ in range(levels):
        route = f"{{channel: ops, routes: [{route}]}}"
    return with_routing(f"  routes: [{route}]\n")


def _custom_alert(expr: str) -> str:
    return MINIMAL.replace(
        "      static: [api:8080]\n",
        "      static: [api:8080]\n"
        "    custom_alerts:\n"
        "      - name: Deep\n"
        f"        expr: '{expr}'\n"
        "        summary: s\n"
        "        description: d\n",
    )


# name: (spec text, message, line of the error)
HOSTILE_SPECS = {
    "billion-laughs": (MINIMAL + LAUGHS, "past the budget", 20),
    "self-alias": (MINIMAL + "x: &x {y: [*x]}\n", "inside the node it refers to", 16),
    "promql-10000-deep": (_custom_alert(DEEP_PROMQL), "nests 10000 levels deep", 11),
    "promql-10000-chained": (_custom_alert(CHAINED_PROMQL), "more than the 200", 11),
    "routes-300-deep": (_deep_routes(300), "nested more than 100 levels deep", 16),
    "non-utf8": (MINIMAL.replace("team: web", "team: w\xe9b"), "byte 0xe9 is not UTF-8", 5),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SPECS))
@pytest.mark.parametrize("command", ["validate", "render"])
def test_hostile_specs_exit_2_at_their_line_quickly(tmp_path, case, command):
    text, message, line = HOSTILE_SPECS[case]
    spec = tmp_path / "spec.yml"
    data = text.encode("utf-8")
    if case == "non-utf8":
        data = text.encode("latin-1")
    spec.write_bytes(data)
    out = ["-o", str(tmp_path / "out")] if command == "render" else []
    result = run(command, str(spec), *out)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback
    assert message in result.stderr
    assert result.stderr.startswith(f"{spec}:{line}:"), result.stderr.splitlines()[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("env", ["../../x", "/tmp/x", "a/b", "..", "UPPER", ""])
def test_env_is_a_name_not_a_path(tmp_path, env):
    spec = write(tmp_path, "spec/spec.yml", MINIMAL)
    result = run("render", str(spec.parent), "--env", env, "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "is not an environment name" in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path.parent / "x").exists()


# name: (rule file, the finding's position and message)
HOSTILE_RULES = {
    "billion-laughs": (
        LAUGHS + "groups: [{name: g, rules: [{alert: A, expr: up == 0}]}]\n",
        "5:36  error   file/yaml",
        "past the budget",
    ),
    "promql-10000-deep": (
        f"groups: [{{name: g, rules: [{{alert: A, expr: '{DEEP_PROMQL}'}}]}}]\n",
        "1:",
        "nests 10000 levels deep",
    ),
    "promql-10000-chained": (
        f"groups: [{{name: g, rules: [{{alert: A, expr: '{CHAINED_PROMQL}'}}]}}]\n",
        "1:",
        "more than the 200 stackgen reads",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_RULES))
def test_lint_reports_hostile_rule_files_without_a_crash(tmp_path, monkeypatch, case):
    text, position, message = HOSTILE_RULES[case]
    rules = write(tmp_path, "rules.yml", text)
    monkeypatch.chdir(tmp_path)  # no lint settings nor specs/ here
    result = run("lint", str(rules))
    assert result.exit_code in (1, 2), result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback
    assert f"{rules}\n  {position}" in result.output and message in result.output
