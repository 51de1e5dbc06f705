"""Which alerting rules of a rendered stack some generated proof fires: read from OUT's rule
files and proof files, so an alert without a proof (a custom alert without a scenario, a rule
group kept as written, a pack alert of a newer pack) is reported, never passed in silence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stackgen.common.layout import RULES_DIR, TESTS_DIR
from stackgen.common.yaml_io import load

_UNPROVEN = re.compile(r"^# unproven: (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Rule:
    file: str  # relative to OUT
    alert: str
    labels: dict[str, str]  # the rule's own labels, templates left out

    def __str__(self) -> str:
        tier = self.labels.get("slo_tier")
        return f"{self.file}: {self.alert}" + (f" ({tier} tier)" if tier else "")


@dataclass(frozen=True)
class Coverage:
    rules: list[Rule]
    unproven: list[Rule]
    reasons: dict[str, list[str]]  # rule file -> the proofs' notes on what they left out

    @property
    def proven(self) -> int:
        return len(self.rules) - len(self.unproven)


def _rules(out: Path) -> list[Rule]:
    found = []
    for path in sorted((out / RULES_DIR).glob("*.yml")):
        document = load(path.read_text(encoding="utf-8")) or {}
        for group in document.get("groups") or []:
            for rule in group.get("rules") or []:
                if "alert" in rule:
                    labels = {
                        str(k): str(v)
                        for k, v in (rule.get("labels") or {}).items()
                        if "{{" not in str(v)
                    }
                    found.append(Rule(f"{RULES_DIR}/{path.name}", str(rule["alert"]), labels))
    return found


def _fired(out: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[str]]]:
    """Per rule file, the labels (with alertname) of every alert a proof expects firing; and
    the notes of each proof file on the alerts it could not prove."""
    fired: dict[str, list[dict[str, Any]]] = {}
    reasons: dict[str, list[str]] = {}
    for path in sorted((out / TESTS_DIR).glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        document = load(text) or {}
        files = [
            f"{RULES_DIR}/{Path(str(f)).name}"
            for f in document.get("rule_files") or []
            if Path(str(f)).parent.name == "rules"
        ]
        expected = [
            {**(alert.get("exp_labels") or {}), "alertname": check.get("alertname")}
            for test in document.get("tests") or []
            for check in test.get("alert_rule_test") or []
            for alert in check.get("exp_alerts") or []
        ]
        for file in files:
            fired.setdefault(file, []).extend(expected)
            for note in _UNPROVEN.findall(text):
                if note not in reasons.setdefault(file, []):
                    reasons[file].append(note)
    return fired, reasons


def coverage(out: Path) -> Coverage:
    rules = _rules(out)
    fired, reasons = _fired(out)
    unproven = [
        rule
        for rule in rules
        if not any(
            labels.get("alertname") == rule.alert
            and all(str(labels.get(k)) == v for k, v in rule.labels.items())
            for labels in fired.get(rule.file, [])
        )
    ]
    return Coverage(rules, unproven, reasons)
