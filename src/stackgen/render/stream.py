"""The render of a whole stack, streamed: the outputs of a few services at a time are planned,
rendered, parsed back, checked as far as each file alone tells, and written into a folder, in
as many processes as there are cores. Of each file only a small summary comes back, for the
checks across files; a stack of 10,000 services is never held in memory at once."""

from __future__ import annotations

import contextlib
import ctypes
import math
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stackgen.common.layout import GRAFANA_DIR
from stackgen.grafana.queries import dashboard_queries
from stackgen.lint.checks import Settings
from stackgen.lint.dashboards import (
    DashboardProblems,
    dashboard_problems,
    is_dashboard,
    is_rule_file,
)
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
from stackgen.write import digest

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

    @property
    def records(self) -> frozenset[str]:
        """The recording rules of a rule file."""
        return self.lint.records if isinstance(self.lint, RuleFileSummary) else frozenset()


@dataclass(frozen=True)
class _Job:
    planner: Planner
    folder: Path
    templates: SearchPath
    checks: Checks | None
    only: frozenset[str] | None


# Told (services rendered, services in all) as the render goes.
Progress = Callable[[int, int], None]

# The job of the workers: set before they are forked, so each inherits it without a copy.
_JOB: _Job | None = None


def render_tree(
    stack: Stack,
    folder: Path,
    templates: SearchPath = (),
    *,
    checks: Checks | None = None,
    jobs: int | None = None,
    only: frozenset[str] | None = None,
    progress: Progress | None = None,
) -> dict[str, Written]:
    """Render the stack's files into `folder` (relative POSIX path -> what was written);
    `checks`: run the per-file checks and summarise each file for those across files; `jobs`:
    processes (default: the cores this process may use); `only`: render just these of the
    stack's own outputs (no service's), for a caller that reads one file. RenderError for a
    template's invalid output or two outputs of one path. `progress(done, total)` is told of
    the services rendered as tasks finish."""
    global _JOB
    jobs = jobs or len(os.sched_getaffinity(0))
    services = len(stack.services) if only is None else 0
    _JOB = _Job(Planner(stack), folder, templates, checks, only)
    try:
        tasks = _tasks(1 + services, jobs)
        if jobs == 1 or services < PARALLEL_FROM or not _CAN_FORK:
            pairs = ((task, _run(task)) for task in tasks)
            return _merged(_told(progress, services, pairs))
        return _in_workers(tasks, jobs, services, progress)
    finally:
        _JOB = None


# fork: the workers share the spec and the plan's common parts with this process.
_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def _told(
    progress: Progress | None, total: int, pairs: Iterable[tuple[range, dict[str, Written]]]
) -> Iterator[dict[str, Written]]:
    """Each task's part, telling `progress` how many services are done as it arrives."""
    done = 0
    for task, part in pairs:
        done += len(task) - (0 in task)  # unit 0 is the stack's own outputs, no service
        if progress is not None:
            progress(done, total)
        yield part


def _in_workers(
    tasks: list[range], jobs: int, services: int, progress: Progress | None = None
) -> dict[str, Written]:
    """The tasks run by `jobs` forked workers. A worker that dies (killed, out of memory)
    fails the render rather than leave it waiting for the task forever."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_end_with_parent) as pool:
        futures = {pool.submit(_run, task): task for task in tasks}
        try:
            pairs = ((futures[f], f.result()) for f in as_completed(futures))
            return _merged(_told(progress, services, pairs))
        except BrokenProcessPool as exc:
            raise RenderError(f"a render worker ended without finishing its task: {exc}") from exc
        finally:
            pool.shutdown(cancel_futures=True)  # after a failure, no task more


def _end_with_parent() -> None:
    """A worker ends when the render does, killed or not (Linux's PR_SET_PDEATHSIG): it would
    otherwise wait for its next task forever."""
    with contextlib.suppress(OSError, AttributeError):  # elsewhere: left to the system
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


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
    assert job is not None, "render_tree sets the job"
    # The checks read the documents of the rule files and dashboards; others are only parsed.
    wanted = _checked if job.checks is not None else (lambda _: False)
    rendered = render_each(_artifacts(job, units), job.templates, wanted)
    task = _Task(job)
    return {path: task.write(path, data, document) for path, data, document in rendered}


def _artifacts(job: _Job, units: range) -> Iterator[Artifact]:
    for unit in units:
        if unit == 0:
            artifacts = job.planner.stack_artifacts()
            yield from (a for a in artifacts if job.only is None or a.path in job.only)
        else:
            yield from job.planner.service_artifacts(job.planner.stack.services[unit - 1])


def _checked(rel: str) -> bool:
    return is_rule_file(rel) or _is_grafana_json(rel)


def _is_grafana_json(rel: str) -> bool:
    return rel.startswith(f"{GRAFANA_DIR}/") and rel.endswith(".json")


class _Task:
    """One task's files written and checked. A service's rule file comes before its
    dashboards: the metrics they read that it records are known at once, and are not sent to
    the parent as doubts."""

    def __init__(self, job: _Job) -> None:
        self.job = job
        self.made: set[Path] = set()
        self.known = set(job.checks.kind_metrics) if job.checks is not None else set()

    def write(self, rel: str, data: bytes, document: Any) -> Written:
        path = self.job.folder / rel
        if path.parent not in self.made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(path.parent)
        # os.open rather than open(): no fstat, isatty or seek for a file only written
        file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(file, view) :]
        finally:
            os.close(file)
        checks = self.job.checks
        if checks is None:
            return Written(digest(data))
        if is_rule_file(rel):
            parsed = {} if document is UNSHARED else {path: document}
            tree = Tree({path: data.decode("utf-8")}, parsed)
            rule_file = summarise_rule_file(path, tree, checks.settings)
            self.known |= rule_file.records
            return Written(digest(data), rule_file)
        if _is_grafana_json(rel):
            queries = list(dashboard_queries(document)) if isinstance(document, dict) else []
            summary = summarise_dashboard(path, data.decode("utf-8"), document, queries)
            problems = None
            if is_dashboard(rel):
                problems = dashboard_problems(document, self.known, queries)
            return Written(digest(data), summary, problems)
        return Written(digest(data))
