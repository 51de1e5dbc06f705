"""`stackgen lint`: checks Prometheus rule files of any origin, and a rendered stack's files
against each other, with FILE:LINE:COL findings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackgen.lint.checks import CHECKS, Settings
from stackgen.lint.config import apply
from stackgen.lint.findings import Finding, at_or_above
from stackgen.lint.parallel import file_size, summarised
from stackgen.lint.ruleset import defined_records, ruleset_findings
from stackgen.lint.sources import DISK, Reread, Tree, rule_files
from stackgen.lint.stack import (
    DEFAULT_SCRAPE,
    PROMETHEUS,
    Stack,
    dashboard_findings,
    is_stack,
    routing_findings,
)
from stackgen.lint.summary import (
    DashboardSummary,
    RuleFileSummary,
    lint_settings,
    read_dashboard,
    summarise_dashboard,
    summarise_rule_file,
)
from stackgen.lint.suppress import Suppressions, suppressions
from stackgen.prometheus.dialect import DEFAULT as DEFAULT_DIALECT

if TYPE_CHECKING:
    from stackgen.spec.model import LintConfig

Summary = RuleFileSummary | DashboardSummary


def lint_file(path: Path, settings: Settings | None = None) -> list[Finding]:
    """Findings of one file, less those its `stackgen-lint` comments disable."""
    return list(summarise_rule_file(path, DISK, settings or Settings()).findings)


class LintBug(Exception):
    """A check failed on a file: stackgen's bug (exit 3), reported with the file."""


def _rule_file(
    path: Path, tree: Tree, settings: Settings, given: Mapping[Path, Summary], routed: bool
) -> RuleFileSummary:
    summary = given.get(path)
    if isinstance(summary, RuleFileSummary):
        return summary
    try:
        return summarise_rule_file(path, tree, settings, routed=routed)
    except Exception as exc:  # any input must give findings: a failure here is a bug
        raise LintBug(f"{path}: {type(exc).__name__}: {exc}") from exc


def _rule_files(
    paths: list[Path],
    tree: Tree,
    settings: Settings,
    given: Mapping[Path, Summary],
    routed: bool,
) -> list[RuleFileSummary]:
    """The files' summaries; those of files on disk in a worker per core when there are many
    (a render's in-memory files are summarised where it holds them). `routed`: a stack's
    routing is linted with them."""
    work = partial(_rule_file, tree=tree, settings=settings, given=given, routed=routed)
    if tree is not DISK or given:
        return [work(path) for path in paths]
    return summarised(paths, work, weight=file_size)


def _dashboards(stack: Stack, tree: Tree, given: Mapping[Path, Summary]) -> list[DashboardSummary]:
    found = []
    for path in stack.dashboards:
        summary = given.get(path)
        if not isinstance(summary, DashboardSummary):
            summary = read_dashboard(path, tree)
        if summary is not None:
            found.append(summary)
    return found


def _reduce(
    files: list[RuleFileSummary],
    stacks: list[tuple[Stack, list[DashboardSummary]]],
    config: LintConfig | None,
    tree: Tree,
    alertmanager_version: str | None = None,
) -> list[Finding]:
    """Every finding, from the files' summaries (rule files in `rule_files`' order, each
    stack's dashboards in path order); `tree` reads files back to point at findings."""
    rules = Reread(tree)
    defined = defined_records(files)
    found = [f for summary in files for f in summary.findings]
    found += ruleset_findings(files, defined, rules)
    hidden: dict[str, Suppressions] = {summary.file: summary.hidden for summary in files}
    for stack, dashboards in stacks:
        found += routing_findings(stack, files, rules, alertmanager_version)
        found += dashboard_findings(dashboards, defined, tree)
        hidden |= {dashboard.file: dashboard.hidden for dashboard in dashboards}
        if stack.alertmanager is not None:
            hidden[stack.alertmanager.file] = suppressions(stack.alertmanager.text, [])
    shown = [f for f in set(found) if f.file not in hidden or not hidden[f.file].hides(f)]
    return sorted(apply(config, shown))


def _lint(
    paths: list[Path],
    scrape: float | None,
    config: LintConfig | None,
    tree: Tree,
    given: Mapping[Path, Summary] | None = None,
    dialect: str = DEFAULT_DIALECT,
    alertmanager_version: str | None = None,
) -> list[Finding]:
    """Summaries of the files (those `given`, or made from `tree`), then the findings
    (`config` None: the defaults)."""
    given = given or {}
    stacks = [Stack.read(path, tree) for path in paths if is_stack(path, tree)]
    settings = lint_settings(
        config,
        scrape or (stacks[0].scrape_interval if stacks else DEFAULT_SCRAPE),
        dialect,
        scrape_told=scrape is not None or bool(stacks),
    )
    configs = {stack.root / PROMETHEUS: stack.config for stack in stacks}
    files = _rule_files(rule_files(paths, tree, configs), tree, settings, given, bool(stacks))
    with_dashboards = [(stack, _dashboards(stack, tree, given)) for stack in stacks]
    return _reduce(files, with_dashboards, config, tree, alertmanager_version)


def lint(
    paths: list[Path],
    scrape: float | None = None,
    config: LintConfig | None = None,
    dialect: str = DEFAULT_DIALECT,
    alertmanager_version: str | None = None,
) -> list[Finding]:
    """Findings for every rule file under `paths`, and for a rendered stack among them, across
    its rules, routing and dashboards. `scrape` (seconds) defaults to the stack's own interval,
    or Prometheus's default of 1m; `dialect`: the PromQL of the Prometheus that runs them
    (prometheus.dialect, 2.42 by default); `alertmanager_version`: the release that runs the
    stack's alertmanager.yml (unknown: checks assume an old one)."""
    return _lint(
        paths, scrape, config, DISK, dialect=dialect, alertmanager_version=alertmanager_version
    )


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


def lint_staged(
    root: Path,
    summaries: Mapping[Path, Summary],
    *,
    config: LintConfig | None = None,
    scrape: float | None = None,
    alertmanager_version: str | None = None,
) -> list[Finding]:
    """What `lint([root])` finds, where `summaries` are those of files under root (absolute
    paths under root, made by `summarise_rule_file` with the Settings of `lint_settings(...)`
    and by `summarise_dashboard`): those files are neither read nor parsed again, but to point
    at a finding across files. Files under root without a summary are read from disk."""
    return _lint([root], scrape, config, DISK, summaries, alertmanager_version=alertmanager_version)


__all__ = [
    "CHECKS",
    "DashboardSummary",
    "Finding",
    "LintBug",
    "RuleFileSummary",
    "Settings",
    "at_or_above",
    "lint",
    "lint_documents",
    "lint_file",
    "lint_settings",
    "lint_staged",
    "summarise_dashboard",
    "summarise_rule_file",
]
