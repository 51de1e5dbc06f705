"""What the README offers for adoption works on the example: the pre-commit hooks and the
GitHub Actions workflow run real stackgen commands that pass on a current, lint-clean out/."""

import re
import shlex

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from tests.helpers import REPO

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())


def _workflow() -> dict:
    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    (workflow,) = [yaml.safe_load(b) for b in blocks if b.startswith("name: monitoring")]
    return workflow


def _invoke(command: str, monkeypatch) -> int:
    monkeypatch.chdir(REPO)
    words = shlex.split(command.split(">")[0])
    assert words[0] == "stackgen"
    return CliRunner().invoke(app, words[1:]).exit_code


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
def test_each_pre_commit_hook_passes_on_the_example(hook, monkeypatch):
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert _invoke(hook["entry"], monkeypatch) == 0


def test_the_workflow_uses_the_action_with_inputs_it_has():
    """The README's workflow runs this repository's action (action.yml, whose steps
    tests/test_action.py runs) with inputs it declares, at their defaults."""
    steps = _workflow()["jobs"]["stackgen"]["steps"]
    (step,) = [s for s in steps if s.get("uses", "").startswith("stackgen/stackgen@")]
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert set(step["with"]) <= set(action["inputs"])
    assert {k: str(v) for k, v in step["with"].items()} == {
        k: action["inputs"][k].get("default", "") for k in step["with"]
    }
