"""`stackgen diff`: what a spec change does to the rendered stack, by object. Each test renders a
base spec into OUT, changes the spec one way and checks that the diff names exactly the objects
that change, with the fields that change; exit 1 when something changes, 0 when nothing does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.review.diff import Change, FieldChange, compare, summary
from tests.helpers import OUT, SPECS, render_into, write

runner = CliRunner()

BASE = """\
stack:
  name: demo
services:
  - name: api
    team: web
    kind: http
    targets:
      static: [api:8080]
    alerts:
      HighHTTPErrorRate: {threshold: 0.05, for: 5m}
    slos:
      - {name: availability, objective: 99.9, sli: {type: uptime}}
  - name: db
    team: data
    kind: database
    targets:
      static: [db:9187]
channels:
  - {name: ops, type: webhook, url: http://hooks.internal/ops}
  - {name: pager, type: webhook, url: http://hooks.internal/pager}
  - {name: data, type: webhook, url: http://hooks.internal/data}
routing:
  default_channel: ops
  routes:
    - {severity: [critical], channel: pager, continue: true}
    - {team: data, channel: data}
"""


@pytest.fixture
def base(tmp_path: Path) -> tuple[Path, Path]:
    """The base spec, and OUT holding its render."""
    spec = write(tmp_path, "spec/stack.yml", BASE)
    return spec, render_into(spec, tmp_path / "out")


def diff(spec: Path, out: Path, *options: str):
    return runner.invoke(app, ["diff", str(spec), "-o", str(out), *options])


def changed(base: tuple[Path, Path], old: str, new: str, *options: str):
    spec, out = base
    assert old in BASE
    spec.write_text(BASE.replace(old, new))
    return diff(spec, out, *options)


def entries(output: str) -> list[str]:
    """The object lines of the text output: `+ name  (file)`, and so on."""
    return [
        line.strip() for line in output.splitlines() if line.startswith("  ") and line[2] in "+-~"
    ]


def test_an_unchanged_spec_exits_0(base):
    result = diff(*base)
    assert result.exit_code == 0, result.output
    assert result.stdout == "no changes\n"


def test_the_committed_out_is_what_the_example_renders():
    result = runner.invoke(app, ["diff", str(SPECS), "-o", str(OUT)])
    assert (result.exit_code, result.stdout) == (0, "no changes\n")


def test_a_changed_alert_names_its_fields_and_their_values(base):
    result = changed(
        base, "{threshold: 0.05, for: 5m}", "{threshold: 0.05, for: 10m, severity: warning}"
    )
    assert result.exit_code == 1, result.output
    assert 'Alerts:\n  ~ HighHTTPErrorRate{service="api"}  (prometheus/rules/api.yml)\n' in (
        result.stdout
    )
    assert "      for: 5m -> 10m\n      labels.severity: critical -> warning\n" in result.stdout
    # where the alert goes now: the critical route's pager no longer gets it
    assert (
        '  ~ HighHTTPErrorRate{service="api"}  (alertmanager/tests/routing.yml)\n'
        '      receivers: ["pager"] -> ["ops"]\n' in result.stdout
    )


def test_added_and_removed_alerts(base):
    custom = (
        "    custom_alerts:\n"
        "      - {name: QueueBacklog, expr: 'queue_depth > 100', summary: s, description: d}\n"
    )
    result = changed(
        base,
        "      HighHTTPErrorRate: {threshold: 0.05, for: 5m}\n",
        "      HighHTTPErrorRate: {threshold: 0.05, for: 5m}\n"
        "      HighRequestRate: {enabled: false}\n" + custom.replace("    custom", "    custom", 1),
    )
    assert result.exit_code == 1, result.output
    lines = entries(result.stdout)
    assert '+ QueueBacklog{service="api"}  (prometheus/rules/api.yml)' in lines
    assert '- HighRequestRate{service="api"}  (prometheus/rules/api.yml)' in lines
    assert "+ runbooks/QueueBacklog.md" in lines
    assert "- runbooks/HighRequestRate.md" in lines


def test_an_slo_change_changes_its_recording_rules(base):
    result = changed(base, "objective: 99.9", "objective: 99.5")
    assert result.exit_code == 1
    assert "Recording rules:\n" in result.stdout
    assert (
        '~ slo:objective:ratio{service="api", slo="availability"}  (prometheus/rules/api.yml)'
        in entries(result.stdout)
    )
    assert "      expr: vector(0.999) -> vector(0.995)\n" in result.stdout


def test_routes_and_receivers_added_removed_and_changed(base):
    result = changed(
        base,
        "  - {name: data, type: webhook, url: http://hooks.internal/data}\n"
        "routing:\n  default_channel: ops\n  routes:\n"
        "    - {severity: [critical], channel: pager, continue: true}\n"
        "    - {team: data, channel: data}\n",
        "  - {name: data, type: webhook, url: http://hooks.internal/data2}\n"
        "  - {name: web, type: webhook, url: http://hooks.internal/web}\n"
        "routing:\n  default_channel: ops\n  routes:\n"
        "    - {severity: [critical], channel: pager, continue: true, group_wait: 1m}\n"
        "    - {team: web, channel: web}\n",
    )
    assert result.exit_code == 1, result.output
    lines = entries(result.stdout)
    assert '+ team="web"  (alertmanager/alertmanager.yml)' in lines
    assert '- team="data"  (alertmanager/alertmanager.yml)' in lines
    assert "+ web  (alertmanager/alertmanager.yml)" in lines
    assert "~ data  (alertmanager/alertmanager.yml)" in lines
    assert "webhook_configs[0].url: http://hooks.internal/data -> http://hooks.internal/data2" in (
        result.stdout
    )
    assert (
        '  ~ severity="critical"  (alertmanager/alertmanager.yml)\n      group_wait: (none) -> 1m\n'
        in (result.stdout)
    )
    # the routing matrix: where the alerts go now
    assert '  ~ SlowQueries{service="db"}  (alertmanager/tests/routing.yml)\n' in result.stdout
    assert '      receivers: ["data"] -> ["ops"]\n' in result.stdout


def test_swapping_two_routes_is_an_order_change(base):
    swapped = BASE.replace(
        "    - {severity: [critical], channel: pager, continue: true}\n"
        "    - {team: data, channel: data}\n",
        "    - {team: data, channel: data}\n"
        "    - {severity: [critical], channel: pager, continue: true}\n",
    )
    spec, out = base
    spec.write_text(swapped)
    result = diff(spec, out)
    assert result.exit_code == 1
    assert '  ~ severity="critical"  (alertmanager/alertmanager.yml)\n      order: 1 -> 2\n' in (
        result.stdout
    )
    assert (
        '  ~ team="data"  (alertmanager/alertmanager.yml)\n      order: 2 -> 1\n' in result.stdout
    )


def test_a_new_service_adds_its_dashboard_and_panels_and_a_removed_one_removes_them(base):
    node = (
        "  - name: host\n    team: web\n    kind: node\n    targets:\n      static: [host:9100]\n"
    )
    result = changed(base, "channels:\n", node + "channels:\n")
    assert result.exit_code == 1
    lines = entries(result.stdout)
    assert any(
        line.startswith("+ host (demo-host)  (grafana/dashboards/web/host.json)") for line in lines
    ), lines
    assert any(line.startswith("+ host / ") for line in lines)
    assert '+ ServiceDown{service="host"}  (prometheus/rules/host.yml)' in lines
    assert "+ host  (prometheus/prometheus.yml)" in lines  # the scrape job
    spec, out = base
    render_into(spec, out)
    spec.write_text(BASE)
    removed = entries(diff(spec, out).stdout)
    assert any(line.startswith("- host (demo-host)") for line in removed)
    assert not [line for line in removed if line.startswith("+")]


def test_a_changed_threshold_changes_the_panel_drawn_at_it(base):
    result = changed(base, "{threshold: 0.05, for: 5m}", "{threshold: 0.02, for: 5m}")
    assert "Panels:\n" in result.stdout
    assert "fieldConfig.defaults.thresholds.steps[1].value: 0.05 -> 0.02" in result.stdout


def test_markdown_output_is_a_table_per_kind(base):
    result = changed(base, "for: 5m}", "for: 10m}", "--format", "markdown")
    assert result.exit_code == 1
    assert result.stdout.startswith("**1 alert changed, ")
    assert "### Alerts\n\n| | alert | file | what changed |\n|---|---|---|---|\n" in result.stdout
    assert (
        '| changed | `HighHTTPErrorRate{service="api"}` | `prometheus/rules/api.yml` | '
        "`for`: `5m` → `10m` |" in result.stdout
    )


def test_an_unknown_format_exits_2(base):
    result = diff(*base, "--format", "html")
    assert result.exit_code == 2
    assert "--format is one of text, markdown" in result.stderr


def test_an_out_without_a_render_makes_every_file_new(base, tmp_path):
    spec, _ = base
    result = diff(spec, tmp_path / "nothing")
    assert result.exit_code == 1
    assert "holds no render of stackgen: every file is new" in result.stderr
    assert "~ " not in result.stdout and "- " not in "\n".join(entries(result.stdout))


# --- compare(), on trees made up for it ---------------------------------------------------------

RULES = (
    b"groups:\n  - name: g\n    rules:\n      - {alert: A, expr: up == 0, labels: {service: x}}\n"
)


def test_a_comment_only_change_is_a_changed_file():
    assert compare({"r.yml": RULES}, {"r.yml": b"# note\n" + RULES}) == [
        Change("file", "r.yml", "r.yml", "changed")
    ]


def test_a_file_that_does_not_parse_is_compared_whole():
    assert compare({"r.yml": RULES}, {"r.yml": b"groups: [\n"}) == [
        Change("file", "r.yml", "r.yml", "changed")
    ]


def test_two_alerts_of_one_identity_are_told_apart():
    two = RULES + b"      - {alert: A, expr: up == 1, labels: {service: x}}\n"
    (change,) = compare({"r.yml": two}, {"r.yml": two.replace(b"up == 1", b"up == 2")})
    assert change == Change(
        "alert",
        'A{service="x"} #2',
        "r.yml",
        "changed",
        (FieldChange("expr", "up == 1", "up == 2"),),
    )


def test_dashboards_are_recognised_by_content_and_panels_by_title():
    board = {
        "uid": "u",
        "title": "T",
        "panels": [{"title": "P", "type": "stat", "gridPos": {"y": 0}}],
    }
    moved = json.loads(json.dumps(board))
    moved["panels"][0]["gridPos"]["y"] = 4
    (change,) = compare(
        {"d.json": json.dumps(board).encode()}, {"d.json": json.dumps(moved).encode()}
    )
    assert change == Change(
        "panel", "T / P", "d.json", "changed", (FieldChange("gridPos.y", 0, 4),)
    )


def test_summary_counts_by_kind_and_action():
    changes = [
        Change("alert", "a", "f", "added"),
        Change("alert", "b", "f", "added"),
        Change("panel", "p", "f", "removed"),
    ]
    assert summary(changes) == "2 alerts added, 1 panel removed"
    assert summary([]) == "no changes"


def test_added_and_removed_alerts_say_where_they_go(base):
    custom = (
        "    custom_alerts:\n"
        "      - {name: QueueBacklog, expr: 'queue_depth > 100', summary: s, description: d,"
        " severity: critical}\n"
    )
    result = changed(
        base,
        "      HighHTTPErrorRate: {threshold: 0.05, for: 5m}\n",
        "      HighHTTPErrorRate: {threshold: 0.05, for: 5m}\n"
        "      HighRequestRate: {enabled: false}\n" + custom,
    )
    section = result.stdout.split("Where alerts go (the routing matrix):\n", 1)[1].split("\n\n")[0]
    lines = [line.strip() for line in section.splitlines()]
    added = lines.index('+ QueueBacklog{service="api"}  (alertmanager/tests/routing.yml)')
    assert lines[added + 1] == 'receivers: (none) -> ["pager"]'
    removed = lines.index('- HighRequestRate{service="api"}  (alertmanager/tests/routing.yml)')
    assert lines[removed + 1] == 'receivers: ["ops"] -> (none)'
