"""Alertmanager 0.25 time intervals, evaluated the way Alertmanager 0.25 evaluates them.

`stackgen routes test ... --at TIME` says whether a route is muted or active at a moment. A
simulator that disagrees with Alertmanager at a single edge (the end minute, -1 in February, a
UTC moment that is already Saturday in Berlin) teaches people the wrong thing about their own
config, so this module follows prometheus/alertmanager `timeinterval/timeinterval.go` rule by
rule, quirks included. Each quirk is reproduced on purpose and named where it happens:

- `[]` (a field given as an empty list) matches no moment, while a missing or null field
  matches every moment: yaml.v2 turns `[]` into an empty non-nil slice, and `ContainsTime`
  only skips nil fields.
- With a `location`, the length of a month is whole 24-hour days between the first of the
  month and the first of the next, rounded down. In a month where that zone springs forward
  (March in Europe/Berlin), that gives 30 instead of 31, so -1 means the 30th and `1:31` stops
  at the 30th. This was fixed upstream long after 0.25 (prometheus/alertmanager#5447).
- Month numbers are not range-checked (`13` loads and never matches), and neither are years.
- A day-of-month range is checked against a 28-day month using `28 + n` for a negative n,
  one day off from how it is evaluated, so `28:-1` is rejected although it would work.
- `Local` is the zone of the machine running the check (Go's rules: TZ, then /etc/localtime).
  For a simulator that is stackgen's machine, which need not be Alertmanager's.

A moment with no `location` is compared in UTC: Alertmanager passes `now.UTC()`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Range = tuple[int, int]
T = TypeVar("T")

WEEKDAYS: dict[str, int] = {
    "sunday": 0,
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
}
MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}

ENTRY_KEYS = ("times", "weekdays", "days_of_month", "months", "years", "location")
_TIME_KEYS = ("start_time", "end_time")
_SECTION_KEYS = ("name", "time_intervals")

# Alertmanager's own pattern: two-digit hours, 00:00..23:59, and 24:00 as the end of the day.
_TIME_OF_DAY = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00")
# What Go's strconv.Atoi accepts: an optional sign and ASCII digits, no spaces or underscores.
_GO_INT = re.compile(r"[+-]?[0-9]+")
_GO_INT_MAX = 2**63 - 1
_MINUTES_PER_DAY = 24 * 60


# --- parsing one value ---------------------------------------------------------------------------


def parse_weekday_range(text: str) -> Range:
    """`monday:friday` -> (1, 5), Sunday = 0; names only, any letter case, as Alertmanager."""
    first, last = _split_range(text, "weekday range", "monday:friday")
    begin = _weekday(text, first)
    end = _weekday(text, last)
    if begin > end:
        before = first if first == "saturday" else f"{first}:saturday"
        after = last if last == "sunday" else f"sunday:{last}"
        raise ValueError(
            f"`{text}` is not a weekday range: Alertmanager's week runs from sunday to saturday "
            f"and a range does not wrap around it; list two instead: ['{before}', '{after}']"
        )
    return begin, end


def parse_time_of_day(text: str) -> int:
    """`HH:MM` -> minutes since midnight; the same strict pattern Alertmanager uses."""
    if not isinstance(text, str) or not _TIME_OF_DAY.fullmatch(text):
        raise ValueError(
            f"`{text}` is not a time of day: write HH:MM with two-digit hours, "
            "00:00 to 23:59, or 24:00 for the end of the day"
        )
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def parse_time_range(start: str, end: str) -> Range:
    """Minutes (start, end); the end is excluded, so 09:00-17:00 stops after 16:59."""
    if not start or not end:
        raise ValueError(
            "a time range needs both start_time and end_time, "
            "e.g. start_time: '09:00' and end_time: '17:00'"
        )
    begin = parse_time_of_day(start)
    finish = parse_time_of_day(end)
    if begin >= finish:
        raise ValueError(f"`{start}` to `{end}` is not a time range: {_time_fix(start, end)}")
    return begin, finish


def _whole_number_range(text: str, kind: str, example: str) -> Range:
    first, last = _split_range(text, kind, example)
    return _whole_number(text, kind, first), _whole_number(text, kind, last)


def parse_day_of_month_range(text: str) -> Range:
    """`1:5`, `-3:-1` (-1 is the last day), `1:-1`: Alertmanager's checks, in its order."""
    kind = "day-of-month range"
    begin, end = _whole_number_range(text, kind, "1:7")
    for day in (begin, end):
        if day == 0 or not -31 <= day <= 31:
            raise ValueError(
                f"`{text}` is not a {kind}: {day} is not a day of the month; use 1 to 31, "
                "or -1 to -31 to count back from the month's last day (-1)"
            )
    if begin < 0 < end:
        raise ValueError(
            f"`{text}` is not a {kind}: it starts counting back from the month's end "
            f"({begin}) so it must end that way too, e.g. {begin}:-1"
        )
    if _as_in_28_day_month(begin) > _as_in_28_day_month(end):
        raise ValueError(
            f"`{text}` is not a {kind}: its end ({end}) comes before its start ({begin}) in a "
            "28-day month, which Alertmanager rejects; pick an end after the start"
        )
    return begin, end


def parse_month_range(text: str) -> Range:
    """`may:august`, `1:3`, `december`; numbers are not range-checked, exactly as in 0.25."""
    first, last = _split_range(text, "month range", "january:march")
    begin = _month(text, first)
    end = _month(text, last)
    if begin > end:
        raise ValueError(
            f"`{text}` is not a month range: {last} comes before {first} and a range does not "
            f"wrap around the new year; list two instead: ['{first}:december', 'january:{last}']"
        )
    return begin, end


def parse_year_range(text: str) -> Range:
    """`2020:2022` or `2030`; Alertmanager only checks that the end is not before the start."""
    kind = "year range"
    begin, end = _whole_number_range(text, kind, "2020:2022")
    if begin > end:
        raise ValueError(
            f"`{text}` is not a {kind}: the end year {end} is before the start year {begin}; "
            f"write {end}:{begin}"
        )
    return begin, end


def parse_location(text: str) -> ZoneInfo | tzinfo:
    """Go's time.LoadLocation: "" and UTC are UTC, Local is this machine's zone, else IANA."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a time zone: write an IANA name such as Europe/Berlin")
    if text in ("", "UTC"):
        return timezone.utc
    if text == "Local":
        return _go_local_zone()
    # Go refuses these before looking at the time zone database.
    if ".." in text or text.startswith(("/", "\\")):
        raise ValueError(
            f"`{text}` is not a time zone: write an IANA name such as Europe/Berlin, not a path"
        )
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"`{text}` is not a time zone: use an IANA name such as Europe/Berlin or "
            "America/New_York (names are case-sensitive), or UTC or Local"
        ) from None


# --- one entry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeInterval:
    """One entry of a named time interval, parsed.

    None means the field was not given and lets every moment through; an empty tuple means it
    was given as `[]`, which in Alertmanager lets no moment through (see the module docstring).
    """

    times: tuple[Range, ...] | None = None
    weekdays: tuple[Range, ...] | None = None
    days_of_month: tuple[Range, ...] | None = None
    months: tuple[Range, ...] | None = None
    years: tuple[Range, ...] | None = None
    location: tzinfo | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TimeInterval:
        """Read one entry as written in alertmanager.yml; unknown keys fail as they do there."""
        if not isinstance(config, Mapping):
            raise ValueError(
                f"{config!r} is not a time interval entry: write a mapping with keys such as "
                "weekdays and times"
            )
        _reject_unknown_keys(config, ENTRY_KEYS, "a time interval entry")
        location = config.get("location")
        return cls(
            times=_list_field(config, "times", _time_range_from_config),
            weekdays=_list_field(config, "weekdays", _text_parser(parse_weekday_range)),
            days_of_month=_list_field(
                config, "days_of_month", _text_parser(parse_day_of_month_range)
            ),
            months=_list_field(config, "months", _text_parser(parse_month_range)),
            years=_list_field(config, "years", _text_parser(parse_year_range)),
            location=None
            if location is None
            else _at("location", _text_parser(parse_location), location),
        )

    def contains(self, moment: datetime) -> bool:
        """True when every field given matches the moment, read in the entry's location."""
        local = _wall_clock(moment, self.location)
        minute = local.hour * 60 + local.minute
        weekday = local.isoweekday() % 7
        return (
            _passes(self.times, lambda r: r[0] <= minute < r[1])
            and _passes(self.days_of_month, lambda r: _day_in_range(local, r))
            and _passes(self.months, lambda r: r[0] <= local.month <= r[1])
            and _passes(self.weekdays, lambda r: r[0] <= weekday <= r[1])
            and _passes(self.years, lambda r: r[0] <= local.year <= r[1])
        )


# --- named intervals ----------------------------------------------------------------------------


def interval_contains(entries: Sequence[Mapping[str, Any]], moment: datetime) -> bool:
    """One named interval: any entry containing the moment is enough; none at all never is."""
    _wall_clock(moment, None)
    parsed = _parse_entries(entries)
    return any(entry.contains(moment) for entry in parsed)


def parse_time_intervals(
    section: Sequence[Mapping[str, Any]],
) -> dict[str, tuple[TimeInterval, ...]]:
    """A whole `time_intervals:` section, checked as Alertmanager checks it when loading."""
    if not isinstance(section, Sequence) or isinstance(section, str):
        raise ValueError("time_intervals must be a list of {name, time_intervals} mappings")
    found: dict[str, tuple[TimeInterval, ...]] = {}
    for index, item in enumerate(section):
        where = f"time_intervals[{index}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}: write a mapping with a name and a time_intervals list")
        _reject_unknown_keys(item, _SECTION_KEYS, where)
        name = item.get("name")
        if not name or not isinstance(name, str):
            raise ValueError(f"{where}: a time interval needs a name, e.g. name: business-hours")
        if name in found:
            raise ValueError(
                f"{where}: the name `{name}` is used twice and Alertmanager refuses the config; "
                "rename one"
            )
        try:
            found[name] = _parse_entries(item.get("time_intervals") or [])
        except ValueError as exc:
            raise ValueError(f"{where} (`{name}`): {exc}") from None
    return found


def active(
    time_intervals_section: Sequence[Mapping[str, Any]], name: str, moment: datetime
) -> bool:
    """Whether the interval `name` contains the moment; any invalid interval fails, as at load."""
    _wall_clock(moment, None)
    intervals = parse_time_intervals(time_intervals_section)
    if name not in intervals:
        known = ", ".join(sorted(intervals)) or "none"
        raise ValueError(
            f"no time interval is named `{name}` (defined: {known}); "
            "define it under time_intervals or fix the name in the route"
        )
    return any(entry.contains(moment) for entry in intervals[name])


# --- helpers: parsing ---------------------------------------------------------------------------


def _split_range(text: str, kind: str, example: str) -> tuple[str, str]:
    """Alertmanager lower-cases the whole value; `a` means a:a, more than one colon is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a {kind}: write it as text such as '{example}'")
    parts = text.lower().split(":")
    if len(parts) == 1:
        return parts[0], parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ValueError(
        f"`{text}` is not a {kind}: use one value or two joined by one colon, such as {example}"
    )


def _weekday(text: str, member: str) -> int:
    if member in WEEKDAYS:
        return WEEKDAYS[member]
    raise ValueError(
        f"`{text}` is not a weekday range: {_shown(member)} is not a weekday; "
        "use names such as monday:friday (numbers are not accepted)"
    )


def _month(text: str, member: str) -> int:
    if member in MONTHS:
        return MONTHS[member]
    number = _go_atoi(member)
    if number is None:
        raise ValueError(
            f"`{text}` is not a month range: {_shown(member)} is not a month; "
            "use names such as january:march or numbers (1 is january)"
        )
    return number


def _whole_number(text: str, kind: str, member: str) -> int:
    number = _go_atoi(member)
    if number is None:
        raise ValueError(
            f"`{text}` is not a {kind}: {_shown(member)} is not a whole number "
            "(digits with an optional sign, no spaces)"
        )
    return number


def _go_atoi(member: str) -> int | None:
    """strconv.Atoi's rules: Python's int() would also take spaces, `_` and non-ASCII digits."""
    if not _GO_INT.fullmatch(member):
        return None
    number = int(member)
    return number if abs(number) <= _GO_INT_MAX else None


def _shown(member: str) -> str:
    return f"`{member}`" if member else "an empty value"


def _as_in_28_day_month(day: int) -> int:
    """Alertmanager's load-time order check reads -n as 28 - n (not 28 - n + 1)."""
    return 28 + day if day < 0 else day


def _time_fix(start: str, end: str) -> str:
    if start == "24:00":
        return "24:00 can only end a range; start at 00:00"
    if start == end:
        return (
            "the end is excluded, so it covers no time; to cover the whole day use 00:00 to 24:00"
        )
    return (
        "the end comes before the start and a range cannot cross midnight; "
        f"split it into {start} to 24:00 and 00:00 to {end}"
    )


# --- helpers: reading alertmanager.yml ----------------------------------------------------------


def _parse_entries(entries: Sequence[Mapping[str, Any]]) -> tuple[TimeInterval, ...]:
    """Every entry is parsed before any is evaluated: Alertmanager refuses a bad one at load."""
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        raise ValueError("time_intervals must be a list of entries, e.g. [{weekdays: [saturday]}]")
    return tuple(
        _at(f"time_intervals[{i}]", TimeInterval.from_config, e) for i, e in enumerate(entries)
    )


def _list_field(
    config: Mapping[str, Any], key: str, parse: Callable[[Any], Range]
) -> tuple[Range, ...] | None:
    value = config.get(key)
    if value is None:
        return None
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ValueError(f"{key} must be a list, e.g. {key}: [{value!r}]")
    return tuple(_at(f"{key}[{index}]", parse, item) for index, item in enumerate(value))


def _at(where: str, parse: Callable[[Any], T], value: Any) -> T:
    """Prefix the failing field's path so the message points at the line to change."""
    try:
        return parse(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}{_base_60_hint(value)}") from None


def _base_60_hint(value: Any) -> str:
    """PyYAML reads an unquoted 1:5 as the YAML 1.1 base-60 number 65; Go's yaml.v2 does not."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 60:
        return (
            f" (the YAML loader read this as the number {value}; an unquoted range such as "
            f"{value // 60}:{value % 60} is read as a base-60 number by YAML 1.1 loaders: quote it)"
        )
    return ""


def _text_parser(parse: Callable[[str], T]) -> Callable[[Any], T]:
    return lambda value: parse(_scalar_text(value))


def _scalar_text(value: Any) -> str:
    """yaml.v2 stores any scalar into Alertmanager's string fields, so 2024 reads as `2024`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError(f"{value!r} is not a single value: write text such as 'monday' or '1:5'")


def _time_text(value: Any) -> str:
    """Undo PyYAML's base-60 reading of an unquoted 17:00 (1020); yaml.v2 keeps it as text."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        hours, minutes = divmod(value, 60)
        return f"{hours:02d}:{minutes:02d}"
    return _scalar_text(value)


def _time_range_from_config(item: Any) -> Range:
    if not isinstance(item, Mapping):
        raise ValueError(
            f"{item!r} is not a time range: write a mapping such as "
            "{start_time: '09:00', end_time: '17:00'}"
        )
    _reject_unknown_keys(item, _TIME_KEYS, "a time range")
    return parse_time_range(_time_text(item.get("start_time")), _time_text(item.get("end_time")))


def _reject_unknown_keys(config: Mapping[str, Any], known: Sequence[str], what: str) -> None:
    """Alertmanager loads with yaml.UnmarshalStrict: a misspelt key is an error, not ignored."""
    unknown = [str(key) for key in config if key not in known]
    if not unknown:
        return
    hint = ""
    if any(key in ("time_zone", "timezone", "tz", "zone") for key in unknown):
        hint = " (the time zone key is `location`)"
    raise ValueError(
        f"{what} has unknown keys {', '.join(unknown)}{hint}; Alertmanager knows {', '.join(known)}"
    )


# --- helpers: evaluating ------------------------------------------------------------------------


def _wall_clock(moment: datetime, location: tzinfo | None) -> datetime:
    """The moment on the entry's clock; UTC without a location, as Alertmanager's now.UTC()."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(
            f"{moment!r} has no time zone, so it could be any of 24 hours: give an aware "
            "moment such as 2024-07-01T09:00:00+02:00 or 2024-07-01T07:00:00Z"
        )
    return moment.astimezone(location or timezone.utc)


def _passes(ranges: tuple[Range, ...] | None, test: Callable[[Range], bool]) -> bool:
    return ranges is None or any(test(r) for r in ranges)


def _day_in_range(local: datetime, days: Range) -> bool:
    """ContainsTime's days_of_month step, line for line, clamping included."""
    length = _days_in_month(local)
    begin = length + days[0] + 1 if days[0] < 0 else days[0]
    end = length + days[1] + 1 if days[1] < 0 else days[1]
    if begin > length:
        return False
    begin = _clamp(begin, -length, length)
    end = _clamp(end, -length, length)
    return begin <= local.day <= end


def _days_in_month(local: datetime) -> int:
    """Go's daysInMonth: elapsed hours between two local midnights / 24, rounded down.

    Subtracting aware datetimes that share a tzinfo ignores their offsets in Python, so the
    elapsed time is taken from timestamps; in a spring-forward month that is 743 hours -> 30.
    """
    zone = local.tzinfo
    first = datetime(local.year, local.month, 1, tzinfo=zone)
    following = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=zone)
    hours = (following.timestamp() - first.timestamp()) / 3600
    return int(hours / 24)


def _clamp(number: int, low: int, high: int) -> int:
    return max(low, min(number, high))


def _go_local_zone() -> tzinfo:
    """Go's time.Local on Unix: no TZ -> /etc/localtime; TZ="" -> UTC; TZ=[:]name or path."""
    name = os.environ.get("TZ")
    if name is None:
        return _zone_file("/etc/localtime") or timezone.utc
    name = name.removeprefix(":")
    if name.startswith("/"):
        return _zone_file(name) or timezone.utc
    if name and name != "UTC":
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return timezone.utc


def _zone_file(path: str) -> tzinfo | None:
    try:
        with open(path, "rb") as file:
            return ZoneInfo.from_file(file, key="Local")
    except (OSError, ValueError):
        return None
