"""Checks every dashboard stackgen writes: Grafana's own JSON Schemas (the dashboard, and per
panel its options, custom field config and Prometheus queries), and the metrics its queries read:
each a recording rule of this render or a metric of a declared service kind."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import promql_parser as ast
from jsonschema.exceptions import ValidationError

from stackgen.common.yaml_io import load_yaml
from stackgen.grafana.queries import dashboard_queries, fixed_ranges, nodes, parse_dashboard_query
from stackgen.prometheus.promql import STRING_LITERAL
from stackgen.prometheus.query import metric_name

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
    return _shape_at(value, _node(leaves, root))


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

    __slots__ = ("blanks", "ignored", "keeps_array", "keeps_object", "leaves", "members", "root")

    def __init__(self, leaves: tuple[dict, ...], root: dict[str, Any]) -> None:
        self.leaves, self.root = leaves, root
        self.ignored, self.blanks, self.keeps_object, self.keeps_array = _looks(leaves)
        self.members: dict[str | None, _Node] = {}

    def member(self, key: str | None) -> _Node:
        """The node of member `key` of an object (None: of each item of an array)."""
        found = self.members.get(key)
        if found is None:
            leaves = _member_leaves(self.leaves, key, self.root)
            found = self.members[key] = _node(leaves, self.root)
        return found


# By the id of a tuple of leaves, kept alive by its entry.
_NODES: dict[int, tuple[tuple[dict, ...], _Node]] = {}


def _node(leaves: tuple[dict, ...], root: dict[str, Any]) -> _Node:
    entry = _NODES.get(id(leaves))
    if entry is None or entry[0] is not leaves:
        entry = _NODES[id(leaves)] = (leaves, _Node(leaves, root))
    return entry[1]


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
    if definition is not None:  # a panel's options or field config: alike in every service's
        seen = (name, definition, repr(instance))
        if seen not in _VALID_AS_WRITTEN:
            if len(_VALID_AS_WRITTEN) >= _MOST_REMEMBERED:
                _VALID_AS_WRITTEN.clear()
            _VALID_AS_WRITTEN[seen] = not _shaped_errors(validator, name, definition, instance)
        return [] if _VALID_AS_WRITTEN[seen] else list(validator.iter_errors(instance))
    return _shaped_errors(validator, name, definition, instance)


# Verdicts on values as written, where the same ones recur (bounded: a long-lived process).
_VALID_AS_WRITTEN: dict[tuple[str, str, str], bool] = {}
_MOST_REMEMBERED = 4096


def _shaped_errors(
    validator: jsonschema.Draft7Validator, name: str, definition: str | None, instance: Any
) -> list[ValidationError]:
    root = validator.schema
    shape = _shape_at(instance, _node(_leaves(root, root), root))
    # repr: C speed, and the same text for every copy of a shape (a shape written in another
    # key order only costs one more validation)
    key = (name, definition, repr(shape))
    if key not in _VALID:
        _VALID[key] = validator.is_valid(shape)
    return [] if _VALID[key] else list(validator.iter_errors(instance))


def _panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    return (panel for _, panel in _placed_panels(dashboard))


def _placed_panels(dashboard: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every panel with its path in the dashboard."""
    for index, panel in enumerate(dashboard.get("panels", [])):
        yield ("panels", index), panel
        inner = panel.get("panels", []) if panel.get("type") == "row" else ()
        yield from ((("panels", index, "panels", k), p) for k, p in enumerate(inner))


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


class _Query(NamedTuple):
    """What the checks read of one dashboard query."""

    error: str | None  # why it does not parse
    fixed_ranges: tuple[str, ...]  # rate()-like functions over a fixed range
    metrics: tuple[str | None, ...]  # the metric name of each selector


# A label matcher (not of __name__, which names the metric) whose value is plain characters:
# any such value parses, as a string and as a regex matching no empty string, just as `x` does,
# and the query then reads the same metrics over the same ranges.
_PLAIN_MATCHER = re.compile(
    r'(?<![\w$])(?!__name__\b)([A-Za-z_]\w*\s*(?:!=|=~|!~|=)\s*)"[A-Za-z0-9_.\-]+"'
)


# Where a term of an `or` chain may begin and end: outside string literals and comments.
_OR = " or "
_QUOTES_OR_COMMENT = re.compile(r"[\"'`#]")


def _collapsed(expr: str) -> str:
    """`expr` with each run of identical `or` terms written once: `a or t or t or t` is valid
    exactly when `a or t` is (an `or` checks its own two sides only), and reads the same
    metrics. The overview's query `or`s every service's series, and the parser takes time
    in the square of a chain's length."""
    if expr.count(_OR) < 2:
        return expr
    masked = STRING_LITERAL.sub(lambda m: "_" * len(m.group(0)), expr)
    if _QUOTES_OR_COMMENT.search(masked):
        return expr  # an unterminated string, or a comment: read as written
    starts = [0, *(i + len(_OR) for i in _offsets(masked, _OR))]
    ends = [*(i - len(_OR) for i in starts[1:]), len(expr)]
    kept: list[str] = []
    for start, end in zip(starts, ends, strict=True):
        term = expr[start:end]
        if not (kept and kept[-1] == term and _self_contained(masked[start:end])):
            kept.append(term)
    return _OR.join(kept)


def _offsets(text: str, part: str) -> list[int]:
    found, at = [], text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + len(part))
    return found


def _self_contained(term: str) -> bool:
    """Every bracket the term opens it closes, and it closes none it did not open."""
    depth = 0
    for char in term:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _query(expr: str) -> _Query:
    """The facts of a query, shared by the queries that differ in plain matcher values only
    (every service's copy of a panel: `job="svc-1"`), and read from `_collapsed` text. One
    with an error or a fixed range is read as written, so each finding is reported as often,
    and quoting, as it is written; so are its metrics when one is unknown (`_metric_errors`)."""
    found = _query_as_written(_collapsed(_PLAIN_MATCHER.sub(r'\1"x"', expr)))
    return found if found.error is None and not found.fixed_ranges else _query_as_written(expr)


@lru_cache(maxsize=16384)
def _query_as_written(expr: str) -> _Query:
    try:
        tree = parse_dashboard_query(expr)
    except ValueError as exc:
        return _Query(str(exc), (), ())
    fixed = tuple(function for function, _ in fixed_ranges(tree))
    found = [metric_name(n) for n in nodes(tree) if isinstance(n, ast.VectorSelector)]
    return _Query(None, fixed, tuple(found))


_PanelQueries = list[tuple[dict[str, Any], list[tuple[str, _Query]]]]


def _panel_queries(
    dashboard: dict[str, Any], found: Sequence[tuple[tuple[Any, ...], str]] | None = None
) -> _PanelQueries:
    """Every panel with its queries, found once for both the convention and the metric checks.
    `found`: the dashboard's queries with their paths (`dashboard_queries`), when the caller
    has them: each panel's are those under its path, as a walk of the panel alone finds them."""
    if found is None:
        return [
            (panel, [(expr, _query(expr)) for _, expr in dashboard_queries(panel)])
            for panel in _panels(dashboard)
        ]
    below: dict[tuple[Any, ...], list[str]] = {}
    for path, expr in found:
        for depth in (2, 4):  # a panel's path: ("panels", i), in a row ("panels", i, "panels", k)
            below.setdefault(path[:depth], []).append(expr)
    return [
        (panel, [(expr, _query(expr)) for expr in below.get(at, ())])
        for at, panel in _placed_panels(dashboard)
    ]


def convention_errors(dashboard: dict[str, Any]) -> list[str]:
    """The dashboard-linter conventions: a `datasource` variable every panel and query uses,
    units Grafana knows, and rate()/increase() over $__rate_interval (or $__range)."""
    return _convention_errors(dashboard, _panel_queries(dashboard))


def _convention_errors(dashboard: dict[str, Any], panels: _PanelQueries) -> list[str]:
    variables = dashboard.get("templating", {}).get("list", [])
    errors = []
    if not any(v.get("type") == "datasource" and v.get("name") == "datasource" for v in variables):
        errors.append("no `datasource` variable: panels cannot follow a datasource choice")
    for panel, queries in panels:
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
        for _, query in queries:  # one that does not parse: metric_errors reports it
            errors += [
                f"{where}: `{f}` over a fixed range, not $__rate_interval"
                for f in query.fixed_ranges
            ]
    return errors


def metric_errors(dashboard: dict[str, Any], known: set[str]) -> list[str]:
    """Queries reading a metric that is neither `known` nor one Prometheus writes itself."""
    return _finished(_metric_doubts(_panel_queries(dashboard), known), set())


class _Doubt(NamedTuple):
    """A query that does not parse (`metrics` empty), or one reading metrics not known yet."""

    title: Any
    expr: str
    error: str | None
    metrics: tuple[str, ...]


def _unknown(known: set[str]) -> Callable[[str | None], bool]:
    return lambda name: bool(name) and name not in known and name not in BUILTIN_SERIES


def _metric_doubts(panels: _PanelQueries, known: set[str]) -> list[_Doubt]:
    doubts = []
    for panel, queries in panels:
        for expr, query in queries:
            unknown = tuple(filter(_unknown(known), query.metrics))
            if query.error is not None or unknown:
                doubts.append(_Doubt(panel.get("title"), expr, query.error, unknown))
    return doubts


def _finished(doubts: list[_Doubt], known: set[str]) -> list[str]:
    """The errors of the doubts that `known` (more names) does not lift."""
    errors = []
    unknown = _unknown(known)
    for doubt in doubts:
        if doubt.error is not None:
            errors.append(f"panel `{doubt.title}`: {doubt.error}")
        elif any(map(unknown, doubt.metrics)):
            # each place it is read, in order (those known at first stay known)
            read = _query_as_written(doubt.expr).metrics
            for name in (n for n in read if n in doubt.metrics and unknown(n)):
                errors.append(
                    f"panel `{doubt.title}` reads `{name}`, which is neither a "
                    "recording rule of this render nor a metric of a service's kind"
                )
    return errors


class DashboardProblems(NamedTuple):
    """One dashboard's problems as far as it alone tells: all but whether the metrics its
    queries read are recording rules of the render, left as doubts for `finish`. Small and
    picklable: a render's workers send one per dashboard."""

    errors: tuple[str, ...]  # schemas, then conventions
    doubts: tuple[_Doubt, ...]

    def finish(self, records: set[str]) -> list[str]:
        """Every problem, given the render's recording rule names."""
        return [*self.errors, *_finished(list(self.doubts), records)]


def dashboard_problems(
    dashboard: dict[str, Any],
    kind_metrics: set[str],
    queries: Sequence[tuple[tuple[Any, ...], str]] | None = None,
) -> DashboardProblems:
    """`queries`: `dashboard_queries(dashboard)`, when the caller has them."""
    panels = _panel_queries(dashboard, queries)
    errors = schema_errors(dashboard) + _convention_errors(dashboard, panels)
    return DashboardProblems(tuple(errors), tuple(_metric_doubts(panels, kind_metrics)))


def dashboard_errors(dashboard: dict[str, Any], known: set[str]) -> list[str]:
    """Every problem of one dashboard: schemas, conventions, then metrics."""
    return dashboard_problems(dashboard, known).finish(set())


DASHBOARDS = "grafana/dashboards/"
RULES = "prometheus/rules/"


def is_dashboard(rel: str) -> bool:
    return rel.startswith(DASHBOARDS) and rel.endswith(".json")


def is_rule_file(rel: str) -> bool:
    name = rel[len(RULES) :]
    return rel.startswith(RULES) and name.endswith(".yml") and "/" not in name


def record_names(document: Any) -> set[str]:
    names: set[str] = set()
    for group in (document or {}).get("groups", []):
        names |= {str(rule["record"]) for rule in group.get("rules", []) if "record" in rule}
    return names


def rendered_record_names(root: Path) -> set[str]:
    """The recording rules the rendered tree at `root` writes."""
    names = set()
    for path in sorted((root / "prometheus" / "rules").glob("*.yml")):
        names |= record_names(load_yaml(path.read_text(encoding="utf-8"))[0])
    return names


def check_rendered(
    files: Mapping[str, bytes],
    kind_metrics: set[str],
    parsed: Mapping[str, Any] | None = None,
) -> list[str]:
    """Every problem of every dashboard of a render, each prefixed with its file. `files`: the
    rendered tree, relative POSIX path -> bytes (other files are ignored); `parsed`: any of
    them already parsed (path -> what json.loads / yaml.safe_load make of its bytes), so they
    are not parsed again."""
    parsed = parsed or {}

    def load(rel: str) -> Any:
        if rel in parsed:
            return parsed[rel]
        text = files[rel].decode("utf-8")
        return json.loads(text) if rel.endswith(".json") else load_yaml(text)[0]

    records: set[str] = set()
    for rel in filter(is_rule_file, files):
        records |= record_names(load(rel))
    found = {rel: dashboard_problems(load(rel), kind_metrics) for rel in files if is_dashboard(rel)}
    return finish_dashboards(found, records)


def finish_dashboards(found: Mapping[str, DashboardProblems], records: set[str]) -> list[str]:
    """Every problem of every dashboard (`found` by relative POSIX path), each prefixed with
    its file, in the order of the tree's paths part by part (as sorting Paths does)."""
    return [
        f"{rel}: {error}"
        for rel in sorted(found, key=lambda r: r.split("/"))
        for error in found[rel].finish(records)
    ]


def check_dashboards(root: Path, kind_metrics: set[str]) -> list[str]:
    """Every problem of every dashboard under `root`, each prefixed with its file."""
    paths = [
        *(root / "prometheus" / "rules").glob("*.yml"),
        *(root / "grafana" / "dashboards").rglob("*.json"),
    ]
    return check_rendered(
        {path.relative_to(root).as_posix(): path.read_bytes() for path in paths}, kind_metrics
    )
