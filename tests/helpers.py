"""Helpers the tests share: paths, spec builders and the real tools."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import pytest

from stackgen.lint.spec_checks import load_checked_stack
from stackgen.plan.artifact import Artifact
from stackgen.render import UNSHARED, render_each
from stackgen.render.project import SearchPath
from stackgen.render.stream import render_tree
from stackgen.render.tree import tree_files
from stackgen.spec import Stack
from stackgen.targets import chosen
from stackgen.write import write_files, write_staged

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
MINIMAL_WITH_META = MINIMAL
# The stack's own alerts are tests/plan/test_meta.py's (MINIMAL_WITH_META); off in MINIMAL so
# that the other tests see the service's alone.
# Just before `routing:`, the last section: the services' and channels' lines stay where they
# were, and text added to the end still lands in `routing:`.
MINIMAL = MINIMAL.replace("routing:\n", "meta_monitoring: {enabled: false}\nrouting:\n")


def with_routing(text: str) -> str:
    """MINIMAL with `text` (indented lines) added to its `routing:` section."""
    return MINIMAL + text


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
    return load_checked_stack(write(tmp_path, "spec.yml", text))


def render_files(stack: Stack) -> dict[str, bytes]:
    """The plain files `stackgen render` writes for the stack (rendered in one process)."""
    with tempfile.TemporaryDirectory() as folder:
        written = render_tree(stack, Path(folder), jobs=1)
        return {path: (Path(folder) / path).read_bytes() for path in written}


def out_files(stack: Stack) -> dict[str, bytes]:
    """What `stackgen render` writes: the plain files and the spec's other targets'."""
    with tempfile.TemporaryDirectory() as folder:
        files, _ = tree_files(stack, Path(folder), chosen(stack, None), jobs=1)
        return dict(files)


def render_into(spec: Path, out: Path) -> Path:
    """The spec's plain files rendered into OUT, as `stackgen render` writes them (unchecked)."""
    stack = load_checked_stack(spec)

    def produce(staging: Path) -> dict[str, str]:
        return {path: w.digest for path, w in render_tree(stack, staging, jobs=1).items()}

    write_staged(out, produce)
    return out


def render_all(
    artifacts: Iterable[Artifact],
    templates: SearchPath = (),
    parsed: MutableMapping[str, Any] | None = None,
) -> dict[str, bytes]:
    """The engine's bytes of every artifact by path; `parsed`, when given, gets the document
    of each output that render_each hands on (path -> parsed document)."""
    rendered: dict[str, bytes] = {}
    wanted = (lambda _: True) if parsed is not None else (lambda _: False)
    for path, data, document in render_each(artifacts, templates, wanted):
        rendered[path] = data
        if parsed is not None and document is not UNSHARED:
            parsed[path] = document
    return rendered


def write_tree(
    out: Path, files: Mapping[str, bytes], verify: Callable[[Path], None] | None = None
) -> None:
    """Make OUT hold `files` (plus files stackgen did not write), or leave it as it was."""
    write_staged(out, lambda staging: write_files(staging, files), verify)


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
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


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

    # promtool evaluates a file's groups in a random order unless told: a group that reads
    # another's records would see them one evaluation late on some runs, as Prometheus never does
    groups = [g["name"] for p in rule_files for g in yaml.safe_load(p.read_text())["groups"]]
    document = {
        "rule_files": [str(p) for p in rule_files],
        "evaluation_interval": evaluation_interval,
        "group_eval_order": groups,
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


# The example runs Alertmanager 0.25 with SMTP password files: lint reminds, once per file,
# that 0.25 sends a file's trailing newline as part of the password (receiver/password-newline).
PASSWORD_REMINDER = "receiver/password-newline"


def without_reminder(findings: list[Any]) -> list[Any]:
    """Lint findings on the example, less that reminder."""
    return [f for f in findings if f.check != PASSWORD_REMINDER]


@functools.cache
def example_lint() -> Any:
    """The example spec's lint settings (it turns the password reminder off), as
    `stackgen lint` reads them in the repository."""
    from stackgen.spec import load_stack

    return load_stack(SPECS).lint
