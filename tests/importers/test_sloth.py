"""`stackgen import sloth`: Sloth's prometheus/v1 and Kubernetes specs become stackgen specs, and
the imported SLOs alert exactly when Sloth's generated rules do."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.importers import ImportFailed
from stackgen.importers.common import slug
from stackgen.importers.sloth import import_sloth
from stackgen.spec import load_stack
from tests.helpers import SHARED, promtool_tests, render_into, run_tool

SLOTH = SHARED / "corpus" / "slo" / "sloth"
# prometheus/v1 examples with events or raw SLIs (the SLI-plugin example cannot be imported,
# victoria-metrics.yml uses a function Prometheus does not have)
IMPORTABLE = [
    "getting-started.yml",
    "home-wifi.yml",
    "kubernetes-apiserver.yml",
    "multifile.yml",
    "no-alerts.yml",
    "raw-home-wifi.yml",
    "slo-plugin-getting-started.yml",
    "contrib-slo-plugins.yml",
]
KUBERNETES = [
    "k8s-getting-started.yml",
    "k8s-home-wifi.yml",
    "k8s-multifile.yml",
    "slo-plugin-k8s-getting-started.yml",
    "contrib-denominator-corrected.yaml",
]
# _gen files that Prometheus loads (contrib-slo-plugins' has a label named `plug-l1`)
PARITY = [f for f in IMPORTABLE if f != "contrib-slo-plugins.yml"]
WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]


def imported(tmp_path: Path, name: str) -> Path:
    result = CliRunner().invoke(
        app, ["import", "sloth", str(SLOTH / name), "-o", str(tmp_path / name)]
    )
    assert result.exit_code == 0, result.output
    return tmp_path / name


@pytest.mark.corpus
@pytest.mark.parametrize("name", IMPORTABLE + KUBERNETES)
def test_every_events_or_raw_example_imports_into_a_valid_spec(tmp_path, name):
    stack = load_stack(imported(tmp_path, name))
    assert stack.services and all(s.slos for s in stack.services)


@pytest.mark.corpus
def test_queries_keep_sloths_window_as_stackgens_placeholder(tmp_path):
    slo = load_stack(imported(tmp_path, "getting-started.yml")).services[0].slos[0]
    assert slo.sli.expr == (
        '(sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}'
        '[${window}]))) / ((sum(rate(http_request_duration_seconds_count{job="myservice"}'
        "[${window}]))) > 0)"
    )
    assert (slo.objective, slo.period, slo.alert) == (99.9, "30d", "MyServiceHighErrorRate")
    assert slo.tiers.page.labels == {"routing_key": "myteam"}
    assert slo.labels["category"] == "availability"


@pytest.mark.corpus
def test_plain_alert_annotations_are_carried_over(tmp_path):
    slo = load_stack(imported(tmp_path, "getting-started.yml")).services[0].slos[0]
    assert slo.annotations == {"summary": "High error rate on 'myservice' requests responses"}


@pytest.mark.corpus
def test_what_cannot_be_carried_over_is_noted_in_the_output(tmp_path):
    text = imported(tmp_path, "getting-started.yml").read_text()
    assert (
        f"# NOTE {SLOTH / 'getting-started.yml'}:25: myservice/requests-availability page: "
        "label `severity: pageteam` dropped"
    ) in text


@pytest.mark.corpus
def test_an_slo_without_alerting_imports_with_its_tiers_off(tmp_path):
    slo = load_stack(imported(tmp_path, "no-alerts.yml")).services[0].slos[0]
    assert (slo.tiers.page.enabled, slo.tiers.ticket.enabled) == (False, False)


@pytest.mark.corpus
def test_an_sli_plugin_is_refused_with_the_reason():
    with pytest.raises(
        ImportFailed, match="the SLI plugin `getting_started_availability` cannot be imported"
    ):
        import_sloth(
            (SLOTH / "plugin-getting-started.yml").read_text(), "plugin-getting-started.yml"
        )


@pytest.mark.corpus
def test_a_query_prometheus_cannot_run_is_refused_with_the_reason():
    with pytest.raises(ImportFailed, match="unknown function with name 'histogram_share'"):
        import_sloth((SLOTH / "victoria-metrics.yml").read_text(), "victoria-metrics.yml")


def test_the_command_exits_2_on_what_it_cannot_import(tmp_path):
    (tmp_path / "x.yml").write_text("version: other\n")
    result = CliRunner().invoke(app, ["import", "sloth", str(tmp_path / "x.yml")])
    assert result.exit_code == 2
    assert "is not a Sloth spec" in result.stderr


def _sloth_rule_files(gen: Path, folder: Path) -> list[Path]:
    """Sloth writes one YAML document per service; Prometheus loads one per file."""
    files = []
    for index, document in enumerate(d for d in yaml.safe_load_all(gen.read_text()) if d):
        files.append(folder / f"sloth-{index}.yml")
        files[-1].write_text(yaml.safe_dump(document, sort_keys=False))
    return files


def _sloth_identities(rule_files: list[Path]) -> dict[tuple[str, str], dict[str, str]]:
    """Our (service, SLO) -> the labels of Sloth's ratio series for it (without the window)."""
    found = {}
    groups = [g for f in rule_files for g in yaml.safe_load(f.read_text())["groups"]]
    for group in groups:
        for rule in group["rules"]:
            if rule.get("record") == "slo:sli_error:ratio_rate5m":
                labels = {k: v for k, v in rule["labels"].items() if k != "sloth_window"}
                found[slug(labels["sloth_service"]), slug(labels["sloth_slo"])] = labels
    return found


def _selector(name: str, labels: dict[str, str]) -> str:
    inner = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def _count(matchers: str) -> str:
    return f'count(ALERTS{{alertstate="firing",{matchers}}}) or vector(0)'


@pytest.mark.corpus
@pytest.mark.tools
@pytest.mark.parametrize("name", PARITY)
def test_imported_alerts_fire_exactly_when_sloths_generated_alerts_fire(tmp_path, name):
    """Both rule sets see the same error ratio in every window (each with its own labels). At
    20, 8, 2 and 0.5 times the budget, each imported SLO's page and ticket alerts fire exactly
    when Sloth's generated ones do: both counts must equal what the thresholds imply."""
    out = render_into(imported(tmp_path, name), tmp_path / "out")
    stack = load_stack(tmp_path / name)
    sloth_files = _sloth_rule_files(SLOTH / "_gen" / name, tmp_path)
    sloth_labels = _sloth_identities(sloth_files)
    tests = []
    for service in stack.services:
        for slo in service.slos:
            sloth = sloth_labels[service.name, slo.name]
            budget = (100 - slo.objective) / 100
            for burn in (20, 8, 2, 0.5):
                value = f"{burn * budget:.12g}x7"
                series = []
                for window in WINDOWS:
                    record = f"slo:sli_error:ratio_rate{window}"
                    series += [
                        {
                            "series": _selector(record, {**sloth, "sloth_window": window}),
                            "values": value,
                        },
                        {
                            "series": _selector(record, {"service": service.name, "slo": slo.name}),
                            "values": value,
                        },
                    ]
                checks = []
                for tier, fires in (("page", burn > 6), ("ticket", burn > 1)):
                    expected = int(fires and getattr(slo.tiers, tier).enabled)
                    sample = [{"labels": "{}", "value": expected}]
                    sloth_alerts = _count(f'sloth_id="{sloth["sloth_id"]}",sloth_severity="{tier}"')
                    ours = _count(f'service="{service.name}",slo="{slo.name}",slo_tier="{tier}"')
                    checks += [
                        {"expr": sloth_alerts, "eval_time": "30m", "exp_samples": sample},
                        {"expr": ours, "eval_time": "30m", "exp_samples": sample},
                    ]
                tests.append({"interval": "5m", "input_series": series, "promql_expr_test": checks})
    ours = sorted((out / "prometheus/rules").glob("*.yml"))
    promtool_tests(tmp_path, [*sloth_files, *ours], "1m", tests)


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.tools
def test_the_imported_stack_renders_and_its_proofs_pass(tmp_path):
    out = render_into(imported(tmp_path, "getting-started.yml"), tmp_path / "out")
    proofs = sorted((out / "prometheus/tests").glob("*.yml"))
    assert proofs
    for proof in proofs:
        result = run_tool("promtool", "test", "rules", str(proof))
        assert result.returncode == 0, result.stdout + result.stderr
    texts = "".join(p.read_text() for p in proofs)
    assert "High error rate on 'myservice' requests responses" in texts


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "version: prometheus/v1\nservice: a\nslos: [{objective: 99}]\n",
            "needs `name` and `objective`",
        ),
        (
            "version: prometheus/v1\nservice: a\nslos: [{name: x, objective: 99, sli: {events: {error_query: q}}}]\n",
            "needs `error_query` and `total_query`",
        ),
        ("version: prometheus/v1\nservice: a\nslos: []\n", "has no SLOs"),
        (
            "version: prometheus/v1\nservice: a\nslos: [{name: x, objective: nope, sli: {raw: {error_ratio_query: q}}}]\n",
            "is not a number",
        ),
    ],
)
def test_malformed_sloth_specs_are_refused_with_the_reason(text, message):
    with pytest.raises(ImportFailed, match=message):
        import_sloth(text, "x.yml")


def test_an_slo_defined_twice_for_one_service_is_refused():
    slo = (
        "slos: [{name: x, objective: 99, sli: {raw: {error_ratio_query: 'rate(x[{{.window}}])'}}}]"
    )
    text = f"version: prometheus/v1\nservice: a\n{slo}\n---\nversion: prometheus/v1\nservice: a\n{slo}\n"
    with pytest.raises(ImportFailed, match="defines an SLO name twice"):
        import_sloth(text, "x.yml")


def test_shapes_the_importer_does_not_expect_exit_2_without_a_traceback(tmp_path):
    (tmp_path / "x.yml").write_text("version: prometheus/v1\nservice: a\nlabels: [a]\nslos: 5\n")
    result = CliRunner().invoke(app, ["import", "sloth", str(tmp_path / "x.yml")])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)


# --- nothing dropped without a word (issue 20, item 5) -------------------------------------------

# The fields the importer carries over; every other field of a Sloth file must get a note at its
# line. Keys inside `labels` and `annotations` are label names: carried or noted one by one.
CARRIED = {
    "apiVersion", "kind", "spec", "version", "service", "labels", "slos", "name", "objective",
    "sli", "events", "error_query", "errorQuery", "total_query", "totalQuery", "raw",
    "error_ratio_query", "errorRatioQuery", "alerting", "annotations", "page_alert", "pageAlert",
    "ticket_alert", "ticketAlert", "disable",
}  # fmt: skip


def _keys_with_lines(text: str) -> list[tuple[str, int, tuple[str, ...]]]:
    """Every mapping key of every document: (key, its line, the keys above it)."""
    found = []

    def walk(node, above):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                found.append((key.value, key.start_mark.line + 1, above))
                walk(value, (*above, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, above)

    for document in yaml.compose_all(text):
        walk(document, ())
    return found


@pytest.mark.corpus
@pytest.mark.parametrize("name", IMPORTABLE + KUBERNETES)
def test_every_field_is_carried_over_or_noted_at_its_line(name):
    """Both forms alike: a field the importer does not carry (sloPlugins in the Kubernetes form
    as slo_plugins in prometheus/v1, descriptions, SLO plugins, the object's metadata) is named
    in a note that starts with FILE:LINE of that field or of the field holding it."""
    path = SLOTH / name
    _, notes = import_sloth(path.read_text(), str(path))
    noted = {int(n.split(":")[1]) for n in notes if n.startswith(f"{path}:")}
    assert all(n.startswith(f"{path}:") for n in notes), notes
    lines = {}
    for key, line, above in _keys_with_lines(path.read_text()):
        lines[(*above, key)] = line
        if key in CARRIED or (above and above[-1] in ("labels", "annotations")):
            continue
        chain = [lines.get(above[: i + 1]) for i in range(len(above))] + [line]
        assert noted & set(chain), f"{name}:{line}: `{key}` neither carried over nor noted"


@pytest.mark.corpus
def test_slo_plugins_are_noted_in_the_kubernetes_form_as_in_prometheus_v1():
    notes = {}
    for name in ("slo-plugin-getting-started.yml", "slo-plugin-k8s-getting-started.yml"):
        _, found = import_sloth((SLOTH / name).read_text(), name)
        notes[name] = [n for n in found if "SLO plugins" in n]
    assert notes == {
        "slo-plugin-getting-started.yml": [
            "slo-plugin-getting-started.yml:7: myservice: `slo_plugins` not imported (SLO "
            "plugins run in Sloth's generator)",
            "slo-plugin-getting-started.yml:21: myservice/requests-availability: `plugins` not "
            "imported (SLO plugins run in Sloth's generator)",
        ],
        "slo-plugin-k8s-getting-started.yml": [
            "slo-plugin-k8s-getting-started.yml:17: myservice: `sloPlugins` not imported (SLO "
            "plugins run in Sloth's generator)",
            "slo-plugin-k8s-getting-started.yml:29: myservice/requests-availability: `plugins` "
            "not imported (SLO plugins run in Sloth's generator)",
        ],
    }


@pytest.mark.corpus
@pytest.mark.tools
def test_an_imported_event_sli_without_traffic_has_no_ratio_rather_than_nan(tmp_path):
    """The `total > 0` guard the README promises: counters that stand still (no requests at
    all) give no error ratio, where Sloth's own division gives NaN."""
    out = render_into(imported(tmp_path, "getting-started.yml"), tmp_path / "out")
    rules = sorted((out / "prometheus/rules").glob("*.yml"))
    series = 'http_request_duration_seconds_count{job="myservice",code="200"}'
    errors = 'http_request_duration_seconds_count{job="myservice",code="503"}'
    ratio = 'slo:sli_error:ratio_rate5m{service="myservice",slo="requests-availability"}'
    idle = {"series": series, "values": "100x20"}
    busy = {"series": series, "values": "0+100x20"}
    failing = {"series": errors, "values": "0+1x20"}
    promtool_tests(
        tmp_path,
        rules,
        "1m",
        [
            {  # no traffic: no ratio (Sloth's rule would record NaN)
                "interval": "1m",
                "input_series": [idle, {"series": errors, "values": "0x20"}],
                "promql_expr_test": [{"expr": ratio, "eval_time": "10m", "exp_samples": []}],
            },
            {  # traffic with 1 error in 101 requests a minute: the ratio is there
                "interval": "1m",
                "input_series": [busy, failing],
                "promql_expr_test": [
                    {
                        "expr": f"round({ratio} * 101)",
                        "eval_time": "10m",
                        "exp_samples": [
                            {
                                "labels": '{service="myservice",slo="requests-availability"}',
                                "value": 1,
                            }
                        ],
                    }
                ],
            },
        ],
    )
