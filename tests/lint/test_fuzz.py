"""Lint never crashes: any rule file gives findings, each located in the file, and the command
exits 0, 1 or 2. The inputs are real rule files (awesome-prometheus-alerts) with a mistake made
in them (tests/lint/rule_mutants.py), then perhaps odd bytes, shared YAML anchors and aliases,
merge keys, or nesting (PromQL parentheses, YAML lists), with hypothesis's seed fixed so that a
run in CI is the run here.

Kept out of the strategy: billion-laughs aliases and PromQL or YAML nested thousands deep. Their
guards (an alias-expansion budget in common/yaml_io, a nesting-depth guard in prometheus/promql)
are issue 16's work."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.lint import lint
from tests.lint.rule_mutants import corpus_files, mutant

SEED = 20261206
EXAMPLES = 300
SOURCES = corpus_files()


def _odd_bytes(text: str, where: float, junk: bytes) -> bytes:
    raw = text.encode()
    at = int(len(raw) * where)
    return raw[:at] + junk + raw[at:]


def _aliased(text: str) -> str:
    """The same rules with their labels (and a group's rules) shared through anchors, and a
    merge key overriding a key it brings."""
    data = yaml.safe_load(text)
    rules = [
        r for g in data.get("groups") or [] if isinstance(g, dict) for r in g.get("rules") or []
    ]
    rules = [r for r in rules if isinstance(r, dict)]
    if len(rules) < 2:
        return text
    shared = {"severity": "warning", "team": "ops"}
    for rule in rules:
        rule["labels"] = shared  # one object: safe_dump writes an anchor and aliases
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return dumped.replace("labels: *id001", "labels:\n        <<: *id001\n        team: web", 1)


def _nested(text: str, depth: int) -> str:
    data = yaml.safe_load(text)
    for group in data.get("groups") or []:
        for rule in group.get("rules") or []:
            if isinstance(rule, dict) and isinstance(rule.get("expr"), str):
                rule["expr"] = "(" * depth + rule["expr"] + ")" * depth
                value: object = "x"
                for _ in range(depth):
                    value = [value]
                rule.setdefault("annotations", {})["nested"] = value
                return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return text


@st.composite
def rule_files(draw: st.DrawFn) -> bytes:
    source = draw(st.sampled_from(SOURCES))
    text = mutant(source, random.Random(draw(st.integers(0, 2**32 - 1))))
    extra = draw(st.sampled_from(["none", "odd bytes", "aliases", "nesting"]))
    try:
        if extra == "aliases":
            text = _aliased(text)
        elif extra == "nesting":
            text = _nested(text, draw(st.integers(1, 60)))
    except (yaml.YAMLError, AttributeError, TypeError):
        pass  # the mutant is no longer data these can edit: lint it as it is
    if extra == "odd bytes":
        return _odd_bytes(text, draw(st.floats(0, 1)), draw(st.binary(min_size=1, max_size=8)))
    return text.encode()


@pytest.mark.slow
@pytest.mark.corpus
@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(content=rule_files())
def test_any_rule_file_gives_located_findings_and_never_a_crash(tmp_path_factory, content):
    path: Path = tmp_path_factory.mktemp("fuzz") / "rules.yml"
    path.write_bytes(content)
    findings = lint([path])  # raises on a crash
    assert all(f.file == str(path) and f.line >= 1 and f.column >= 1 for f in findings)
    result = CliRunner().invoke(app, ["lint", str(path), "--no-color"])
    assert result.exit_code in (0, 1), result.output
    assert result.exit_code == (1 if any(f.severity == "error" for f in findings) else 0)
