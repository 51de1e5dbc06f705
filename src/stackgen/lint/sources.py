"""Rule files of every form stackgen lints, read with positions: plain Prometheus rule files,
prometheus-operator `PrometheusRule` objects (multi-document YAML too) and Mimir ruler files."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from stackgen.common.confined import read_in
from stackgen.common.yaml_io import SAFE_LOADER, load_yaml, plain_documents
from stackgen.lint.facts import Facts, facts
from stackgen.lint.findings import Finding, Severity
from stackgen.lint.rules.base import Spot
from stackgen.prometheus.dialect import DEFAULT as DEFAULT_DIALECT
from stackgen.prometheus.metric_types import Hints
from stackgen.prometheus.rulefmt import (
    GROUP_FIELDS,
    MIMIR_GROUP_FIELDS,
    OPERATOR_GROUP_FIELDS,
    scalar_text,
    string_map,
)
from stackgen.spec.errors import Path as DataPath
from stackgen.spec.errors import Position
from stackgen.spec.loader import SourceMap, read_documents

SUFFIXES = (".yml", ".yaml")


class Positions:
    """Where the values of a file's documents are: found in their YAML nodes when the reading
    kept them, else read once for all of them by the position-keeping reader (and only when a
    finding asks: reading them is most of the cost of linting a large rule file)."""

    def __init__(self, text: str, name: str, nodes: list[yaml.Node] | None = None) -> None:
        self.text, self.name, self.nodes = text, name, nodes
        self._sources: list[SourceMap] | None = None

    def of(self, index: int) -> SourceMap:
        if self._sources is None:
            documents, _ = read_documents(self.text, self.name)
            self._sources = [source for _, source in documents]
        return self._sources[index] if index < len(self._sources) else SourceMap()

    def locate(self, index: int, path: DataPath, *, key: bool = False) -> Position:
        if self.nodes is None or index >= len(self.nodes):
            return self.of(index).locate(path, key=key)
        return node_position(self.name, self.nodes[index], path, key=key)


def node_position(name: str, root: yaml.Node, path: DataPath, *, key: bool = False) -> Position:
    """Where `path` is in a plain document's nodes (its key's place with `key`), or its nearest
    ancestor that is: as SourceMap.locate finds it in what the position-keeping reader reads.
    A plain document has string keys, each once, so a key node's text is the key."""
    node, mark = root, root.start_mark
    for depth, step in enumerate(path, 1):
        child = key_node = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value in node.value:
                if key_node.value == step:
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            child = node.value[step] if 0 <= step < len(node.value) else None
        if child is None:
            break
        node = child
        mark = key_node.start_mark if key and key_node and depth == len(path) else node.start_mark
    return Position(name, mark.line + 1, mark.column + 1)


class LazySource:
    """A document's positions, read only when a finding (or a disable comment) asks for one."""

    def __init__(self, text: str, name: str, index: int, shared: Positions | None = None) -> None:
        self.index = index
        self.positions = shared or Positions(text, name)

    def locate(self, path: DataPath, *, key: bool = False) -> Position:
        return self.positions.locate(self.index, path, key=key)


Source = SourceMap | LazySource


class Rule:
    """One rule of a rule file, with what is needed to point at it. A plain class: its cached
    properties need a __dict__, and lint's start-up does without dataclasses."""

    def __init__(
        self,
        file: str,
        group: str,
        data: dict[str, Any],
        path: DataPath,  # of the rule mapping in its document
        source: Source,
        dialect: str = DEFAULT_DIALECT,  # the PromQL its expression is read as
        hints: Hints = (),  # the team's metric types (lint config `metric_types`)
    ) -> None:
        self.file = file
        self.group = group
        self.data = data
        self.path = path
        self.source = source
        self.dialect = dialect
        self.hints = hints

    def position(self, *key: str) -> tuple[int, int]:
        """Line and column of a key's value in the rule (or of the rule itself)."""
        pos = self.source.locate((*self.path, *key))
        return pos.line, pos.column

    @property
    def is_alert(self) -> bool:
        return "alert" in self.data

    @cached_property
    def labels(self) -> dict[str, str]:
        """Its labels as Prometheus reads them ({} where it refuses them: rule/structure);
        worked out once, as several checks read them."""
        return string_map(self.data.get("labels"))

    @cached_property
    def annotations(self) -> dict[str, str]:
        return string_map(self.data.get("annotations"))

    @cached_property
    def facts(self) -> Facts | None:
        """What the checks need of the expression (shared by every rule with the same one),
        None without an expression; no syntax tree is kept."""
        if "expr" not in self.data:
            return None
        return facts(str(self.data["expr"]), self.dialect, self.hints)

    @cached_property
    def analysed(self) -> Facts | None:
        """The facts of an expression that parses (asked for by most checks of every rule)."""
        found = self.facts
        return found if found is not None and found.error is None else None


class Group(NamedTuple):
    file: str
    data: dict[str, Any]
    path: DataPath
    source: Source
    fields: tuple[str, ...] = GROUP_FIELDS  # those its reader (Prometheus, Mimir...) knows


class Tree:
    """The files to lint: those on disk, or (`texts`) those a render holds in memory, with the
    documents it has already parsed (`parsed`: a file's only document), so that they are
    neither written nor parsed again for the linter. A text of None: read it from the disk."""

    def __init__(
        self,
        texts: Mapping[Path, str | None] | None = None,
        parsed: Mapping[Path, Any] | None = None,
    ) -> None:
        self.texts, self.parsed = texts, parsed or {}
        self._folders = {folder for path in texts or () for folder in path.parents}

    def is_file(self, path: Path) -> bool:
        return path.is_file() if self.texts is None else path in self.texts

    def is_dir(self, path: Path) -> bool:
        return path.is_dir() if self.texts is None else path in self._folders

    def read_text(self, path: Path) -> str:
        text = None if self.texts is None else self.texts[path]
        # Never through a link: the files may come from a pull request (OSError if one is).
        return read_in(path.parent, path.name).decode("utf-8") if text is None else text

    def glob(self, folder: Path, pattern: str) -> list[Path]:
        """Path.glob's matches (`*`, `?`, `[...]` within one name; `**` only on disk). An
        absolute pattern names files where Prometheus runs, not here: no match."""
        if Path(pattern).is_absolute():
            return []
        if self.texts is None or "**" in pattern:
            return list(folder.glob(pattern)) if self.texts is None else []
        if not any(char in pattern for char in "*?["):  # a name: one lookup, not a scan
            return [folder / pattern] if folder / pattern in self.texts else []
        parts = (folder / pattern).parts
        return [
            path
            for path in self.texts
            if len(path.parts) == len(parts) and all(map(fnmatchcase, path.parts, parts))
        ]

    def rglob(self, folder: Path, pattern: str) -> list[Path]:
        if self.texts is None:
            return list(folder.rglob(pattern))
        return [p for p in self.texts if folder in p.parents and fnmatchcase(p.name, pattern)]

    def documents(self, path: Path) -> list[Any] | None:
        """The documents the caller parsed, if it did (and the file holds one only)."""
        if path not in self.parsed or "\n---" in self.read_text(path):
            return None
        return [self.parsed[path]]


DISK = Tree()


class Document:
    """A YAML or JSON file's first document, with its positions read only for a finding. A
    plain class, as Rule is."""

    def __init__(self, file: str, text: str, data: Any) -> None:
        self.file = file
        self.text = text
        self.data = data  # None: read only to point at findings

    @cached_property
    def source(self) -> SourceMap:
        """Where each value is: read only for a finding (slow on a large dashboard)."""
        documents, _ = read_documents(self.text, self.file)
        return documents[0][1] if documents else SourceMap()

    def spot(self, path: DataPath) -> Spot:
        pos = self.source.locate(path)
        return Spot(self.file, pos.line, pos.column)

    def finding(self, path: DataPath, check: str, severity: Severity, message: str) -> Finding:
        pos = self.source.locate(path)
        return Finding(self.file, pos.line, pos.column, check, severity, message)


def read_document(path: Path, tree: Tree = DISK) -> Document | None:
    """The file's first document, or None when it is missing or not valid YAML (or JSON)."""
    try:
        text = tree.read_text(path)
        given = tree.documents(path)
        if given is not None:
            return Document(str(path), text, given[0])
        # a rendered stack's configs are large (10,000 scrape jobs): the fast loader
        data = json.loads(text) if path.suffix == ".json" else load_yaml(text)[0]
    except (OSError, ValueError, yaml.YAMLError):
        return None
    return Document(str(path), text, data)


def stack_rule_files(config: Path, tree: Tree = DISK, data: Any = None) -> list[Path]:
    """The rule files a prometheus.yml names (globs resolved against its folder); `data`: the
    config, when the caller has read it already."""
    if data is None:
        try:
            data = load_yaml(tree.read_text(config))[0]
        except yaml.YAMLError:
            return []
    patterns = data.get("rule_files") if isinstance(data, dict) else None
    return sorted({p for pattern in patterns or [] for p in tree.glob(config.parent, str(pattern))})


def rule_files(
    paths: list[Path], tree: Tree = DISK, configs: Mapping[Path, Any] | None = None
) -> list[Path]:
    """Files named, and the YAML files under folders named, in a stable order; for a rendered
    stack (a folder with prometheus/prometheus.yml or prometheus/shards/), the rule files its
    config names, else (a remote ruler evaluates them) those in prometheus/rules/. `configs`:
    prometheus.yml files the caller has read already, by path."""
    found: list[Path] = []
    for path in paths:
        if not tree.is_dir(path):  # a file: one look at the disk (many are named at once)
            if tree.texts is None or tree.is_file(path):  # in memory: only files it holds
                found.append(path)
            continue
        main = path / "prometheus" / "prometheus.yml"
        is_config = tree.is_file(main)
        if is_config or tree.is_dir(path / "prometheus" / "shards"):
            named = stack_rule_files(main, tree, (configs or {}).get(main)) if is_config else []
            found += named or sorted(tree.glob(path / "prometheus" / "rules", "*.yml"))
        else:
            found += sorted(
                p for p in tree.rglob(path, "*") if p.suffix in SUFFIXES and tree.is_file(p)
            )
    return found


def is_operator_rule(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") == "PrometheusRule"


def group_list(document: Any) -> tuple[DataPath, Any]:
    """Where a document's groups are, and what is there (None: nothing)."""
    if is_operator_rule(document):
        spec = document.get("spec")
        return ("spec", "groups"), spec.get("groups") if isinstance(spec, dict) else None
    return ("groups",), document.get("groups") if isinstance(document, dict) else None


def groups_of(document: Any, source: Source, file: str) -> Iterator[Group] | None:
    """The rule groups of one YAML document (those that are mappings), or None when it is
    not a rule file."""
    if not isinstance(document, dict):
        return None
    where, groups = group_list(document)
    base = where[:-1]
    if groups is None and (where[-1] in document or base or not document):
        groups = []  # `groups:` with no value: a file of no groups, as promtool reads it
    if not isinstance(groups, list):
        return None
    fields = (
        OPERATOR_GROUP_FIELDS
        if base
        else MIMIR_GROUP_FIELDS
        if "namespace" in document
        else GROUP_FIELDS
    )
    return (
        Group(file, group, (*base, "groups", index), source, fields)
        for index, group in enumerate(groups)
        if isinstance(group, dict)
    )


def rules_of(group: Group, dialect: str = DEFAULT_DIALECT, hints: Hints = ()) -> Iterator[Rule]:
    rules = group.data.get("rules")
    if not isinstance(rules, list):
        return
    name = scalar_text(group.data.get("name"))
    for index, rule in enumerate(rules):
        if isinstance(rule, dict):
            path = (*group.path, "rules", index)
            yield Rule(group.file, name, rule, path, group.source, dialect, hints)


class _Unsure(Exception):
    """A document that only the position-keeping reader reads as stackgen's linter must."""


class _PlainLoader(SAFE_LOADER):  # type: ignore[misc,valid-type]
    """libyaml's safe loading, for documents that the position-keeping reader would read the
    same and without errors: no duplicate or non-string keys, no merge keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value) or not all(isinstance(k, str) for k in mapping):
            raise _Unsure
        return mapping


def load_plain(text: str) -> Any:
    """A one-document file as `read` would read it, for a caller that parses a file anyway and
    hands the result to `lint_documents`; ValueError for text that only the position-keeping
    reader reads right (anchors, merge or duplicate keys, YAML errors, several documents)."""
    if "&" in text:
        raise ValueError("anchors: read by the position-keeping reader")
    try:
        documents = list(yaml.load_all(text, Loader=_PlainLoader))
    except (_Unsure, yaml.YAMLError) as exc:
        raise ValueError(f"not plain YAML: {exc}") from None
    if len(documents) != 1:
        raise ValueError(f"{len(documents)} documents, not one")
    return documents[0]


def read(text: str, name: str) -> tuple[list[tuple[Any, Source]], list[tuple[int, int, str]]]:
    """The documents of a file's text, and its YAML errors as (line, column, message)."""
    plain = plain_documents(text)  # libyaml's nodes, kept to locate findings in
    if plain is not None:
        shared = Positions(text, name, [node for _, node in plain])
        return [(d, LazySource(text, name, i, shared)) for i, (d, _) in enumerate(plain)], []
    documents, errors = read_documents(text, name)
    return documents, [(e.position.line, e.position.column, e.message) for e in errors]


class Reread:
    """Rules read again from their files, by their place in them: summaries keep neither texts
    nor documents, so a finding across files is pointed at (and a duplicate confirmed) only
    once it exists. The last few files read are kept, their positions with them."""

    KEEP = 8  # files: each check goes through the files in order, one finding after another

    def __init__(self, tree: Tree = DISK) -> None:
        self.tree = tree
        self._files: OrderedDict[str, list[Rule]] = OrderedDict()

    def of(self, file: str) -> list[Rule]:
        """The file's rules, in the order its summary numbered them."""
        if file in self._files:
            self._files.move_to_end(file)
            return self._files[file]
        # positions are what it is read for: the position-keeping reader alone, then
        documents, _ = read_documents(self.tree.read_text(Path(file)), file)
        rules = [
            rule
            for document, source in documents
            for group in groups_of(document, source, file) or ()
            for rule in rules_of(group)
        ]
        self._files[file] = rules
        if len(self._files) > self.KEEP:
            self._files.popitem(last=False)
        return rules

    def rule(self, file: str, index: int) -> Rule:
        return self.of(file)[index]

    def position(self, file: str, index: int, *key: str) -> tuple[int, int]:
        return self.rule(file, index).position(*key)
