"""No two rules share a name and labels.

Bad:

    # a.yml and b.yml both:
    - alert: HighErrorRate
      labels: {severity: critical}

Good:

    # one of them, or told apart:
    - alert: HighErrorRate
      labels: {severity: critical, tier: web}
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Spot
from stackgen.lint.sources import Reread
from stackgen.prometheus.rulefmt import string_map

if TYPE_CHECKING:  # summaries are made by running the checks
    from stackgen.lint.summary import RuleFileSummary

ID = "rule/duplicate"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("files",)
AUDIENCE: Audience = "both"
HINT = "Remove one, or tell them apart by a label."

# One encoder for every rule: json.dumps with options builds a new one per call.
_LABELS_TEXT = json.JSONEncoder(sort_keys=True, default=str).encode


def identity(data: dict[str, Any]) -> str:
    """What makes two rules the same. Alerts: name and labels. Recording rules: also the
    expression, since rules of one name that write disjoint series (by `code`, say) are a
    common, sound pattern."""
    kind = "record" if "record" in data else "alert"
    labels = _LABELS_TEXT(string_map(data.get("labels")))
    expr = " ".join(str(data.get("expr", "")).split()) if kind == "record" else ""
    return f"{kind}:{data.get(kind)}:{labels}:{expr}"


def _repeated(files: Sequence[RuleFileSummary]) -> set[int]:
    """Digests more than one rule has: only their rules can be duplicates. Sorting a list of
    ints holds far less than a dict from every digest to its first rule would."""
    ordered = sorted(value for summary in files for value in summary.digest_values())
    return {a for a, b in pairwise(ordered) if a == b}


def check(files: Sequence[RuleFileSummary], rules: Reread) -> Iterator[Hit]:
    repeated = _repeated(files)
    if not repeated:  # no digest twice: no duplicate, and no need to go through them again
        return
    # by digest: (identity, file, line) of the first rule of each identity with that digest
    first: dict[int, list[tuple[str, str, int]]] = {}
    for summary in files:
        for index, value in enumerate(summary.digest_values()):
            if value not in repeated:
                continue
            rule = rules.rule(summary.file, index)  # a digest match, confirmed on the rules
            key = identity(rule.data)
            seen = first.setdefault(value, [])
            match = next((s for s in seen if s[0] == key), None)
            if match is None:
                seen.append((key, rule.file, rule.position()[0]))
                continue
            line, column = rule.position()
            yield (
                Spot(rule.file, line, column),
                (f"the same rule (name and labels) is already at {match[1]}:{match[2]}"),
            )
