"""Time intervals in the spec use Alertmanager's own syntax, checked by its own rules, with
located errors; routes may only name intervals the spec defines."""

import pytest
import yaml

from stackgen.spec import SpecErrors, load_stack
from tests.helpers import MINIMAL, render_files, run_tool, write

INTERVALS = """\
  time_intervals:
    - name: business-hours
      time_intervals:
        - weekdays: [monday:friday]
          times: [{start_time: "09:00", end_time: "17:00"}]
          location: Europe/Berlin
    - name: maintenance
      time_intervals:
        - years: [2026]
          months: [december]
          days_of_month: [5, "-1"]
  routes:
    - severity: [critical]
      channel: ops
      mute_time_intervals: [maintenance]
    - severity: [info]
      channel: ops
      active_time_intervals: [business-hours]
"""


def spec(routing: str) -> str:
    return MINIMAL + routing


def errors_of(tmp_path, text: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_stack(write(tmp_path, "spec.yml", text))
    return [str(e) for e in caught.value.errors]


@pytest.mark.tools
def test_intervals_render_as_alertmanager_reads_them(tmp_path):
    files = render_files(load_stack(write(tmp_path, "spec.yml", spec(INTERVALS))))
    config = tmp_path / "alertmanager.yml"
    config.write_bytes(files["alertmanager/alertmanager.yml"])
    assert run_tool("amtool", "check-config", str(config)).returncode == 0
    document = yaml.safe_load(config.read_text())
    assert document["time_intervals"][1]["time_intervals"] == [
        {"days_of_month": ["5", "-1"], "months": ["december"], "years": ["2026"]}
    ]
    assert document["route"]["routes"][0]["mute_time_intervals"] == ["maintenance"]


@pytest.mark.parametrize(
    ("bad", "line", "message"),
    [
        ("weekdays: [monday:funday]", 4, "`monday:funday`"),
        ('times: [{start_time: "18:00", end_time: "09:00"}]', 4, "cannot cross midnight"),
        ("times: [{start_time: 09:00, end_time: 17:00}]", 4, "quote times of day"),
        ("location: Europe/Berlinn", 4, "is not a time zone"),
        ('days_of_month: ["0"]', 4, "not a day of the month"),
    ],
)
def test_bad_intervals_are_located_errors(tmp_path, bad, line, message):
    routing = f"  time_intervals:\n    - name: x\n      time_intervals:\n        - {bad}\n"
    errors = errors_of(tmp_path, spec(routing))
    assert len(errors) >= 1 and message in errors[0], errors
    assert errors[0].startswith(f"{tmp_path / 'spec.yml'}:{len(MINIMAL.splitlines()) + line}:")


def test_a_route_may_only_name_defined_intervals(tmp_path):
    routing = "  routes:\n    - severity: [info]\n      channel: ops\n      mute_time_intervals: [nights]\n"
    (error,) = errors_of(tmp_path, spec(routing))
    assert "no time interval is named `nights` (known: none defined)" in error
