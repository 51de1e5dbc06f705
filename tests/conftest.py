"""Shared fixtures."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import SPECS, render_into


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
