"""The live stack, started once for the module's tests; the servers' logs on a failure."""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from tests.helpers import require_tool
from tests.live.harness import LiveStack, live_stack


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """The example stack, profiled and rendered by stackgen, run by the real Prometheus and
    Alertmanager against the fakes; stopped when the module's tests are done."""
    prometheus = require_tool("prometheus")
    alertmanager = require_tool("prometheus-alertmanager")
    with live_stack(tmp_path_factory.mktemp("live"), prometheus, alertmanager) as stack:
        yield stack


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed live test shows the last lines Prometheus and Alertmanager logged."""
    report = yield
    live = getattr(item, "funcargs", {}).get("live")
    if report.failed and isinstance(live, LiveStack):
        for name, tail in live.log_tails():
            report.sections.append((f"{name} log (last lines)", tail))
    return report
