"""`stackgen preview`: a static HTML page per dashboard that draws its panel grid (titles, types,
sizes, units, queries), so that a layout change can be reviewed without running Grafana.

The pages are checked where a reviewer sees them, in a browser. Headless Chromium opens a page
with `?measure`; the page's one script then writes where Chromium drew the grid and each panel
into <pre id="measured">, and `--dump-dom` hands that DOM back. Every panel of every dashboard in
the committed out/ must be drawn where its gridPos says: x * column width from the grid's left,
y * 30px from its top, w columns wide and h * 30px high, within 2px. A screenshot of each page is
kept in build/preview-screenshots/ (build/ is ignored by git) to look at after the run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.review.preview import COLUMNS, ROW_HEIGHT, dashboard_page, render_pages
from tests.helpers import OUT, REPO, require_tool

DASHBOARDS = OUT / "grafana" / "dashboards"
SCREENSHOTS = REPO / "build" / "preview-screenshots"
WINDOW = (1600, 2000)
TOLERANCE = 2  # px
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NASTY = "</script><b>&\"'"

runner = CliRunner()


def preview(*args: str):
    return runner.invoke(app, ["preview", *map(str, args)])


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def stack_with(tmp_path: Path, dashboards: dict[str, dict]) -> Path:
    """A rendered stack holding only these dashboards (by path below grafana/dashboards)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / ".stackgen-manifest.json").write_text('{"generator": "stackgen", "files": {}}\n')
    for name, dashboard in dashboards.items():
        path = out / "grafana" / "dashboards" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dashboard, indent=2))
    return out


def panel(title: str, x: int, y: int, w: int, h: int, **fields: Any) -> dict[str, Any]:
    position = {"x": x, "y": y, "w": w, "h": h}
    return {"type": "timeseries", "title": title, "gridPos": position, **fields}


def row(title: str, y: int, *, collapsed: bool, panels: list[dict] | None = None) -> dict:
    return panel(title, 0, y, 24, 1, type="row", collapsed=collapsed, panels=panels or [])


def walk(panels: list[dict]) -> Iterator[dict]:
    """A dashboard's panels in page order: a collapsed row's panels come right after it."""
    for item in panels:
        yield item
        if item.get("type") == "row" and item.get("collapsed"):
            yield from item.get("panels", [])


def committed_dashboards() -> dict[str, dict]:
    """The dashboards of the committed out/, by uid."""
    found = [json.loads(p.read_text()) for p in sorted(DASHBOARDS.rglob("*.json"))]
    assert found, f"no dashboards in {DASHBOARDS}"
    return {d["uid"]: d for d in found}


# --- Chromium --------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Dom(HTMLParser):
    """The DOM Chromium dumped: each element's tag and attributes, the text inside every
    element that has an id, and all the text a reader sees."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, str] = defaultdict(str)
        self.body = ""  # all text outside <script> and <style>
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag not in VOID:
            self._open.append((tag, attributes.get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not any(tag in ("script", "style") for tag, _ in self._open):
            self.body += data
        for _, element_id in self._open:
            if element_id:
                self.text[element_id] += data

    def by_id(self, element_id: str) -> dict[str, str]:
        return next(attrs for _, attrs in self.elements if attrs.get("id") == element_id)


def chromium(url: str, *flags: str, height: int = WINDOW[1]) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on one page, with a profile of its own (runs may go side by side).
    As root, Chromium runs only with --no-sandbox."""
    binary = require_tool("chromium")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        result = subprocess.run(
            [
                binary, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
                f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{height}",
                *flags, url,
            ],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@dataclass(frozen=True)
class Opened:
    """A page as Chromium laid it out: its DOM, the boxes its script measured, a screenshot."""

    dom: Dom
    layout: dict[str, Any]
    screenshot: Path | None


def open_page(page: Path, screenshot: Path | None = None, height: int = WINDOW[1]) -> Opened:
    """One Chromium run: the DOM after layout (`--dump-dom`) and, if asked, a screenshot."""
    shot = [f"--screenshot={screenshot}"] if screenshot else []
    result = chromium(page.as_uri() + "?measure", "--dump-dom", *shot, height=height)
    dom = Dom(result.stdout)
    assert dom.text.get("measured"), f"{page}: the measuring script did not run"
    return Opened(dom, json.loads(dom.text["measured"]), screenshot)


def in_parallel(function, items: list) -> list:
    """Chromium runs side by side, as many as there are CPUs (more only slow each other)."""
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return list(pool.map(function, items))


def drawn_box(grid: dict[str, float], x: int, y: int, w: int, h: int) -> dict[str, float]:
    """Where a gridPos puts a panel: px from the grid's top left."""
    column = grid["width"] / COLUMNS
    return {
        "left": x * column,
        "top": y * ROW_HEIGHT,
        "width": w * column,
        "height": h * ROW_HEIGHT,
    }


def assert_near(measured: dict[str, float], expected: dict[str, float], where: str) -> None:
    off = {k: round(measured[k] - v, 2) for k, v in expected.items()}
    assert all(abs(d) <= TOLERANCE for d in off.values()), (
        f"{where}: drawn at {measured}, gridPos says {expected} (off by {off})"
    )


# --- the pages of the committed out/ ---------------------------------------------------------


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`stackgen preview out/ -o PAGES` of the committed out/."""
    folder = tmp_path_factory.mktemp("preview") / "pages"
    result = preview(OUT, "-o", folder)
    assert result.exit_code == 0, result.output
    return folder


def test_preview_writes_an_index_and_a_page_per_dashboard_uid(pages):
    dashboards = committed_dashboards()
    assert {p.name for p in pages.iterdir()} == {"index.html"} | {f"{u}.html" for u in dashboards}
    index = Dom((pages / "index.html").read_text())
    links = {attrs["href"] for tag, attrs in index.elements if tag == "a"}
    assert links == {f"{uid}.html" for uid in dashboards}


def test_preview_prints_each_page_it_wrote(tmp_path):
    result = preview(OUT, "-o", tmp_path / "pages")
    assert result.exit_code == 0, result.output
    *wrote, last = result.stdout.splitlines()
    assert wrote == [f"wrote {tmp_path / 'pages' / p}" for p in ["index.html", *_page_names()]]
    assert last == f"{len(wrote) - 1} dashboards previewed; open {tmp_path / 'pages/index.html'}"


def _page_names() -> list[str]:
    """The dashboards' pages in the order of their files."""
    files = sorted(DASHBOARDS.rglob("*.json"))
    return [f"{json.loads(f.read_text())['uid']}.html" for f in files]


def test_the_pages_are_self_contained(pages):
    """No stylesheet, font, image or script from elsewhere; their policy forbids any."""
    for page in sorted(pages.iterdir()):
        dom = Dom(page.read_text())
        assert not [a for tag, a in dom.elements if tag in ("link", "img", "iframe", "object")]
        assert not [a for tag, a in dom.elements if tag == "script" and "src" in a]
        policy = next(a["content"] for _, a in dom.elements if a.get("http-equiv"))
        assert policy.startswith("default-src 'none';"), page


def window_height(dashboard: dict) -> int:
    """Tall enough for the page's title and its whole grid, at least the usual window."""
    return max(WINDOW[1], 200 + ROW_HEIGHT * dashboard_page("", dashboard).height)


@pytest.fixture(scope="module")
def opened(pages, tmp_path_factory) -> dict[str, Opened]:
    """Each page of the committed out/ opened in headless Chromium once, by file name; and to
    compare screenshots with, `blank.html`: the page of a dashboard without panels."""
    require_tool("chromium")
    shots = tmp_path_factory.mktemp("screenshots")
    blank = shots / "blank.html"
    blank.write_text(render_pages([("blank.json", {"uid": "blank", "panels": []})])["blank.html"])
    heights = {f"{uid}.html": window_height(d) for uid, d in committed_dashboards().items()}
    targets = [*sorted(pages.glob("*.html")), blank]

    def run(page: Path) -> Opened:
        return open_page(page, shots / f"{page.stem}.png", heights.get(page.name, WINDOW[1]))

    return {
        page.name: found for page, found in zip(targets, in_parallel(run, targets), strict=True)
    }


@pytest.mark.tools
@pytest.mark.slow
def test_chromium_draws_every_panel_where_its_grid_pos_says(opened):
    for uid, dashboard in committed_dashboards().items():
        page = opened[f"{uid}.html"]
        boxes = {box["id"]: box for box in page.layout["panels"]}
        # a collapsed row opens in the page and pushes what follows it down: the row test pins
        # that layout; in a dashboard without one, every panel is exactly at its gridPos
        opens = any(p.get("type") == "row" and p.get("collapsed") for p in dashboard["panels"])
        panels = list(walk(dashboard["panels"]))
        assert len(boxes) == len(panels), f"{uid}: {len(boxes)} panels drawn of {len(panels)}"
        for number, item in enumerate(panels):
            element_id, where = f"p{number}", f"{uid}: panel {item.get('title')!r}"
            attrs, text = page.dom.by_id(element_id), page.dom.text[element_id]
            assert attrs["data-type"] == item["type"], where
            assert item["title"] in text, where
            for target in item.get("targets", []):
                assert target["expr"] in text, where
            drawn = {k: int(attrs[f"data-{k}"]) for k in "xywh"}
            assert_near(boxes[element_id], drawn_box(page.layout["grid"], **drawn), where)
            pos = item["gridPos"] | ({"x": 0, "w": COLUMNS} if item["type"] == "row" else {})
            if not opens:
                assert drawn == {k: pos[k] for k in "xywh"}, where


@pytest.mark.tools
@pytest.mark.slow
def test_a_screenshot_of_every_page_is_kept_in_build(opened):
    """The screenshots are PNGs of the whole grid, not blank; a copy of them is kept in
    build/preview-screenshots/ for a reviewer (replaced on every run)."""
    blank = opened.pop("blank.html").screenshot.stat().st_size
    for name, page in opened.items():
        data = page.screenshot.read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width == WINDOW[0], name
        assert height >= page.layout["grid"]["height"] + 100, f"{name}: the grid is cut off"
        # panels, their text and borders compress worse than the page without any
        assert len(data) > 1.25 * blank, f"{name}: {len(data)} bytes, a blank page {blank}"
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    for page in opened.values():
        shutil.copy2(page.screenshot, SCREENSHOTS / page.screenshot.name)
    assert len(list(SCREENSHOTS.glob("*.png"))) == len(committed_dashboards()) + 1  # the index


# --- rows ------------------------------------------------------------------------------------

# As Grafana stores them: an open row's panels follow it at the top level; a collapsed row holds
# its panels with the y they had when it was last open (here stale: the rows moved since).
ROWS = {
    "title": "rows",
    "uid": "rows",
    "panels": [
        panel("A", 0, 0, 12, 8, id=1),
        row("Open", 8, collapsed=False),
        panel("B", 0, 9, 24, 4, id=2),
        row(
            "Closed",
            13,
            collapsed=True,
            panels=[
                panel("C", 0, 40, 12, 6, id=3),
                panel("D", 12, 40, 12, 6, id=4),
                panel("E", 0, 46, 6, 3, id=5),
            ],
        ),
        row("Later", 14, collapsed=True, panels=[panel("F", 0, 3, 8, 5, id=6)]),
    ],
}
# Drawn as Grafana draws them once every row is open: a collapsed row's first panel just below
# its bar, the others kept where they are relative to it, and what follows pushed down.
ROWS_DRAWN = {
    "A": (0, 0, 12, 8, ""),
    "Open": (0, 8, 24, 1, "row"),
    "B": (0, 9, 24, 4, ""),
    "Closed": (0, 13, 24, 1, "row collapsed"),
    "C": (0, 14, 12, 6, "collapsed"),
    "D": (12, 14, 12, 6, "collapsed"),
    "E": (0, 20, 6, 3, "collapsed"),
    "Later": (0, 23, 24, 1, "row collapsed"),
    "F": (0, 24, 8, 5, "collapsed"),
}


def test_collapsed_rows_open_in_the_page_below_their_bar():
    page = dashboard_page("rows.json", ROWS)
    drawn = {p.title: (p.x, p.y, p.w, p.h) for p in page.panels}
    assert drawn == {title: place[:4] for title, place in ROWS_DRAWN.items()}
    assert page.height == 29


@pytest.mark.tools
def test_chromium_draws_rows_as_full_width_bars_with_collapsed_panels_below(tmp_path):
    out = stack_with(tmp_path, {"f/rows.json": ROWS})
    assert preview(out, "-o", tmp_path / "pages").exit_code == 0
    page = open_page(tmp_path / "pages" / "rows.html")
    boxes = page.layout["panels"]
    for box, (title, (x, y, w, h, classes)) in zip(boxes, ROWS_DRAWN.items(), strict=True):
        assert title in page.dom.text[box["id"]]
        assert_near(box, drawn_box(page.layout["grid"], x, y, w, h), title)
        assert page.dom.by_id(box["id"])["class"].split() == ["panel", *classes.split()], title


# --- what the pages show is text, whatever the spec wrote ---------------------------------------


@pytest.mark.tools
def test_markup_in_titles_and_queries_is_shown_as_text(tmp_path):
    query = f'sum(up{{job="{NASTY}"}})'
    unit = {"defaults": {"unit": NASTY}}
    drawn = panel(
        NASTY, 0, 0, 24, 8, type=NASTY, fieldConfig=unit, targets=[{"refId": NASTY, "expr": query}]
    )
    nasty = {"title": NASTY, "uid": "nasty", "panels": [drawn]}
    out = stack_with(tmp_path, {"f/nasty.json": nasty})
    assert preview(out, "-o", tmp_path / "pages").exit_code == 0
    for name in ("index.html", "nasty.html"):
        assert NASTY not in (tmp_path / "pages" / name).read_text(), f"{name}: not escaped"
        # opening it, Chromium ran the page's script: `</script>` ended no script early
        page = open_page(tmp_path / "pages" / name)
        tags = [tag for tag, _ in page.dom.elements]
        assert "b" not in tags, f"{name}: the title's markup became an element"
        assert tags.count("script") == 1, f"{name}: the title's markup became a script"
        assert NASTY in page.dom.body, f"{name}: the title is not shown as it is"
    assert [box["id"] for box in page.layout["panels"]] == ["p0"]
    assert page.dom.by_id("p0")["data-type"] == NASTY
    assert next(a for t, a in page.dom.elements if t == "h2")["title"] == NASTY
    shown = page.dom.text["p0"]
    assert shown.count(NASTY) == 5  # the title, type, unit, and the query's refId and text
    assert query in shown


# --- bad input: exit 2, nothing written ------------------------------------------------------


def test_an_out_that_is_not_a_rendered_stack_exits_2(tmp_path):
    result = preview(tmp_path, "-o", tmp_path / "pages")
    assert result.exit_code == 2
    assert "is not a rendered stack (no .stackgen-manifest.json)" in result.stderr
    assert not (tmp_path / "pages").exists()


def test_a_stack_without_dashboards_exits_2(tmp_path):
    out = stack_with(tmp_path, {})
    result = preview(out, "-o", tmp_path / "pages")
    assert result.exit_code == 2
    assert f"no dashboards in {out / 'grafana' / 'dashboards'}" in result.stderr
    assert not (tmp_path / "pages").exists()


def test_a_dashboard_that_is_not_json_exits_2_naming_it(tmp_path):
    out = stack_with(tmp_path, {"f/good.json": ROWS})
    (out / "grafana/dashboards/f/bad.json").write_text("{not json")
    result = preview(out, "-o", tmp_path / "pages")
    assert result.exit_code == 2
    assert f"{out}/grafana/dashboards/f/bad.json: cannot read it as JSON" in result.stderr
    assert not (tmp_path / "pages").exists()


def test_a_panel_off_the_grid_exits_2_naming_it(tmp_path):
    out = stack_with(
        tmp_path, {"f/wide.json": {"uid": "w", "panels": [panel("Wide", 12, 0, 13, 8)]}}
    )
    result = preview(out, "-o", tmp_path / "pages")
    assert result.exit_code == 2
    assert f"{out}/grafana/dashboards/f/wide.json: panel 'Wide': gridPos" in result.stderr
    assert "off the 24-column grid" in result.stderr


def test_two_dashboards_with_one_uid_exit_2(tmp_path):
    out = stack_with(tmp_path, {"a/rows.json": ROWS, "b/rows.json": ROWS})
    result = preview(out, "-o", tmp_path / "pages")
    assert result.exit_code == 2
    assert "b/rows.json: would be previewed as rows.html, as grafana/dashboards/a/rows.json is" in (
        result.stderr
    )
    assert not (tmp_path / "pages").exists()


def test_preview_never_writes_into_out(tmp_path):
    """OUT is what `render --check` compares: the pages go elsewhere, and never inside it."""
    out = shutil.copytree(OUT, tmp_path / "out")
    before = snapshot(out)
    result = preview(out, "-o", out / "preview")
    assert result.exit_code == 2
    assert "is inside" in result.stderr
    assert preview(out, "-o", tmp_path / "pages").exit_code == 0
    assert snapshot(out) == before


# Grafana's colours for the names stackgen's thresholds use, as Chromium reports them.
DRAWN_COLOURS = {
    "blue": "rgb(87, 148, 242)",
    "green": "rgb(115, 191, 105)",
    "orange": "rgb(255, 152, 48)",
    "red": "rgb(242, 73, 92)",
    "yellow": "rgb(250, 222, 42)",  # the web API's error gauge: yellow at 2%
}


def _plain(value: float) -> str:
    return f"{Decimal(repr(value)).normalize():f}"


def _steps(panel: dict) -> list[dict]:
    return ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("thresholds", {}).get(
        "steps"
    ) or []


@pytest.mark.tools
@pytest.mark.slow
def test_chromium_draws_each_panels_title_and_threshold_colours_as_the_json_says(opened):
    """Every panel's title, and for a panel with thresholds its steps left to right in their
    colours (base first), each wide enough to see."""
    drawn_steps = 0
    for uid, dashboard in committed_dashboards().items():
        boxes = {box["id"]: box for box in opened[f"{uid}.html"].layout["panels"]}
        for number, item in enumerate(walk(dashboard["panels"])):
            box, where = boxes[f"p{number}"], f"{uid}: panel {item.get('title')!r}"
            if item["type"] != "row":
                assert box["title"] == item["title"], where
            steps = _steps(item) if len(_steps(item)) > 1 else []
            assert [s["colour"] for s in box["thresholds"]] == [
                DRAWN_COLOURS[s["color"]] for s in steps
            ], where
            # the exact value in plain digits (the memory threshold is 8589934592 bytes)
            values = ["base" if s["value"] is None else f"≥ {_plain(s['value'])}" for s in steps]
            assert [s["text"] for s in box["thresholds"]] == values, where
            assert all(s["width"] >= 20 for s in box["thresholds"]), where
            drawn_steps += len(steps)
    assert drawn_steps >= 10  # the example's alert thresholds are drawn


def test_a_new_preview_removes_the_pages_of_dashboards_that_are_gone(tmp_path):
    pages = tmp_path / "pages"
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    two = {"a.json": {"uid": "a", "panels": []}, "b.json": {"uid": "b", "panels": []}}
    assert preview(stack_with(tmp_path / "1", two), "-o", pages).exit_code == 0
    (pages / "notes.html").write_text("<p>mine</p>")
    result = preview(stack_with(tmp_path / "2", {"a.json": two["a.json"]}), "-o", pages)
    assert result.exit_code == 0, result.output
    assert f"removed {pages / 'b.html'}: its dashboard is gone" in result.stdout
    assert sorted(p.name for p in pages.iterdir()) == ["a.html", "index.html", "notes.html"]
