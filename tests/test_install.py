"""A fresh virtual environment with the checkout pip-installed (not editable) reproduces the
committed out/ byte for byte, from a copy of the repo."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stackgen.write import managed_files
from tests.helpers import OUT, REPO, SPECS

pytestmark = pytest.mark.slow


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The stackgen console script of a new venv that pip installed the checkout into."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    shutil.copytree(
        REPO,
        source,
        # what pip builds from: build/ (npm's mermaid for the report tests) is not among it
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build"),
    )
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", str(source)],
        check=True,
    )  # fmt: skip
    return venv / "bin/stackgen"


def test_the_wheel_ships_the_templates(installed):
    python = installed.parent / "python"
    found = subprocess.run(
        [str(python), "-c", "from stackgen.render.engine import template_dir; print(template_dir())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    folder = Path(found.stdout.strip())
    assert "site-packages" in folder.parts
    assert (folder / "rules.yml.j2").is_file()


def test_a_copy_of_the_repo_renders_the_committed_out_byte_for_byte(installed, tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(SPECS, copy / "specs")
    result = subprocess.run([str(installed), "render"], cwd=copy, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    written = managed_files(OUT)  # not the report, nor the environments' trees beside it
    assert snapshot(copy / "out") == {p: d for p, d in snapshot(OUT).items() if p in written}


def test_render_check_is_0_on_the_committed_out_and_1_after_an_edit(installed, tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(SPECS, copy / "specs")
    shutil.copytree(OUT, copy / "out")
    check = [str(installed), "render", "--check"]
    assert subprocess.run(check, cwd=copy, capture_output=True).returncode == 0
    dashboard = copy / "out/grafana/dashboards/aion/aion-overview.json"
    dashboard.write_text(dashboard.read_text().replace('"refresh": "30s"', '"refresh": "1m"'))
    result = subprocess.run(check, cwd=copy, capture_output=True, text=True)
    assert result.returncode == 1
    assert '-  "refresh": "1m",\n+  "refresh": "30s",' in result.stdout
