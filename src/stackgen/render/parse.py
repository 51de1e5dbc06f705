"""Parsing rendered YAML back: the check that an output is valid, and its documents, kept so
that the checks after the render (lint, the dashboards check) need not parse it again."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from stackgen.collector import collector_paused
from stackgen.yaml_loader import SAFE_LOADER as _LOADER
from stackgen.yaml_loader import Loader as _Loader

try:
    from yaml._yaml import CParser as _RAW_PARSER
except ImportError:  # PyYAML without libyaml
    _RAW_PARSER = None

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


class _Irregular(Exception):
    """A node the fast builder leaves to PyYAML's own constructor."""


def load_yaml(text: str) -> tuple[Any, bool]:
    """What `yaml.load(text, Loader=CSafeLoader)` returns (or raises), and whether the text is
    one plain document: one document, no anchors, only string keys, none twice, no merge keys
    (what the linter's `load_plain` accepts; it reads any other document itself).

    PyYAML's constructor is generic Python (generators, a cache of every node); rendered files
    hold only strings, numbers, booleans, lists and mappings, so those are built directly from
    libyaml's nodes, and any other document falls back to `yaml.load` for the same result."""
    with collector_paused():
        if "&" not in text:  # anchors and aliases: PyYAML's constructor shares the objects
            loader = _Loader(text)
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
        return yaml.load(text, Loader=_LOADER), False


# Text with more than the parse to check: anchors, aliases, tags, document markers (a second
# document would make yaml.load fail).
_MORE_THAN_PARSED = ("&", "*", "!", "\n---", "\n...")


def check_yaml(text: str) -> None:
    """YAMLError if `text` is not one well-formed YAML document, without making the document:
    libyaml parses it without a Python object per node or event (a tenth of the time); text
    with anchors, aliases, tags or document markers is loaded. Unlike `load_yaml`, a plain
    scalar that resolves to a number or date is not converted (a template writes every value
    through a filter that quotes text which would not read back as written)."""
    if (
        _RAW_PARSER is None
        or text.startswith(("---", "..."))
        or any(mark in text for mark in _MORE_THAN_PARSED)
    ):
        load_yaml(text)
        return
    _RAW_PARSER(text).raw_parse()


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
