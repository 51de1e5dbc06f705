"""Turns pydantic validation errors into located SpecErrors with messages that say how to fix."""

from __future__ import annotations

import difflib
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from stackgen.common.urls import redact_text
from stackgen.spec.errors import Path, SpecError, format_path
from stackgen.spec.loader import SourceMap

# Keys people reach for that would put a secret into out/, with the field to use instead.
SECRET_KEYS = {
    "api_url": "api_url_file",
    "routing_key": "routing_key_file",
    "service_key": "routing_key_file",
    "auth_password": "auth_password_file",
    "token": "bearer_token_file",
    "bearer_token": "bearer_token_file",
    "password": None,
    "api_key": None,
    "secret": None,
}


def convert(
    exc: ValidationError, data: Any, source: SourceMap, root: type[BaseModel]
) -> list[SpecError]:
    details = exc.errors()
    # An inline secret already says which *_file field to use: no second error for its absence.
    replaced = {
        (*err["loc"][:-1], SECRET_KEYS[str(err["loc"][-1])])
        for err in details
        if err["type"] == "extra_forbidden" and SECRET_KEYS.get(str(err["loc"][-1]))
    }
    return [
        _convert_one(err, data, source, root)
        for err in details
        if not (err["type"] == "missing" and tuple(err["loc"]) in replaced)
    ]


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Path, bool]:
    """The path into the YAML data for a pydantic `loc`, skipping union tags and the like.

    Returns the path and whether the error is about a mapping key (`[key]` in the loc)."""
    path: list[str | int] = []
    node = data
    about_key = False
    for index, part in enumerate(loc):
        if part == "[key]":
            about_key = True
        elif isinstance(node, dict) and str(part) in node:
            path.append(str(part))
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif index == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str):
            path.append(part)  # a missing or unknown key
        # anything else is a union tag or a validator's name: not in the YAML
    return tuple(path), about_key


def _forms(root: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """`: add one of ...`, the forms a required field's examples show; "" without examples."""
    model = _model_at(root, loc[:-1])
    fields = (
        {info.alias or name: info for name, info in model.model_fields.items()} if model else {}
    )
    info = fields.get(str(loc[-1]))
    if info is None or not info.examples:
        return ""
    forms = [f"`{loc[-1]}: {_flow(example)}`" for example in info.examples]
    return f"; add {forms[0]}" if len(forms) == 1 else f"; add one of {', '.join(forms)}"


def _flow(value: Any) -> str:
    """A value as YAML flow style, as the README writes spec snippets."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return str(value)


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that the pydantic `loc` points into, following lists, dicts and tagged unions."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {info.alias or name: info for name, info in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[part].annotation
            continue
        origin, args = get_origin(current), get_args(current)
        if origin is list and isinstance(part, int):
            current = args[0]
        elif origin is dict:
            current = args[1]
        elif origin in (Union, UnionType):
            tagged = [m for m in args if isinstance(m, type) and part in _tags(m)]
            if not tagged:
                return None
            current = tagged[0]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Annotated[X, ...] -> X; X | None -> X."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, UnionType) and type(None) in get_args(annotation):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return Union[tuple(members)]  # noqa: UP007 - built from a runtime tuple
            annotation = members[0]
        else:
            return annotation


def _tags(model: type[BaseModel]) -> tuple[Any, ...]:
    """The values of a union member's discriminator (`type` of channels, `kind` of services)."""
    fields = model.model_fields
    field = fields.get("type") or fields.get("kind")
    return get_args(field.annotation) if field is not None else ()


def _convert_one(
    err: ErrorDetails, data: Any, source: SourceMap, root: type[BaseModel]
) -> SpecError:
    loc = tuple(err["loc"])
    kind = err["type"]
    path, about_key = _data_path(loc, data)
    message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        if key in SECRET_KEYS and SECRET_KEYS[key] is not None:
            message = (
                f"inline secrets are not allowed: put the secret in a file readable by the "
                f"server and give its path as `{SECRET_KEYS[key]}` instead of `{key}`"
            )
        elif key in SECRET_KEYS:
            message = (
                "inline secrets are not allowed: stackgen takes secrets only as `*_file` paths "
                "(channels) or `${ENV}` references (Grafana datasource passwords)"
            )
        else:
            model = _model_at(root, loc[:-1])
            fields = sorted(f.alias or n for n, f in model.model_fields.items()) if model else []
            close = difflib.get_close_matches(key, fields, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else "; remove it or fix its spelling"
            if model is not None and not close:
                hint += f" (known here: {', '.join(f'`{f}`' for f in fields)})"
            message = f"unknown key `{key}`{hint}"
        return source.error(path, message, key=True)
    if kind == "missing":
        field = str(loc[-1])
        return SpecError(
            source.locate(path[:-1]),
            format_path(path, source.names),
            f"missing required field `{field}`{_forms(root, loc)}",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        ctx = err.get("ctx", {})
        field = str(ctx.get("discriminator", "'type'")).strip("'")
        if kind == "union_tag_not_found":
            return SpecError(
                source.locate(path),
                format_path((*path, field), source.names),
                f"missing required field `{field}`",
            )
        message = f"`{field}` must be one of {ctx.get('expected_tags', '')}"
        path = (*path, field)
    elif kind.endswith("_type") or kind in ("literal_error", "enum"):
        message = f"{message} (got {_describe(err.get('input'))})"
    return source.error(path, message, key=about_key)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):  # an address may hold a credential: never echoed whole
        return f"str {redact_text(value)!r}"
    return f"{type(value).__name__} {value!r}"
