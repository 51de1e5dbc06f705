"""Sharded scraping run by the real Prometheus: three shards on loopback addresses of their
own, each showing which targets it keeps, and the global Prometheus federating them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from stackgen.spec import load_stack
from tests.helpers import render_files, require_tool, write_tree
from tests.live.processes import LOOPBACK, free_port, http_json, prometheus
from tests.plan.test_sharding import example_with, hashmod

pytestmark = [pytest.mark.slow, pytest.mark.tools]

SHARDS = 3
SERVICES = {"aion-web-api", "postgres-exporter", "node-exporter", "redis-exporter"}
TARGETS = 4  # one static target each


def shard_host(shard: int) -> str:
    return f"127.0.1{shard}.1"  # all of 127/8 is loopback on Linux


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """The shards' port (on their own addresses) and the global server's."""
    binary = require_tool("prometheus")
    root = tmp_path_factory.mktemp("shards")
    port, global_port = free_port(), free_port()
    lines = (
        f"  address: {LOOPBACK}:{global_port}\n  shards: {SHARDS}\n"
        f"  rule_evaluation: federation\n  shard_address: '127.0.1{{shard}}.1:{port}'\n"
    )
    specs = example_with(root, lines)
    stack_file = specs / "stack.yml"
    fast = stack_file.read_text().replace("  scrape_interval: 15s\n", "  scrape_interval: 1s\n")
    fast = fast.replace("  scrape_timeout: 10s\n", "  scrape_timeout: 1s\n")
    stack_file.write_text(
        fast.replace("  evaluation_interval: 15s\n", "  evaluation_interval: 1s\n")
    )
    out = root / "out"
    write_tree(out, render_files(load_stack(specs)))
    with ExitStack() as servers:
        for shard in range(SHARDS):
            config = out / f"prometheus/shards/shard-{shard}.yml"
            address = f"{shard_host(shard)}:{port}"
            servers.enter_context(prometheus(binary, config, address, root / f"shard-{shard}"))
        config = out / "prometheus/prometheus.yml"
        address = f"{LOOPBACK}:{global_port}"
        servers.enter_context(prometheus(binary, config, address, root / "global"))
        yield port, global_port


def active_targets(base_url: str) -> list[dict]:
    return http_json(f"{base_url}/api/v1/targets?state=active")["data"]["activeTargets"]


def test_each_service_target_is_scraped_by_exactly_the_shard_its_hash_names(sharded):
    port, _ = sharded
    deadline = time.monotonic() + 30  # discovery hands targets over after a few seconds
    while True:
        kept: dict[str, list[int]] = {}
        for shard in range(SHARDS):
            for target in active_targets(f"http://{shard_host(shard)}:{port}"):
                if target["labels"]["job"] in SERVICES:
                    kept.setdefault(target["discoveredLabels"]["__address__"], []).append(shard)
        if sum(map(len, kept.values())) >= TARGETS or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(kept) == TARGETS, kept  # every target of the example's services
    for address, shards in kept.items():
        assert shards == [hashmod(address, SHARDS)], address


def test_the_global_prometheus_sees_every_shard_and_every_target_through_federation(sharded):
    _, global_port = sharded
    query = f"http://{LOOPBACK}:{global_port}/api/v1/query?query="
    deadline = time.monotonic() + 30
    while True:
        shards = http_json(query + 'up{job="prometheus",shard!=""}')["data"]["result"]
        targets = http_json(query + 'up{service!=""}')["data"]["result"]
        if (len(shards), len(targets)) == (SHARDS, TARGETS) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert sorted(s["metric"]["shard"] for s in shards) == ["0", "1", "2"]
    assert len(targets) == TARGETS
    for series in targets:  # federated with the labels of the shard that scraped it
        assert series["metric"]["shard"] == str(hashmod(series["metric"]["instance"], SHARDS))
    rules = http_json(f"http://{LOOPBACK}:{global_port}/api/v1/rules")["data"]["groups"]
    assert len(rules) > 5  # the global server evaluates the stack's rules
