"""Rule files made from real ones with one mistake each, of the kinds people make and that
promtool 2.42 judges: misspelt and misplaced fields, values of the wrong type or format, bad
names, broken templates and PromQL, and damaged YAML. Shared by the parity test (verdicts
compared with the real promtool) and the fuzz test (lint never crashes)."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import SHARED

CORPUS = SHARED / "corpus" / "rules"
AWESOME = CORPUS / "awesome-prometheus-alerts"

Data = dict[str, Any]

DURATIONS = ["5min", "5m", "1h30m", "0", "0s", "", "5", "-1m", "1.5h", "1d2h", "5 m", "90s", "1y"]
LABEL_NAMES = ["severity", "__name__", "plug-l1", "1st", "team_x", "ns.name", "_ok", "ünï"]
TEMPLATES = [
    "{{ $labels.instance }}",
    "{{ $label.instance }}",
    "{{ $value | humanize }}",
    "{{ else }}",
    "{{ if }}x{{ end }}",
    "{{ (humanize $value }}",
    "{{ break }}",
    "{{/* c */ }}",
    "{{ nosuch }}",
    "{{ range $k, $v := $labels }}{{ $k }}{{ end }}",
    "{{ with $labels.x }}{{ . }}{{ else }}-{{ end }}",
    '{{ printf "%.2f" $value }}',
    "{{ $labels.plug-l1 }}",
]
EXPRS = [
    "sum(rate(x_total[5m])",
    "up > 5m",
    'up{job=~"(?<n>a)"} > 0',
    'up{job=~"a{1001}"}',
    'up{job=~"a++"}',
    'up{job=~"(?i)api|web"} == 0',
    '{"my.metric"} > 1',
    "up > 1e400",
    "fill(up, 0) > 1",
    'sort_by_label(up, "job")',
    "holt_winters(x[5m], 0.5, 0.5) > 1",
    "rate(up[5m] offset -5m) > 0",
    "up @ start() > 0",
    "up > start()",
    "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m]))) > 1",
    "absent(up)",
    "count_over_time(up[5m]) == 0",
    "up == ",
]
ODD_VALUES: list[Any] = [None, "", [], {}, ["a"], {"a": "b"}, 5, True, "x"]


def corpus_files() -> list[Path]:
    return sorted(p for p in AWESOME.rglob("*.yml"))


def _rules(data: Data) -> list[Data]:
    return [r for g in data.get("groups") or [] for r in g.get("rules") or []]


def _pick_rule(data: Data, rng: random.Random) -> Data:
    return rng.choice(_rules(data))


def _rename_rule_field(data: Data, rng: random.Random) -> None:
    rule = _pick_rule(data, rng)
    key = rng.choice(sorted(rule))
    new = rng.choice(["annotation", "label", "fro", "expression", "alertname", key + "s"])
    rule[new] = rule.pop(key)


def _group_field(data: Data, rng: random.Random) -> None:
    group = rng.choice(data["groups"])
    key, value = rng.choice(
        [("evaluation_interval", "1m"), ("interval", rng.choice(DURATIONS)), ("limit", "5"),
         ("limit", 10), ("name", rng.choice(ODD_VALUES)), ("rules", rng.choice(ODD_VALUES)),
         ("interval", rng.choice(ODD_VALUES))]
    )  # fmt: skip
    group[key] = value


def _duplicate_group(data: Data, rng: random.Random) -> None:
    group = copy.deepcopy(rng.choice(data["groups"]))
    if rng.random() < 0.5:
        group["name"] = f"{group.get('name')}-2"
    data["groups"].append(group)


def _duration(data: Data, rng: random.Random) -> None:
    rule = _pick_rule(data, rng)
    rule[rng.choice(["for", "keep_firing_for"])] = rng.choice([*DURATIONS, ["5m"], 5])


def _label_name(data: Data, rng: random.Random) -> None:
    rule = _pick_rule(data, rng)
    section = rng.choice(["labels", "annotations"])
    values = rule.setdefault(section, {})
    if isinstance(values, dict):
        values[rng.choice(LABEL_NAMES)] = rng.choice(["x", 5, None, ["a"]])


def _template(data: Data, rng: random.Random) -> None:
    rule = _pick_rule(data, rng)
    section = rng.choice(["labels", "annotations", "annotations"])
    values = rule.setdefault(section, {})
    if isinstance(values, dict):
        values[rng.choice(["summary", "description", "team"])] = "".join(
            rng.choice(TEMPLATES) for _ in range(rng.randint(1, 3))
        )


def _expr(data: Data, rng: random.Random) -> None:
    rule = _pick_rule(data, rng)
    rule["expr"] = rng.choice([*EXPRS, "", ["up"], 1])


def _kind(data: Data, rng: random.Random) -> None:
    rule = _pick_rule(data, rng)
    name = rule.pop("alert", None) or rule.pop("record", None) or "X"
    rule.update(
        rng.choice(
            [{"record": name}, {"record": f"job:{name}:sum"}, {"alert": [name]},
             {"record": "a:b", "alert": name}, {}, {"record": 'x{a="b"}'}]
        )
    )  # fmt: skip
    if "record" in rule and rng.random() < 0.5:
        rule.pop("annotations", None)
        rule.pop("for", None)


def _odd_type(data: Data, rng: random.Random) -> None:
    rule = _pick_rule(data, rng)
    key = rng.choice(["labels", "annotations", "alert", "expr"])
    # Not null for alert and expr: Go reads `null` there as the text "null" (a valid name and
    # a valid PromQL selector), PyYAML as nothing; the README lists that one divergence.
    rule[key] = rng.choice(ODD_VALUES[1:] if key in ("alert", "expr") else ODD_VALUES)


def _rule_not_mapping(data: Data, rng: random.Random) -> None:
    group = rng.choice(data["groups"])
    if isinstance(group.get("rules"), list):
        group["rules"].append(rng.choice(["a rule", None, ["x"], 5]))


DATA_MUTATIONS: list[Callable[[Data, random.Random], None]] = [
    _rename_rule_field, _group_field, _duplicate_group, _duration, _label_name, _template,
    _expr, _kind, _odd_type, _rule_not_mapping,
]  # fmt: skip


def _text_mutation(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    choice = rng.randrange(5)
    index = rng.randrange(len(lines))
    if choice == 0:
        return "".join(lines[:index])  # truncated
    if choice == 1:
        lines[index] = "\t" + lines[index]
    elif choice == 2:
        lines.insert(index, lines[index])  # a line twice: duplicate keys, or a list item
    elif choice == 3:
        lines[index] = lines[index].replace(":", "", 1)
    else:
        lines[index] = lines[index].replace("  ", " ", 1)  # indentation off by one
    return "".join(lines)


def mutant(source: Path, rng: random.Random) -> str:
    """One mutated copy of the rule file `source`, as text."""
    text = source.read_text(encoding="utf-8")
    if rng.random() < 0.2:
        return _text_mutation(text, rng)
    data = yaml.safe_load(text)
    if not _rules(data):  # a file of no rules: only its text to damage
        return _text_mutation(text, rng)
    rng.choice(DATA_MUTATIONS)(data, rng)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
