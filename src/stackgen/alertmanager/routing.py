"""Alertmanager's routing tree, read from an `alertmanager.yml` (0.25): matchers in every
syntax it accepts, inherited settings, and where an alert with given labels is sent."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from stackgen.alertmanager.time_intervals import TimeInterval, parse_time_intervals
from stackgen.common.values import parse_duration

# Where a value is in the config document: keys and list indexes.
DataPath = tuple[str | int, ...]
# Alertmanager's defaults for a root route that does not set them.
DEFAULT_TIMINGS = {"group_wait": 30.0, "group_interval": 300.0, "repeat_interval": 4 * 3600.0}
_MATCHER = re.compile(r'^\s*("(?:\\.|[^"\\])*"|[^=!~\s]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$', re.S)

# A label's value where known; None where the alert may carry any value (or none).
Lookup = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str  # =, !=, =~, !~
    value: str
    path: DataPath = ()

    def matches(self, value: str) -> bool:
        """Alertmanager's rule: a label the alert lacks has the empty value."""
        if self.op in ("=", "!="):
            return (value == self.value) == (self.op == "=")
        try:
            found = re.fullmatch(self.value, value) is not None
        except re.error:
            return False
        return found == (self.op == "=~")

    def implied_by(self, other: Matcher) -> bool:
        """Whether every alert `other` matches is matched by this matcher too."""
        if other.name != self.name:
            return False
        if (other.op, other.value) == (self.op, self.value):
            return True
        return other.op == "=" and self.matches(other.value)

    def __str__(self) -> str:
        return f"{self.name}{self.op}{json.dumps(self.value, ensure_ascii=False)}"


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return str(json.loads(text))
        except ValueError:
            return text[1:-1]
    return text


def _split(text: str) -> list[str]:
    """Comma-separated matchers, commas inside quotes kept."""
    parts, current, quoted, escaped = [], "", False, False
    for char in text:
        if char == "," and not quoted:
            parts.append(current)
            current = ""
            continue
        current += char
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
    return [p for p in [*parts, current] if p.strip()]


def parse_matchers(text: str, path: DataPath = ()) -> list[Matcher]:
    """`a="b"`, `{a="b", c=~"d|e"}` or unquoted `a=b`; ValueError for anything else."""
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    found = []
    for part in _split(body):
        match = _MATCHER.match(part)
        if match is None:
            raise ValueError(f'`{part.strip()}` is not a matcher such as `severity="critical"`')
        name, op, value = match.groups()
        found.append(Matcher(_unquote(name), op, _unquote(value), path))
    return found


def matchers_of(data: dict[str, Any], path: DataPath, prefix: str = "") -> list[Matcher]:
    """The matchers of a route (prefix "") or of an inhibit rule's side ("source_"/"target_"),
    from `matchers` and the older `match` and `match_re`."""
    found: list[Matcher] = []
    written = data.get(f"{prefix}matchers") or []
    for index, text in enumerate([written] if isinstance(written, str) else written):
        try:
            found += parse_matchers(str(text), (*path, f"{prefix}matchers", index))
        except ValueError:
            continue  # amtool check-config reports it
    for key, op in ((f"{prefix}match", "="), (f"{prefix}match_re", "=~")):
        pairs = data.get(key)
        for name, value in pairs.items() if isinstance(pairs, dict) else ():
            found.append(Matcher(str(name), op, str(value), (*path, key, str(name))))
    return found


@dataclass(frozen=True)
class Route:
    receiver: str
    matchers: tuple[Matcher, ...]
    group_by: tuple[str, ...]
    continue_: bool
    timings: dict[str, float]  # effective group_wait, group_interval, repeat_interval
    routes: tuple[Route, ...]
    path: DataPath
    written: frozenset[str] = frozenset()  # the keys set on this route, not inherited
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()

    def walk(self) -> Iterator[Route]:
        """This route and every one below it, depth first (a stack, not recursion)."""
        stack = [self]
        while stack:
            route = stack.pop()
            yield route
            stack.extend(reversed(route.routes))

    def match(self, lookup: Lookup) -> bool | None:
        """True or False when the known labels decide, None when unknown ones would."""
        result: bool | None = True
        for matcher in self.matchers:
            value = lookup(matcher.name)
            if value is None:
                result = None
            elif not matcher.matches(value):
                return False
        return result


def _duration(value: Any, inherited: float) -> float:
    try:
        return parse_duration(str(value)) if value is not None else inherited
    except ValueError:
        return inherited


def route_tree(
    data: dict[str, Any], path: DataPath = ("route",), parent: Route | None = None
) -> Route:
    """The route at `path` with what it inherits from its parent filled in. Built with a stack,
    not recursion: a config may nest its routes as deep as it likes."""
    made: list[tuple[Route, list[int]]] = []  # in depth-first order: a parent before its routes
    stack: list[tuple[dict[str, Any], DataPath, Route | None, int | None]] = [
        (data, path, parent, None)
    ]
    while stack:
        here, where, above, above_index = stack.pop()
        route = _route(here, where, above)
        if above_index is not None:
            made[above_index][1].append(len(made))
        made.append((route, []))
        below = [
            (child, (*where, "routes", index), route, len(made) - 1)
            for index, child in enumerate(here.get("routes") or [])
            if isinstance(child, dict)
        ]
        stack.extend(reversed(below))
    built: dict[int, Route] = {}
    for index in range(len(made) - 1, -1, -1):  # every route's own routes are built first
        route, below_indexes = made[index]
        built[index] = replace(route, routes=tuple(built.pop(i) for i in below_indexes))
    return built[0]


def _route(data: dict[str, Any], path: DataPath, parent: Route | None) -> Route:
    """One route, without its routes."""
    timings = dict(parent.timings if parent is not None else DEFAULT_TIMINGS)
    for key in timings:
        timings[key] = _duration(data.get(key), timings[key])
    group_by = data.get("group_by")
    return Route(
        receiver=str(data.get("receiver") or (parent.receiver if parent else "")),
        matchers=tuple(matchers_of(data, path)),
        group_by=tuple(map(str, group_by))
        if isinstance(group_by, list)
        else (parent.group_by if parent else ()),
        continue_=bool(data.get("continue", False)),
        timings=timings,
        routes=(),
        path=path,
        written=frozenset(map(str, data)),
        mute_time_intervals=tuple(map(str, data.get("mute_time_intervals") or ())),
        active_time_intervals=tuple(map(str, data.get("active_time_intervals") or ())),
    )


def possible_routes(route: Route, lookup: Lookup) -> list[Route]:
    """Every route whose receiver an alert may reach, where labels of unknown value may
    take any value."""
    # Depth first with a stack of frames, not recursion: [route, next child, found, surely
    # matched (then the route's own receiver is not used)].
    frames: list[list[Any]] = [[route, 0, [], False]]
    returned: list[Route] | None = None
    while frames:
        frame = frames[-1]
        here: Route = frame[0]
        if returned is not None:  # back from the child frame[1] - 1
            child = here.routes[frame[1] - 1]
            frame[2] += returned
            returned = None
            if child.match(lookup):
                frame[3] = True
                if not child.continue_:
                    frame[1] = len(here.routes)  # stop here
        while frame[1] < len(here.routes):
            child = here.routes[frame[1]]
            frame[1] += 1
            if child.match(lookup) is not False:
                frames.append([child, 0, [], False])
                break
        else:
            frames.pop()
            returned = frame[2] if frame[3] else [*frame[2], here]
    return returned or []


def matching_routes(route: Route, labels: dict[str, str]) -> list[Route]:
    """The routes whose receivers get an alert with exactly these labels, in order."""

    def lookup(name: str) -> str:
        return labels.get(name, "")

    # Depth first with a stack of frames, not recursion: [route, next child, found].
    frames: list[list[Any]] = [[route, 0, []]]
    returned: list[Route] | None = None
    while frames:
        frame = frames[-1]
        here: Route = frame[0]
        if returned is not None:  # back from the child frame[1] - 1, which matched
            frame[2] += returned
            returned = None
            if not here.routes[frame[1] - 1].continue_:
                frames.pop()
                returned = frame[2]
                continue
        while frame[1] < len(here.routes):
            child = here.routes[frame[1]]
            frame[1] += 1
            if child.match(lookup):
                frames.append([child, 0, []])
                break
        else:
            frames.pop()
            returned = frame[2] or [here]
    return returned or []


def receivers_for(route: Route, labels: dict[str, str]) -> list[str]:
    """The receivers Alertmanager sends an alert with exactly these labels to, in order."""
    return [r.receiver for r in matching_routes(route, labels)]


@dataclass(frozen=True)
class Inhibition:
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]

    def silences(self, labels: dict[str, str], firing: dict[str, str]) -> bool:
        """Alertmanager's rule: `firing` matches the source side, `labels` the target side,
        the `equal` labels agree (absent on both counts as equal), and an alert that matches
        both sides is not silenced by another that does too."""
        if not _all_match(self.target, labels) or not _all_match(self.source, firing):
            return False
        if any(labels.get(name, "") != firing.get(name, "") for name in self.equal):
            return False
        return not (_all_match(self.source, labels) and _all_match(self.target, firing))


def _all_match(matchers: tuple[Matcher, ...], labels: dict[str, str]) -> bool:
    return all(m.matches(labels.get(m.name, "")) for m in matchers)


def inhibitions(config: dict[str, Any]) -> list[Inhibition]:
    return [
        Inhibition(
            tuple(matchers_of(rule, ("inhibit_rules", i), "source_")),
            tuple(matchers_of(rule, ("inhibit_rules", i), "target_")),
            tuple(map(str, rule.get("equal") or ())),
        )
        for i, rule in enumerate(config.get("inhibit_rules") or [])
        if isinstance(rule, dict)
    ]


@dataclass(frozen=True)
class Delivery:
    """Where one matching route sends an alert, and why nothing may be sent."""

    receiver: str
    route: Route
    muted_by: str | None = None  # a time interval name, or `inhibited by ...`

    @property
    def sent(self) -> bool:
        return self.muted_by is None


def deliveries(
    config: dict[str, Any],
    labels: dict[str, str],
    at: datetime | None = None,
    firing: list[dict[str, str]] = (),  # type: ignore[assignment]
) -> list[Delivery]:
    """What Alertmanager does with an alert: every matching route, muted where a time interval
    at `at` or an inhibition by one of the `firing` alerts says so."""
    intervals = parse_time_intervals(config.get("time_intervals") or []) if at else {}
    silencer = next(
        (f for rule in inhibitions(config) for f in firing if rule.silences(labels, f)), None
    )
    found = []
    for route in matching_routes(route_tree(config["route"]), labels):
        reason = None
        if silencer is not None:
            reason = f"inhibited by {silencer.get('alertname', 'a firing alert')}"
        elif at is not None:
            reason = _time_mute(route, intervals, at)
        found.append(Delivery(route.receiver, route, reason))
    return found


def _time_mute(
    route: Route, intervals: dict[str, tuple[TimeInterval, ...]], at: datetime
) -> str | None:
    def active(name: str) -> bool:
        if name not in intervals:
            raise ValueError(f"no time interval is named `{name}`")
        return any(entry.contains(at) for entry in intervals[name])

    for name in route.mute_time_intervals:
        if active(name):
            return f"muted during `{name}`"
    if route.active_time_intervals and not any(map(active, route.active_time_intervals)):
        return f"outside {', '.join(f'`{n}`' for n in route.active_time_intervals)}"
    return None
