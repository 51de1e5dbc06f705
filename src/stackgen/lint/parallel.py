"""Rule files summarised in forked workers, one per core this process may use, when there are
enough of them to pay for starting the workers: a file's summary depends on that file alone,
and the summaries are small and picklable (a render's workers send theirs the same way)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

# Below this many files one process does it all: forking and sending summaries would cost more.
PARALLEL_FROM = 24
# Files per task: enough tasks for the workers to end together, few enough to send cheaply.
_TASKS_PER_WORKER = 8

Result = TypeVar("Result")

# The function the workers run: set before they are forked, so each inherits it.
_WORK: Callable[[Path], object] | None = None


def workers() -> int:
    """The cores this process may use (its affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def summarised(
    paths: Sequence[Path], work: Callable[[Path], Result], jobs: int | None = None
) -> list[Result]:
    """`work(path)` for every path, in order; in `jobs` forked workers (default: one per
    core) when there are PARALLEL_FROM paths or more. An exception `work` raises is raised
    here, as in one process."""
    global _WORK
    jobs = jobs or workers()
    if jobs < 2 or len(paths) < PARALLEL_FROM:
        return [work(path) for path in paths]
    # Imported here: most lints are of a few files.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return [work(path) for path in paths]
    size = max(1, math.ceil(len(paths) / (jobs * _TASKS_PER_WORKER)))
    chunks = [list(paths[i : i + size]) for i in range(0, len(paths), size)]
    _WORK = work
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            return [result for part in pool.map(_chunk, chunks) for result in part]  # type: ignore[misc]
    finally:
        _WORK = None


def _chunk(paths: list[Path]) -> list[object]:
    work = _WORK
    assert work is not None, "summarised sets the work before forking"
    return [work(path) for path in paths]
