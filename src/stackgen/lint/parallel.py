"""Rule files summarised in forked processes, one per core this process may use, when there are
enough of them to pay for forking: a file's summary depends on that file alone, and the
summaries are small and picklable (a render's workers send theirs the same way).

The files are put in batches, heaviest first, and each batch is named by one byte in a pipe:
every process, this one included, takes the next batch by reading a byte, until the pipe is
empty, so all of them end together however a file's cost differs from its size. Each child
sends its summaries back through a pipe of its own. No pool: importing multiprocessing and
starting its queues would cost more start-up than a lint of a hundred files gains."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

# Below this many files one process does it all: forking and sending summaries would cost more.
PARALLEL_FROM = 24
# At most this many batches: one byte names each.
MOST_BATCHES = 256

Item = TypeVar("Item")
Result = TypeVar("Result")

# fork: the children share the loaded checks and caches with this process, without a copy.
_CAN_FORK = hasattr(os, "fork") and sys.platform != "darwin"


class WorkerDied(RuntimeError):
    """A child ended without sending its summaries (killed, out of memory)."""


def workers() -> int:
    """The cores this process may use (its affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def batches(weights: Sequence[int], most: int = MOST_BATCHES) -> list[list[int]]:
    """The indexes of `weights`, heaviest first, in at most `most` batches of as many items
    each as can be: the last batches taken are the lightest, so the processes end together."""
    order = sorted(range(len(weights)), key=lambda i: -weights[i])
    count = min(most, len(order))
    return [order[k * len(order) // count : (k + 1) * len(order) // count] for k in range(count)]


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
    when there are PARALLEL_FROM items or more, heaviest by `weight` first. An exception
    `work` raises is raised here, as in one process."""
    jobs = min(jobs or workers(), len(items))
    if jobs < 2 or len(items) < PARALLEL_FROM or not _CAN_FORK:
        return [work(item) for item in items]
    shared = _Queue(batches([weight(item) for item in items]), items, work)
    children = [_fork(shared) for _ in range(jobs - 1)]
    results: dict[int, Result] = {}
    try:
        for done in shared.take():
            results |= done
    finally:
        # every child is waited for, even when this process's batches failed: none is left
        os.close(shared.tokens)
        sent = [_collect(child) for child in children]
    for ok, payload in sent:
        if not ok:
            raise payload
        for done in payload:
            results |= done
    return [results[i] for i in range(len(items))]


class _Queue:
    """The batches, and a pipe holding one byte for each that no process has taken yet."""

    def __init__(
        self, batched: list[list[int]], items: Sequence[Any], work: Callable[[Any], Any]
    ) -> None:
        self.batched, self.items, self.work = batched, items, work
        self.tokens, write_end = os.pipe()
        # far below a pipe's capacity: written whole now, and closed, so that an empty pipe
        # reads as its end
        os.write(write_end, bytes(range(len(batched))))
        os.close(write_end)

    def take(self) -> Iterator[dict[int, Any]]:
        """For each batch this process takes, `work` of each of its items by the item's
        index."""
        while token := os.read(self.tokens, 1):
            yield {index: self.work(self.items[index]) for index in self.batched[token[0]]}


def _fork(shared: _Queue) -> tuple[int, int]:
    """A child that takes batches from `shared` and writes (True, each batch's results by
    index, pickled as the batch is done, while the other processes still work) or (False,
    the exception) to a pipe; its pid and the pipe's end to read."""
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
            done = [pickle.dumps(batch, pickle.HIGHEST_PROTOCOL) for batch in shared.take()]
            message: tuple[bool, object] = (True, done)
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
    """A child's (True, its batches' results) or (False, the exception), once it has ended."""
    import pickle

    pid, read_end = child
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        return False, WorkerDied(f"a lint worker (pid {pid}) ended without its results")
    ok, payload = pickle.loads(data)
    return (True, [pickle.loads(batch) for batch in payload]) if ok else (False, payload)
