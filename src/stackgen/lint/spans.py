"""Which findings lie in given rule groups or alerting rules: a render tells the findings in
what the spec's author wrote (rule groups kept as written, custom alerts) from those in what
stackgen generated."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from stackgen.lint.findings import Finding
from stackgen.lint.sources import groups_of, read, rules_of


def _spans(path: Path, names: set[str]) -> list[tuple[float, float]]:
    """Line ranges [first, next group's first) of the named groups of a rule file."""
    documents, _ = read(path.read_text(encoding="utf-8"), str(path))
    starts = sorted(
        (source.locate(group.path).line, str(group.data.get("name")))
        for document, source in documents
        for group in groups_of(document, source, str(path)) or ()
    )
    ends = [line for line, _ in starts[1:]] + [math.inf]
    return [(line, end) for (line, name), end in zip(starts, ends, strict=True) if name in names]


def _alert_spans(path: Path, names: set[str]) -> list[tuple[float, float]]:
    """Line ranges [first, next rule's or group's first) of the named alerting rules."""
    documents, _ = read(path.read_text(encoding="utf-8"), str(path))
    starts: list[tuple[int, str | None]] = []
    for document, source in documents:
        for group in groups_of(document, source, str(path)) or ():
            starts.append((source.locate(group.path).line, None))
            starts += [(rule.position()[0], rule.data.get("alert")) for rule in rules_of(group)]
    starts.sort(key=lambda start: start[0])
    ends = [line for line, _ in starts[1:]] + [math.inf]
    return [(line, end) for (line, name), end in zip(starts, ends, strict=True) if name in names]


def in_alerts(
    findings: Iterable[Finding], root: Path, alerts: Mapping[str, set[str]]
) -> list[Finding]:
    """The findings located in the named alerting rules of the rule files (paths relative to
    root)."""
    spans = {root / rel: _alert_spans(root / rel, names) for rel, names in alerts.items()}
    return [
        f
        for f in findings
        if any(first <= f.line < end for first, end in spans.get(Path(f.file), ()))
    ]


def in_groups(
    findings: Iterable[Finding], root: Path, groups: Mapping[str, set[str]]
) -> list[Finding]:
    """The findings located in the named groups of the rule files (paths relative to root)."""
    spans = {root / rel: _spans(root / rel, names) for rel, names in groups.items()}
    return [
        f
        for f in findings
        if any(first <= f.line < end for first, end in spans.get(Path(f.file), ()))
    ]
