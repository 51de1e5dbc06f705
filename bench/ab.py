"""Benchmark: shell commands run in turn, N rounds, and a table of each one's median wall and
CPU time (user + system of the command and its children). Taking turns puts every command
under the same load, which on a shared machine moves from one minute to the next: the way to
compare two checkouts of stackgen, or stackgen with promtool, on the same files.

Run: python bench/ab.py [--rounds N] NAME=COMMAND NAME=COMMAND ...
e.g. python bench/ab.py --rounds 15 \\
         "promtool=promtool check rules rules/*.yml" \\
         "before=../old/.venv/bin/stackgen lint rules" "after=.venv/bin/stackgen lint rules"
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import time


def timed(command: str) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `command` (its output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args()
    commands = [tuple(given.split("=", 1)) for given in args.commands]
    if any(len(pair) != 2 for pair in commands):
        parser.error("give each command as NAME=COMMAND")
    walls: dict[str, list[float]] = {name: [] for name, _ in commands}
    cpus: dict[str, list[float]] = {name: [] for name, _ in commands}
    load = os.getloadavg()[0]
    for _ in range(args.rounds):
        for name, command in commands:
            wall, cpu = timed(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    first = commands[0][0]
    print(f"{'command':<12} {'median ms':>10} {'min ms':>8} {'CPU ms':>8} {f'x {first}':>12}")
    for name, _ in commands:
        wall = statistics.median(walls[name])
        ratio = wall / statistics.median(walls[first])
        print(
            f"{name:<12} {wall * 1000:>10.1f} {min(walls[name]) * 1000:>8.1f} "
            f"{statistics.median(cpus[name]) * 1000:>8.1f} {ratio:>12.2f}"
        )
    print(
        f"{args.rounds} rounds; load average {load:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end ({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
