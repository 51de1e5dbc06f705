"""Linting as a map and a reduce: each file summarised on its own, as a render's workers do from
the text and the document they hold, and the checks across files run on the summaries alone.
`lint_staged` on the summaries finds exactly what `lint` finds; summaries are small, picklable
and hold no text, and the summarised files are read back only to point at a finding."""

import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import stackgen.lint.summary
from stackgen.lint import (
    lint,
    lint_settings,
    lint_staged,
    summarise_dashboard,
    summarise_rule_file,
)
from stackgen.lint.sources import Tree, load_plain, rule_files
from stackgen.lint.stack import DEFAULT_SCRAPE, Stack, is_stack
from stackgen.lint.summary import DashboardSummary, RuleFileSummary
from tests.helpers import OUT, SHARED, SPECS, example_lint, render_into

Summary = RuleFileSummary | DashboardSummary
RULES = Path("prometheus") / "rules"
DASHBOARD = Path("grafana") / "dashboards" / "platform" / "aion-web-api.json"


def _worker_summary(path: Path, scrape: float, told: bool = True) -> Summary:
    """As a render's worker makes it: from the text and the document it parsed (`told`: the
    scrape interval is the stack's, not Prometheus's default assumed)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return summarise_dashboard(path, text, json.loads(text))
    try:
        parsed = {path: load_plain(text)}
    except ValueError:
        parsed = {}  # what only the position-keeping reader reads right
    settings = lint_settings(None, scrape, scrape_told=told)
    return summarise_rule_file(path, Tree({path: text}, parsed), settings)


def staged(root: Path) -> dict[Path, Summary]:
    """The summaries of every rule file and dashboard under root, sent through pickle."""
    told = is_stack(root)
    scrape = Stack.read(root).scrape_interval if told else DEFAULT_SCRAPE
    paths = [*rule_files([root]), *sorted((root / "grafana").rglob("*.json"))]
    return {p: pickle.loads(pickle.dumps(_worker_summary(p, scrape, told))) for p in paths}


def _add_rules(root: Path, name: str, rules: list[dict[str, Any]], comment: str = "") -> None:
    """A rule file the stack's prometheus.yml names."""
    text = yaml.safe_dump({"groups": [{"name": name, "rules": rules}]}, sort_keys=False)
    (root / RULES / f"{name}.yml").write_text(comment + text)
    config_path = root / "prometheus" / "prometheus.yml"
    config = yaml.safe_load(config_path.read_text())
    config["rule_files"].append(f"rules/{name}.yml")
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))


def _plant(root: Path, comments: bool) -> None:
    """A finding of every check across files, and (`comments`) two of them disabled."""
    first_alert = next(
        rule
        for group in yaml.safe_load((root / RULES / "aion-web-api.yml").read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    )
    mute = "  # stackgen-lint disable=record/undefined" if comments else ""
    _add_rules(root, "extra", [
        first_alert,  # the same rule as in aion-web-api.yml: rule/duplicate
        # job:http_requests:rate5m: a sum aion-web-api.yml records; job:nope: defined nowhere
        {"record": "job:http_requests:rate1h", "expr": "sum by (job) (rate(job:http_requests:rate5m[1h]))"},
        {"record": "job:errors:ratio", "expr": "job:http_request_errors:rate5m / job:nope:rate5m"},
        {"record": "job:muted:sum", "expr": "sum by (job) (job:muted:rate5m)"},
    ])  # fmt: skip
    text = (root / RULES / "extra.yml").read_text()
    text = text.replace("(job:muted:rate5m)", "(job:muted:rate5m)" + mute)
    (root / RULES / "extra.yml").write_text(text)
    # HighRequestRate made an info alert: no route takes info (nor component=api) alerts, so it
    # reaches only the default receiver
    api_rules = root / RULES / "aion-web-api.yml"
    text = api_rules.read_text()
    warning = text.index("severity: warning", text.index("- alert: HighRequestRate"))
    api_rules.write_text(
        text[:warning] + "severity: info" + text[warning + len("severity: warning") :]
    )
    config_path = root / "alertmanager" / "alertmanager.yml"
    config = yaml.safe_load(config_path.read_text())
    config["route"]["routes"][0]["group_by"] = ["taem"]  # no alert carries it
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    dashboard = json.loads((root / DASHBOARD).read_text())
    panel = next(p for p in dashboard["panels"] if p.get("targets"))
    panel["targets"][0]["expr"] = 'sum(rate(x_total{job="a"}[5m])) + job:nope:rate1h'
    hidden = " # stackgen-lint disable=record/undefined" if comments else ""
    panel["targets"].append({"refId": "Z", "expr": "job:hidden:rate1h" + hidden})
    (root / DASHBOARD).write_text(json.dumps(dashboard, indent=2))


@pytest.fixture
def planted(tmp_path) -> Path:
    root = tmp_path / "out"
    shutil.copytree(OUT, root)
    _plant(root, comments=True)
    return root


def test_the_rendered_example_staged_is_clean(tmp_path):
    root = render_into(SPECS, tmp_path / "out")
    config = example_lint()
    assert lint_staged(root, staged(root), config=config) == lint([root], config=config) == []


def test_planted_problems_across_files_are_found_from_the_summaries(planted):
    found = lint([planted])
    assert lint_staged(planted, staged(planted)) == found
    by_check = {(f.check, Path(f.file).name) for f in found}
    assert {
        ("rule/duplicate", "extra.yml"),
        ("record/undefined", "extra.yml"),
        ("promql/rate-counter", "extra.yml"),
        ("route/unrouted", "aion-web-api.yml"),
        ("route/unknown-label", "alertmanager.yml"),
        ("dashboard/rate-interval", "aion-web-api.json"),
        ("record/undefined", "aion-web-api.json"),
    } <= by_check
    assert all(f.line > 1 for f in found)
    assert not [f for f in found if "muted" in f.message or "hidden" in f.message]


def test_the_comments_hide_findings_across_files_that_are_there_without_them(tmp_path):
    root = tmp_path / "out"
    shutil.copytree(OUT, root)
    _plant(root, comments=False)
    found = lint([root])
    assert lint_staged(root, staged(root)) == found
    hidden = [f.file for f in found if "muted" in f.message or "hidden" in f.message]
    assert sorted(Path(file).name for file in hidden) == ["aion-web-api.json", "extra.yml"]


@pytest.mark.corpus
@pytest.mark.parametrize(
    "root",
    [SHARED / "corpus" / "rules", SHARED / "corpus" / "slo" / "sloth" / "_gen"],
    ids=["rules", "sloth"],
)
def test_the_corpus_staged_is_what_lint_finds(root):
    found = lint([root])
    assert found  # the corpus has findings of its own, sloth's many duplicates
    assert lint_staged(root, staged(root)) == found


@pytest.mark.corpus
def test_duplicates_are_confirmed_on_the_rules_not_the_digests(planted, monkeypatch):
    """Every digest the same: still exactly the duplicates there are."""
    sloth = SHARED / "corpus" / "slo" / "sloth" / "_gen"
    expected = {root: lint([root]) for root in (planted, sloth)}
    monkeypatch.setattr(stackgen.lint.summary, "_digest", lambda rule: bytes(8))
    for root, found in expected.items():
        assert lint_staged(root, staged(root)) == found


def test_summarised_files_are_not_read_again_without_a_finding_across_files(tmp_path, monkeypatch):
    root = render_into(SPECS, tmp_path / "out")
    summaries = staged(root)
    read: list[Path] = []
    original = Tree.read_text
    monkeypatch.setattr(Tree, "read_text", lambda tree, p: read.append(p) or original(tree, p))
    assert lint_staged(root, summaries, config=example_lint()) == []
    assert read and not set(read) & set(summaries)  # the configs only


def test_files_without_a_summary_are_read_from_disk(planted):
    summaries = staged(planted)
    del summaries[planted / RULES / "extra.yml"], summaries[planted / DASHBOARD]
    assert lint_staged(planted, summaries) == lint([planted])


def _only(data: dict[str, Any], kind: str) -> dict[str, Any]:
    groups = data["groups"]
    return {"groups": [{**g, "rules": [r for r in g["rules"] if kind in r]} for g in groups]}


@pytest.mark.parametrize(("kind", "most"), [("record", 300), ("alert", 1024)])
def test_a_summary_holds_little_per_rule_and_no_text(tmp_path, kind, most):
    """Pickled bytes per generated rule, its file's share included."""
    root = render_into(SPECS, tmp_path / "out")
    size = count = 0
    for path in rule_files([root]):
        part = _only(yaml.safe_load(path.read_text()), kind)
        text = yaml.safe_dump(part, sort_keys=False)
        summary = summarise_rule_file(
            path, Tree({path: text}, {path: part}), lint_settings(None, 15)
        )
        pickled = pickle.dumps(summary)
        size, count = size + len(pickled), count + len(summary.digests) // 8
        annotations = [
            v for g in part["groups"] for r in g["rules"] for v in r.get("annotations", {}).values()
        ]
        assert not [a for a in annotations if a.encode() in pickled]
    assert count > 20 and size / count < most


def test_a_file_linted_without_a_stack_keeps_nothing_for_routing(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text(
        "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: sum by (job) (up) == 0\n"
        "    labels: {severity: page}\n"
    )
    settings = lint_settings(None, DEFAULT_SCRAPE)
    routed = summarise_rule_file(path, Tree(), settings)
    alone = summarise_rule_file(path, Tree(), settings, routed=False)
    assert [a.static for a in routed.alerts] == [{"alertname": "Down", "severity": "page"}]
    assert routed.carried == {"alertname", "severity", "job"}
    assert (alone.alerts, alone.carried, alone.open_dropped) == ((), frozenset(), None)
    assert alone.findings == routed.findings and alone.records == routed.records
