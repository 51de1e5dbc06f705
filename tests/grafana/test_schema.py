"""Grafana's schemas, as every dashboard stackgen writes is held to them on every render; and
the shape walk that decides a dashboard's validity once per shape."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackgen.grafana.schema import _schema, schema_errors
from stackgen.spec import load_stack
from tests.helpers import GRAFANA_SCHEMAS, OUT, SPECS, render_files

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "stackgen" / "schemas" / "grafana"


def _web_api() -> dict:
    return json.loads((OUT / "grafana/dashboards/platform/aion-web-api.json").read_text())


@pytest.mark.corpus
def test_the_shipped_schemas_are_the_shared_ones_unchanged():
    shared = sorted(p.name for p in GRAFANA_SCHEMAS.iterdir())
    assert shared and all(
        (SHIPPED / name).read_bytes() == (GRAFANA_SCHEMAS / name).read_bytes() for name in shared
    )


@pytest.mark.parametrize(("version", "schema_version"), [("10.4", 39), ("11.6", 41), ("12", 42)])
def test_every_dashboard_passes_the_schemas_for_each_grafana_version(
    tmp_path, version, schema_version
):
    stack = load_stack(SPECS)
    stack = stack.model_copy(
        update={"grafana": stack.grafana.model_copy(update={"version": version})}
    )
    dashboards = {
        p: json.loads(d)
        for p, d in render_files(stack).items()
        if p.endswith(".json") and "dashboards" in p
    }
    assert len(dashboards) == 8  # 4 services, the overview, the alerts, the SLOs, meta-monitoring
    for path, dashboard in dashboards.items():
        assert dashboard["schemaVersion"] == schema_version
        assert schema_errors(dashboard) == [], path


def test_the_schema_check_catches_a_bad_panel():
    dashboard = json.loads((OUT / "grafana/dashboards/platform/aion-web-api.json").read_text())
    dashboard["panels"][1]["options"]["legend"]["displayMode"] = "sideways"
    dashboard["panels"][0]["gridPos"]["w"] = "wide"
    errors = schema_errors(dashboard)
    assert any("panel `Request rate` (timeseries) options" in e for e in errors)
    assert any("gridPos" in e for e in errors)


def _places(value, path=()):
    """The path of every value inside a JSON value, itself included."""
    yield path
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        yield from _places(item, (*path, key))


def _verdicts(name: str, definition: str | None, instance) -> tuple[bool, bool]:
    """Whether the schema accepts the instance's shape, and the instance."""
    schema = _schema(name, definition)
    shape = schema.shape(instance)
    return schema.validator.is_valid(shape), schema.validator.is_valid(instance)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_dashboards_shape_is_valid_exactly_when_the_dashboard_is(data):
    """Dashboards are validated once per shape (strings checked by type only are blanked); a
    change anywhere, to any value, is judged as the validation of that dashboard judges it."""
    dashboard = _web_api()
    *parent, last = data.draw(st.sampled_from(list(_places(dashboard))[1:]))
    holder = dashboard
    for key in parent:
        holder = holder[key]
    holder[last] = data.draw(
        st.sampled_from(["", "x", "row", "timeseries", "sideways", "short", -1, 0, 2.5, None,
                         True, [], {}, [{}], {"mode": "x"}])
    )  # fmt: skip
    shape, full = _verdicts("dashboard", None, dashboard)
    assert shape == full
    panels = dashboard.get("panels")
    for panel in panels if isinstance(panels, list) else []:
        kind = panel.get("type") if isinstance(panel, dict) else None
        if kind in ("timeseries", "stat", "gauge") and isinstance(panel.get("options"), dict):
            shape, full = _verdicts(kind, "Options", panel["options"])
            assert shape == full
