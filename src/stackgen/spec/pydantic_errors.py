"""Turns pydantic validation errors into located SpecErrors with messages that say how to fix."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from stackgen.spec.errors import Path, SpecError, format_path
from stackgen.spec.loader import SourceMap

# Keys people reach for that would put a secret into out/; each names the field to use instead.
SECRET_KEYS = {
    "api_url": "api_url_file",
    "routing_key": "routing_key_file",
    "service_key": "routing_key_file",
    "auth_password": "auth_password_file",
    "password": "password_file",
    "token": "bearer_token_file",
    "bearer_token": "bearer_token_file",
    "api_key": "api_key_file",
    "secret": "a *_file field",
}


def convert(
    exc: ValidationError, data: Any, source: SourceMap, root: type[BaseModel]
) -> list[SpecError]:
    details = exc.errors()
    # An inline secret already says which *_file field to use: no second error for its absence.
    replaced = {
        (*err["loc"][:-1], SECRET_KEYS[str(err["loc"][-1])])
        for err in details
        if err["type"] == "extra_forbidden" and str(err["loc"][-1]) in SECRET_KEYS
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


def _field_names(root: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    seen: set[type] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
            for sub in _models_in(info.annotation):
                walk(sub)

    walk(root)
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        found += _models_in(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and hasattr(annotation, "__metadata__"):
        found += _models_in(origin)
    return found


def _convert_one(
    err: ErrorDetails, data: Any, source: SourceMap, root: type[BaseModel]
) -> SpecError:
    loc = tuple(err["loc"])
    kind = err["type"]
    path, about_key = _data_path(loc, data)
    message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        if key in SECRET_KEYS:
            message = (
                f"inline secrets are not allowed: put the secret in a file readable by the "
                f"server and give its path as `{SECRET_KEYS[key]}` instead of `{key}`"
            )
        else:
            close = difflib.get_close_matches(key, sorted(_field_names(root)), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else "; remove it or fix its spelling"
            message = f"unknown key `{key}`{hint}"
        return source.error(path, message, key=True)
    if kind == "missing":
        field = str(loc[-1])
        return SpecError(
            source.locate(path[:-1]),
            format_path(path, source.names),
            f"missing required field `{field}`",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = err.get("ctx", {}).get("expected_tags", "")
        message = f"`type` must be one of {tags}" if tags else message
        path = (*path, "type") if kind == "union_tag_invalid" else path
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
    return f"{type(value).__name__} {value!r}"
