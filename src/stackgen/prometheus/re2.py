"""Whether a regex is one Go's regexp (RE2 syntax, Go 1.19 as Prometheus 2.42 is built with)
compiles: PromQL's `=~` and `!~` matchers are Go regexes. Python's `re` is no judge of that: it
takes lookarounds, backreferences, possessive repeats and `(?<name>)`, which Go refuses, and
refuses `[[:alpha:]]` classes and flags mid-pattern, which Go takes."""

from __future__ import annotations

_CLASS_NAMES = frozenset(
    [
        "alnum",
        "alpha",
        "ascii",
        "blank",
        "cntrl",
        "digit",
        "graph",
        "lower",
        "print",
        "punct",
        "space",
        "upper",
        "word",
        "xdigit",
    ]
)
_ESCAPE_LETTERS = frozenset("AbBdDsSwWpPQzaftnrvx")
_FLAGS = frozenset("imsU-")
_MAX_REPEAT = 1000


class _Invalid(Exception):
    pass


def _escape(pattern: str, index: int, in_class: bool) -> int:
    """The index after the escape sequence starting at `pattern[index] == '\\'`."""
    if index + 1 >= len(pattern):
        raise _Invalid("trailing backslash at end of expression")
    char = pattern[index + 1]
    if char.isascii() and not char.isalnum():
        return index + 2  # an escaped punctuation character
    if char in "01234567":
        if char != "0" and not (index + 2 < len(pattern) and pattern[index + 2] in "01234567"):
            raise _Invalid(f"invalid escape sequence: `\\{char}` (backreferences are not RE2)")
        end = index + 2
        while end < min(index + 4, len(pattern)) and pattern[end] in "01234567":
            end += 1
        return end
    if char not in _ESCAPE_LETTERS or (in_class and char in "AbBzQ"):
        raise _Invalid(f"invalid escape sequence: `\\{char}`")
    if char == "Q":
        end = pattern.find("\\E", index + 2)
        return len(pattern) if end < 0 else end + 2
    if char in "pP":
        if pattern[index + 2 : index + 3] == "{":
            end = pattern.find("}", index + 3)
            if end < 0:
                raise _Invalid("invalid character class range")
            return end + 1
        if index + 2 >= len(pattern):
            raise _Invalid("invalid character class range")
        return index + 3
    if char == "x":
        if pattern[index + 2 : index + 3] == "{":
            end = pattern.find("}", index + 3)
            digits = pattern[index + 3 : end] if end >= 0 else ""
            if not digits or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _Invalid("invalid escape sequence: `\\x{`")
            return end + 1
        digits = pattern[index + 2 : index + 4]
        if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise _Invalid("invalid escape sequence: `\\x`")
        return index + 4
    return index + 2


def _class(pattern: str, index: int) -> int:
    """The index after the character class starting at `pattern[index] == '['`."""
    start = index + 1
    if pattern[start : start + 1] == "^":
        start += 1
    position = start
    previous: str | None = None  # the last single character, for a range
    while True:
        if position >= len(pattern):
            raise _Invalid("missing closing ]")
        char = pattern[position]
        if char == "]" and position > start:
            return position + 1
        if pattern.startswith("[:", position):
            end = pattern.find(":]", position + 2)
            if end >= 0:
                name = pattern[position + 2 : end].lstrip("^")
                if name not in _CLASS_NAMES:
                    raise _Invalid(f"invalid character class range: `[:{name}:]`")
                position, previous = end + 2, None
                continue
        if char == "\\":
            following = _escape(pattern, position, in_class=True)
            single = following == position + 2 and not pattern[position + 1].isalpha()
            previous = pattern[position + 1] if single else None
            position = following
            continue
        if (
            char == "-"
            and previous is not None
            and pattern[position + 1 : position + 2]
            not in (
                "]",
                "",
            )
        ):
            upper = pattern[position + 1]
            if upper == "\\":
                upper = pattern[position + 2 : position + 3]
            if upper < previous:
                raise _Invalid(f"invalid character class range: `{previous}-{upper}`")
            position += 2 if pattern[position + 1] != "\\" else 3
            previous = None
            continue
        previous = char
        position += 1


def _repeat(pattern: str, index: int) -> int | None:
    """The index after a `{n}`, `{n,}` or `{n,m}` at index, None when it is a literal `{`."""
    end = pattern.find("}", index)
    if end < 0:
        return None
    body = pattern[index + 1 : end]
    low, comma, high = body.partition(",")
    if not low.isdigit() or (high and not high.isdigit()) or not low.isascii():
        return None
    top = int(high) if high else int(low)
    if int(low) > _MAX_REPEAT or top > _MAX_REPEAT or (comma and high and int(high) < int(low)):
        raise _Invalid(f"invalid repeat count: `{{{body}}}`")
    return end + 1


def re2_error(pattern: str, angle_names: bool = False) -> str | None:
    """Why Go's regexp refuses `pattern`, or None when it compiles. `angle_names`: Go 1.22 or
    later (Prometheus 3), which takes `(?<name>...)` as well as `(?P<name>...)`."""
    try:
        _check(pattern, angle_names)
    except _Invalid as exc:
        return str(exc)
    return None


def _check(pattern: str, angle_names: bool) -> None:
    depth, index = 0, 0
    repeatable = False  # whether the last item can take a repetition operator
    repeated = False  # whether the last item is a repetition already
    lazy = False  # whether that repetition has its one `?` (non-greedy) already
    while index < len(pattern):
        char = pattern[index]
        quantifier_end: int | None = None
        if char in "*+?":
            quantifier_end = index + 1
        elif char == "{":
            quantifier_end = _repeat(pattern, index)
        if quantifier_end is not None:
            if repeated:
                if char == "?" and not lazy:
                    lazy, index = True, index + 1
                    continue
                shown = pattern[index - 1 : quantifier_end]
                raise _Invalid(f"invalid nested repetition operator: `{shown}`")
            if not repeatable:
                raise _Invalid(f"missing argument to repetition operator: `{char}`")
            repeated, lazy, index = True, False, quantifier_end
            continue
        repeated, lazy = False, False
        if char == "(":
            opens = True
            if pattern.startswith("(?", index):
                index, opens = _group_flags(pattern, index, angle_names)
            else:
                index += 1
            depth += opens
            repeatable = False
            continue
        if char == ")":
            depth -= 1
            if depth < 0:
                raise _Invalid("unexpected ): unbalanced parentheses")
            repeatable, index = True, index + 1
            continue
        if char == "|":
            repeatable, index = False, index + 1
            continue
        if char == "[":
            index = _class(pattern, index)
        elif char == "\\":
            index = _escape(pattern, index, in_class=False)
        else:
            index += 1
        repeatable = True  # Go takes `^*` too (an empty-width repeat)
    if depth:
        raise _Invalid("missing closing ): unbalanced parentheses")


def _group_flags(pattern: str, index: int, angle_names: bool) -> tuple[int, bool]:
    """The index after `(?...`, and whether it opens a group (`(?i)` only sets flags)."""
    rest = pattern[index + 2 :]
    if rest.startswith("P<") or (angle_names and rest.startswith("<")):
        start = 2 if rest.startswith("P<") else 1
        end = rest.find(">")
        name = rest[start:end] if end > start else ""
        if not name or not all(c == "_" or c.isalnum() for c in name):
            raise _Invalid("invalid named capture")
        return index + 2 + end + 1, True
    end = 0
    while end < len(rest) and rest[end] in _FLAGS:
        end += 1
    if end and end < len(rest) and rest[end] in ":)":
        return index + 2 + end + 1, rest[end] == ":"
    if rest.startswith(":"):
        return index + 3, True
    shown = pattern[index : index + 3]
    raise _Invalid(f"invalid or unsupported Perl syntax: `{shown}`")
