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
from stackgen.spec.errors import Position
from stackgen.spec.loader import SourceMap, read_documents

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where PyYAML has it

SUFFIXES = (".yml", ".yaml")


class LazySource:
    """A document's positions, read only when a finding (or a disable comment) asks for one:
    reading them is most of the cost of linting a large rule file."""

    def __init__(self, text: str, name: str, index: int) -> None:
        self.text, self.name, self.index = text, name, index
        self._source: SourceMap | None = None

    def locate(self, path: DataPath, *, key: bool = False) -> Position:
        if self._source is None:
            documents, _ = read_documents(self.text, self.name)
            self._source = documents[self.index][1]
        return self._source.locate(path, key=key)


Source = SourceMap | LazySource


@dataclass(frozen=True)
class Rule:
    """One rule of a rule file, with what is needed to point at it."""

    file: str
    group: str
    data: dict[str, Any]
    path: DataPath  # of the rule mapping in its document
    source: Source

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
    source: Source


def stack_rule_files(config: Path) -> list[Path]:
    """The rule files a prometheus.yml names (globs resolved against its folder)."""
    try:
        text = config.read_text(encoding="utf-8")
        patterns = (yaml.load(text, Loader=_LOADER) or {}).get("rule_files")
    except yaml.YAMLError:
        return []
    return sorted({p for pattern in patterns or [] for p in config.parent.glob(str(pattern))})


def rule_files(paths: list[Path]) -> list[Path]:
    """Files named, and the YAML files under folders named, in a stable order; for a rendered
    stack (a folder with prometheus/prometheus.yml or prometheus/shards/), the rule files its
    config names, else (a remote ruler evaluates them) those in prometheus/rules/."""
    found: list[Path] = []
    for path in paths:
        config = path / "prometheus" / "prometheus.yml"
        if path.is_dir() and (config.is_file() or (path / "prometheus" / "shards").is_dir()):
            named = stack_rule_files(config) if config.is_file() else []
            found += named or sorted((path / "prometheus" / "rules").glob("*.yml"))
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            found.append(path)
    return found


def groups_of(document: Any, source: Source, file: str) -> Iterator[Group] | None:
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


class _Unsure(Exception):
    """A document that only the position-keeping reader reads as stackgen's linter must."""


class _PlainLoader(_LOADER):  # type: ignore[misc,valid-type]
    """libyaml's safe loading, for documents that the position-keeping reader would read the
    same and without errors: no duplicate or non-string keys, no merge keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value) or not all(isinstance(k, str) for k in mapping):
            raise _Unsure
        return mapping


def read(text: str, name: str) -> tuple[list[tuple[Any, Source]], list[tuple[int, int, str]]]:
    """The documents of a file's text, and its YAML errors as (line, column, message)."""
    if "&" not in text:  # anchors (and aliases, which need them) only by the slow path
        try:
            plain = list(yaml.load_all(text, Loader=_PlainLoader))
        except (_Unsure, yaml.YAMLError):
            pass  # the position-keeping reader reports it as it should
        else:
            return [(d, LazySource(text, name, i)) for i, d in enumerate(plain)], []
    documents, errors = read_documents(text, name)
    return documents, [(e.position.line, e.position.column, e.message) for e in errors]
