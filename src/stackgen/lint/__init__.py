"""`stackgen lint`: checks Prometheus rule files of any origin, with FILE:LINE:COL findings."""

from __future__ import annotations

from pathlib import Path

from stackgen.lint.checks import CHECKS
from stackgen.lint.findings import Finding, at_or_above
from stackgen.lint.sources import Group, groups_of, read, rule_files, rules_of


def _findings(group: Group) -> list[Finding]:
    found = []
    for check in CHECKS:
        if check.group is not None:
            for keys, message in check.group(group):
                pos = group.source.locate((*group.path, *keys))
                found.append(
                    Finding(group.file, pos.line, pos.column, check.id, check.severity, message)
                )
        if check.rule is not None:
            for rule in rules_of(group):
                for keys, message in check.rule(rule):
                    line, column = rule.position(*keys)
                    found.append(
                        Finding(rule.file, line, column, check.id, check.severity, message)
                    )
    return found


def lint_file(path: Path) -> list[Finding]:
    documents, errors = read(path)
    name = str(path)
    found = [
        Finding(name, line, column, "file/yaml", "error", text) for line, column, text in errors
    ]
    for document, source in documents:
        groups = groups_of(document, source, name)
        if groups is None:
            pos = source.locate(())
            found.append(
                Finding(name, pos.line, pos.column, "file/not-rules", "error",
                        "not a rule file: no `groups` (nor a PrometheusRule's `spec.groups`)")
            )  # fmt: skip
            continue
        for group in groups:
            found += _findings(group)
    return sorted(set(found))


def lint(paths: list[Path]) -> list[Finding]:
    return [f for path in rule_files(paths) for f in lint_file(path)]


__all__ = ["CHECKS", "Finding", "at_or_above", "lint", "lint_file"]
