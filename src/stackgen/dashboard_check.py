"""Checks every dashboard stackgen writes: Grafana's own JSON Schemas (the dashboard, and per
panel its options, custom field config and Prometheus queries), and the metrics its queries read:
each a recording rule of this render or a metric of a declared service kind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema.exceptions import ValidationError

from stackgen.grafana_query import dashboard_queries, fixed_ranges, parse_dashboard_query
from stackgen.query import metric_name, selectors

# Series Prometheus itself writes, which any dashboard may read.
BUILTIN_SERIES = frozenset({"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds",
                            "scrape_samples_scraped", "scrape_series_added"})  # fmt: skip


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


# Memos by id: schemas live as long as their cached validators, and each entry keeps its
# schema (and so its id) alive.
_LEAVES: dict[int, tuple[Any, tuple[dict, ...]]] = {}


def _leaves(schema: Any, root: dict[str, Any]) -> tuple[dict, ...]:
    """The schemas without $ref and combinators whose verdicts on a value decide `schema`'s
    (true and false schemas decide without looking)."""
    if not isinstance(schema, dict):
        return ()
    entry = _LEAVES.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _LEAVES[id(schema)] = (schema, tuple(_expand(schema, root, frozenset())))
    return entry[1]


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


def _shape(value: Any, leaves: tuple[dict, ...], root: dict[str, Any]) -> Any:
    """`value` with each string that the schemas check by its type alone blanked: valid
    exactly when `value` is, and the same for every service's copy of a dashboard."""
    ignored, blanks, keeps_object, keeps_array = _looks(leaves)
    if ignored:
        return None  # no keyword looks at it
    if isinstance(value, str):
        return "" if blanks else value
    if isinstance(value, dict) and keeps_object:
        return {k: _shape(v, _member_leaves(leaves, k, root), root) for k, v in value.items()}
    if isinstance(value, list) and keeps_array:
        items = _member_leaves(leaves, None, root)
        return [_shape(v, items, root) for v in value]
    return value


# Memos by the id of a tuple of leaves: each is kept alive by _LEAVES or _MEMBER_LEAVES.
_LOOKS: dict[int, tuple[bool, bool, bool, bool]] = {}
_MEMBER_LEAVES: dict[tuple[int, str | None], tuple[dict, ...]] = {}


def _looks(leaves: tuple[dict, ...]) -> tuple[bool, bool, bool, bool]:
    """Whether the leaves check nothing at all, a string by its type alone, and an object's
    (an array's) members by their own shapes."""
    if id(leaves) not in _LOOKS:
        checks = [leaf.keys() & _CHECKING for leaf in leaves]
        _LOOKS[id(leaves)] = (
            not any(checks),
            all(c <= _BLANKS_STRING for c in checks),
            all(c <= _KEEPS_OBJECT for c in checks),
            all(c <= _KEEPS_ARRAY for c in checks)
            and not any(isinstance(leaf.get("items"), list) for leaf in leaves),
        )
    return _LOOKS[id(leaves)]


def _member_leaves(leaves: tuple[dict, ...], key: str | None, root: dict[str, Any]) -> tuple:
    """The leaves that check member `key` of an object (None: each item of an array)."""
    memo = (id(leaves), key)
    if memo not in _MEMBER_LEAVES:
        found: list[dict] = []
        for leaf in leaves:
            properties = leaf.get("properties")
            if key is None:
                found += _leaves(leaf.get("items"), root)
            elif isinstance(properties, dict) and key in properties:
                found += _leaves(properties[key], root)
            else:
                found += _leaves(leaf.get("additionalProperties"), root)
        _MEMBER_LEAVES[memo] = tuple(found)
    return _MEMBER_LEAVES[memo]


_VALID: dict[tuple[str, str | None, str], bool] = {}


def _errors(name: str, definition: str | None, instance: Any) -> list[ValidationError]:
    """The schema's errors for `instance`. Validity is decided once per distinct shape (a fleet
    of services has a handful); the errors themselves are computed only for an invalid one."""
    validator = _validator(name, definition)
    root = validator.schema
    shape = _shape(instance, _leaves(root, root), root)
    key = (name, definition, json.dumps(shape, sort_keys=True))
    if key not in _VALID:
        _VALID[key] = validator.is_valid(shape)
    return [] if _VALID[key] else list(validator.iter_errors(instance))


def _panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", []) if panel.get("type") == "row" else ()


def schema_errors(dashboard: dict[str, Any]) -> list[str]:
    """Every way the dashboard breaks Grafana's schemas."""
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in _errors("dashboard", None, dashboard)
    ]
    for panel in _panels(dashboard):
        kind = panel["type"]
        if kind == "row":
            continue
        where = f"panel `{panel.get('title')}` ({kind})"
        errors += [
            f"{where} options: {e.message}"
            for e in _errors(kind, "Options", panel.get("options", {}))
        ]
        custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
        if custom is not None:
            errors += [f"{where} custom: {e.message}" for e in _errors(kind, "FieldConfig", custom)]
        for target in panel.get("targets", []):
            errors += [f"{where} query: {e.message}" for e in _errors("prometheus", None, target)]
    return errors


@cache
def grafana_units() -> frozenset[str]:
    """Every unit id Grafana knows, from its units schema."""
    text = files("stackgen").joinpath("schemas", "grafana", "units.jsonschema.json").read_text()
    definitions = json.loads(text)["definitions"].values()
    return frozenset(d["const"] for d in definitions if isinstance(d.get("const"), str))


DATASOURCE = "${datasource}"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where PyYAML has it


def _fixed_ranges(expr: str) -> list[str]:
    try:
        return [function for function, _ in fixed_ranges(parse_dashboard_query(expr))]
    except ValueError:
        return []  # metric_errors reports it


def convention_errors(dashboard: dict[str, Any]) -> list[str]:
    """The dashboard-linter conventions: a `datasource` variable every panel and query uses,
    units Grafana knows, and rate()/increase() over $__rate_interval (or $__range)."""
    variables = dashboard.get("templating", {}).get("list", [])
    errors = []
    if not any(v.get("type") == "datasource" and v.get("name") == "datasource" for v in variables):
        errors.append("no `datasource` variable: panels cannot follow a datasource choice")
    for panel in _panels(dashboard):
        if panel.get("type") == "row":
            continue
        where = f"panel `{panel.get('title')}`"
        sources = [
            panel.get("datasource"),
            *(t.get("datasource") for t in panel.get("targets", [])),
        ]
        if any((s or {}).get("uid") != DATASOURCE for s in sources):
            errors.append(f"{where} does not use the `datasource` variable")
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        if unit is not None and unit not in grafana_units():
            errors.append(f"{where} has unit `{unit}`, which Grafana does not know")
        for _, expr in dashboard_queries(panel):
            errors += [
                f"{where}: `{f}` over a fixed range, not $__rate_interval"
                for f in _fixed_ranges(expr)
            ]
    return errors


def metric_errors(dashboard: dict[str, Any], known: set[str]) -> list[str]:
    """Queries reading a metric that is neither `known` nor one Prometheus writes itself."""
    errors = []
    for panel in _panels(dashboard):
        for _, expr in dashboard_queries(panel):
            try:
                tree = parse_dashboard_query(expr)
            except ValueError as exc:
                errors.append(f"panel `{panel.get('title')}`: {exc}")
                continue
            for selector, _ in selectors(tree):
                name = metric_name(selector)
                if name and name not in known and name not in BUILTIN_SERIES:
                    errors.append(
                        f"panel `{panel.get('title')}` reads `{name}`, which is neither a "
                        "recording rule of this render nor a metric of a service's kind"
                    )
    return errors


def rendered_record_names(root: Path) -> set[str]:
    """The recording rules the rendered tree at `root` writes."""
    names = set()
    for path in sorted((root / "prometheus" / "rules").glob("*.yml")):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for group in document.get("groups", []):
            names |= {str(rule["record"]) for rule in group.get("rules", []) if "record" in rule}
    return names


def check_dashboards(root: Path, kind_metrics: set[str]) -> list[str]:
    """Every problem of every dashboard under `root`, each prefixed with its file."""
    known = rendered_record_names(root) | kind_metrics
    problems = []
    for path in sorted((root / "grafana" / "dashboards").rglob("*.json")):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        where = path.relative_to(root).as_posix()
        found = schema_errors(dashboard) + convention_errors(dashboard)
        problems += [f"{where}: {e}" for e in found + metric_errors(dashboard, known)]
    return problems
