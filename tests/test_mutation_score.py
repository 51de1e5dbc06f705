"""The generated proofs are judged by mutation: bench/mutate_proofs.py perturbs every alert of a
rendered stack (thresholds, `for`, comparisons, the windows and offsets its rules read; an SLO's
burn rates, short windows, tiers' window pairs, `and`, its SLI) and some proof must catch each.

Here it runs on a small stack over a selection that holds every kind of mutation and stays
short: the database kind's alerts (thresholds, comparisons, `for`, windows), the SLO's page
tier (its thresholds, comparisons, `for`, the outage guard's window, the 14.4 burn rate, each
short window dropped, `and` made `or`), the SLO's own mutations (window pairs swapped
between the tiers, the SLI inverted) and the offsets of two windows summed from spans (the
30m window's first span, the 1h window's second half), errors and events. Every one must be caught. The whole stack, and the
example's out/, run from bench/ (`python bench/mutate_proofs.py OUT`); the closing note of
issue 20 has their tables."""

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
KINDS = {
    "threshold",
    "comparison",
    "for",
    "window",
    "offset",
    "burn rate 14.4 -> 10",
    "short window dropped",
    "and -> or",
    "window pairs swapped between tiers",
    "SLI inverted",
}


@pytest.mark.slow
@pytest.mark.tools
def test_every_mutation_of_every_kind_is_caught_by_some_proof(tmp_path):
    out = render_into(write(tmp_path, "spec.yml", SPEC), tmp_path / "out")
    require_tool("promtool")
    selection = ["--only", "db.yml", "--only", "(page)", "--only", "SLO errors"]
    selection += ["--only", "rate30m{slo=errors} offset 5m ", "--only", "rate1h{slo=errors} offset"]
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "mutate_proofs.py"), str(out), *selection],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        cwd=ROOT,
    )
    print(result.stdout)  # the table, in the test's output
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    table = lines[1 : next(i for i, line in enumerate(lines) if line.startswith("all "))]
    assert {line.rsplit(None, 3)[0] for line in table} == KINDS  # kind, caught, total, score
    caught, total = lines[-1].removeprefix("mutation score: ").split("/")
    # 62: db 31, the page tier 21, the SLO 2, the offsets 8
    assert caught == total and int(total) >= 58
