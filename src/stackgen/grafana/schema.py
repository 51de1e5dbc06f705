"""Grafana's own JSON Schemas for the dashboards stackgen writes: the dashboard, and per panel
its options, custom field config and Prometheus queries; and the unit ids Grafana knows. One
validator per schema, and validity decided once per shape of a value (a fleet's dashboards
differ mostly in strings the schemas check by their type alone)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, cast

import jsonschema
from jsonschema.exceptions import ValidationError

from stackgen.common.memo import BoundedMemo
from stackgen.grafana.panels import panels


@cache
def _validator(name: str, definition: str | None = None) -> jsonschema.Draft7Validator:
    text = files("stackgen").joinpath("schemas", "grafana", f"{name}.jsonschema.json").read_text()
    document = json.loads(text)
    if definition is not None:
        document = {**document, "$ref": f"#/definitions/{definition}"}
    return jsonschema.Draft7Validator(document)


# The keywords that check a value (any other keyword is an annotation); of them, those that
# look only at values of other types.
_CHECKING = frozenset(jsonschema.Draft7Validator.VALIDATORS)
_NUMBER = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
_STRING = frozenset({"minLength", "maxLength", "pattern", "format"})
_OBJECT = frozenset(
    {
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
        "maxProperties",
        "patternProperties",
        "dependencies",
        "propertyNames",
    }
)
_ARRAY = frozenset({"items", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains"})
_BASE = frozenset({"type"}) | _NUMBER
# What a schema may say of a value for that value's shape (below) to decide its validity: of a
# string, its type alone; of an object or array, its type, size and which members it has.
_BLANKS_STRING = _BASE | _OBJECT | _ARRAY
_KEEPS_OBJECT = _BASE | _STRING | _ARRAY | _OBJECT - {"patternProperties", "dependencies",
                                                       "propertyNames"}  # fmt: skip
_KEEPS_ARRAY = _BASE | _STRING | _OBJECT | {"items", "minItems", "maxItems"}
_COMBINING = ("allOf", "anyOf", "oneOf")
_UNKNOWN = {"const": None}  # stands for a $ref outside the document: it looks at everything


# How many verdicts on values a schema keeps: a fleet has a handful of shapes, a long-lived
# process may see any number.
_VERDICTS_KEPT = 4096


class _Schema:
    """One of Grafana's schemas: its validator, the shape walk's memos over its own parts (as
    many as the schema has: each entry keeps its part, and so the id it is found by, alive),
    and its verdicts on the shapes and values it has judged (bounded)."""

    def __init__(self, name: str, definition: str | None) -> None:
        self.validator = _validator(name, definition)
        self.root = cast("dict[str, Any]", self.validator.schema)  # Grafana's are objects
        self.definition = definition
        self._leaves: dict[int, tuple[Any, tuple[dict, ...]]] = {}
        self._nodes: dict[int, tuple[tuple[dict, ...], _Node]] = {}
        self._member_leaves: dict[tuple[int, str | None], tuple[tuple, tuple[dict, ...]]] = {}
        self._valid_shapes: BoundedMemo[str, bool] = BoundedMemo(_VERDICTS_KEPT)
        self._valid_as_written: BoundedMemo[str, bool] = BoundedMemo(_VERDICTS_KEPT)

    def leaves(self, schema: Any) -> tuple[dict, ...]:
        """The schemas without $ref and combinators whose verdicts on a value decide `schema`'s
        (true and false schemas decide without looking)."""
        if not isinstance(schema, dict):
            return ()
        entry = self._leaves.get(id(schema))
        if entry is None or entry[0] is not schema:
            found = tuple(_expand(schema, self.root, frozenset()))
            entry = self._leaves[id(schema)] = (schema, found)
        return entry[1]

    def node(self, leaves: tuple[dict, ...]) -> _Node:
        entry = self._nodes.get(id(leaves))
        if entry is None or entry[0] is not leaves:
            entry = self._nodes[id(leaves)] = (leaves, _Node(leaves, self))
        return entry[1]

    def member_leaves(self, leaves: tuple[dict, ...], key: str | None) -> tuple[dict, ...]:
        """The leaves that check member `key` of an object (None: each item of an array)."""
        entry = self._member_leaves.get((id(leaves), key))
        if entry is None or entry[0] is not leaves:
            found: list[dict] = []
            for leaf in leaves:
                properties = leaf.get("properties")
                if key is None:
                    found += self.leaves(leaf.get("items"))
                elif isinstance(properties, dict) and key in properties:
                    found += self.leaves(properties[key])
                else:
                    found += self.leaves(leaf.get("additionalProperties"))
            entry = self._member_leaves[(id(leaves), key)] = (leaves, tuple(found))
        return entry[1]

    def shape(self, value: Any) -> Any:
        """`value` with each string that the schema checks by its type alone blanked: valid
        exactly when `value` is, and the same for every service's copy of a dashboard."""
        return _shape_at(value, self.node(self.leaves(self.root)))

    def errors(self, instance: Any) -> list[ValidationError]:
        """The schema's errors for `instance`. Validity is decided once per distinct shape (a
        fleet of services has a handful); the errors themselves only for an invalid one."""
        if self.definition is not None:  # a panel's options or field config: alike everywhere
            as_written = repr(instance)
            if self._valid_as_written.get(as_written, lambda: not self._shaped_errors(instance)):
                return []
            return list(self.validator.iter_errors(instance))
        return self._shaped_errors(instance)

    def _shaped_errors(self, instance: Any) -> list[ValidationError]:
        # repr: the same text for every copy of a shape (a shape written in another key order
        # only costs one more validation)
        shape = self.shape(instance)
        if self._valid_shapes.get(repr(shape), lambda: self.validator.is_valid(shape)):
            return []
        return list(self.validator.iter_errors(instance))


@cache
def _schema(name: str, definition: str | None = None) -> _Schema:
    return _Schema(name, definition)


def _expand(schema: Any, root: dict[str, Any], seen: frozenset[int]) -> list[dict]:
    if not isinstance(schema, dict) or id(schema) in seen:
        return []
    seen = seen | {id(schema)}
    found, plain = [], {}
    for key, value in schema.items():
        if key == "$ref":
            target = _resolve(root, value)
            found += [_UNKNOWN] if target is None else _expand(target, root, seen)
        elif key in _COMBINING and isinstance(value, list):
            found += [leaf for part in value for leaf in _expand(part, root, seen)]
        elif key in ("not", "if", "then", "else"):
            found += _expand(value, root, seen)
        else:
            plain[key] = value
    return [*found, plain]


def _resolve(root: dict[str, Any], ref: Any) -> Any:
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return None
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _shape_at(value: Any, node: _Node) -> Any:
    # Exact types: the values are json.loads's (a subclass takes the last branch, unchanged).
    if node.ignored:
        return None  # no keyword looks at it
    kind = type(value)
    if kind is str:
        return "" if node.blanks else value
    if kind is dict and node.keeps_object:
        members, shaped = node.members, {}
        for key, member in value.items():
            child = members.get(key) or node.member(key)
            # Scalars inline: most values are, and a call each is most of the walk's time.
            if child.ignored:
                shaped[key] = None
            elif type(member) is str:
                shaped[key] = "" if child.blanks else member
            elif type(member) is dict or type(member) is list:
                shaped[key] = _shape_at(member, child)
            else:
                shaped[key] = member
        return shaped
    if kind is list and node.keeps_array:
        items = node.member(None)
        return [_shape_at(item, items) for item in value]
    return value


class _Node:
    """The verdicts of `_looks` on one tuple of leaves, and the nodes of its members, each
    worked out once: `_shape` visits every value of every dashboard."""

    __slots__ = ("blanks", "ignored", "keeps_array", "keeps_object", "leaves", "members", "schema")

    def __init__(self, leaves: tuple[dict, ...], schema: _Schema) -> None:
        self.leaves, self.schema = leaves, schema
        self.ignored, self.blanks, self.keeps_object, self.keeps_array = _looks(leaves)
        self.members: dict[str | None, _Node] = {}

    def member(self, key: str | None) -> _Node:
        """The node of member `key` of an object (None: of each item of an array)."""
        found = self.members.get(key)
        if found is None:
            leaves = self.schema.member_leaves(self.leaves, key)
            found = self.members[key] = self.schema.node(leaves)
        return found


def _looks(leaves: tuple[dict, ...]) -> tuple[bool, bool, bool, bool]:
    """Whether the leaves check nothing at all, a string by its type alone, and an object's
    (an array's) members by their own shapes."""
    checks = [leaf.keys() & _CHECKING for leaf in leaves]
    return (
        not any(checks),
        all(c <= _BLANKS_STRING for c in checks),
        all(c <= _KEEPS_OBJECT for c in checks),
        all(c <= _KEEPS_ARRAY for c in checks)
        and not any(isinstance(leaf.get("items"), list) for leaf in leaves),
    )


def schema_errors(dashboard: dict[str, Any]) -> list[str]:
    """Every way the dashboard breaks Grafana's schemas."""
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in _schema("dashboard").errors(dashboard)
    ]
    for panel in panels(dashboard):
        kind = panel["type"]
        if kind == "row":
            continue
        where = f"panel `{panel.get('title')}` ({kind})"
        errors += [
            f"{where} options: {e.message}"
            for e in _schema(kind, "Options").errors(panel.get("options", {}))
        ]
        custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
        if custom is not None:
            errors += [
                f"{where} custom: {e.message}" for e in _schema(kind, "FieldConfig").errors(custom)
            ]
        for target in panel.get("targets", []):
            errors += [f"{where} query: {e.message}" for e in _schema("prometheus").errors(target)]
    return errors


@cache
def grafana_units() -> frozenset[str]:
    """Every unit id Grafana knows, from its units schema."""
    text = files("stackgen").joinpath("schemas", "grafana", "units.jsonschema.json").read_text()
    definitions = json.loads(text)["definitions"].values()
    return frozenset(d["const"] for d in definitions if isinstance(d.get("const"), str))
