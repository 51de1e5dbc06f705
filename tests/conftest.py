"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SPECS, render_into


@pytest.fixture(scope="session")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example spec rendered into a fresh folder."""
    return render_into(SPECS, tmp_path_factory.mktemp("example") / "out")
