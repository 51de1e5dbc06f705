"""Shared fixtures."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.helpers import SHARED, SPECS, render_into

# The third-party corpus and schemas live beside this repository's own checkout only; a fresh
# clone has no ../shared, so its tests skip there, and fail in CI, where they must run.
# Tests assert behaviour, never time: Hypothesis's per-example deadline fails examples that a
# busy machine (parallel workers on CI's two cores) merely runs slowly.
settings.register_profile("stackgen", deadline=None)
settings.load_profile("stackgen")

CORPUS_MISSING = not (SHARED / "corpus").is_dir() or not (SHARED / "schemas").is_dir()
CORPUS_REASON = f"needs the third-party corpus at {SHARED} (../shared beside the checkout)"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Real-time tests run first: they mostly wait, so in parallel workers the rest of the suite
    runs beside them rather than after them (scripts/test.sh keeps this order for the workers).
    Outside CI, corpus tests skip with the reason when ../shared is absent; first, so that the
    reason shown is this one, not an empty parameter set's."""
    items.sort(key=lambda item: item.get_closest_marker("real_time") is None)
    if not CORPUS_MISSING or _in_ci():
        return
    skip = pytest.mark.skip(reason=CORPUS_REASON)
    for item in items:
        if item.get_closest_marker("corpus"):
            item.add_marker(skip, append=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """In CI a missing corpus fails its tests (before any skip mark is looked at)."""
    if CORPUS_MISSING and _in_ci() and item.get_closest_marker("corpus"):
        pytest.fail(f"CI=true: {CORPUS_REASON}, which is missing", pytrace=False)


@pytest.fixture(scope="session")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example spec rendered into a fresh folder."""
    return render_into(SPECS, tmp_path_factory.mktemp("example") / "out")


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    """A command run in-process turns the cyclic collector off for the process (as a command
    should: common/gc.py); the next test gets it back on."""
    yield
    gc.enable()
