"""A plan resolves each service's alerts (and each SLO's arithmetic) once, however many outputs
use them; outside a plan nothing is remembered, so a changed stack is always seen."""

import gc

import pytest

import stackgen.plan.alerts as alerts_module
import stackgen.plan.slos as slos_module
from stackgen.plan import build_plan
from stackgen.plan.alerts import service_alerts
from stackgen.plan.memo import per_plan, planning
from stackgen.spec import load_stack
from tests.helpers import SPECS, counting


@pytest.fixture(scope="module")
def example():
    return load_stack(SPECS)


def test_a_plan_resolves_each_services_alerts_once(example, monkeypatch):
    calls = counting(monkeypatch, alerts_module, "pack_alerts")
    build_plan(example)
    assert len(calls) == len(example.services)


def test_a_plan_works_out_each_slos_arithmetic_once(example, monkeypatch):
    calls = counting(monkeypatch, slos_module.engine, "plan")
    build_plan(example)
    assert len(calls) == sum(len(s.slos) for s in example.services)


def test_outside_a_plan_each_call_resolves_again(example, monkeypatch):
    calls = counting(monkeypatch, alerts_module, "pack_alerts")
    service = example.services[0]
    assert service_alerts(example, service) == service_alerts(example, service)
    assert len(calls) == 2


def test_a_remembered_list_is_each_callers_own(example):
    service = example.services[0]
    with planning():
        first = service_alerts(example, service)
        first.clear()
        assert service_alerts(example, service) != []


def test_remembered_by_the_arguments_identity_until_the_plan_ends():
    calls: list[list[int]] = []

    @per_plan
    def total(values: list[int]) -> int:
        calls.append(values)
        return sum(values)

    one, other = [1, 2], [1, 2]
    with planning():
        assert total(one) == total(one) == total(other) == 3
    assert calls == [one, other]  # equal but distinct arguments are computed each
    assert total(one) == 3 and len(calls) == 3


def test_a_plan_leaves_the_cyclic_collector_as_it_found_it(example):
    build_plan(example)
    assert gc.isenabled()
    gc.disable()
    try:
        build_plan(example)
        assert not gc.isenabled()
    finally:
        gc.enable()
