"""`stackgen schema` and `init`."""

import json

from typer.testing import CliRunner

from stackgen.cli import app
from tests.helpers import SPECS

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
