"""Benchmark at fleet sizes: synthetic specs of N services (each with 2 SLOs, its kind's alerts
and dashboards) rendered by the real command, in a process of its own. Prints a table: render
wall time, peak memory, output size, rules, time per service; `stackgen validate` alone; the
cold start of `stackgen --version`. Not a test: numbers depend on the machine.

Run: .venv/bin/python bench/run.py [--sizes 10,100,1000,10000]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

STACKGEN = Path(sys.executable).with_name("stackgen")
KINDS = ["http", "database", "ai-inference", "node"]
# Wall time of one command, or (--sample) the peak memory of it and every process it starts (a
# render works in several): the sum of their proportional set sizes (shared pages counted once
# in all), sampled every 50 ms by a parent of its own, which also keeps the largest single
# process's peak RSS as a floor. Sampling costs CPU, so memory is measured in a run of its own.
MEASURE = """
import os, resource, subprocess, sys, time

sample = sys.argv[1] == "--sample"

def tree(root):
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(pid))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found

def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0

start = time.perf_counter()
process = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
peak = 0
while sample and process.poll() is None:
    peak = max(peak, sum(map(pss, tree(process.pid))))
    time.sleep(0.05)  # each look costs a few ms of CPU
process.wait()
wall = time.perf_counter() - start
floor = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(process.returncode, wall, max(peak, floor))
"""


def slos(kind: str) -> list[dict]:
    availability = {"name": "availability", "objective": 99.9, "sli": {"type": "uptime"}}
    if kind in ("http", "ai-inference"):
        return [availability, {"name": "errors", "objective": 99.5, "sli": {"type": "requests"}}]
    return [availability, {**availability, "name": "availability-strict", "objective": 99.95}]


def spec_with(services: int) -> dict:
    return {
        "stack": {"name": "bench"},
        "services": [
            {
                "name": f"svc-{i}",
                "team": f"team-{i % 20}",
                "kind": (kind := KINDS[i % len(KINDS)]),
                "targets": {"static": [f"host-{i}:9100"]},
                "slos": slos(kind),
            }
            for i in range(services)
        ],
        "channels": [{"name": "ops", "type": "webhook", "url": "http://hooks/x"}],
        "routing": {"default_channel": "ops"},
    }


class _Dumper(yaml.SafeDumper):
    """Writes a value each time it occurs: people write specs without anchors (PyYAML would
    anchor the SLO every service shares)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def spec_text(services: int) -> str:
    return yaml.dump(spec_with(services), Dumper=_Dumper)


# ext4 without a journal (this machine's root) will not reuse an inode freed in the last 60 s,
# or 6 min while the inode's table block is dirty (and creating files nearby dirties it), and
# steps past each such inode for every file it creates: right after 16,000 files were
# removed, creating a file took 0.45 ms instead of 0.03 ms, and renders of 1,000 services took
# 5.5 to 6.3 s with 1.3 to 1.9 s of system time instead of 4.1 to 4.4 s and 0.4 s. So the
# benchmark removes nothing until it ends, and first waits this long after a sync: what ran
# before it (a test run, the cleanup of an earlier benchmark) is not the render's time.
SETTLE_SECONDS = 6 * 60 + 5


def measured(*command: str, sample: bool = False) -> tuple[int, float, int]:
    """Exit code, wall seconds and peak memory in KiB (see MEASURE) of one run of `command`.
    The disk is synced first: another run's files, still being written out, slow this one."""
    os.sync()
    time.sleep(5)  # the kernel writes dirty data back within 5 s of a sync's start
    flag = "--sample" if sample else "--time"
    out = subprocess.run([sys.executable, "-c", MEASURE, flag, *command], capture_output=True,
                         text=True, check=True).stdout.split()  # fmt: skip
    return int(out[0]), float(out[1]), int(out[2])


def rendered(spec: Path, out: Path, sample: bool = False) -> tuple[int, float, int]:
    """A render into `out`, a new folder (nothing is removed while the runs are measured)."""
    return measured(str(STACKGEN), "render", str(spec), "-o", str(out), "--no-tools",
                    sample=sample)  # fmt: skip


def rule_count(out: Path) -> int:
    return sum(
        len(group.get("rules", []))
        for path in (out / "prometheus" / "rules").glob("*.yml")
        for group in yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["groups"]
    )


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor() or "?",
    )  # fmt: skip
    return f"machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}"


def measure_size(size: int, folder: Path) -> str:
    """The table's row for `size` services, every run in `folder`."""
    folder.mkdir()
    spec, out = folder / "spec.yml", folder / "out"
    spec.write_text(spec_text(size))
    _code, validate, _ = measured(str(STACKGEN), "validate", str(spec))
    runs = [rendered(spec, out / str(run)) for run in range(3 if size <= 1000 else 1)]
    if any(code != 0 for code, _, _ in runs):
        return f"{size:>8} render failed with exit code {runs[0][0]}"
    render = statistics.median(wall for _, wall, _ in runs)
    peak = rendered(spec, out / "sampled", sample=True)[2]
    files = [p for p in (out / "0").rglob("*") if p.is_file()]
    size_mib = sum(p.stat().st_size for p in files) / 2**20
    per_service = render / size * 1000
    return (
        f"{size:>8} {validate:>10.2f} {render:>9.2f} {per_service:>10.2f} "
        f"{peak / 1024:>9.0f} {len(files):>6} {size_mib:>8.1f} {rule_count(out / '0'):>7}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument(
        "--settle", type=float, default=SETTLE_SECONDS, help="seconds to wait after a sync first"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.sync()
    time.sleep(args.settle)
    starts = [measured(str(STACKGEN), "--version")[1] for _ in range(5)]
    print(f"{'services':>8} {'validate s':>10} {'render s':>9} {'ms/service':>10} "
          f"{'peak MiB':>9} {'files':>6} {'out MiB':>8} {'rules':>7}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:  # removed only when every run is done
        for size in sizes:
            print(measure_size(size, Path(folder) / str(size)), flush=True)
    print(f"stackgen --version: median {statistics.median(starts):.2f} s of 5 cold starts")
    print(
        "render: --no-tools (promtool/amtool not run), median of 3 runs (1 at 10,000) into new "
        f"folders, nothing removed until the end, after a sync and {args.settle:g} s; the time "
        "includes the process start; peak memory in a run of its own"
    )
    print(machine())


if __name__ == "__main__":
    main()
