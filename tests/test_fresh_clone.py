"""A fresh clone has no ../shared beside it: the README's test command collects there, its
corpus tests skip with the reason, and with CI=true they fail instead."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's files (what git tracks, and new files not ignored) in a folder with
    nothing beside it."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    copy = tmp_path_factory.mktemp("fresh") / "stackgen"
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    assert not (copy.parent / "shared").exists()
    return copy


def pytest_in(copy: Path, *args: str, ci: bool) -> subprocess.CompletedProcess[str]:
    """scripts/test.sh's pytest, run in the copy (its own src/ first on the path)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(copy / "src")
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=copy, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_the_suite_collects_and_the_corpus_tests_skip_saying_why(clone):
    result = pytest_in(clone, "-q", "-m", "corpus", "-rs", ci=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " skipped" in summary and "passed" not in summary and "failed" not in summary
    assert "error" not in summary, summary  # every module collected
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips and all("needs the third-party corpus at" in line for line in skips)


def test_in_ci_a_missing_corpus_fails_its_tests(clone):
    result = pytest_in(clone, "-q", "-m", "corpus", "tests/importers/test_openslo.py", ci=True)
    assert result.returncode == 1
    last = result.stdout.splitlines()[-1]  # failed in setup: errors, none passed or skipped
    # test_openslo.py's corpus tests: 2 imports, the ratio, 2 notes-at-their-line cases
    assert "5 errors" in last and "passed" not in last and "skipped" not in last, last
    assert "CI=true: needs the third-party corpus at" in result.stdout
