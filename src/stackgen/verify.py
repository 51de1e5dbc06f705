"""Checks a rendered tree with the real promtool and amtool, when they are installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PROMETHEUS_CONFIG = "prometheus/prometheus.yml"
ALERTMANAGER_CONFIG = "alertmanager/alertmanager.yml"


class VerifyError(Exception):
    """A real tool rejected what stackgen rendered: a stackgen bug, reported with its output."""


def tool_checks(root: Path) -> list[list[str]]:
    """The tool commands that check the tree at root (config checks include the rule files)."""
    return [
        ["promtool", "check", "config", str(root / PROMETHEUS_CONFIG)],
        ["amtool", "check-config", str(root / ALERTMANAGER_CONFIG)],
    ]


def available(command: list[str]) -> bool:
    return shutil.which(command[0]) is not None


def verify_with_tools(root: Path, *, required: bool = False) -> list[str]:
    """Run every check whose tool is installed; returns the tools that were missing."""
    missing = []
    for command in tool_checks(root):
        if not available(command):
            if required:
                raise VerifyError(f"{command[0]} is not installed")
            missing.append(command[0])
            continue
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise VerifyError(
                f"`{' '.join(command[:3])}` rejected the rendered output:\n"
                + (result.stdout + result.stderr).strip()
            )
    return missing


TESTS_GLOB = "prometheus/tests/*.yml"


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
