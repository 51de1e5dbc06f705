"""The streamed render: a few services at a time, in one process or several, it writes exactly
the files of the render in one piece, and hands back of each file only its digest and what the
checks across files need."""

import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.lint.summary import lint_settings
from stackgen.plan import build_plan
from stackgen.render import RenderError, TemplateInputError, stream
from stackgen.render.stream import render_tree
from stackgen.spec import load_stack
from stackgen.write import digest
from tests.helpers import SPECS, fleet_spec, render_all, write

STACKGEN = Path(sys.executable).with_name("stackgen")


@pytest.fixture
def in_parallel(monkeypatch):
    """Workers even for a handful of services."""
    monkeypatch.setattr(stream, "PARALLEL_FROM", 0)


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_the_example_streamed_is_the_render_in_one_piece(tmp_path, in_parallel, jobs):
    stack = load_stack(SPECS)
    written = render_tree(stack, tmp_path, jobs=jobs)
    expected = render_all(build_plan(stack))
    assert list(written) == sorted(expected)
    assert {path: (tmp_path / path).read_bytes() for path in written} == expected
    assert all(w.digest == digest(expected[path]) for path, w in written.items())


def test_a_fleet_rendered_by_two_workers_is_the_render_in_one_piece(tmp_path):
    stack = load_stack(write(tmp_path, "spec.yml", fleet_spec(stream.PARALLEL_FROM + 6)))
    written = render_tree(stack, tmp_path / "out", jobs=2)
    expected = render_all(build_plan(stack))
    assert {path: (tmp_path / "out" / path).read_bytes() for path in written} == expected


def test_what_comes_back_of_a_file_is_small(tmp_path):
    stack = load_stack(write(tmp_path, "spec.yml", fleet_spec(40)))
    checks = stream.Checks(lint_settings(None, 15), frozenset())
    written = render_tree(stack, tmp_path / "out", checks=checks, jobs=1)
    out_bytes = sum((tmp_path / "out" / path).stat().st_size for path in written)
    # the summaries travel between processes: a fraction of the files they stand for
    assert len(pickle.dumps(written)) < out_bytes / 4
    assert all(w.lint is not None for p, w in written.items() if p.startswith("prometheus/rules/"))
    assert all(w.dashboard is not None for p, w in written.items() if p.endswith(".json"))


def test_a_project_template_failing_in_a_worker_fails_the_render_as_in_one_process(
    tmp_path, in_parallel
):
    write(tmp_path / "t", "runbook.md.j2", "# {{ name }}\n{{ undefined_thing }}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", str(SPECS), "-o", str(out), "--templates", str(tmp_path / "t"), "-j", "2"]
    )
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 't' / 'runbook.md.j2'}:2: 'undefined_thing' is undefined" in result.output
    assert not out.exists()


def test_template_errors_cross_processes_whole():
    error = TemplateInputError("t/runbook.md.j2", 2, "'x' is undefined")
    again = pickle.loads(pickle.dumps(error))
    assert (again.file, again.line, again.message, str(again)) == (
        error.file,
        error.line,
        error.message,
        str(error),
    )
    assert isinstance(again, RenderError)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_a_render_killed_while_its_workers_run_leaves_out_and_no_worker_behind(tmp_path):
    # a worker ends when it next reports to the render that is gone (within one task)
    spec = write(tmp_path, "spec.yml", fleet_spec(400))
    out = tmp_path / "out"
    out.mkdir()
    (out / "kept.txt").write_text("as it was\n")
    render = subprocess.Popen(
        [str(STACKGEN), "render", str(spec), "-o", str(out), "--no-tools", "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(workers := _children(render.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2, "the render started no workers"
    render.send_signal(signal.SIGKILL)
    render.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert sorted(p.name for p in out.iterdir()) == ["kept.txt"]


DYING_WORKER = """
import os, sys
from pathlib import Path
from stackgen.render import stream
from stackgen.spec import load_stack

parent, original = os.getpid(), stream._run

def dying(units):
    if os.getpid() != parent and 3 in units:
        os._exit(9)  # as the kernel's OOM killer would end it
    return original(units)

dying.__module__, dying.__qualname__ = stream.__name__, "_run"  # sent by name
stream._run, stream.PARALLEL_FROM = dying, 0
try:
    stream.render_tree(load_stack(Path(sys.argv[1])), Path(sys.argv[2]), jobs=2)
except stream.RenderError as error:
    print(error)
    sys.exit(3)
"""


def test_a_worker_that_dies_fails_the_render_instead_of_leaving_it_waiting(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", DYING_WORKER, str(SPECS), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "a render worker ended without finishing its task" in result.stdout


def test_only_the_stack_outputs_asked_for_are_rendered(tmp_path):
    stack = load_stack(SPECS)
    wanted = frozenset({"alertmanager/alertmanager.yml", "prometheus/prometheus.yml"})
    written = render_tree(stack, tmp_path, only=wanted)
    assert set(written) == wanted
    expected = render_all(build_plan(stack))
    assert all((tmp_path / path).read_bytes() == expected[path] for path in wanted)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*")) == sorted(
        wanted
    )
