"""Routing: the intervals Alertmanager accepts."""

import pytest

from tests.helpers import with_routing
from tests.spec.located import errors_of


@pytest.mark.parametrize("field", ["group_interval", "repeat_interval"])
def test_zero_intervals_alertmanager_refuses_are_rejected(tmp_path, field):
    (error,) = errors_of(tmp_path, with_routing(f"  {field}: 0s\n"))
    assert f"routing.{field}: '0s' must be longer than zero" in error
