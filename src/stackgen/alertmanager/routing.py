"""Alertmanager's routing tree, read from an `alertmanager.yml` (0.25): matchers in every
syntax it accepts, inherited settings, and where an alert with given labels is sent."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
        yield self
        for child in self.routes:
            yield from child.walk()

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
    """The route at `path` with what it inherits from its parent filled in."""
    timings = dict(parent.timings if parent is not None else DEFAULT_TIMINGS)
    for key in timings:
        timings[key] = _duration(data.get(key), timings[key])
    group_by = data.get("group_by")
    route = Route(
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
    children = tuple(
        route_tree(child, (*path, "routes", index), route)
        for index, child in enumerate(data.get("routes") or [])
        if isinstance(child, dict)
    )
    return Route(**{**route.__dict__, "routes": children})


def possible_routes(route: Route, lookup: Lookup) -> list[Route]:
    """Every route whose receiver an alert may reach, where labels of unknown value may
    take any value."""
    found: list[Route] = []
    surely_matched = False  # then the route's own receiver is not used
    for child in route.routes:
        matched = child.match(lookup)
        if matched is False:
            continue
        found += possible_routes(child, lookup)
        if matched:
            surely_matched = True
            if not child.continue_:
                break
    if not surely_matched:
        found.append(route)
    return found


def matching_routes(route: Route, labels: dict[str, str]) -> list[Route]:
    """The routes whose receivers get an alert with exactly these labels, in order."""
    found: list[Route] = []
    for child in route.routes:
        if child.match(lambda name: labels.get(name, "")):
            found += matching_routes(child, labels)
            if not child.continue_:
                return found
    return found or [route]


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
