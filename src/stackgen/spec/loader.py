"""Reads spec YAML (one file or a folder of files) into plain data plus source positions.

A folder is merged into one stack: the list sections (`services`, `channels`, `rule_groups`)
are concatenated so each team can own its file; any other top-level section may be defined in
one file only.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any, NamedTuple

import yaml

from stackgen.common.yaml_io import Loader, load_yaml
from stackgen.spec.errors import Path, Position, SpecError, SpecErrors, format_path

LIST_SECTIONS = ("services", "channels", "rule_groups")
DOCUMENT = format_path(())
SPEC_SUFFIXES = (".yml", ".yaml")
ENV_DIR = "env"  # SPEC/env/NAME.yaml: the overlay of environment NAME
# Levels of mappings and lists a document may nest (a route 40 levels deep takes 80).
MAX_NESTING = 100


class SourceMap:
    """Where each value (and each mapping key) of the merged spec was written. A plain class:
    `stackgen lint` reads rule files with it, and its start-up does without dataclasses."""

    __slots__ = ("keys", "names", "values")

    def __init__(self) -> None:
        self.values: dict[Path, Position] = {}
        self.keys: dict[Path, Position] = {}
        self.names: dict[Path, str] = {}  # list items that have a `name`

    def error(self, path: Path, message: str, *, key: bool = False) -> SpecError:
        return SpecError(self.locate(path, key=key), format_path(path, self.names), message)

    def locate(self, path: Path, *, key: bool = False) -> Position:
        """The position of `path`, or of its nearest written ancestor."""
        table = self.keys if key and path in self.keys else self.values
        for end in range(len(path), -1, -1):
            if path[:end] in table:
                return table[path[:end]]
            if path[:end] in self.values:
                return self.values[path[:end]]
        return Position("<spec>", 1, 1)


class LoadedSpec(NamedTuple):
    data: dict[str, Any]
    source: SourceMap


def spec_files(path: FsPath) -> list[FsPath]:
    if path.is_dir():
        # Hidden folders and files (.github/, .pre-commit-config.yaml) are not spec, and the
        # environment overlays in env/ apply only when asked for.
        return sorted(
            p
            for p in path.rglob("*")
            if p.suffix in SPEC_SUFFIXES
            and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
            and p.relative_to(path).parts[0] != ENV_DIR
        )
    return [path]


def load_spec(path: FsPath) -> LoadedSpec:
    """Load and merge the spec at `path`; raises SpecErrors listing every problem found."""
    if not path.exists():
        message = "no such file or folder"
        if path.suffix not in SPEC_SUFFIXES:  # a folder: `init` makes one
            message += f"; write a first spec with `stackgen init {path}`"
        raise SpecErrors([SpecError(Position(str(path), 1, 1), DOCUMENT, message)])
    files = spec_files(path)
    if not files:
        raise SpecErrors(
            [
                SpecError(
                    Position(str(path), 1, 1),
                    DOCUMENT,
                    "the folder holds no .yml or .yaml spec file; write a first one with "
                    f"`stackgen init {path}`",
                )
            ]
        )
    errors: list[SpecError] = []
    merged: dict[str, Any] = {}
    source = SourceMap()
    first_seen: dict[str, Position] = {}
    for file in files:
        document = _read_document(file, errors)
        if document is None:
            continue
        data, doc_source = document
        for key, value in data.items():
            key_pos = doc_source.keys[(key,)]
            if key in LIST_SECTIONS:
                if not isinstance(value, list):
                    errors.append(
                        SpecError(
                            doc_source.values[(key,)],
                            key,
                            f"`{key}` must be a list (found {_kind(value)}); "
                            f"write `{key}: []` for none",
                        )
                    )
                    continue
                offset = len(merged.setdefault(key, []))
                merged[key].extend(value)
                _copy_positions(doc_source, key, source, offset)
                source.keys.setdefault((key,), key_pos)
                source.values.setdefault((key,), doc_source.values[(key,)])
            elif key in first_seen:
                prev = first_seen[key]
                errors.append(
                    SpecError(
                        key_pos,
                        key,
                        f"`{key}` is already defined at {prev.file}:{prev.line}:{prev.column}; "
                        "define each top-level section in one file only",
                    )
                )
            else:
                merged[key] = value
                first_seen[key] = key_pos
                _copy_positions(doc_source, key, source)
    if errors:
        raise SpecErrors(errors)
    source.values[()] = Position(str(files[0]), 1, 1)
    return LoadedSpec(merged, source)


def load_data(path: FsPath) -> dict[str, Any] | None:
    """The merged spec as `load_spec` makes it, without where each value was written: None
    for anything irregular (a file missing, unreadable, empty or not plain YAML, a section
    twice or not a list), which `load_spec` then reports. Positions serve only to report a
    mistake, and recording them is most of the time of reading a large spec."""
    files = spec_files(path) if path.exists() else []
    merged: dict[str, Any] = {}
    for file in files:
        try:
            data, plain = load_yaml(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
            return None
        if not plain or not isinstance(data, dict):
            return None  # several documents, anchors, keys twice or not strings, ...
        for key, value in data.items():
            if key in LIST_SECTIONS and isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            elif key in LIST_SECTIONS or key in merged:
                return None
            else:
                merged[key] = value
    return merged if files else None


def _copy_positions(
    doc_source: SourceMap, key: str, into: SourceMap, offset: int | None = None
) -> None:
    """Copy the positions under section `key`; list items are renumbered after `offset`."""
    tables = (
        (doc_source.values, into.values),
        (doc_source.keys, into.keys),
        (doc_source.names, into.names),
    )
    for table, target in tables:
        for p, item in table.items():
            if p[:1] != (key,):
                continue
            if offset is not None and len(p) >= 2 and isinstance(p[1], int):
                p = (key, p[1] + offset, *p[2:])
            elif offset is not None:
                continue  # the section's own key and value: set once by the caller
            target[p] = item


def read_overlay(file: FsPath) -> tuple[dict, SourceMap]:
    """One overlay file, read like a spec file; raises SpecErrors."""
    errors: list[SpecError] = []
    document = _read_document(file, errors)
    if document is None:
        raise SpecErrors(errors)
    return document


def _read_document(file: FsPath, errors: list[SpecError]) -> tuple[dict, SourceMap] | None:
    name = str(file)
    try:
        data = file.read_bytes()
    except OSError as exc:
        errors.append(
            SpecError(Position(name, 1, 1), DOCUMENT, f"cannot read the file: {exc.strerror}")
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(
            SpecError(
                byte_position(name, data, exc.start),
                DOCUMENT,
                f"byte 0x{data[exc.start]:02x} is not UTF-8: save the file as UTF-8",
            )
        )
        return None
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            errors.append(
                SpecError(
                    Position(name, 1, 1),
                    DOCUMENT,
                    "the file is empty: a spec file is a mapping of sections such as "
                    "`stack:`, `services:` or `channels:` (run `stackgen init` for an example)",
                )
            )
            return None
        builder = Builder(loader, name, errors)
        data = builder.construct(node, (), frozenset())
        source = builder.source
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(name, mark.line + 1, mark.column + 1) if mark else Position(name, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        started = exc.context_mark if exc.problem and exc.context else None
        if started is not None and started is not mark:
            # Where the construct began, often the line of the actual mistake.
            problem += f" ({exc.context} at line {started.line + 1}, column {started.column + 1})"
        errors.append(
            SpecError(pos, DOCUMENT, f"YAML syntax error: {problem}; fix the YAML at this spot")
        )
        return None
    except yaml.YAMLError as exc:
        errors.append(SpecError(Position(name, 1, 1), DOCUMENT, f"YAML error: {exc}"))
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        errors.append(
            SpecError(
                _mark(name, node),
                DOCUMENT,
                f"the top level is a {_kind(data)}, but a spec file must be a mapping of sections "
                "(`stack:`, `prometheus:`, `services:`, ...)",
            )
        )
        return None
    return data, source


class Builder:
    """Turns one document's YAML nodes into plain data, recording where each value was. A
    plain class, as SourceMap is."""

    __slots__ = ("built", "errors", "file", "loader", "source", "too_deep")

    def __init__(
        self, loader: yaml.SafeLoader | yaml.CSafeLoader, file: str, errors: list[SpecError]
    ) -> None:
        self.loader = loader
        self.file = file
        self.errors = errors
        self.source = SourceMap()
        self.built: dict[int, Any] = {}  # node id -> its data
        self.too_deep = False  # reported once

    def error(self, node: yaml.Node, path: Path, message: str) -> None:
        self.errors.append(SpecError(_mark(self.file, node), format_path(path), message))

    def construct(self, node: yaml.Node, path: Path, enclosing: frozenset[int]) -> Any:
        self.source.values[path] = _mark(self.file, node)
        if len(path) > MAX_NESTING:
            # Deeper than any spec or rule file needs; building it (and validating, and
            # walking it) would only exhaust the stack.
            if not self.too_deep:
                self.error(node, path, f"nested more than {MAX_NESTING} levels deep: flatten it")
            self.too_deep = True
            return None
        if id(node) in enclosing:
            self.error(node, path, "an alias refers to itself")
            return None
        if id(node) in self.built:
            # An alias of a node built before: reuse it (positions inside point at its first
            # use). Building it again would take exponential time on nested aliases.
            return self.built[id(node)]
        enclosing = enclosing | {id(node)}
        if isinstance(node, yaml.MappingNode):
            value: Any = self._mapping(node, path, enclosing)
        elif isinstance(node, yaml.SequenceNode):
            value = self._sequence(node, path, enclosing)
        else:
            value = self.loader.construct_object(node, deep=True)
        self.built[id(node)] = value
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path, enclosing: frozenset[int]) -> dict:
        written = {id(key) for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"}
        self.loader.flatten_mapping(node)  # resolve `<<:` merge keys
        result: dict[str, Any] = {}
        merged: set[str] = set()  # keys a merge brought, which a key written here overrides
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int) or isinstance(key, bool):
                self.error(key_node, path, f"keys must be strings, not {key!r}")
                continue
            key = str(key)
            child = (*path, key)
            if id(key_node) not in written:
                merged.add(key)
            elif key in merged:
                merged.discard(key)
                del result[key]
            if key in result and key in merged:
                del result[key]  # merged mappings listed first win: PyYAML lists them last
            elif key in result:
                first = self.source.keys[child]
                self.error(
                    key_node,
                    child,
                    f"duplicate key `{key}` (first at line {first.line}); "
                    "YAML would silently keep only the last one",
                )
                continue
            self.source.keys[child] = _mark(self.file, key_node)
            result[key] = self.construct(value_node, child, enclosing)
        return result

    def _sequence(self, node: yaml.SequenceNode, path: Path, enclosing: frozenset[int]) -> list:
        items = []
        for index, item_node in enumerate(node.value):
            item = self.construct(item_node, (*path, index), enclosing)
            if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]:
                self.source.names[(*path, index)] = item["name"]
            items.append(item)
        return items


def byte_position(name: str, data: bytes, offset: int) -> Position:
    """The line and column (in characters, from 1) of the byte at `offset`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return Position(name, data.count(b"\n", 0, offset) + 1, column)


def _mark(name: str, node: yaml.Node) -> Position:
    return Position(name, node.start_mark.line + 1, node.start_mark.column + 1)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null value"
    return f"{type(value).__name__} value"


def read_documents(text: str, name: str) -> tuple[list[tuple[Any, SourceMap]], list[SpecError]]:
    """Every YAML document of `text` with where its values were; errors instead of tracebacks.
    (For files other tools wrote, such as rule files: any document shape is returned.)"""
    errors: list[SpecError] = []
    loader = Loader(text)
    documents = []
    try:
        while loader.check_node():
            node = loader.get_node()
            builder = Builder(loader, name, errors)
            documents.append((builder.construct(node, (), frozenset()), builder.source))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(name, mark.line + 1, mark.column + 1) if mark else Position(name, 1, 1)
        errors.append(SpecError(pos, DOCUMENT, f"YAML syntax error: {exc.problem or exc.context}"))
    except yaml.YAMLError as exc:
        errors.append(SpecError(Position(name, 1, 1), DOCUMENT, f"YAML error: {exc}"))
    finally:
        loader.dispose()
    return documents, errors
