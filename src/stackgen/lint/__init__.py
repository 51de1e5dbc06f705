"""`stackgen lint`: checks Prometheus rule files of any origin, and a rendered stack's files
against each other, with FILE:LINE:COL findings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stackgen.lint.checks import CHECKS, Settings
from stackgen.lint.config import apply, settings_of
from stackgen.lint.findings import Finding, at_or_above
from stackgen.lint.ruleset import duplicates, rates_of_aggregates, undefined_records
from stackgen.lint.sources import (
    DISK,
    Group,
    LazySource,
    Rule,
    Source,
    Tree,
    groups_of,
    read,
    rule_files,
    rules_of,
)
from stackgen.lint.stack import DEFAULT_SCRAPE, PROMETHEUS, Stack, is_stack, stack_findings
from stackgen.lint.suppress import Suppressions, suppressions
from stackgen.spec.model import LintConfig


def _findings(group: Group, rules: list[Rule], settings: Settings) -> list[Finding]:
    found = []
    for check in CHECKS:
        if check.group is not None:
            for keys, message in check.group(group):
                pos = group.source.locate((*group.path, *keys))
                found.append(
                    Finding(group.file, pos.line, pos.column, check.id, check.severity, message)
                )
        if check.rule is None:
            continue  # a check across files (lint.ruleset, lint.stack)
        for rule in rules:
            for keys, message in check.rule(rule, settings):
                line, column = rule.position(*keys)
                found.append(Finding(rule.file, line, column, check.id, check.severity, message))
    return found


def lint_file(
    path: Path,
    settings: Settings | None = None,
    collect: list[Rule] | None = None,
    hidden: dict[str, Suppressions] | None = None,
    tree: Tree = DISK,
) -> list[Finding]:
    """Findings of one file, less those its `stackgen-lint` comments disable. Its rules are
    appended to `collect`, and its comments put in `hidden`, for the checks across files."""
    settings = settings or Settings()
    name = str(path)
    text = tree.read_text(path)
    given = tree.documents(path)
    if given is not None:  # parsed by the caller: a YAML error would have stopped it
        documents: list[tuple[Any, Source]] = [
            (document, LazySource(text, name, index)) for index, document in enumerate(given)
        ]
        errors: list[tuple[int, int, str]] = []
    else:
        documents, errors = read(text, name)
    found = [
        Finding(name, line, column, "file/yaml", "error", message)
        for line, column, message in errors
    ]
    rules: list[Rule] = []
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
            in_group = list(rules_of(group))
            found += _findings(group, in_group, settings)
            rules += in_group
    # Where each rule starts matters only to a disable comment: without one, no positions
    # are read (reading them is most of a large file's time).
    starts = [rule.position()[0] for rule in rules] if "stackgen-lint" in text else []
    comments = suppressions(text, starts)
    if collect is not None:
        collect += rules
    if hidden is not None:
        hidden[name] = comments
    return sorted(f for f in set(found) if not comments.hides(f))


def _lint(
    paths: list[Path], scrape: float | None, config: LintConfig | None, tree: Tree
) -> list[Finding]:
    config = config or LintConfig()
    stacks = [Stack.read(path, tree) for path in paths if is_stack(path, tree)]
    scrape = scrape or (stacks[0].scrape_interval if stacks else DEFAULT_SCRAPE)
    settings = settings_of(config, scrape)
    rules: list[Rule] = []
    hidden: dict[str, Suppressions] = {}
    configs = {stack.root / PROMETHEUS: stack.config for stack in stacks}
    found = [
        f
        for path in rule_files(paths, tree, configs)
        for f in lint_file(path, settings, rules, hidden, tree)
    ]
    found += [*duplicates(rules), *undefined_records(rules), *rates_of_aggregates(rules)]
    for stack in stacks:
        found += stack_findings(stack, rules)
        for document in (stack.alertmanager, *stack.dashboards):
            if document is not None:
                hidden[document.file] = suppressions(document.text, [])
    shown = [f for f in set(found) if f.file not in hidden or not hidden[f.file].hides(f)]
    return sorted(apply(config, shown))


def lint(
    paths: list[Path], scrape: float | None = None, config: LintConfig | None = None
) -> list[Finding]:
    """Findings for every rule file under `paths`, and for a rendered stack among them, across
    its rules, routing and dashboards. `scrape` (seconds) defaults to the stack's own interval,
    or Prometheus's default of 1m."""
    return _lint(paths, scrape, config, DISK)


def lint_documents(
    root: Path,
    files: Mapping[str, str | bytes],
    parsed: Mapping[str, Any] | None = None,
    *,
    scrape: float | None = None,
    config: LintConfig | None = None,
    kept: bool = False,
) -> list[Finding]:
    """What `lint([root])` finds once `files` (texts by path relative to root, as a render
    holds them) are written there, without reading them back. `parsed`: the only document of
    files the caller has parsed already, by the same paths, as `sources.load_plain` reads
    them; their texts then serve only to locate findings. `kept`: root exists, and files in it
    that `files` lacks (those OUT keeps that stackgen did not write) are linted from disk."""
    texts: dict[Path, str | None] = {}
    if kept:
        for folder, _, names in os.walk(root):
            texts |= dict.fromkeys((Path(folder) / name for name in names), None)
    for rel, text in files.items():
        texts[root / rel] = text.decode("utf-8") if isinstance(text, bytes) else text
    given = {root / rel: document for rel, document in (parsed or {}).items()}
    return _lint([root], scrape, config, Tree(texts, given))


__all__ = [
    "CHECKS",
    "Finding",
    "LintConfig",
    "Settings",
    "at_or_above",
    "lint",
    "lint_documents",
    "lint_file",
]
