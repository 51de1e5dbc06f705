"""YAML for files of any size: `Loader`, libyaml's parser when PyYAML has it, with a scalar's
implicit tag looked up once per distinct text (the safe loader has no path resolvers, so the
tag depends on the text alone, and specs and rendered files repeat their labels, durations and
numbers hundreds of thousands of times); and `load_yaml`, yaml.load's result built straight
from libyaml's nodes; `load` and `load_all`, the plain safe reading every module uses."""

from __future__ import annotations

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


class Loader(SAFE_LOADER):  # type: ignore[misc, valid-type]
    """SAFE_LOADER, resolving scalars' tags through the cache."""

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
    """The one YAML document in `text`, read safely (libyaml's parser when PyYAML has it)."""
    return yaml.load(text, Loader=SAFE_LOADER)


def load_all(text: str | bytes) -> list[Any]:
    """Every YAML document in `text`, read safely."""
    return list(yaml.load_all(text, Loader=SAFE_LOADER))


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
    return yaml.load(text, Loader=SAFE_LOADER), False


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
