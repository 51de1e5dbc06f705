"""The lint config's defaults, in a module that imports nothing: the spec's LintConfig declares
them, and `stackgen lint` without a config uses them without importing the spec model."""

from __future__ import annotations

# Labels every alert must carry, each with its allowed values (an empty list: any value).
REQUIRED_LABELS: dict[str, list[str]] = {"severity": ["critical", "warning", "info"]}
# Annotations every alert must carry.
REQUIRED_ANNOTATIONS: list[str] = ["summary", "description", "runbook_url"]
