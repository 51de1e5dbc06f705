"""`stackgen lint`: checks Prometheus rule files of any origin, with FILE:LINE:COL findings."""

from __future__ import annotations

from pathlib import Path

import yaml

from stackgen.lint.checks import CHECKS
from stackgen.lint.findings import Finding, at_or_above
from stackgen.lint.ruleset import duplicates, undefined_records
from stackgen.lint.sources import Group, Rule, groups_of, read, rule_files, rules_of
from stackgen.values import parse_duration

DEFAULT_SCRAPE = 60.0  # Prometheus's own default scrape interval


def _findings(group: Group, scrape: float) -> list[Finding]:
    found = []
    rules = list(rules_of(group))
    for check in CHECKS:
        if check.group is not None:
            for keys, message in check.group(group):
                pos = group.source.locate((*group.path, *keys))
                found.append(
                    Finding(group.file, pos.line, pos.column, check.id, check.severity, message)
                )
        for rule in rules:
            if check.rule is not None:
                hits = check.rule(rule)
            elif check.scraped is not None:
                hits = check.scraped(rule, scrape)
            else:
                continue  # a check across files (lint.ruleset)
            for keys, message in hits:
                line, column = rule.position(*keys)
                found.append(Finding(rule.file, line, column, check.id, check.severity, message))
    return found


def lint_file(
    path: Path, scrape: float = DEFAULT_SCRAPE, collect: list[Rule] | None = None
) -> list[Finding]:
    """Findings of one file; its rules are appended to `collect` for the checks across files."""
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
            found += _findings(group, scrape)
            if collect is not None:
                collect += rules_of(group)
    return sorted(set(found))


def scrape_interval(paths: list[Path]) -> float | None:
    """The global scrape interval of a rendered stack among `paths`, if there is one."""
    for path in paths:
        config = path / "prometheus" / "prometheus.yml"
        if config.is_file():
            settings = (yaml.safe_load(config.read_text()) or {}).get("global") or {}
            interval = settings.get("scrape_interval")
            return parse_duration(str(interval)) if interval else DEFAULT_SCRAPE
    return None


def lint(paths: list[Path], scrape: float | None = None) -> list[Finding]:
    """Findings for every rule file under `paths`; `scrape` (seconds) defaults to the stack's
    own interval, or Prometheus's default of 1m."""
    scrape = scrape or scrape_interval(paths) or DEFAULT_SCRAPE
    rules: list[Rule] = []
    found = [f for path in rule_files(paths) for f in lint_file(path, scrape, rules)]
    return sorted({*found, *duplicates(rules), *undefined_records(rules)})


__all__ = ["CHECKS", "Finding", "at_or_above", "lint", "lint_file"]
