"""Rule files summarised in forked processes, one per core this process may use, when there are
enough of them to pay for forking: a file's summary depends on that file alone, and the
summaries are small and picklable (a render's workers send theirs the same way).

The files are shared out by size before forking; this process works on the first share while
each child works on another and sends its summaries back through a pipe. No pool: importing
multiprocessing and starting its queues would cost more start-up than a lint of a hundred
files gains."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

# Below this many files one process does it all: forking and sending summaries would cost more.
PARALLEL_FROM = 24

Item = TypeVar("Item")
Result = TypeVar("Result")

# fork: the children share the loaded checks and caches with this process, without a copy.
_CAN_FORK = hasattr(os, "fork") and sys.platform != "darwin"


class WorkerDied(RuntimeError):
    """A child ended without sending its summaries (killed, out of memory)."""


def workers() -> int:
    """The cores this process may use (its affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def shares(sizes: Sequence[int], count: int) -> list[list[int]]:
    """The indexes of `sizes` in `count` shares of about equal total size: each item, largest
    first, to the share with the least so far (each share in ascending order)."""
    totals = [0] * count
    parts: list[list[int]] = [[] for _ in range(count)]
    for index in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        least = totals.index(min(totals))
        parts[least].append(index)
        totals[least] += sizes[index]
    return [sorted(part) for part in parts]


def file_size(path: Path) -> int:
    """A file's weight as work: its size (an unreadable one costs nothing)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def summarised(
    items: Sequence[Item],
    work: Callable[[Item], Result],
    jobs: int | None = None,
    weight: Callable[[Item], int] = lambda _: 1,
) -> list[Result]:
    """`work(item)` for every item, in order; in `jobs` processes (default: one per core)
    when there are PARALLEL_FROM items or more, shared out by `weight`. An exception `work`
    raises is raised here, as in one process."""
    jobs = min(jobs or workers(), len(items))
    if jobs < 2 or len(items) < PARALLEL_FROM or not _CAN_FORK:
        return [work(item) for item in items]
    mine, *theirs = shares([weight(item) for item in items], jobs)
    children = [_fork([items[i] for i in part], work) for part in theirs]
    results: dict[int, Result] = {}
    try:
        results |= zip(mine, [work(items[i]) for i in mine], strict=True)
    finally:
        # every child is waited for, even when this share failed: none is left behind
        sent = [_collect(child) for child in children]
    for part, (ok, payload) in zip(theirs, sent, strict=True):
        if not ok:
            raise payload
        results |= zip(part, payload, strict=True)
    return [results[i] for i in range(len(items))]


def _fork(items: list[Item], work: Callable[[Item], object]) -> tuple[int, int]:
    """A child that runs `work` on `items` and writes (True, results) or (False, the exception)
    to a pipe; its pid and the pipe's end to read."""
    import pickle  # here, as in _collect: a lint of a few files never forks

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    code = 0
    try:  # the child: never returns into the parent's code
        os.close(read_end)
        try:
            message: tuple[bool, object] = (True, [work(item) for item in items])
        except Exception as exc:  # sent to the parent, which raises it
            message = (False, exc)
        try:  # pickled whole before any byte is written: the parent reads all or nothing
            data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # what does not pickle: the text of what went wrong does
            wrong = exc if message[0] else message[1]
            data = pickle.dumps((False, RuntimeError(f"{type(wrong).__name__}: {wrong}")))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _collect(child: tuple[int, int]) -> tuple[bool, Any]:
    import pickle

    pid, read_end = child
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        return False, WorkerDied(f"a lint worker (pid {pid}) ended without its results")
    ok, payload = pickle.loads(data)
    return bool(ok), payload
