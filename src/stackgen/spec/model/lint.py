"""How `stackgen lint` judges rule files."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from stackgen.spec import lint_defaults
from stackgen.spec.model.base import Model
from stackgen.spec.types import LabelName, OneLine


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
    required_annotations: list[LabelName] = Field(
        default_factory=lambda: list(lint_defaults.REQUIRED_ANNOTATIONS),
        description="Annotations every alert must carry.",
    )
