"""YAML for files of any size: `Loader`, libyaml's parser when PyYAML has it, with a scalar's
implicit tag looked up once per distinct text (the safe loader has no path resolvers, so the
tag depends on the text alone, and specs and rendered files repeat their labels, durations and
numbers hundreds of thousands of times), with aliases expanded within a budget (`check_aliases`);
`load_yaml`, yaml.load's result built straight from libyaml's nodes; `load` and `load_all`, the
plain safe reading every module uses (through `Loader`: within the budget too)."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVE = yaml.resolver.Resolver.resolve
_RESOLVER = yaml.resolver.Resolver()


@lru_cache(maxsize=1 << 16)
def _scalar_tag(value: str, implicit: tuple[bool, bool]) -> str:
    return _RESOLVE(_RESOLVER, yaml.ScalarNode, value, implicit)


# Aliases may add at most this many nodes to a document, plus ALIAS_RATIO per node written:
# a spec that shares a block between a thousand services stays far below it, and a "billion
# laughs" file (each level ten aliases of the one before) stops within a few levels.
ALIAS_BUDGET = 100_000
ALIAS_RATIO = 10


class AliasBudgetError(yaml.MarkedYAMLError):
    """A document whose aliases expand into more nodes than the budget allows."""


def check_aliases(text: str) -> None:
    """AliasBudgetError at the alias where the document's expansion passes the budget, or
    at an alias inside the node it refers to.
    Each anchor's expanded size is counted from the parse events, so the check takes time in
    proportion to the text, not to its expansion."""
    if "*" not in text or "&" not in text:
        return  # no alias without an anchor: nothing to expand
    sizes: dict[str, int] = {}
    open_: list[list] = []  # [anchor, size] of each collection not yet closed
    opened: Counter[str | None] = Counter()  # their anchors
    written = expanded = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(event, yaml.DocumentStartEvent):
            written = expanded = 0
            continue
        if isinstance(event, yaml.CollectionStartEvent):
            written += 1
            open_.append([event.anchor, 1])
            opened[event.anchor] += 1
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_.pop()
            opened[anchor] -= 1
        elif isinstance(event, yaml.ScalarEvent):
            written += 1
            anchor, size = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            if opened[event.anchor]:
                # A node holding itself: any walk over the data would never end.
                raise AliasBudgetError(
                    problem=f"the alias *{event.anchor} is inside the node it refers to",
                    problem_mark=_mark(event),
                )
            anchor, size = None, sizes.get(str(event.anchor), 1)
            expanded += size
            limit = ALIAS_BUDGET + ALIAS_RATIO * written
            if expanded > limit:
                raise AliasBudgetError(
                    problem=f"aliases expand to {expanded:,} nodes by here, past the budget of "
                    f"{limit:,} ({ALIAS_BUDGET:,} plus {ALIAS_RATIO} per node written): write "
                    "the values out, or nest fewer aliases",
                    problem_mark=_mark(event),
                )
        else:
            continue
        if anchor is not None:
            sizes[anchor] = size
        if open_:
            open_[-1][1] += size


def _mark(event: yaml.Event) -> Any:
    """An event's position: libyaml's mark, which MarkedYAMLError reads as PyYAML's own."""
    return event.start_mark


class Loader(SAFE_LOADER):  # type: ignore[misc, valid-type]
    """SAFE_LOADER, resolving scalars' tags through the cache, refusing a document whose
    aliases expand past the budget (check_aliases) before building anything."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self._unchecked: str | bytes | None = stream

    def _check(self) -> None:
        stream, self._unchecked = self._unchecked, None
        if isinstance(stream, bytes) and b"&" in stream:  # else no anchor: nothing to expand
            stream = stream.decode("utf-8", "replace")
        if isinstance(stream, str):
            check_aliases(stream)

    def check_node(self) -> bool:
        self._check()
        return bool(super().check_node())

    def get_node(self) -> Any:
        self._check()
        return super().get_node()

    def get_single_node(self) -> Any:
        self._check()
        return super().get_single_node()

    def get_single_data(self) -> Any:
        self._check()
        return super().get_single_data()

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _scalar_tag(value, implicit)
        return _RESOLVE(self, kind, value, implicit)


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
# SafeConstructor's scalar constructors that return their value (the others are generators).
_SCALAR_TAGS = ("null", "bool", "int", "float", "binary", "timestamp")
_CONSTRUCTOR = SafeConstructor()
_SCALARS = {
    tag: SafeConstructor.yaml_constructors[tag]
    for tag in (f"tag:yaml.org,2002:{name}" for name in _SCALAR_TAGS)
}


def load(text: str | bytes) -> Any:
    """The one YAML document in `text`, read safely (libyaml's parser when PyYAML has it),
    aliases within the budget (AliasBudgetError otherwise)."""
    return yaml.load(text, Loader=Loader)


def load_all(text: str | bytes) -> list[Any]:
    """Every YAML document in `text`, read safely, aliases within the budget."""
    return list(yaml.load_all(text, Loader=Loader))


class _Irregular(Exception):
    """A node the fast builder leaves to PyYAML's own constructor."""


def load_yaml(text: str) -> tuple[Any, bool]:
    """What `yaml.load(text, Loader=CSafeLoader)` returns (or raises), and whether the text is
    one plain document: one document, no anchors, only string keys, none twice, no merge keys
    (what the linter's `load_plain` accepts; it reads any other document itself).

    PyYAML's constructor is generic Python (generators, a cache of every node); rendered files
    hold only strings, numbers, booleans, lists and mappings, so those are built directly from
    libyaml's nodes, and any other document falls back to `yaml.load` for the same result."""
    if "&" not in text:  # anchors and aliases: PyYAML's constructor shares the objects
        loader = Loader(text)
        try:
            node = loader.get_single_node()  # parse errors: as yaml.load raises them
        finally:
            loader.dispose()
        if node is None:  # no document: yaml.load's None, and no document to hand on
            return None, False
        try:
            return _built(node)
        except (_Irregular, RecursionError, TypeError, ValueError):
            pass  # yaml.load raises the same error, or builds what the fast path does not
    return yaml.load(text, Loader=Loader), False


def plain_documents(text: str) -> list[tuple[Any, yaml.Node]] | None:
    """Every document of `text` with its root node, built as load_yaml builds them, when the
    text has no anchors and every document is plain (load_yaml's flag); None for any other
    text, a YAML error included (the caller reads it the slow way, and reports it)."""
    if "&" in text:
        return None
    loader = Loader(text)
    documents = []
    try:
        while loader.check_node():
            node = loader.get_node()
            data, plain = _built(node)
            if not plain:
                return None
            documents.append((data, node))
    except (_Irregular, RecursionError, TypeError, ValueError, yaml.YAMLError):
        return None
    finally:
        loader.dispose()
    return documents


def _built(root: yaml.Node) -> tuple[Any, bool]:
    plain = True

    def build(node: yaml.Node) -> Any:
        nonlocal plain
        tag = node.tag
        if tag == _STR and type(node) is yaml.ScalarNode:
            return node.value
        if type(node) is yaml.ScalarNode:
            make = _SCALARS.get(tag)
            if make is None:
                raise _Irregular(tag)
            return make(_CONSTRUCTOR, node)
        if tag == _SEQ and type(node) is yaml.SequenceNode:
            return [build(item) for item in node.value]
        if tag != _MAP or type(node) is not yaml.MappingNode:
            raise _Irregular(tag)
        mapping = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise _Irregular(key_node.tag)
            key = build(key_node)
            if type(key) is not str:
                plain = False
            mapping[key] = build(value_node)  # an unhashable key: TypeError, yaml.load reports it
        if len(mapping) != len(node.value):  # a key twice: the last value wins, as in PyYAML
            plain = False
        return mapping

    return build(root), plain
