"""What every command reads: each class of bad spec exits 2 with located errors, and nothing
is written."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from tests.helpers import MINIMAL, write

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
