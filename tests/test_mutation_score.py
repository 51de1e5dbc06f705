"""The generated proofs are judged by mutation: bench/mutate_proofs.py perturbs every alert of a
small rendered stack (thresholds, `for`, comparisons, the windows its rules read; an SLO's burn
rates, short windows, tiers' window pairs, `and`, its SLI) and some proof must catch each."""

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
KINDS = [
    "threshold",
    "comparison",
    "for",
    "window",
    "burn rate 14.4 -> 10",
    "short window dropped",
    "and -> or",
    "window pairs swapped between tiers",
    "SLI inverted",
]


@pytest.mark.slow
@pytest.mark.tools
@pytest.mark.xfail(
    strict=True,
    reason="known survivors: the meta-monitoring pack's [5m] windows doubled or halved (its "
    "proofs do not pin them; 20 survive in the example) and the [5m] of `or 0 * total` in "
    "slo:sli_errors:rate5m (equivalent while the error series exists), and one [1h] of "
    "slo:sli_error:ratio_rate1h doubled (the history holds no errors for it to read); the 5m "
    "short window's gap is closed by the derived-window model. Strict: fails once all caught",
)
def test_every_mutation_of_a_small_stack_is_caught_by_some_proof(tmp_path):
    out = render_into(write(tmp_path, "spec.yml", SPEC), tmp_path / "out")
    require_tool("promtool")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "mutate_proofs.py"), str(out), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
        cwd=ROOT,
    )
    print(result.stdout)  # the table, in the test's output
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("  ")[0] for line in lines[1 : len(KINDS) + 1]] == KINDS
    caught, total = lines[-1].removeprefix("mutation score: ").split("/")
    assert caught == total and int(total) > 100
