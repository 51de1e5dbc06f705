"""`stackgen diff`: what a render changes in OUT, told by object rather than by line: alerts and
recording rules, routes, receivers, inhibit rules and time intervals, scrape jobs, dashboards and
their panels, and any other file.

`compare(old, new)` takes two rendered trees ({path: bytes}) and returns the changes; it is pure.
Files are recognised by what they hold, not by their path, so a target's copy of the rules or a
shard's prometheus.yml is compared object by object too. Every byte that differs is reported
somewhere: a recognised file whose objects are all equal is reported as a changed file (comments
or layout), and a file that does not parse is compared as a whole.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from stackgen.common.confined import read_in
from stackgen.common.layout import KUBERNETES_DIR, MANIFEST, MIMIR_DIR
from stackgen.common.yaml_io import load
from stackgen.review.documents import render_document
from stackgen.write import managed_files

Action = Literal["added", "removed", "changed"]
# The sections of a diff, in the order a reviewer reads them.
KINDS = (
    "alert",
    "recording rule",
    "route",
    "routed alert",
    "receiver",
    "inhibit rule",
    "time interval",
    "scrape job",
    "settings",
    "dashboard",
    "panel",
    "file",
)
# Section titles, and the noun of each table's first column.
TITLES = {
    "alert": "Alerts",
    "recording rule": "Recording rules",
    "route": "Routes",
    "routed alert": "Where alerts go (the routing matrix)",
    "receiver": "Receivers",
    "inhibit rule": "Inhibit rules",
    "time interval": "Time intervals",
    "scrape job": "Scrape jobs",
    "settings": "Settings",
    "dashboard": "Dashboards",
    "panel": "Panels",
    "file": "Other files",
}
FORMATS = ("text", "markdown")
MAX_FIELDS = 12  # fields listed per changed object; the count of the others follows
# Labels that tell apart the alerts (and recording rules) one rule file holds under one name.
IDENTITY_LABELS = ("service", "slo", "slo_tier")
# The keys of a route that are its place in the tree, not its settings.
_ROUTE_SHAPE = ("routes", "matchers", "match", "match_re")
_TARGET_COPIES = (f"{KUBERNETES_DIR}/", f"{MIMIR_DIR}/")


@dataclass(frozen=True)
class FieldChange:
    field: str  # a dotted path into the object, such as `labels.severity` or `gridPos.y`
    old: Any  # None: the field was not there
    new: Any


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    name: str
    file: str  # the path in OUT
    action: Action
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class Item:
    """One object of a file: how to show it, and its settings as flat fields."""

    name: str
    fields: dict[str, Any]
    parent: str = ""  # a route's: the identity of the route above it


# kind -> identity -> item
Objects = dict[str, dict[str, Item]]


def read_rendered(out: Path) -> dict[str, bytes]:
    """The files stackgen wrote into OUT last time (its manifest says which), as they are now;
    nothing when OUT is not a rendered stack. WriteError if the manifest is damaged."""
    if not out.is_dir():
        return {}
    found = {}
    for path in sorted(managed_files(out) - {MANIFEST}):
        try:
            found[path] = read_in(out, path)
        except (FileNotFoundError, NotADirectoryError):
            continue  # deleted by hand since: the render adds it again
        except OSError:
            # A link (never followed: OUT may come from a pull request) or a folder: it is
            # not what stackgen wrote, so the render changes it.
            found[path] = b""
    return found


def compare(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[Change]:
    """What turns the `old` tree into the `new` one, by object, sorted by kind, file and name."""
    changes: list[Change] = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        found = _file_changes(path, before, after)
        if not found:  # a recognised file whose objects are equal, or one that is not
            action: Action = (
                "added" if before is None else "removed" if after is None else "changed"
            )
            found = [Change("file", path, path, action)]
        changes += found
    rank = {kind: index for index, kind in enumerate(KINDS)}
    return sorted(changes, key=lambda c: (rank[c.kind], c.file, c.name))


def summary(changes: list[Change]) -> str:
    """`2 alerts changed, 1 panel added`; `no changes`."""
    counts = Counter((c.kind, c.action) for c in changes)
    parts = [
        f"{count} {_plural(kind, count)} {action}"
        for kind in KINDS
        for action in ("added", "removed", "changed")
        if (count := counts[(kind, action)])
    ]
    return ", ".join(parts) or "no changes"


@dataclass(frozen=True)
class Section:
    title: str
    noun: str
    changes: list[Change]


def sections(changes: list[Change]) -> list[Section]:
    """The changes by kind of object, in the order of KINDS; kinds without a change left out."""
    return [
        Section(TITLES[kind], kind, found)
        for kind in KINDS
        if (found := [c for c in changes if c.kind == kind])
    ]


def as_document(changes: list[Change], output_format: str = "text", heading: int = 3) -> str:
    """The changes as text (for a terminal or a CI log) or Markdown (for a pull request
    comment; `heading` is the level of its section headings)."""
    template = "diff.md.j2" if output_format == "markdown" else "diff.txt.j2"
    context = {
        "sections": sections(changes),
        "summary": summary(changes),
        "max_fields": MAX_FIELDS,
        "heading": heading,
    }
    return render_document(template, context)


def _plural(kind: str, count: int) -> str:
    if count == 1 or kind == "settings":
        return kind
    return kind + "s"


def _file_changes(path: str, before: bytes | None, after: bytes | None) -> list[Change]:
    old = _objects(path, before) if before is not None else None
    new = _objects(path, after) if after is not None else None
    if (before is not None and old is None) or (after is not None and new is None):
        return []  # one side is not a file of a known form: compared as a whole
    changes = []
    for kind in KINDS:
        before_items, after_items = (old or {}).get(kind, {}), (new or {}).get(kind, {})
        if kind == "route":
            before_items, after_items = _with_order(before_items, after_items)
        changes += _compare_items(kind, path, before_items, after_items)
    return changes


def _compare_items(
    kind: str, path: str, old: dict[str, Item], new: dict[str, Item]
) -> list[Change]:
    changes = []
    for key in [*old, *(k for k in new if k not in old)]:
        # where an alert goes is the point of the matrix: shown for one added or removed too
        shown = kind == "routed alert"
        if key not in new:
            fields = _field_changes(old[key].fields, {}) if shown else ()
            changes.append(Change(kind, old[key].name, path, "removed", fields))
        elif key not in old:
            fields = _field_changes({}, new[key].fields) if shown else ()
            changes.append(Change(kind, new[key].name, path, "added", fields))
        else:
            fields = _field_changes(old[key].fields, new[key].fields)
            if fields:
                changes.append(Change(kind, new[key].name, path, "changed", fields))
    return changes


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    names = [*old, *(k for k in new if k not in old)]
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    )


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings and lists of them as `a.b[0].c` fields; a list of plain values (a
    `group_by`, say) stays one field, since it reads best whole."""
    if isinstance(value, dict) and value:
        found: dict[str, Any] = {}
        for key, item in value.items():
            found |= flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return found
    if isinstance(value, list) and any(isinstance(i, dict | list) for i in value):
        found = {}
        for index, item in enumerate(value):
            found |= flatten(item, f"{prefix}[{index}]")
        return found
    return {prefix: value}


# --- recognising a file's objects ---------------------------------------------------------------


def _objects(path: str, data: bytes) -> Objects | None:
    """The objects of a rule file, alertmanager.yml, prometheus.yml or dashboard; None for any
    other file (or one that does not parse). The other targets' copies (kubernetes/, mimir/)
    are files, not objects: each alert is counted once, where the plain files hold it."""
    if path.startswith(_TARGET_COPIES):
        return None
    try:
        if path.endswith(".json"):
            document = json.loads(data)
            return _dashboard(document) if _is_dashboard(document) else None
        if path.endswith((".yml", ".yaml")):
            document = load(data)
        else:
            return None
    except (ValueError, RecursionError, yaml.YAMLError):
        return None
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("groups"), list):
        return _rules(document["groups"])
    if isinstance(document.get("alerts"), list) and "expected" in document:
        return _deliveries(document)
    if isinstance(document.get("route"), dict) and "receivers" in document:
        return _alertmanager(document)
    if isinstance(document.get("scrape_configs"), list):
        return _prometheus(document)
    return None


def _unique(items: Iterator[tuple[str, Item]]) -> dict[str, Item]:
    """Objects by identity; a second one of the same identity gets `#2` (and so on)."""
    found: dict[str, Item] = {}
    seen: Counter[str] = Counter()
    for key, item in items:
        seen[key] += 1
        if seen[key] > 1:
            key, item = f"{key} #{seen[key]}", Item(f"{item.name} #{seen[key]}", item.fields)
        found[key] = item
    return found


def _rule_name(name: str, labels: dict[str, Any]) -> str:
    shown = [f"{k}={json.dumps(str(labels[k]))}" for k in IDENTITY_LABELS if k in labels]
    return f"{name}{{{', '.join(shown)}}}" if shown else name


def _rules(groups: list[Any]) -> Objects:
    alerts: list[tuple[str, Item]] = []
    records: list[tuple[str, Item]] = []
    for group in (g for g in groups if isinstance(g, dict)):
        for rule in (r for r in group.get("rules") or [] if isinstance(r, dict)):
            labels = rule.get("labels") or {}
            is_alert = "alert" in rule
            name = _rule_name(str(rule.get("alert" if is_alert else "record")), labels)
            fields = flatten({k: v for k, v in rule.items() if k not in ("alert", "record")})
            fields = {
                k: v for k, v in fields.items() if k.removeprefix("labels.") not in IDENTITY_LABELS
            }
            fields["group"] = group.get("name")
            (alerts if is_alert else records).append((name, Item(name, fields)))
    return {"alert": _unique(iter(alerts)), "recording rule": _unique(iter(records))}


def _deliveries(document: dict[str, Any]) -> Objects:
    """The routing matrix (alertmanager/tests/routing.yml): each alert's receivers; an entry of
    `routing.expect` is shown as `expect` and its labels."""
    entries = []
    for section, prefix in (("alerts", ""), ("expected", "expect ")):
        for entry in (e for e in document.get(section) or [] if isinstance(e, dict)):
            labels = entry.get("labels") or {}
            if prefix:
                name = prefix + ", ".join(f"{k}={v}" for k, v in labels.items())
            else:
                name = _rule_name(str(labels.get("alertname")), labels)
            entries.append((name, Item(name, {"receivers": entry.get("receivers")})))
    return {"routed alert": _unique(iter(entries))}


def _route_name(route: dict[str, Any]) -> str:
    """A route's matchers as written (`matchers`, or the older `match` and `match_re`)."""
    matchers = route.get("matchers") or []
    shown = [str(m) for m in ([matchers] if isinstance(matchers, str) else matchers)]
    for key, op in (("match", "="), ("match_re", "=~")):
        pairs = route.get(key)
        shown += [f"{k}{op}{json.dumps(str(v))}" for k, v in (pairs or {}).items()]
    return ", ".join(shown) or "(all)"


def _routes(
    route: dict[str, Any], key: str = "(root)", parent: str = ""
) -> Iterator[tuple[str, Item]]:
    """The route and those below it, each known by its matchers and those of the routes above
    it (a second sibling with the same matchers gets `#2`)."""
    settings = {k: v for k, v in route.items() if k not in _ROUTE_SHAPE}
    yield key, Item(key, flatten(settings), parent)
    seen: Counter[str] = Counter()
    for child in (c for c in route.get("routes") or [] if isinstance(c, dict)):
        name = _route_name(child) if key == "(root)" else f"{key} > {_route_name(child)}"
        seen[name] += 1
        yield from _routes(child, name if seen[name] == 1 else f"{name} #{seen[name]}", key)


def _alertmanager(document: dict[str, Any]) -> Objects:
    inhibit = [
        (
            f"{_side(rule, 'source_')} silences {_side(rule, 'target_')}",
            {k: v for k, v in rule.items() if not k.startswith(("source_", "target_"))},
        )
        for rule in document.get("inhibit_rules") or []
        if isinstance(rule, dict)
    ]
    handled = ("route", "receivers", "inhibit_rules", "time_intervals", "mute_time_intervals")
    intervals = [
        *(document.get("time_intervals") or []),
        *(document.get("mute_time_intervals") or []),
    ]
    return {
        "route": dict(_routes(document["route"])),
        "receiver": _named(document.get("receivers")),
        "inhibit rule": _unique((n, Item(n, flatten(f))) for n, f in inhibit),
        "time interval": _named(intervals),
        "settings": _settings("alertmanager", document, handled),
    }


def _with_order(old: dict[str, Item], new: dict[str, Item]) -> tuple[dict[str, Item], ...]:
    """Routes match in order: each route that both sides have gets its place among the
    siblings both have, so that swapping two is a change and adding one before them is not."""
    common = {key for key in old if key in new}
    ordered = []
    for side in (old, new):
        places: Counter[str] = Counter()
        with_order = {}
        for key, item in side.items():  # in the document's order
            if key in common:
                places[item.parent] += 1
                item = Item(item.name, {**item.fields, "order": places[item.parent]}, item.parent)
            with_order[key] = item
        ordered.append(with_order)
    return tuple(ordered)


def _side(rule: dict[str, Any], prefix: str) -> str:
    return _route_name({k.removeprefix(prefix): v for k, v in rule.items() if k.startswith(prefix)})


def _named(entries: Any, key: str = "name") -> dict[str, Item]:
    return _unique(
        (str(e.get(key)), Item(str(e.get(key)), flatten({k: v for k, v in e.items() if k != key})))
        for e in entries or []
        if isinstance(e, dict)
    )


def _settings(name: str, document: dict[str, Any], handled: tuple[str, ...]) -> dict[str, Item]:
    rest = {k: v for k, v in document.items() if k not in handled}
    return {name: Item(name, flatten(rest))} if rest else {}


def _prometheus(document: dict[str, Any]) -> Objects:
    return {
        "scrape job": _named(document["scrape_configs"], "job_name"),
        "settings": _settings("prometheus", document, ("scrape_configs",)),
    }


def _is_dashboard(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("panels"), list)


def _walk_panels(panels: list[Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those a collapsed row holds included (right after their row)."""
    for panel in (p for p in panels if isinstance(p, dict)):
        yield panel
        yield from _walk_panels(panel.get("panels") or [])


def _dashboard(document: dict[str, Any]) -> Objects:
    title = str(document.get("title") or document.get("uid") or "(untitled)")
    uid = str(document.get("uid") or title)
    panels = (
        (
            f"{uid}/{p.get('title') or p.get('type') or '(untitled)'}",
            Item(
                f"{title} / {p.get('title') or '(untitled)'}",
                flatten({k: v for k, v in p.items() if k != "panels"}),
            ),
        )
        for p in _walk_panels(document["panels"])
    )
    settings = flatten({k: v for k, v in document.items() if k != "panels"})
    return {"dashboard": {uid: Item(f"{title} ({uid})", settings)}, "panel": _unique(panels)}
