"""Benchmark: `stackgen lint` against `promtool check rules` on the same rule files. Prints a
table with the time of each and its ratio to promtool's, for two inputs: a corpus folder
(awesome-prometheus-alerts from ../shared by default) and 20,000 distinct rules in 1,000 files; then
both ratios of `stackgen lint` (the process) to promtool, wall and CPU, the figures issue 17
asks for, with the machine's load average (wall times depend on what else runs: the two tools
take turns, run after run, so that both see the same load).

PrometheusRule objects (which promtool cannot read) are unwrapped into plain rule files in a
temporary folder first, untimed; both tools then read exactly those files.

Run: .venv/bin/python bench/lint.py [--repeat N] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

import stackgen
from stackgen.lint import lint

CORPUS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpus"
    / "rules"
    / "awesome-prometheus-alerts"
)
SUFFIXES = (".yml", ".yaml")
KIND = "PrometheusRule"


def unwrap(corpus: Path, folder: Path) -> list[Path]:
    """The corpus's rule files as plain rule files under `folder` (same relative paths): each
    PrometheusRule's `spec.groups` as `groups`, every other file copied as it is."""
    files = []
    for source in sorted(p for p in corpus.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
        target = folder / source.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            documents = [d for d in yaml.safe_load_all(source.read_text(encoding="utf-8")) if d]
        except yaml.YAMLError:
            documents = []  # both tools get to reject it as it is
        objects = [d for d in documents if isinstance(d, dict) and d.get("kind") == KIND]
        if objects:
            groups = [g for d in objects for g in (d.get("spec") or {}).get("groups") or []]
            text = yaml.safe_dump({"groups": groups}, sort_keys=False, width=1 << 16)
            target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        files.append(target)
    return files


def count_rules(files: list[Path]) -> tuple[int, int]:
    """Rules, and rules with an `expr`, in the (plain) rule files."""
    rules = exprs = 0
    for path in files:
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue
        for document in documents:
            groups = document.get("groups") if isinstance(document, dict) else None
            for group in groups if isinstance(groups, list) else []:
                entries = group.get("rules") if isinstance(group, dict) else None
                for rule in entries if isinstance(entries, list) else []:
                    rules += 1
                    exprs += isinstance(rule, dict) and "expr" in rule
    return rules, exprs


def synthetic(folder: Path, files: int = 1000, per_file: int = 20) -> list[Path]:
    """`files` rule files of `per_file` distinct rules each (every expression and name its own:
    nothing to share between rules), half alerts, half recording rules."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(files):
        rules = []
        for number in range(per_file):
            n = index * per_file + number
            if number % 2:
                rules.append(
                    f"      - alert: HighErrors{n}\n"
                    f"        expr: sum by (job) (rate(errors_{n}_total"
                    f'{{code=~"5..",path="/p{n}"}}[5m]))'
                    f" / sum by (job) (rate(requests_{n}_total[5m])) > 0.{n % 9 + 1}\n"
                    f"        for: {n % 10 + 1}m\n"
                    f"        labels: {{severity: warning, team: t{n % 50}}}\n"
                    f"        annotations: {{summary: '{{{{ $labels.job }}}} errors {n}', "
                    f"description: '{{{{ $value | humanizePercentage }}}}', runbook_url: r/{n}}}\n"
                )
            else:
                rules.append(
                    f"      - record: job:requests_{n}:rate5m\n"
                    f"        expr: sum by (job) (rate(requests_{n}_total"
                    f'{{instance!="i{n}"}}[5m]))\n'
                )
        path = folder / f"rules-{index:04}.yml"
        path.write_text(f"groups:\n  - name: g{index}\n    rules:\n{''.join(rules)}")
        paths.append(path)
    return paths


def in_turn(commands: list[list[str]], folder: Path, repeat: int) -> list[tuple[float, float, Any]]:
    """For each command, the median wall and CPU seconds (user + system, the process and its
    children) of `repeat` runs, and its last run. The commands take turns, round after round:
    a shared machine's load moves from one minute to the next, and each command gets its share
    of every minute. CPU time is what a loaded machine's wall time hides."""
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    last: list[Any] = [None for _ in commands]
    for _ in range(repeat):
        for index, command in enumerate(commands):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            last[index] = run(command, folder)
            walls[index].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[index].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return [
        (statistics.median(wall), statistics.median(cpu), result)
        for wall, cpu, result in zip(walls, cpus, last, strict=True)
    ]


def compile_stackgen() -> None:
    """Bytecode for stackgen's modules, as installing the package writes it: an editable
    install run with PYTHONDONTWRITEBYTECODE set (as on this machine) would compile every
    module again at each start, which no installed stackgen does."""
    compileall.compile_dir(str(Path(stackgen.__file__).parent), quiet=1)


def run(command: list[str], folder: Path) -> subprocess.CompletedProcess:
    # cwd: a folder without .stackgen-lint.yml or specs/, so stackgen lints with the defaults,
    # as the in-process call does
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)


def machine(promtool: str) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = run([promtool, "--version"], Path.cwd())
    lines = (version.stdout or version.stderr).splitlines()
    return (
        f"machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"{lines[0] if lines else 'promtool, version unknown'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=CORPUS, metavar="DIR")
    args = parser.parse_args()
    promtool = shutil.which("promtool")
    if promtool is None:
        print("promtool not found on PATH: install it (Prometheus) to compare", file=sys.stderr)
        sys.exit(2)
    if not args.corpus.is_dir():
        print(f"no corpus folder {args.corpus}", file=sys.stderr)
        sys.exit(2)
    # `python -m stackgen.cli` only imports the module (no __main__ block); the console script
    # next to this interpreter is what a user runs
    stackgen = Path(sys.executable).with_name("stackgen")

    compile_stackgen()
    load = load_average()
    print(machine(promtool))
    ratios = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        for title, files in (
            (f"corpus {args.corpus.name}/", unwrap(args.corpus, folder / "corpus")),
            ("20,000 distinct rules in 1,000 files", synthetic(folder / "synthetic")),
        ):
            if not files:
                print(f"no rule files under {args.corpus}", file=sys.stderr)
                sys.exit(2)
            print(f"\n{title}")
            ratios.append((title, compare(files, folder, promtool, stackgen, args.repeat)))
    print(f"\nstackgen lint (process) against promtool check rules, median of {args.repeat}:")
    print(f"{'input':<40} {'wall x':>7} {'CPU x':>7}  wall <= 1.0")
    for title, (wall, cpu) in ratios:
        print(f"{title:<40} {wall:>7.2f} {cpu:>7.2f}  {'yes' if wall <= 1.0 else 'no'}")
    cores = os.cpu_count()
    print(f"load average: {load} at the start, {load_average()} at the end ({cores} cores)")


def load_average() -> str:
    """The machine's 1-minute load average: other work on the cores moves the wall times."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def compare(
    files: list[Path], folder: Path, promtool: str, stackgen: Path, repeat: int
) -> tuple[float, float]:
    """Time both tools on `files`, print the table; the process's wall and CPU ratios to
    promtool's."""
    names = [str(f) for f in files]
    rules, exprs = count_rules(files)
    command = [str(stackgen), "lint", *names, "--format", "json"]
    (promtool_s, promtool_cpu, checked), (process_s, process_cpu, linted) = in_turn(
        [[promtool, "check", "rules", *names], command], folder, repeat
    )
    # the library's own findings, to check the process reports them all (untimed: its caches
    # would serve every repeat but the first)
    findings = lint(files)
    # promtool's findings: files it reports FAILED, rejected or (at exit 0) duplicate rules
    failed = checked.stderr.count("FAILED:")
    try:
        process_findings = len(json.loads(linted.stdout or "[]"))
    except json.JSONDecodeError:
        process_findings = -1
    print(f"{'tool':<34} {'files':>6} {'rules':>6} {'exprs':>6} {'findings':>9} {'exit':>5} "
          f"{'median ms':>10} {'x promtool':>11} {'CPU ms':>8}")  # fmt: skip
    rows = [
        ("promtool check rules", failed, checked.returncode, promtool_s, promtool_cpu),
        ("stackgen lint (process)", process_findings, linted.returncode, process_s, process_cpu),
    ]
    for name, found, code, seconds, cpu in rows:
        shown = "-" if cpu is None else f"{cpu * 1000:.0f}"
        print(f"{name:<34} {len(files):>6} {rules:>6} {exprs:>6} {found:>9} {code:>5} "
              f"{seconds * 1000:>10.1f} {seconds / promtool_s:>11.2f} {shown:>8}")  # fmt: skip
    if process_findings != len(findings):
        print(f"note: the process reported {process_findings} findings, the call {len(findings)}"
              f" (exit {linted.returncode}: {linted.stderr.strip()[:200]})")  # fmt: skip
    print(f"promtool findings: files it reports FAILED. Median of {repeat} runs, in turn.")
    return process_s / promtool_s, process_cpu / promtool_cpu


if __name__ == "__main__":
    main()
