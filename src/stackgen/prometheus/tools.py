"""Checks a rendered tree with the real promtool and amtool, when they are installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from stackgen.alertmanager.routing import receivers_for, route_tree
from stackgen.common.layout import (
    ALERTMANAGER_CONFIG,
    NOTIFICATION_TEMPLATES_DIR,
    PROMETHEUS_CONFIG,
    ROUTING_MATRIX,
    SHARD_CONFIGS,
    TESTS_DIR,
)
from stackgen.common.yaml_io import load

PROMETHEUS_CONFIGS = (PROMETHEUS_CONFIG, SHARD_CONFIGS)


class VerifyError(Exception):
    """A real tool rejected what stackgen rendered: a stackgen bug, reported with its output."""


def tool_checks(root: Path) -> list[list[str]]:
    """The tool commands that check the tree at root (config checks include the rule files)."""
    configs = sorted(config for pattern in PROMETHEUS_CONFIGS for config in root.glob(pattern))
    return [
        ["promtool", "check", "config", *map(str, configs)],
        ["amtool", "check-config", str(root / ALERTMANAGER_CONFIG)],
    ]


def available(command: list[str]) -> bool:
    return shutil.which(command[0]) is not None


# A proof file of a long SLO period runs thousands of evaluations; on a busy machine that
# takes minutes, so the limit only catches a tool that hangs.
TOOL_TIMEOUT = 600  # seconds


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise VerifyError(f"`{' '.join(command[:3])}` did not run: {exc}") from None


def verify_with_tools(root: Path, *, required: bool = False) -> list[str]:
    """Run every check whose tool is installed; returns the tools that were missing."""
    missing = []
    for command in tool_checks(root):
        if not available(command):
            if required:
                raise VerifyError(f"{command[0]} is not installed")
            missing.append(command[0])
            continue
        result = _run(command)
        if result.returncode != 0:
            raise VerifyError(
                f"`{' '.join(command[:3])}` rejected the rendered output:\n"
                + (result.stdout + result.stderr).strip()
            )
    if "amtool" not in missing:
        render_notification_templates(root)
    return missing


TEMPLATES_GLOB = f"{NOTIFICATION_TEMPLATES_DIR}/*.tmpl"
_DEFINE = re.compile(r'\{\{-?\s*define\s+"([^"]+)"')
# What a notification carries, for trying each template before it is written: two firing
# alerts with every annotation the templates read, and text that needs escaping.
SAMPLE_NOTIFICATION = {
    "receiver": "sample",
    "status": "firing",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "HighHTTPErrorRate", "severity": severity, "team": "platform",
                "service": "web-api", "instance": f"web-{i}:8080",
            },
            "annotations": {
                "summary": f"5% of requests <fail> on web-{i} & \"more\"",
                "description": "The error ratio is above 5% for 5m.",
                "runbook_url": "https://runbooks.example.com/HighHTTPErrorRate.md",
            },
            "startsAt": "2026-01-01T00:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": f"{i:016x}",
        }
        for i, severity in enumerate(("critical", "warning"))
    ],
    "groupLabels": {"alertname": "HighHTTPErrorRate"},
    "commonLabels": {"alertname": "HighHTTPErrorRate", "team": "platform", "service": "web-api"},
    "commonAnnotations": {"description": "The error ratio is above 5% for 5m."},
    "externalURL": "http://alertmanager:9093",
}  # fmt: skip


def render_notification_templates(root: Path) -> None:
    """Every template the notification files define, rendered by the real amtool against
    sample alerts: a template that fails at send time fails the render instead."""
    files = sorted(root.glob(TEMPLATES_GLOB))
    names = sorted({name for f in files for name in _DEFINE.findall(f.read_text())})
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "notification.json"
        data.write_text(json.dumps(SAMPLE_NOTIFICATION))
        for name in names:
            call = f'{{{{ template "{name}" . }}}}'
            if ".alert." in name:  # templates of one alert, called from a range over them
                call = f"{{{{ range .Alerts }}}}{call}{{{{ end }}}}"
            result = _run(
                [
                    "amtool", "template", "render", f"--template.glob={root / TEMPLATES_GLOB}",
                    f"--template.text={call}", f"--template.data={data}",
                    f"--template.type={'html' if name.endswith('.html') else 'text'}",
                ]
            )  # fmt: skip
            if result.returncode != 0:
                raise VerifyError(
                    f"`amtool template render` failed on template `{name}`:\n"
                    + (result.stdout + result.stderr).strip()
                )


TESTS_GLOB = f"{TESTS_DIR}/*.yml"


def rule_test_files(out: Path) -> list[Path]:
    return sorted(out.glob(TESTS_GLOB))


def run_rule_tests(test_file: Path) -> subprocess.CompletedProcess[str]:
    """`promtool test rules` on one generated test file."""
    return subprocess.run(
        ["promtool", "test", "rules", str(test_file)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def routing_disagreements(out: Path) -> tuple[int, list[str]]:
    """Each entry of OUT's routing matrix checked against OUT's alertmanager.yml with
    `amtool config routes test --verify.receivers` and with stackgen's simulator: how many
    entries there were, and every disagreement."""
    config_file = out / ALERTMANAGER_CONFIG
    try:
        matrix = load((out / ROUTING_MATRIX).read_text(encoding="utf-8")) or {}
        tree = route_tree(load(config_file.read_text(encoding="utf-8"))["route"])
        entries = [*(matrix.get("alerts") or []), *(matrix.get("expected") or [])]
        for entry in entries:
            if not isinstance(entry.get("labels"), dict) or not entry.get("receivers"):
                raise ValueError(f"an entry without labels or receivers: {entry}")
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise VerifyError(
            f"{out} does not hold a routing matrix and an alertmanager.yml stackgen can read "
            f"({type(exc).__name__}: {exc}): run `stackgen render`"
        ) from None
    problems = []
    for entry in entries:
        labels = {str(k): str(v) for k, v in entry["labels"].items()}
        expected = [str(r) for r in entry["receivers"]]
        shown = " ".join(f"{k}={v}" for k, v in labels.items())
        simulated = receivers_for(tree, labels)
        if simulated != expected:
            problems.append(
                f"{shown}: must reach {', '.join(expected)}; the simulator routes it to "
                f"{', '.join(simulated)}"
            )
        result = _run(
            [
                "amtool", "config", "routes", "test", f"--config.file={config_file}",
                f"--verify.receivers={','.join(expected)}",
                *(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in labels.items()),
            ]
        )  # fmt: skip
        if result.returncode != 0:
            got = (result.stdout + result.stderr).strip().splitlines()
            problems.append(
                f"{shown}: must reach {', '.join(expected)}; amtool says {got[0] if got else '?'}"
            )
    return len(entries), problems
