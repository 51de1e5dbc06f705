"""The GitHub Action (action.yml): a composite action whose shell steps, run as GitHub runs them
(inputs in their environment), pass on the committed stack, fail on a stale one, and leave a
SARIF log for code scanning."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import OUT, REPO, SPECS

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEPS = {step["id"]: step for step in ACTION["runs"]["steps"] if "id" in step}
INPUTS = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}


def run_step(step_id: str, folder: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    """The step's script in bash, its `env:` filled in from the inputs as GitHub would."""
    step = STEPS[step_id]
    given = {**INPUTS, **inputs}
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # stackgen
    for name, value in (step.get("env") or {}).items():
        env[name] = re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: given[m.group(1)], value)
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(SPECS, tmp_path / "specs")
    shutil.copytree(OUT, tmp_path / "out")
    return tmp_path


def test_it_is_a_composite_action_that_installs_checks_lints_and_uploads():
    assert ACTION["runs"]["using"] == "composite"
    assert "pip install" in STEPS["install"]["run"]
    assert "stackgen render" in STEPS["check"]["run"] and "--check" in STEPS["check"]["run"]
    uploads = [s for s in ACTION["runs"]["steps"] if "upload-sarif" in s.get("uses", "")]
    assert len(uploads) == 1 and uploads[0]["with"]["sarif_file"] == "stackgen.sarif"
    assert all(s.get("shell") == "bash" for s in ACTION["runs"]["steps"] if "run" in s)


def test_on_the_committed_stack_every_step_passes_and_sarif_is_written(project):
    for step in ("check", "sarif", "lint"):
        result = run_step(step, project)
        assert result.returncode == 0, f"{step}: {result.stdout}{result.stderr}"
    log = json.loads((project / "stackgen.sarif").read_text())
    assert log["version"] == "2.1.0" and log["runs"][0]["tool"]["driver"]["name"] == "stackgen"


def test_a_stale_out_fails_the_check_with_its_diff(project):
    spec = project / "specs" / "stack.yml"
    spec.write_text(spec.read_text().replace("scrape_interval: 15s", "scrape_interval: 20s", 1))
    result = run_step("check", project)
    assert result.returncode == 1
    assert "+  scrape_interval: 20s" in result.stdout
    assert "out is not what specs renders" in result.stderr
