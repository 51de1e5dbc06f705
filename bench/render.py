"""Benchmark: how long each stage takes for stacks of growing size. Prints a table.

Run: .venv/bin/python bench/render.py [--repeat N]
"""

from __future__ import annotations

import argparse
import tempfile
from functools import partial
from pathlib import Path

import yaml
from timing import timed  # bench/, beside this script

from stackgen.plan import build_plan
from stackgen.render import render_each
from stackgen.spec import load_stack
from stackgen.write import write_files, write_staged

KINDS = ["http", "database", "ai-inference", "node", "custom"]


def spec_with(services: int) -> dict:
    return {
        "stack": {"name": "bench"},
        "services": [
            {
                "name": f"svc-{i}",
                "team": f"team-{i % 7}",
                "kind": KINDS[i % len(KINDS)],
                "targets": {"static": [f"host-{i}:9100"]},
            }
            for i in range(services)
        ],
        "channels": [{"name": "ops", "type": "webhook", "url": "http://hooks/x"}],
        "routing": {"default_channel": "ops"},
    }


def rendered(artifacts: list) -> dict[str, bytes]:
    return {path: data for path, data, _ in render_each(artifacts)}


def written(out: Path, files: dict[str, bytes]) -> None:
    write_staged(out, lambda staging: write_files(staging, files))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'services':>8} {'load ms':>9} {'plan ms':>9} {'render ms':>10} {'write ms':>9} "
          f"{'files':>6} {'KiB':>7}")  # fmt: skip
    for size in (5, 50, 500):
        with tempfile.TemporaryDirectory() as folder:
            spec = Path(folder) / "spec.yml"
            spec.write_text(yaml.safe_dump(spec_with(size)))
            load, stack = timed(partial(load_stack, spec), args.repeat)
            plan, artifacts = timed(partial(build_plan, stack), args.repeat)
            render, files = timed(partial(rendered, artifacts), args.repeat)
            write, _ = timed(partial(written, Path(folder) / "out", files), args.repeat)
            size_kib = sum(len(b) for b in files.values()) / 1024
            print(f"{size:>8} {load * 1000:>9.1f} {plan * 1000:>9.1f} {render * 1000:>10.1f} "
                  f"{write * 1000:>9.1f} {len(files):>6} {size_kib:>7.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
