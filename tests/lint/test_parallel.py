"""Many rule files are summarised in forked workers, one per core: the findings are those of
one process, in the same order, and a check that fails in a worker is still stackgen's bug
naming the file."""

import os
import signal
import time

import pytest

from stackgen.lint import LintBug, lint, parallel
from stackgen.lint.rules import alert_name
from tests.helpers import write

FILES = parallel.PARALLEL_FROM + 6


def rule_files(tmp_path):
    return [
        write(
            tmp_path, f"rules-{i:02}.yml",
            f"groups:\n- name: g{i}\n  rules:\n  - alert: bad_name_{i}\n"
            f"    expr: rate(x_{i}_total[1m]) > {i}\n",
        )
        for i in range(FILES)
    ]  # fmt: skip


def test_the_workers_find_what_one_process_finds_in_the_same_order(tmp_path, monkeypatch):
    files = rule_files(tmp_path)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    in_workers = lint([tmp_path])
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    assert in_workers == lint([tmp_path])
    assert {f.file for f in in_workers if f.check == "alert/name"} == {str(f) for f in files}


def test_summarised_keeps_the_order_and_runs_in_one_process_below_the_threshold():
    assert parallel.summarised(list(range(100)), lambda n: n * n, jobs=2) == [
        n * n for n in range(100)
    ]
    pids = parallel.summarised(list(range(3)), lambda _: os.getpid(), jobs=2)
    assert set(pids) == {os.getpid()}


def test_a_check_that_fails_in_a_worker_is_a_bug_naming_the_file(tmp_path, monkeypatch):
    files = rule_files(tmp_path)

    def broken(rule, settings):
        if rule.file == str(files[-1]):
            raise KeyError("oops")
        return iter(())

    monkeypatch.setattr(alert_name, "check", broken)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    with pytest.raises(LintBug, match=f"^{files[-1]}: KeyError"):
        lint([tmp_path])


def test_the_files_are_batched_heaviest_first_each_once():
    weights = [10, 1, 1, 1, 7, 3]
    assert parallel.batches(weights, most=3) == [[0, 4], [5, 1], [2, 3]]
    assert parallel.batches(weights) == [[0], [4], [5], [1], [2], [3]]
    many = parallel.batches([1] * 1000)
    assert len(many) == parallel.MOST_BATCHES
    assert sorted(i for batch in many for i in batch) == list(range(1000))


def test_a_process_that_is_slowed_down_takes_fewer_batches():
    # the batches go to whichever process is free: a slow share does not hold the others up
    parent = os.getpid()

    def slow_here(n):
        time.sleep(0.05 if os.getpid() == parent else 0.001)
        return os.getpid()

    pids = parallel.summarised(list(range(60)), slow_here, jobs=2)
    assert 0 < pids.count(parent) < 10
    assert len(set(pids)) == 2


def test_a_worker_that_dies_fails_the_lint_rather_than_lose_files():
    parent = os.getpid()

    def dies_in_the_child(n):
        time.sleep(0.01)  # long enough for the child to take a batch
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    with pytest.raises(parallel.WorkerDied):
        parallel.summarised(list(range(parallel.PARALLEL_FROM)), dies_in_the_child, jobs=2)


def test_an_exception_that_does_not_pickle_still_reaches_the_parent_as_its_text():
    parent = os.getpid()

    class Unpicklable(Exception):
        def __init__(self):
            super().__init__("no pickle")
            self.handle = lambda: None  # a lambda does not pickle

    def fails_in_the_child(n):
        time.sleep(0.01)
        if os.getpid() != parent:
            raise Unpicklable()
        return n

    with pytest.raises(RuntimeError, match="no pickle"):
        parallel.summarised(list(range(parallel.PARALLEL_FROM)), fails_in_the_child, jobs=2)
