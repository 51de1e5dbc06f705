"""The generated proofs are judged by mutation: bench/mutate_proofs.py perturbs every alert of a
rendered stack (thresholds, `for`, comparisons, the windows its rules read; an SLO's burn rates,
short windows, tiers' window pairs, `and`, its SLI) and some proof must catch each.

Here it runs over a kind's alerts (the database kind's: thresholds, comparisons, `for` and
windows), which must all be caught. The SLO and meta-monitoring mutations take most of an hour
on CI's two cores and still have survivors: they run from bench/ (`python bench/mutate_proofs.py
OUT`), and the closing note of issue 20 lists what survives."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import render_into, require_tool, write

ROOT = Path(__file__).resolve().parents[1]
SPEC = """\
stack: {name: small}
services:
  - name: api
    team: web
    kind: http
    targets: {static: ["api:8080"]}
    slos: [{name: errors, objective: 99.9, sli: {type: requests}}]
  - name: db
    team: data
    kind: database
    targets: {static: ["db:9187"]}
channels: [{name: ops, type: webhook, url: "http://hooks/x"}]
routing: {default_channel: ops}
"""


@pytest.mark.tools
def test_every_mutation_of_a_kinds_alerts_is_caught_by_some_proof(tmp_path):
    out = render_into(write(tmp_path, "spec.yml", SPEC), tmp_path / "out")
    require_tool("promtool")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "mutate_proofs.py"), str(out), "--only", "db.yml"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    print(result.stdout)  # the table, in the test's output
    assert result.returncode == 0, result.stdout + result.stderr
    table = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:5]}
    assert set(table) == {"threshold", "comparison", "for", "window"}
    caught, total = result.stdout.splitlines()[-1].removeprefix("mutation score: ").split("/")
    assert caught == total and int(total) >= 30
