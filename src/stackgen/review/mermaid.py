"""Alertmanager's routing tree as a Mermaid flowchart: a node per route (its receiver and
settings), and an edge from each route to each route below it, labelled with the child's
matchers and numbered in the order Alertmanager tries the children.

Every label is written in double quotes with each character that Mermaid or the Markdown fence
around it could read as syntax (quotes, brackets, pipes, `#`, `;`, backticks, `<`, `>`, `&`, and
anything outside printable ASCII) as Mermaid's `#code;` entity, so a matcher such as
`service=~"a|b"` shows as written.
"""

from __future__ import annotations

from stackgen.alertmanager.routing import Route
from stackgen.common.values import format_duration

# Characters a label keeps as they are; everything else is written as an entity.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:=!~/-_+*?$")
_TIMINGS = ("group_wait", "group_interval", "repeat_interval")


def label(text: str) -> str:
    """Text as a quoted Mermaid label; lines joined by `<br>`, which Mermaid draws as a break."""
    lines = [
        "".join(c if c in _PLAIN else f"#{ord(c)};" for c in line) for line in text.split("\n")
    ]
    return '"' + "<br>".join(lines) + '"'


def matchers_text(route: Route) -> str:
    return ", ".join(map(str, route.matchers)) or "(every alert)"


def route_text(route: Route, root: bool) -> str:
    """What a route's node says: its receiver and what it sets (the root says it is)."""
    lines = [f"{'root: ' if root else ''}{route.receiver}"]
    settings = [
        f"{key}: {format_duration(route.timings[key])}" for key in _TIMINGS if key in route.written
    ]
    if "group_by" in route.written:
        settings.append(f"group_by: {', '.join(route.group_by)}")
    if route.continue_:
        settings.append("continue")
    if route.mute_time_intervals:
        settings.append(f"muted during {', '.join(route.mute_time_intervals)}")
    if route.active_time_intervals:
        settings.append(f"active during {', '.join(route.active_time_intervals)}")
    return "\n".join([*lines, *settings])


def flowchart(tree: Route) -> str:
    """The Mermaid source of the tree (without the Markdown fence); nodes are r0, r1, ... in
    the order of a depth-first walk."""
    ids = {id(route): f"r{index}" for index, route in enumerate(tree.walk())}
    lines = ["flowchart TD"]
    for route in tree.walk():
        lines.append(f"  {ids[id(route)]}[{label(route_text(route, route is tree))}]")
    for route in tree.walk():
        for place, child in enumerate(route.routes, start=1):
            edge = label(f"{place}. {matchers_text(child)}")
            lines.append(f"  {ids[id(route)]} -->|{edge}| {ids[id(child)]}")
    return "\n".join(lines)
