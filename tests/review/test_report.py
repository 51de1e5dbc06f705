"""`stackgen report`: REPORT.md for the example lists every alert with its receivers, every SLO
with its budget and tier thresholds, and a routing diagram that Mermaid (the pinned npm package,
which scripts/setup.sh installs into build/npm/) draws in headless Chromium with a node per
route; it is written only into OUT, never by `render`, and `render --check` ignores it."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.alertmanager.routing import route_tree
from stackgen.cli import app
from stackgen.spec import load_stack
from tests.helpers import MINIMAL, OUT, REPO, SPECS, require_tool
from tests.review.test_preview import Dom, chromium

SETUP = REPO / "scripts" / "setup.sh"
MERMAID = REPO / "build" / "npm" / "node_modules" / "mermaid"
runner = CliRunner()


def report(*args: Any):
    return runner.invoke(app, ["report", *map(str, args)])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the committed out/ with `stackgen report` run on it."""
    out = shutil.copytree(OUT, tmp_path_factory.mktemp("report") / "out")
    result = report(SPECS, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def table(text: str, heading: str) -> list[list[str]]:
    """The rows of the table under a `## heading`, cells stripped (the header row left out)."""
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def mermaid_block(text: str) -> str:
    blocks = re.findall(r"^```mermaid\n(.*?)^```$", text, re.M | re.S)
    assert len(blocks) == 1, "one Mermaid block"
    return blocks[0]


def test_the_report_lists_every_alert_of_the_routing_matrix_with_its_receivers(rendered):
    text = (rendered / "REPORT.md").read_text()
    matrix = yaml.safe_load((OUT / "alertmanager/tests/routing.yml").read_text())["alerts"]
    expected = sorted(
        (e["labels"]["alertname"], e["labels"]["service"], e["labels"]["severity"], e["receivers"])
        for e in matrix
    )
    rows = table(text, "Alerts and their receivers")
    listed = sorted(
        (name.strip("`"), service.strip("`"), severity, re.findall(r"`([^`]+)`", receivers))
        for name, service, severity, _, receivers in rows
    )
    assert listed == expected
    assert len(rows) == 42  # 26 of the services, 16 of the stack's own (meta-monitoring)


def test_the_report_lists_services_with_their_teams(rendered):
    rows = table((rendered / "REPORT.md").read_text(), "Services")
    stack = load_stack(SPECS)
    assert [(r[0].strip("`"), r[1]) for r in rows] == [(s.name, s.team) for s in stack.services]


def test_each_slo_has_its_budget_in_minutes_and_tier_thresholds(rendered):
    text = (rendered / "REPORT.md").read_text()
    # 99.9% of 30 days leaves 43.2 minutes; the page tier's first window pair burns at 14.4x
    assert "### aion-web-api/availability: 99.9% over 30d" in text
    assert "Error budget: 43.2 minutes per 30d." in text
    assert "| page | 1h / 5m | 14.4x | 1.44% | 2% |" in text
    assert "### aion-web-api/errors: 99.9% over 30d" in text
    assert text.count("Error budget: 43.2 minutes per 30d.") == 2
    assert "| ticket | 3d / 6h | 1x | 0.1% | 10% |" in text


def test_changes_since_the_last_render_come_from_the_diff(tmp_path):
    out = shutil.copytree(OUT, tmp_path / "out")
    spec = shutil.copytree(SPECS, tmp_path / "specs")
    web = spec / "services" / "web-api.yml"
    text = web.read_text()
    assert text.count("      HighHTTPErrorRate:\n") == 1
    web.write_text(
        text.replace("      HighHTTPErrorRate:\n", "      HighHTTPErrorRate:\n        for: 10m\n")
    )
    result = report(spec, "-o", out)
    assert result.exit_code == 0, result.output
    assert "1 alert changed" in result.stdout
    text = (out / "REPORT.md").read_text()
    changes = text.split("## What changed since the last render", 1)[1]
    assert '| changed | `HighHTTPErrorRate{service="aion-web-api"}` |' in changes
    assert "`for`: `5m` → `10m`" in changes


def test_report_writes_only_report_md_and_render_keeps_it_without_comparing_it(tmp_path):
    """REPORT.md is not part of the render: `render --check` passes with it in OUT, and a
    render leaves it as it is (files stackgen did not write are kept)."""
    out = shutil.copytree(OUT, tmp_path / "out")
    (out / "REPORT.md").unlink(missing_ok=True)  # the committed one
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert report(SPECS, "-o", out).exit_code == 0
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert set(after) - set(before) == {out / "REPORT.md"}
    assert all(after[p] == data for p, data in before.items())
    check = runner.invoke(app, ["render", str(SPECS), "-o", str(out), "--check"])
    assert check.exit_code == 0, check.output
    written = (out / "REPORT.md").read_bytes()
    assert runner.invoke(app, ["render", str(SPECS), "-o", str(out), "--no-tools"]).exit_code == 0
    assert (out / "REPORT.md").read_bytes() == written


def test_the_report_is_deterministic(tmp_path, rendered):
    out = shutil.copytree(OUT, tmp_path / "out")
    assert report(SPECS, "-o", out).exit_code == 0
    # the same but for the folder it names as compared with
    ours = (out / "REPORT.md").read_text().replace(str(out), "OUT")
    theirs = (rendered / "REPORT.md").read_text().replace(str(rendered), "OUT")
    assert ours == theirs


def test_a_first_report_says_everything_is_new_without_listing_it(tmp_path):
    result = report(SPECS, "-o", tmp_path / "fresh")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "fresh" / "REPORT.md").read_text()
    assert "holds no render yet: every file is new" in text
    assert "| added |" not in text


def test_a_bad_spec_exits_2_and_writes_nothing(tmp_path):
    spec = tmp_path / "spec.yml"
    spec.write_text("stack: {name: Bad Name}\n")
    result = report(spec, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


# --- the diagram, drawn by Mermaid in Chromium --------------------------------------------------

# Matchers with what Mermaid and Markdown read as syntax: quotes, a pipe, `#`, `;`, brackets,
# markup, a backtick and non-ASCII text; they must show exactly as written.
NASTY_ROUTES = {
    "receiver": "default",
    "routes": [
        {"receiver": "a|b", "matchers": ['team=~"web|api"', 'x="#1; [y] {z}"']},
        {"receiver": "c", "matchers": ['note="<b>bold</b> & `code` é→"'], "continue": True},
    ],
}


def mermaid_script() -> Path:
    """The pinned mermaid's browser bundle; missing, a failure in CI, a skip elsewhere."""
    pin = re.search(r"^\s*MERMAID_VERSION=(\S+)$", SETUP.read_text(), re.M)
    assert pin, f"no MERMAID_VERSION in {SETUP}"
    package = MERMAID / "package.json"
    if not package.is_file() or json.loads(package.read_text())["version"] != pin[1]:
        message = f"mermaid@{pin[1]} is not in {MERMAID.parent} (run scripts/test.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return MERMAID / "dist" / "mermaid.min.js"


# Draws each diagram with mermaid.render and writes, per diagram, its nodes (id and text) and
# edge labels, or the error, into <pre id="result">.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"></head><body>
<pre id="result"></pre>
<script src="{script}"></script>
<script>
const sources = {sources};
(async () => {{
  mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
  const found = [];
  for (const [index, source] of sources.entries()) {{
    try {{
      const {{svg}} = await mermaid.render("diagram" + index, source);
      const holder = document.createElement("div");
      holder.innerHTML = svg;
      document.body.appendChild(holder);
      found.push({{
        nodes: Array.from(holder.querySelectorAll("g.node"), (n) => ({{id: n.id, text: n.textContent}})),
        edges: Array.from(holder.querySelectorAll("g.edgeLabel"), (e) => e.textContent),
        paths: holder.querySelectorAll("path.flowchart-link").length,
      }});
    }} catch (error) {{
      found.push({{error: String(error)}});
    }}
  }}
  document.getElementById("result").textContent = JSON.stringify(found);
}})();
</script></body></html>
"""


def draw(tmp_path: Path, sources: list[str]) -> list[dict[str, Any]]:
    script = mermaid_script()
    require_tool("chromium")
    page = tmp_path / "diagram.html"
    encoded = json.dumps(sources).replace("</", "<\\/")
    page.write_text(PAGE.format(script=script.as_uri(), sources=encoded), encoding="utf-8")
    # virtual time lets the asynchronous drawing finish before the DOM is dumped
    result = chromium(page.as_uri(), "--virtual-time-budget=30000", "--dump-dom")
    dom = Dom(result.stdout)
    assert dom.text.get("result"), "the page's script did not finish"
    return json.loads(dom.text["result"])


def routes_of(route: dict[str, Any]) -> list[dict[str, Any]]:
    return [route, *(r for child in route.get("routes") or [] for r in routes_of(child))]


@pytest.mark.tools
@pytest.mark.slow
def test_mermaid_draws_the_report_routing_tree_with_a_node_per_route(rendered, tmp_path):
    from stackgen.review.mermaid import flowchart

    source = mermaid_block((rendered / "REPORT.md").read_text())
    nasty = flowchart(route_tree(NASTY_ROUTES))
    drawn, nasty_drawn = draw(tmp_path, [source, nasty])
    assert "error" not in drawn, drawn.get("error")
    routes = routes_of(yaml.safe_load((OUT / "alertmanager/alertmanager.yml").read_text())["route"])
    assert len(routes) == 13  # the root, the Watchdog's, the spec's 11
    assert len(drawn["nodes"]) == len(routes)
    assert drawn["paths"] == len(routes) - 1
    # nodes r0, r1, ... in depth-first order, the root first, each showing its receiver
    texts = {re.fullmatch(r"flowchart-r(\d+)-\d+", n["id"])[1]: n["text"] for n in drawn["nodes"]}
    for index, route in enumerate(routes):
        assert texts[str(index)].startswith(("root: " if index == 0 else "") + route["receiver"])
    # an edge per child, labelled with its place among its siblings and its matchers as written
    expected = [
        f"{place}. {', '.join(child['matchers'])}"
        for route in routes
        for place, child in enumerate(route.get("routes") or [], start=1)
    ]
    assert sorted(drawn["edges"]) == sorted(expected)
    # the Watchdog's route first, then the spec's: the first warning route is 5th, the last 12th
    assert '1. alertname="Watchdog"' in drawn["edges"]
    assert '5. severity="warning"' in drawn["edges"]
    assert '12. component="sla"' in drawn["edges"]
    assert "error" not in nasty_drawn, nasty_drawn.get("error")
    assert len(nasty_drawn["nodes"]) == 3
    texts = " ".join(n["text"] for n in nasty_drawn["nodes"])
    assert "a|b" in texts
    edges = " ".join(nasty_drawn["edges"])
    assert 'team=~"web|api", x="#1; [y] {z}"' in edges
    assert 'note="<b>bold</b> & `code` é→"' in edges


def test_counts_are_singular_for_one(tmp_path):
    spec = tmp_path / "spec.yml"
    spec.write_text(MINIMAL)
    out = tmp_path / "out"
    assert report(spec, "-o", out).exit_code == 0
    text = (out / "REPORT.md").read_text()
    assert "\n1 service, 5 alerts, 0 SLOs, 1 route.\n" in text  # the root route
    assert "\nNo SLOs.\n\n## Routing tree\n" in text
