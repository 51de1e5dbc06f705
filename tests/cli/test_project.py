"""`stackgen schema` and `init`."""

import json

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from tests.helpers import SPECS, require_tool

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_schema_is_the_models_json_schema():
    result = run("schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "stackgen spec"
    assert set(schema["required"]) == {"stack", "channels", "routing"}
    service = schema["$defs"]["HttpService"]
    assert service["additionalProperties"] is False
    # the kind's alerts and metric roles are listed, for editor completion
    assert "HighHTTPErrorRate" in schema["$defs"]["HttpAlerts"]["properties"]
    assert "status_label" in schema["$defs"]["HttpMetrics"]["properties"]


def test_committed_schema_file_is_current():
    assert (SPECS.parent / "stackgen.schema.json").read_text() == run("schema").stdout


def test_init_writes_a_spec_that_validates_and_renders(tmp_path):
    folder = tmp_path / "new"
    result = run("init", str(folder))
    assert result.exit_code == 0
    assert json.loads((folder / "stackgen.schema.json").read_text())["title"] == "stackgen spec"
    assert run("validate", str(folder)).exit_code == 0
    assert run("render", str(folder), "-o", str(tmp_path / "out")).exit_code == 0
    assert run("init", str(folder)).exit_code == 2  # never overwrites


@pytest.mark.tools
def test_init_then_render_in_an_empty_folder_is_clean(tmp_path, monkeypatch):
    """The README's first steps, with the defaults: no question asked, no warning printed."""
    require_tool("promtool")
    require_tool("amtool")
    monkeypatch.chdir(tmp_path)
    result = run("init")
    assert result.exit_code == 0 and result.stderr == ""
    validated = run("validate")
    assert validated.exit_code == 0 and validated.stderr == ""  # no warning either
    rendered = run("render")
    assert rendered.exit_code == 0, rendered.output
    assert rendered.stderr == ""  # no `lint:` warning, no tool missing
    assert (tmp_path / "out" / "alertmanager" / "alertmanager.yml").is_file()


def test_the_starter_says_what_each_part_does():
    from stackgen.render.engine import template_dir

    lines = (template_dir() / "init.yml").read_text().splitlines()
    for section in ("stack:", "prometheus:", "alertmanager:", "services:", "channels:", "routing:"):
        at = lines.index(section)
        assert lines[at - 1].startswith("# "), f"{section} has no comment above it"
