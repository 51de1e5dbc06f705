"""Rule files of every form stackgen lints, read with positions: plain Prometheus rule files,
prometheus-operator `PrometheusRule` objects (multi-document YAML too) and Mimir ruler files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import promql_parser
import yaml

from stackgen.promql import parse
from stackgen.spec.errors import Path as DataPath
from stackgen.spec.loader import SourceMap, read_documents

SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class Rule:
    """One rule of a rule file, with what is needed to point at it."""

    file: str
    group: str
    data: dict[str, Any]
    path: DataPath  # of the rule mapping in its document
    source: SourceMap

    def position(self, *key: str) -> tuple[int, int]:
        """Line and column of a key's value in the rule (or of the rule itself)."""
        pos = self.source.locate((*self.path, *key))
        return pos.line, pos.column

    @property
    def is_alert(self) -> bool:
        return "alert" in self.data

    @cached_property
    def parsed(self) -> tuple[promql_parser.Expr | None, str | None]:
        """The expression's syntax tree, or why it has none."""
        if "expr" not in self.data:
            return None, None
        try:
            return parse(str(self.data["expr"])), None
        except ValueError as exc:
            return None, str(exc)

    @property
    def query(self) -> promql_parser.Expr | None:
        return self.parsed[0]


@dataclass(frozen=True)
class Group:
    file: str
    data: dict[str, Any]
    path: DataPath
    source: SourceMap


def stack_rule_files(config: Path) -> list[Path]:
    """The rule files a prometheus.yml names (globs resolved against its folder)."""
    try:
        patterns = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("rule_files")
    except yaml.YAMLError:
        return []
    return sorted({p for pattern in patterns or [] for p in config.parent.glob(str(pattern))})


def rule_files(paths: list[Path]) -> list[Path]:
    """Files named, and the YAML files under folders named, in a stable order; for a rendered
    stack (a folder with prometheus/prometheus.yml), the rule files its config names."""
    found: list[Path] = []
    for path in paths:
        config = path / "prometheus" / "prometheus.yml"
        if path.is_dir() and config.is_file():
            found += stack_rule_files(config)
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            found.append(path)
    return found


def groups_of(document: Any, source: SourceMap, file: str) -> Iterator[Group] | None:
    """The rule groups of one YAML document, or None when it is not a rule file."""
    if not isinstance(document, dict):
        return None
    if document.get("kind") == "PrometheusRule":
        base: DataPath = ("spec",)
        groups = (document.get("spec") or {}).get("groups")
    else:
        base = ()
        groups = document.get("groups")
    if not isinstance(groups, list):
        return None
    return (
        Group(file, group, (*base, "groups", index), source)
        for index, group in enumerate(groups)
        if isinstance(group, dict)
    )


def rules_of(group: Group) -> Iterator[Rule]:
    rules = group.data.get("rules")
    if not isinstance(rules, list):
        return
    name = str(group.data.get("name", ""))
    for index, rule in enumerate(rules):
        if isinstance(rule, dict):
            yield Rule(group.file, name, rule, (*group.path, "rules", index), group.source)


def read(text: str, name: str) -> tuple[list[tuple[Any, SourceMap]], list[tuple[int, int, str]]]:
    """The documents of a file's text, and its YAML errors as (line, column, message)."""
    documents, errors = read_documents(text, name)
    return documents, [(e.position.line, e.position.column, e.message) for e in errors]
