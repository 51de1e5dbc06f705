"""bench/sloth_rules.py writes Sloth's rules as Sloth does, so bench/rule_cost.py compares
stackgen with what Sloth users run."""

import sys

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.corpus


@pytest.fixture
def sloth_rules(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    import sloth_rules

    yield sloth_rules
    sys.modules.pop("sloth_rules", None)


def test_the_generator_reproduces_sloths_own_getting_started_output(sloth_rules):
    assert sloth_rules.check_against_corpus() == []


def test_a_changed_generator_is_caught(sloth_rules, monkeypatch):
    monkeypatch.setattr(sloth_rules, "WINDOWS", ("5m", "30m", "1h", "2h", "6h", "1d"))
    with pytest.raises(ValueError):  # a window fewer: the groups no longer line up
        sloth_rules.check_against_corpus()
    monkeypatch.setattr(sloth_rules, "WINDOWS", ("5m", "30m", "1h", "2h", "6h", "1d", "3d"))
    monkeypatch.setattr(sloth_rules, "PERIOD_DAYS", 28)
    # the 28d ratio, the period length and the period burn rate that reads the ratio
    assert len(sloth_rules.check_against_corpus()) == 3
