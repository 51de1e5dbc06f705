"""Helpers the tests share: paths, spec builders and the real tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from stackgen.plan import build_plan
from stackgen.render import render_all
from stackgen.spec import Stack, load_stack
from stackgen.targets import chosen, target_files
from stackgen.write import write_tree

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"
OUT = REPO / "out"
SHARED = REPO.parent / "shared"

# A small valid spec; tests add to it or break it.
MINIMAL = """\
stack:
  name: demo
services:
  - name: api
    team: web
    kind: http
    targets:
      static: [api:8080]
channels:
  - name: ops
    type: webhook
    url: http://hooks.internal/alerts
routing:
  default_channel: ops
"""


def minimal_with_slos(slos: str) -> str:
    """MINIMAL with the service's `slos` list (YAML flow items, comma-separated)."""
    return MINIMAL.replace(
        "      static: [api:8080]\n", f"      static: [api:8080]\n    slos: [{slos}]\n"
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def stack_from(tmp_path: Path, text: str) -> Stack:
    return load_stack(write(tmp_path, "spec.yml", text))


def render_files(stack: Stack) -> dict[str, bytes]:
    return render_all(build_plan(stack))


def render_tree(stack: Stack) -> dict[str, bytes]:
    """What `stackgen render` writes: the plain files and the spec's other targets'."""
    return target_files(stack, render_files(stack), chosen(stack, None))


def render_into(spec: Path, out: Path) -> Path:
    write_tree(out, render_files(load_stack(spec)))
    return out


def require_tool(name: str) -> str:
    """The tool's path. Missing: a failure in CI (CI=true), a skip elsewhere."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (run scripts/test.sh, which installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    require_tool(command[0])
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


GRAFANA_SCHEMAS = SHARED / "schemas" / "grafana"


def dashboard_errors(dashboard: dict) -> list[str]:
    """Every way a dashboard breaks Grafana's schemas (stackgen's copy, which
    tests/grafana/test_schema.py holds identical to ../shared/schemas/grafana)."""
    from stackgen.grafana.schema import schema_errors

    return schema_errors(dashboard)


def promtool_tests(
    folder: Path, rule_files: list[Path], evaluation_interval: str, tests: list[dict]
) -> str:
    """Write a `promtool test rules` file for these rule files and tests, run it, and return
    promtool's output; a failure shows what promtool said."""
    import yaml

    document = {
        "rule_files": [str(p) for p in rule_files],
        "evaluation_interval": evaluation_interval,
        "tests": tests,
    }
    test_file = folder / "promtool-test.yml"
    test_file.write_text(yaml.safe_dump(document, sort_keys=False))
    result = run_tool("promtool", "test", "rules", str(test_file))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def fleet_spec(services: int) -> str:
    """A spec of many services cycling the kinds, with SLOs, in 5 teams (as bench/run.py's)."""
    kinds = ["http", "database", "ai-inference", "node"]
    lines = ["stack:", "  name: fleet", "services:"]
    for i in range(services):
        kind = kinds[i % len(kinds)]
        sli = "requests" if kind in ("http", "ai-inference") else "uptime"
        lines += [
            f"  - name: svc-{i}",
            f"    team: team-{i % 5}",
            f"    kind: {kind}",
            f"    targets: {{static: ['host-{i}:9100']}}",
            "    slos:",
            "      - {name: availability, objective: 99.9, sli: {type: uptime}}",
            f"      - {{name: second, objective: 99.5, sli: {{type: {sli}}}}}",
        ]
    lines += [
        "channels:",
        "  - {name: ops, type: webhook, url: 'http://hooks/x'}",
        "routing:",
        "  default_channel: ops",
    ]
    return "\n".join(lines) + "\n"


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[object]:
    """The arguments of every call of `module.name` from now on (the function still runs)."""
    calls: list[object] = []
    original = getattr(module, name)

    def counted(*args: object) -> object:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(module, name, counted)
    return calls
