"""Which findings lie in given rule groups: a render tells the findings in the rule groups a
spec keeps as written (the user's rules) from those in what stackgen generated."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from stackgen.lint.findings import Finding
from stackgen.lint.sources import groups_of, read


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
