"""What a lint check declares, and what it yields: every module of lint.rules is one check (its
ID, default severity, scope, audience and docstring), and its `check()` yields hits, a place and
a message; the engine (lint.checks) attaches the ID and the severity."""

from __future__ import annotations

from typing import Literal, NamedTuple

from stackgen.prometheus.dialect import DEFAULT as DEFAULT_DIALECT
from stackgen.prometheus.metric_types import Hints
from stackgen.spec import lint_defaults

# What one call of a check looks at.
Scope = Literal["rule", "group", "file", "files", "stack", "dashboard", "panel", "pack"]
# Whose files it judges: what stackgen renders, what a spec's author wrote (its packs and
# panels), or both (`stackgen lint` judges files of any origin).
Audience = Literal["generated", "authored", "both"]


class Spot(NamedTuple):
    """A finding's place in a file, when the check knows it (1-based)."""

    file: str
    line: int
    column: int


# Where a hit is: keys into what the check looks at (a rule, a group, a document), resolved
# by the engine, or a Spot (a tuple too: told apart from keys by isinstance(..., Spot)).
Keys = tuple[str | int, ...]
Location = Keys | Spot
Hit = tuple[Location, str]


class SelectorPolicy(NamedTuple):
    """Every selector of a metric `metrics` (a regex matched whole) matches on these labels."""

    metrics: str
    required_labels: tuple[str, ...]


class AggregationPolicy(NamedTuple):
    """Every aggregation in a rule named `rules` (a regex matched whole) keeps and drops these."""

    rules: str
    keep: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()


# The lint config's default required labels, as Settings holds them (out of its body: mypy
# reads no comprehension in a NamedTuple's).
_REQUIRED_LABELS = tuple(
    (name, tuple(values)) for name, values in lint_defaults.REQUIRED_LABELS.items()
)


class Settings(NamedTuple):
    """What the checks are told: the scrape interval, the PromQL dialect of the Prometheus that
    runs the rules (prometheus.dialect), the team's metric types (prometheus.metric_types),
    and its required labels (each with its allowed values; none listed: any value) and
    annotations. `scrape_told`: False where the interval is Prometheus's default, assumed for
    want of one (no --scrape-interval, no stack's prometheus.yml)."""

    scrape_seconds: float = 60.0
    dialect: str = DEFAULT_DIALECT
    metric_types: Hints = ()
    selector_policies: tuple[SelectorPolicy, ...] = ()
    aggregation_policies: tuple[AggregationPolicy, ...] = ()
    required_labels: tuple[tuple[str, tuple[str, ...]], ...] = _REQUIRED_LABELS
    required_annotations: tuple[str, ...] = tuple(lint_defaults.REQUIRED_ANNOTATIONS)
    scrape_told: bool = True
