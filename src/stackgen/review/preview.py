"""Preview: a rendered stack's Grafana dashboards as static HTML pages that draw each panel grid
(titles, types, sizes, units, queries) so that a reviewer sees a layout change without Grafana.

Data in, data out: `read_dashboards` is the only reading, `render_pages` turns the dashboards into
the pages' HTML by file name, and the caller writes them. Every value reaches the markup through
Jinja's HTML autoescaping; the one script (drawing needs none) is a constant of this module, and
each page's Content-Security-Policy allows that script only and no resource from outside the page.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from stackgen.common.confined import read_in
from stackgen.common.values import clean_number
from stackgen.render.engine import RenderError, template_dir

DASHBOARDS = Path("grafana") / "dashboards"
TEMPLATE = "preview.html.j2"
INDEX = "index.html"
# Marks a page as the preview's own, so a later preview may remove it (templates/preview.html.j2).
GENERATOR = '<meta name="generator" content="stackgen preview">'
COLUMNS = 24  # Grafana's grid
ROW_HEIGHT = 30  # px per gridPos height unit, as in Grafana
# The fields a query's text is in, by datasource: Prometheus and Loki, SQL, Tempo and others.
QUERY_FIELDS = ("expr", "rawSql", "query")
_PAGE_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")

# Opened with `?measure`, a page writes where the browser drew the grid and each panel (relative
# to the grid, in px) into <pre id="measured">, for the tests to read from the DOM.
MEASURE_SCRIPT = """
if (new URLSearchParams(location.search).has("measure")) {
  const grid = document.querySelector(".grid");
  const origin = grid ? grid.getBoundingClientRect() : {left: 0, top: 0, width: 0, height: 0};
  const panels = Array.from(document.querySelectorAll(".panel"), (element) => {
    const box = element.getBoundingClientRect();
    const title = element.querySelector("h2");
    const steps = Array.from(element.querySelectorAll(".step"), (step) => ({
      colour: getComputedStyle(step).backgroundColor, text: step.textContent,
      width: step.getBoundingClientRect().width}));
    return {id: element.id, left: box.left - origin.left, top: box.top - origin.top,
            width: box.width, height: box.height, title: title ? title.title : null,
            thresholds: steps};
  });
  document.getElementById("measured").textContent =
    JSON.stringify({grid: {width: origin.width, height: origin.height}, panels: panels});
}
"""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(MEASURE_SCRIPT.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_SCRIPT_HASH}'"
)


# Grafana's named colours (its classic palette), as thresholds name them; a colour given as
# #rrggbb is drawn as it is.
GRAFANA_COLOURS = {
    **{name: hex_ for name, hex_ in (
        ("green", "#73BF69"), ("red", "#F2495C"), ("orange", "#FF9830"), ("yellow", "#FADE2A"),
        ("blue", "#5794F2"), ("purple", "#B877D9"),
        ("dark-green", "#37872D"), ("dark-red", "#C4162A"), ("dark-orange", "#FA6400"),
        ("dark-yellow", "#E0B400"), ("dark-blue", "#1F60C4"), ("dark-purple", "#8F3BB8"),
        ("semi-dark-green", "#56A64B"), ("semi-dark-red", "#E02F44"),
        ("semi-dark-orange", "#FF780A"), ("semi-dark-yellow", "#F2CC0C"),
        ("semi-dark-blue", "#3274D9"), ("semi-dark-purple", "#A352CC"),
        ("light-green", "#96D98D"), ("light-red", "#FF7383"), ("light-orange", "#FFB357"),
        ("light-yellow", "#FFEE52"), ("light-blue", "#8AB8FF"), ("light-purple", "#CA95E5"),
    )},
}  # fmt: skip
UNKNOWN_COLOUR = "#8E8E8E"
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def css_colour(name: str) -> str:
    """The colour a threshold step is drawn in: Grafana's for its names, #rrggbb as given."""
    if _HEX.fullmatch(name):
        return name.upper()
    return GRAFANA_COLOURS.get(name, UNKNOWN_COLOUR)


class PreviewError(Exception):
    """A dashboard the preview cannot draw: not JSON, or a panel off Grafana's grid. (A template
    failure is a stackgen bug: RenderError.)"""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file  # below OUT
        self.message = message


@dataclass(frozen=True)
class Query:
    ref: str
    text: str


@dataclass(frozen=True)
class Step:
    """A threshold step: from `value` (None: the base, below the first) in `colour`."""

    colour: str  # as the dashboard names it
    css: str
    value: str | None

    @property
    def label(self) -> str:
        return "base" if self.value is None else f"≥ {self.value}"


@dataclass(frozen=True)
class Panel:
    """A panel (or a row's bar) where the page draws it, on the 24-column grid."""

    element_id: str
    panel_id: str
    title: str
    type: str
    x: int
    y: int
    w: int
    h: int
    unit: str
    queries: tuple[Query, ...]
    grid_pos: tuple[int, int, int, int]  # as the dashboard stores it: x, y, w, h
    is_row: bool = False
    collapsed: bool = False  # a row that is collapsed, or a panel inside one
    children: int = 0  # a collapsed row's panels
    thresholds: tuple[Step, ...] = ()

    @property
    def moved(self) -> bool:
        """Drawn elsewhere than its gridPos: below a collapsed row that the page opens."""
        return (self.x, self.y, self.w, self.h) != self.grid_pos and not self.is_row


@dataclass(frozen=True)
class DashboardPage:
    title: str
    uid: str
    file: str  # below OUT: grafana/dashboards/...
    page: str  # the page's file name
    panels: tuple[Panel, ...]
    height: int  # of the grid, in gridPos units

    @property
    def panel_count(self) -> int:
        return sum(not p.is_row for p in self.panels)


def read_dashboards(out: Path) -> list[tuple[str, Any]]:
    """Every dashboard file below OUT/grafana/dashboards, parsed, by its path below OUT."""
    found = []
    for path in sorted((out / DASHBOARDS).rglob("*.json")):
        name = path.relative_to(out).as_posix()
        try:
            data = read_in(out, name)  # never through a link: OUT may come from a pull request
        except OSError as exc:
            link = exc.errno == errno.ELOOP
            reason = "it is a symbolic link, not followed" if link else exc.strerror
            raise PreviewError(name, f"cannot read it: {reason}") from None
        try:
            found.append((name, json.loads(data.decode("utf-8"))))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise PreviewError(name, f"cannot read it as JSON: {exc}") from None
    return found


def render_pages(dashboards: Sequence[tuple[str, Any]]) -> dict[str, str]:
    """The preview's pages by file name: `index.html` and one `<uid>.html` per dashboard."""
    pages = [dashboard_page(file, dashboard) for file, dashboard in dashboards]
    seen: dict[str, str] = {}
    for page in pages:
        if page.page in seen:
            message = f"would be previewed as {page.page}, as {seen[page.page]} is"
            raise PreviewError(page.file, f"{message}: dashboard uids must differ")
        seen[page.page] = page.file
    rendered = {INDEX: _render(kind="index", title="Dashboards", dashboards=pages)}
    for page in pages:
        rendered[page.page] = _render(kind="dashboard", title=page.title, dashboard=page)
    return rendered


def dashboard_page(file: str, dashboard: Any) -> DashboardPage:
    """The page model of one dashboard: its panels where the page draws them."""
    if not isinstance(dashboard, Mapping) or not isinstance(dashboard.get("panels", []), list):
        raise PreviewError(file, "not a Grafana dashboard (an object with a `panels` list)")
    uid = str(dashboard.get("uid") or "")
    stem = Path(file).name.removesuffix(".json")
    name = uid if _PAGE_NAME.fullmatch(uid) else re.sub(r"[^A-Za-z0-9_-]", "_", stem)[:40]
    if name == INDEX.removesuffix(".html"):
        name = f"dashboard-{name}"
    panels = layout(file, dashboard.get("panels", []))
    return DashboardPage(
        title=str(dashboard.get("title") or stem),
        uid=uid,
        file=file,
        page=f"{name}.html",
        panels=panels,
        height=max((p.y + p.h for p in panels), default=1),
    )


def layout(file: str, panels: Iterable[Any]) -> tuple[Panel, ...]:
    """Panels where the page draws them: at their gridPos, rows as full-width bars, and the
    panels of a collapsed row below it, placed as Grafana places them when the row is opened
    (the row's first panel just below the bar; what follows the row pushed down to make room)."""
    drawn: list[Panel] = []
    push = 0  # how far the panels still to come are pushed down by the rows opened so far

    def add(panel: Any, x: int, y: int, *, collapsed: bool = False) -> Panel:
        drawn.append(_panel(file, panel, f"p{len(drawn)}", x, y, collapsed=collapsed))
        return drawn[-1]

    for panel in panels:
        x, y, _, _ = _grid_pos(file, panel)
        if not _is_row(panel):
            add(panel, x, y + push)
            continue
        bar = add(panel, 0, y + push, collapsed=bool(panel.get("collapsed")))
        children = (panel.get("panels") or []) if bar.collapsed else []
        if not isinstance(children, list):
            raise PreviewError(file, f"row {bar.title!r}: its `panels` is not a list")
        if not children:
            continue
        below = bar.y + bar.h
        shift = below - _grid_pos(file, children[0])[1]
        bottom = below
        for child in children:
            cx, cy, _, _ = _grid_pos(file, child)
            shown = add(child, cx, cy + shift, collapsed=True)
            bottom = max(bottom, shown.y + shown.h)
        push += bottom - below
    return tuple(drawn)


def _is_row(panel: Any) -> bool:
    return isinstance(panel, Mapping) and panel.get("type") == "row"


def _grid_pos(file: str, panel: Any) -> tuple[int, int, int, int]:
    """x, y, w, h: whole numbers on the 24-column grid, or a PreviewError naming the panel."""
    if not isinstance(panel, Mapping):
        raise PreviewError(file, f"a panel is not an object: {panel!r}")
    where = f"panel {_title(panel)!r}"
    position = panel.get("gridPos")
    if not isinstance(position, Mapping):
        raise PreviewError(file, f"{where} has no gridPos")
    values = tuple(position.get(key) for key in "xywh")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise PreviewError(file, f"{where}: gridPos {dict(position)} is not whole numbers x y w h")
    x, y, w, h = values  # type: ignore[misc]
    if x < 0 or y < 0 or w < 1 or h < 1 or x + w > COLUMNS:
        raise PreviewError(
            file, f"{where}: gridPos {dict(position)} is off the {COLUMNS}-column grid"
        )
    return x, y, w, h


def _title(panel: Any) -> str:
    return str(panel.get("title") or "") if isinstance(panel, Mapping) else ""


def _panel(file: str, panel: Mapping, element_id: str, x: int, y: int, *, collapsed: bool) -> Panel:
    grid_pos = _grid_pos(file, panel)
    is_row = _is_row(panel)
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    return Panel(
        element_id=element_id,
        panel_id=str(panel.get("id", "")),
        title=_title(panel),
        type=str(panel.get("type") or "?"),
        x=x,
        y=y,
        w=COLUMNS if is_row else grid_pos[2],
        h=grid_pos[3],
        unit=str(defaults.get("unit") or "") if isinstance(defaults, Mapping) else "",
        queries=() if is_row else _queries(panel),
        grid_pos=grid_pos,
        is_row=is_row,
        collapsed=collapsed,
        children=len(panel.get("panels") or []) if is_row and collapsed else 0,
        thresholds=() if is_row else _steps(defaults),
    )


def _steps(defaults: Any) -> tuple[Step, ...]:
    """The panel's threshold steps; none when it has only the base colour (nothing to see)."""
    thresholds = defaults.get("thresholds") if isinstance(defaults, Mapping) else None
    steps = thresholds.get("steps") if isinstance(thresholds, Mapping) else None
    found = tuple(
        Step(
            str(step.get("color") or "?"),
            css_colour(str(step.get("color") or "")),
            None if step.get("value") is None else clean_number(step["value"]),
        )
        for step in steps or []
        if isinstance(step, Mapping)
    )
    return found if len(found) > 1 else ()


def _queries(panel: Mapping) -> tuple[Query, ...]:
    found = []
    for target in panel.get("targets") or []:
        if not isinstance(target, Mapping):
            continue
        text = next((target[k] for k in QUERY_FIELDS if isinstance(target.get(k), str)), None)
        if text is not None:
            found.append(Query(ref=str(target.get("refId") or ""), text=text))
    return tuple(found)


@cache
def _environment() -> jinja2.Environment:
    """HTML templates: every value autoescaped (the render engine's YAML/JSON one is not)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(**context: Any) -> str:
    try:
        template = _environment().get_template(TEMPLATE)
        return template.render(
            columns=COLUMNS,
            row_height=ROW_HEIGHT,
            content_security_policy=CONTENT_SECURITY_POLICY,
            measure_script=Markup(MEASURE_SCRIPT),
            **context,
        )
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {TEMPLATE} failed: {exc}") from exc
