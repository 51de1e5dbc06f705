"""Benchmark: what one SLO's rules cost inside the real Prometheus, Sloth's against stackgen's.

A TSDB is backfilled with `promtool tsdb create-blocks-from openmetrics`: a high-cardinality
request counter (`http_requests_total{job="api",instance,route,code}`, by default 50 instances
x 20 routes x 4 status codes = 4,000 series, one sample every 2m, which backfills in minutes on
2 cores; `--instances 200` gives 16,000) over the longest window read
raw (Sloth's 3d) plus a day, and the series each tool's rules record from it (Sloth's 5m error
ratio; stackgen's failed and all request rates of every window, 5m to 3d, which its longer
windows add up from consecutive spans), every 15s over the 30d period plus a day, as if the rules
had run for the month. The real `prometheus` (2.42) then runs on loopback once with
Sloth's rules for a 99.9% SLO on that counter (bench/sloth_rules.py, checked against Sloth's
output in the shared corpus) and once with stackgen's (the same SLO rendered by stackgen: its
`.slo` and `.slo-long` groups and the SLO's alerts), each on its own hard-linked copy of the
TSDB, evaluating every 15s.

Per evaluation cycle (15s; a group evaluated every 2m counts 15/120 of its cost per cycle):
- duration: Prometheus's `prometheus_rule_group_last_duration_seconds`, summed over groups;
- samples: each rule's expression run once through the query API with `stats=all`
  (`totalQueryableSamples`, the samples the engine loaded for it), summed over the rules;
- series: the series each rule's selectors match now (`count(selector)`), summed;
- peak memory: the Prometheus process's VmHWM;
- failures and missed iterations (an evaluation that outlasts its interval skips the next).
The last line reads `samples per cycle: sloth N, stackgen M, ratio R`.

Run: .venv/bin/python bench/rule_cost.py [--instances 200 --routes 20 --step 2m --keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import yaml
from sloth_rules import check_against_corpus, sloth_rules  # bench/, beside this script

from stackgen.common.values import parse_duration
from stackgen.prometheus.query import selectors
from stackgen.spec import load_stack

CYCLE = 15  # seconds: the evaluation interval of both runs
BLOCK = 2 * 3600  # promtool 2.42 writes 2h blocks; one input file per block keeps it one pass
CODES = {"200": 97, "404": 2, "500": 1, "503": 0}  # requests per instance, route and step
RAW_SPAN = 4 * 86400  # Sloth's longest raw window (3d) plus a day
RECORDED_SPAN = 31 * 86400  # the 30d period plus a day
SELECTOR_ERRORS = 'http_requests_total{job="api",code=~"5.."}'
SELECTOR_TOTAL = 'http_requests_total{job="api"}'

SPEC = f"""\
stack: {{name: bench}}
services:
  - name: api
    team: web
    kind: custom
    targets: {{static: ['api:8080']}}
    slos:
      - name: requests
        objective: 99.9
        sli: {{type: requests, errors: '{SELECTOR_ERRORS}', total: '{SELECTOR_TOTAL}'}}
channels: [{{name: ops, type: webhook, url: 'http://hooks/x'}}]
routing: {{default_channel: ops}}
"""

SLOTH_SPEC = {
    "version": "prometheus/v1",
    "service": "api",
    "slos": [
        {
            "name": "requests",
            "objective": 99.9,
            "sli": {
                "events": {
                    "error_query": f"sum(rate({SELECTOR_ERRORS}[{{{{.window}}}}]))",
                    "total_query": f"sum(rate({SELECTOR_TOTAL}[{{{{.window}}}}]))",
                }
            },
            "alerting": {"name": "ErrorRateViolation"},
        }
    ],
}


def stackgen_rules(folder: Path) -> dict[str, Any]:
    """stackgen's rules for the SLO: its SLO groups and the SLO's alerts."""
    from stackgen.plan.prometheus import rule_groups
    from stackgen.render.stream import render_tree

    spec = folder / "spec.yml"
    spec.write_text(SPEC)
    stack = load_stack(spec)
    out = folder / "out"
    render_tree(stack, out, jobs=1)
    rendered = yaml.safe_load((out / "prometheus" / "rules" / "api.yml").read_text())
    names = {g["name"] for g in rule_groups(stack, stack.services[0])}
    groups = []
    for group in rendered["groups"]:
        if group["name"] not in names:
            continue
        rules = [r for r in group["rules"] if "alert" not in r or "slo_tier" in r["labels"]]
        if rules:
            groups.append({**group, "rules": rules})
    return {"groups": groups}


# --- data ----------------------------------------------------------------------------------------


def raw_lines(instances: int, routes: int, step: int, start: int, end: int) -> Iterator[str]:
    """The counter's samples in [start, end), one text per timestamp (each series stays in
    time order)."""
    labels = [
        (f'http_requests_total{{job="api",instance="i-{i}",route="/r{r}",code="{c}"}}', per)
        for i in range(instances)
        for r in range(routes)
        for c, per in CODES.items()
    ]
    first = -(-start // step) * step
    for t in range(first, end, step):
        n = t // step
        yield "".join(f"{name} {n * per} {t}\n" for name, per in labels)


def recorded_series(instances: int, routes: int, step: int) -> dict[str, float]:
    """The value each tool's base records hold under the steady traffic."""
    per_step = sum(CODES.values()) * instances * routes
    failed = (CODES["500"] + CODES["503"]) * instances * routes
    sloth = (
        'slo:sli_error:ratio_rate5m{sloth_id="api-requests",sloth_service="api",'
        'sloth_slo="requests",sloth_window="5m"}'
    )
    identity = '{service="api",slo="requests"}'
    # Steady traffic: every window's rates are the 5m ones.
    windows = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
    return {
        sloth: failed / per_step,
        **{f"slo:sli_errors:rate{w}{identity}": failed / step for w in windows},
        **{f"slo:sli_events:rate{w}{identity}": per_step / step for w in windows},
    }


def write_blocks(
    folder: Path, tsdb: Path, instances: int, routes: int, step: int
) -> tuple[int, float, int]:
    """Backfill TSDB, one 2h block at a time, up to the moment the last block is written (so
    the data is fresh when Prometheus starts); returns (samples, seconds, the data's end)."""
    recorded = recorded_series(instances, routes, step)
    started, samples = time.perf_counter(), 0
    now = int(time.time())
    block = (now - RECORDED_SPAN) // BLOCK * BLOCK
    refreshed = False
    while block < now:
        if not refreshed and block + BLOCK >= now:  # the last block reaches the present
            now, refreshed = int(time.time()), True
        end = min(block + BLOCK, now)
        path = folder / "block.om"
        with path.open("w") as out:
            out.write("# TYPE http_requests counter\n")
            if end > now - RAW_SPAN:
                for lines in raw_lines(instances, routes, step, max(block, now - RAW_SPAN), end):
                    out.write(lines)
                    samples += lines.count("\n")
            for name, value in recorded.items():
                family = name.split("{")[0]
                out.write(f"# TYPE {family} gauge\n")
                for t in range(-(-block // CYCLE) * CYCLE, end, CYCLE):
                    out.write(f"{name} {value!r} {t}\n")
                    samples += 1
            out.write("# EOF\n")
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(path), str(tsdb)],
            check=True,
            capture_output=True,
        )
        block = end
    return samples, time.perf_counter() - started, now


# --- Prometheus ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        return bytes(response.read())


def metrics(base: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Prometheus's own /metrics (read without a query, so no samples are counted)."""
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for line in get(f"{base}/metrics").decode().splitlines():
        if line.startswith("#") or not line:
            continue
        name_labels, value = line.rsplit(" ", 1)
        name, _, rest = name_labels.partition("{")
        labels = dict(part.split("=", 1) for part in rest.rstrip("}").split(",") if "=" in part)
        found.setdefault(name, []).append(
            ({k: v.strip('"') for k, v in labels.items()}, float(value))
        )
    return found


def query(base: str, expr: str, at: int) -> dict[str, Any]:
    params = urllib.parse.urlencode({"query": expr, "stats": "all", "time": at})
    return dict(json.loads(get(f"{base}/api/v1/query?{params}")))


def rule_cost(base: str, rules: dict[str, Any], at: int) -> tuple[float, float, int]:
    """(samples, series) per cycle, and rules evaluated, from each rule's expression run at
    `at` (the data's end: the live evaluations move on while the raw series stop)."""
    samples = series = 0.0
    count = 0
    for group in rules["groups"]:
        share = CYCLE / parse_duration(group.get("interval", f"{CYCLE}s"))
        for rule in group["rules"]:
            count += 1
            answer = query(base, rule["expr"], at)
            samples += share * answer["data"]["stats"]["samples"]["totalQueryableSamples"]
            tree = promql_parser.parse(rule["expr"])
            for selector, _ in selectors(tree):
                found = query(base, f"count({selector.prettify()})", at)["data"]["result"]
                series += share * (float(found[0]["value"][1]) if found else 0)
    return samples, series, count


def run_prometheus(
    folder: Path, tsdb: Path, name: str, rules: dict[str, Any], settle: int, end: int
) -> dict[str, Any]:
    """Start Prometheus on a hard-linked copy of the TSDB with these rules; measure; stop."""
    own = folder / name
    own.mkdir()
    shutil.copytree(tsdb, own / "data", copy_function=os.link)
    (own / "rules.yml").write_text(yaml.safe_dump(rules, sort_keys=False))
    (own / "prometheus.yml").write_text(
        yaml.safe_dump(
            {
                "global": {"evaluation_interval": f"{CYCLE}s", "scrape_interval": "1m"},
                "rule_files": ["rules.yml"],
            }
        )
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={own / 'prometheus.yml'}",
            f"--storage.tsdb.path={own / 'data'}",
            "--storage.tsdb.retention.time=90d",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(own / "prometheus.log").open("w"),
    )
    try:
        groups = {g["name"] for g in rules["groups"]}
        slow = {g["name"] for g in rules["groups"] if "interval" in g}
        deadline = time.monotonic() + settle
        while True:
            time.sleep(2)
            try:
                seen = metrics(base)
            except OSError:
                continue
            done = {
                labels["rule_group"].split(";")[-1]: value
                for labels, value in seen.get("prometheus_rule_group_iterations_total", [])
            }
            # A group's iteration counts when it starts: the third has started once two have
            # finished, so the duration read is a warm one (a slow group's first, which may be
            # cold, to keep the run short).
            if all(done.get(g, 0) >= (2 if g in slow else 3) for g in groups):
                break
            if time.monotonic() > deadline:
                break
        duration = sum(
            value * CYCLE / interval
            for (labels, value), (_, interval) in zip(
                sorted(seen["prometheus_rule_group_last_duration_seconds"], key=_group),
                sorted(seen["prometheus_rule_group_interval_seconds"], key=_group),
                strict=True,
            )
        )
        failures = sum(v for _, v in seen.get("prometheus_rule_evaluation_failures_total", []))
        missed = sum(v for _, v in seen.get("prometheus_rule_group_iterations_missed_total", []))
        samples, series, count = rule_cost(base, rules, end - 1)
        status = Path(f"/proc/{process.pid}/status").read_text()
        peak = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")
        )
        evaluated = min(done.get(g, 0) for g in groups)
    finally:
        process.terminate()
        process.wait(timeout=60)
    return {
        "groups": len(groups),
        "rules": count,
        "duration": duration,
        "samples": samples,
        "series": series,
        "peak_kib": peak,
        "failures": failures,
        "missed": missed,
        "evaluated": evaluated,
    }


def _group(item: tuple[dict[str, str], float]) -> str:
    return item[0]["rule_group"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--routes", type=int, default=20)
    parser.add_argument("--step", default="2m", help="the counter's sample interval")
    parser.add_argument("--settle", type=int, default=300, help="seconds to wait at most")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    differences = check_against_corpus()
    if differences:
        sys.exit(
            "bench/sloth_rules.py no longer writes what Sloth does:\n" + "\n".join(differences)
        )
    step = int(parse_duration(args.step))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="rule-cost-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        tsdb = folder / "tsdb"
        tsdb.mkdir()
        samples, seconds, end = write_blocks(folder, tsdb, args.instances, args.routes, step)
        series = args.instances * args.routes * len(CODES)
        print(
            f"backfilled {samples:,} samples ({series:,} raw series every {args.step} over 4d, "
            f"the recorded base series every {CYCLE}s over 31d) in {seconds:.0f} s; "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"prometheus 2.42"
        )
        results = {}
        for name, rules in (
            ("sloth", sloth_rules(SLOTH_SPEC, {})),
            ("stackgen", stackgen_rules(folder)),
        ):
            results[name] = run_prometheus(folder, tsdb, name, rules, args.settle, end)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{'tool':<9} {'groups':>6} {'rules':>5} {'duration/cycle':>14} {'samples/cycle':>14} "
        f"{'series/cycle':>12} {'peak memory':>11} {'failures':>8} {'missed':>6}"
    )
    for name, r in results.items():
        print(
            f"{name:<9} {r['groups']:>6} {r['rules']:>5} {r['duration'] * 1000:>11.1f} ms "
            f"{r['samples']:>14,.0f} {r['series']:>12,.0f} {r['peak_kib'] / 1024:>7.0f} MiB "
            f"{r['failures']:>8.0f} {r['missed']:>6.0f}"
        )
    sloth, ours = results["sloth"]["samples"], results["stackgen"]["samples"]
    print(f"samples per cycle: sloth {sloth:,.0f}, stackgen {ours:,.0f}, ratio {sloth / ours:.1f}")


if __name__ == "__main__":
    main()
