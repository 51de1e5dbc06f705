"""How `stackgen lint` judges rule files."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from stackgen.spec import lint_defaults
from stackgen.spec.model.base import Model
from stackgen.spec.types import LabelName, OneLine


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a regex ({exc}): write a metric name or a regex") from None
    return pattern


# A metric name, or a regex of names (matched whole).
MetricPattern = Annotated[str, AfterValidator(_compiles)]


class SelectorPolicy(Model):
    """Labels every selector of some metrics must match on (pint's `promql/selector`)."""

    metrics: MetricPattern = Field(
        ".*", description="The metrics it applies to: a name, or a regex of names matched whole."
    )
    required_labels: list[LabelName] = Field(
        min_length=1, description="Labels each such selector must have a matcher for."
    )


class AggregationPolicy(Model):
    """Labels every aggregation of some rules must keep or drop (pint's `promql/aggregate`)."""

    rules: MetricPattern = Field(
        ".*",
        description="The rules it applies to: a recording rule's or alert's name, or a regex "
        "of names matched whole.",
    )
    keep: list[LabelName] = Field(
        default_factory=list, description="Labels each aggregation must keep (`by` them)."
    )
    drop: list[LabelName] = Field(
        default_factory=list,
        description="Labels each aggregation must drop (`without` them, or not `by`).",
    )

    @model_validator(mode="after")
    def _says_something(self) -> AggregationPolicy:
        if not self.keep and not self.drop:
            raise ValueError("an aggregation policy needs `keep` or `drop` labels")
        return self


class LintConfig(Model):
    """How `stackgen lint` judges rule files: the spec's `lint:` section, or a
    `.stackgen-lint.yml` file with the same keys."""

    # Check IDs: lint knows the checks, and checks them (stackgen.lint.config).

    disable: list[str] = Field(default_factory=list, description="Checks not to run.")
    severity: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="A severity per check, instead of its default."
    )
    required_labels: dict[LabelName, list[OneLine]] = Field(
        default_factory=lambda: {k: list(v) for k, v in lint_defaults.REQUIRED_LABELS.items()},
        description="Labels every alert must carry, each with its allowed values "
        "(an empty list: any value).",
    )
    metric_types: dict[MetricPattern, Literal["counter", "gauge"]] = Field(
        default_factory=dict,
        description="What a metric is, as its `# TYPE` line says, for the counter checks "
        "(promql/counter-raw, promql/rate-counter): metric name, or regex of names matched "
        "whole (`ceph_.*_total`), to counter or gauge. Before any other evidence; the first "
        "that matches wins.",
    )
    selector_policies: list[SelectorPolicy] = Field(
        default_factory=list,
        description="Labels selectors must match on, by metric (promql/selector-policy).",
    )
    aggregation_policies: list[AggregationPolicy] = Field(
        default_factory=list,
        description="Labels aggregations must keep or drop, by rule (promql/aggregation-policy).",
    )
    required_annotations: list[LabelName] = Field(
        default_factory=lambda: list(lint_defaults.REQUIRED_ANNOTATIONS),
        description="Annotations every alert must carry.",
    )
