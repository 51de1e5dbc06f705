"""The render of a whole stack, streamed: the outputs of a few services at a time are planned,
rendered, parsed back, checked as far as each file alone tells, and written into a folder, in
as many processes as there are cores. Of each file only a small summary comes back, for the
checks across files; a stack of 10,000 services is never held in memory at once."""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stackgen.dashboard_check import (
    DashboardProblems,
    dashboard_problems,
    is_dashboard,
    is_rule_file,
    record_names,
)
from stackgen.lint.checks import Settings
from stackgen.lint.sources import Tree
from stackgen.lint.summary import (
    DashboardSummary,
    RuleFileSummary,
    summarise_dashboard,
    summarise_rule_file,
)
from stackgen.plan import Planner
from stackgen.plan.artifact import Artifact
from stackgen.render.engine import UNSHARED, RenderError, render_each
from stackgen.render.project import SearchPath
from stackgen.spec.model import Stack
from stackgen.writer import digest

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Below this many services one process does it all: starting workers would cost more.
PARALLEL_FROM = 64
# Services per task: small enough that the workers end together, large enough that sending
# tasks and summaries stays cheap.
_MOST_PER_TASK = 16


@dataclass(frozen=True)
class Checks:
    """What the per-file checks need: the linter's settings, the metrics of the kinds."""

    settings: Settings
    kind_metrics: frozenset[str]


@dataclass(frozen=True)
class Written:
    """One file as written: its digest for the manifest, and (when checked) what the checks
    across files need of it."""

    digest: str
    lint: RuleFileSummary | DashboardSummary | None = None
    dashboard: DashboardProblems | None = None
    records: frozenset[str] = frozenset()  # a rule file's recording rules


@dataclass(frozen=True)
class _Job:
    planner: Planner
    services: int
    folder: Path
    templates: SearchPath
    checks: Checks | None


# The job of the workers: set before they are forked, so each inherits it without a copy.
_JOB: _Job | None = None


def render_into(
    stack: Stack,
    folder: Path,
    templates: SearchPath = (),
    *,
    checks: Checks | None = None,
    jobs: int | None = None,
) -> dict[str, Written]:
    """Render the stack's files into `folder` (relative POSIX path -> what was written);
    `checks`: run the per-file checks and summarise each file for those across files; `jobs`:
    processes (default: the cores this process may use). RenderError as `render_all`."""
    global _JOB
    jobs = jobs or len(os.sched_getaffinity(0))
    _JOB = _Job(Planner(stack), len(stack.services), folder, templates, checks)
    try:
        tasks = _tasks(1 + len(stack.services), jobs)
        if jobs == 1 or len(stack.services) < PARALLEL_FROM:
            return _merged(map(_run, tasks))
        # fork: the workers share the spec and the plan's common parts with this process.
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return _merged(pool.imap_unordered(_run, tasks))
    finally:
        _JOB = None


def _tasks(units: int, jobs: int) -> list[range]:
    """Unit 0 is the stack's own outputs (the largest, so first); unit i the i-th service's."""
    size = max(1, min(_MOST_PER_TASK, math.ceil(units / (jobs * 32))))
    return [range(0, 1), *(range(i, min(i + size, units)) for i in range(1, units, size))]


def _merged(parts: Iterator[dict[str, Written]]) -> dict[str, Written]:
    written: dict[str, Written] = {}
    for part in parts:
        for path in part.keys() & written.keys():
            raise RenderError(f"two outputs would be written to {path}")
        written |= part
    return dict(sorted(written.items()))


def _run(units: range) -> dict[str, Written]:
    job = _JOB
    assert job is not None, "render_into sets the job"
    made: set[Path] = set()
    # The checks read the documents of the rule files and dashboards; others are only parsed.
    wanted = _checked if job.checks is not None else (lambda _: False)
    rendered = render_each(_artifacts(job, units), job.templates, wanted)
    return {path: _write(job, path, data, document, made) for path, data, document in rendered}


def _artifacts(job: _Job, units: range) -> Iterator[Artifact]:
    for unit in units:
        if unit == 0:
            yield from job.planner.stack_artifacts()
        else:
            yield from job.planner.service_artifacts(job.planner.stack.services[unit - 1])


def _checked(rel: str) -> bool:
    return is_rule_file(rel) or _is_grafana_json(rel)


def _is_grafana_json(rel: str) -> bool:
    return rel.startswith("grafana/") and rel.endswith(".json")


def _write(job: _Job, rel: str, data: bytes, document: Any, made: set[Path]) -> Written:
    path = job.folder / rel
    if path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        made.add(path.parent)
    # os.open rather than open(): no fstat, isatty or seek for a file only written
    file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(file, view) :]
    finally:
        os.close(file)
    if job.checks is None:
        return Written(digest(data))
    if is_rule_file(rel):
        text = data.decode("utf-8")
        parsed = {} if document is UNSHARED else {path: document}
        if document is UNSHARED:
            document = yaml.load(text, Loader=_LOADER)
        tree = Tree({path: text}, parsed)
        summary = summarise_rule_file(path, tree, job.checks.settings)
        return Written(digest(data), summary, None, frozenset(record_names(document)))
    if _is_grafana_json(rel):
        text = data.decode("utf-8")
        summary = summarise_dashboard(path, text, document)
        problems = dashboard_problems(document, job.checks.kind_metrics)
        return Written(digest(data), summary, problems if is_dashboard(rel) else None)
    return Written(digest(data))
