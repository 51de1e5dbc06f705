"""Plain options for commands that must start fast.

Typer (0.2x) converts each option's value through a pydantic `TypeAdapter` it builds when the
command runs, so every command imports pydantic, which `stackgen lint` on rule files otherwise
never needs. A command registered with `cls=PlainCommand` gives each of its parameters whose
type is plain (str, Path without path flags, bool, an Enum, a list of these, optional or not)
the same conversion without pydantic, before typer would build one (a value it cannot convert
goes to typer's, for typer's message); any other parameter keeps typer's. The app's group
(`PlainGroup`) does the same for its own options. With a typer that has no such hook the
commands are typer's own (a test asserts that `stackgen lint FILE` imports no pydantic, so the
loss would show).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import typer.core

try:  # typer's runtime conversion contract (0.2x); older typers convert through click
    from typer._coercion import RuntimeParam, build_runtime_param
except ImportError:  # pragma: no cover - depends on the installed typer
    RuntimeParam = None  # type: ignore[assignment,misc]

Convert = Callable[[Any], Any]


def _text(value: Any) -> str:
    if isinstance(value, bytes):  # click hands over text; bytes only from a caller's default
        return value.decode("utf-8", "replace")
    return str(value)


def _path(value: Any) -> Path:
    return value if isinstance(value, Path) else Path(_text(value))


def _flag(value: Any) -> Any:
    return value  # click has already read --flag/--no-flag as a bool


def _choice(kind: type[Enum], case_sensitive: bool) -> Convert:
    def convert(value: Any) -> Enum:
        if isinstance(value, kind):
            return value
        for member in kind:
            if member.value == value or (
                not case_sensitive and str(member.value).lower() == str(value).lower()
            ):
                return member
        raise ValueError(value)

    return convert


_LEAVES: dict[Any, Convert] = {str: _text, Path: _path, bool: _flag}
_PATH_FLAGS = ("exists", "resolve_path", "allow_dash", "path_type", "writable")


def plain_conversion(annotation: Any, info: Any) -> Convert | None:
    """How to convert a value of `annotation` without pydantic, or None where typer's own
    conversion does something more (path checks, choices, numbers' ranges, parsers)."""
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None):
        return None
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return plain_conversion(members[0], info) if len(members) == 1 else None
    if origin is list:
        (item,) = get_args(annotation) or (None,)
        convert = plain_conversion(item, info)
        if convert is None:
            return None

        def each(values: Any) -> list[Any]:
            return [convert(v) for v in (values if isinstance(values, list | tuple) else [values])]

        return each
    if annotation is Path and any(getattr(info, flag, None) for flag in _PATH_FLAGS):
        return None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(annotation, getattr(info, "case_sensitive", True))
    return _LEAVES.get(annotation)


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class _PlainParam(RuntimeParam):  # type: ignore[misc,valid-type]
        convert: Convert
        descriptor: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.convert(value)
            except (TypeError, ValueError):  # typer's own conversion words the error
                typers = build_runtime_param(self.descriptor)
                return typers._coerce_value(value, param=param, ctx=ctx)


def _plain_params(params: list[Any]) -> None:
    if RuntimeParam is None:
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", 0) is not None:
            continue
        convert = plain_conversion(descriptor.annotation, descriptor.parameter_info)
        if convert is not None:
            param._runtime_param = _PlainParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                convert=convert,
                descriptor=descriptor,
            )


class PlainCommand(typer.core.TyperCommand):
    """A typer command whose plain parameters are converted without pydantic."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _plain_params(params)
        return params


class PlainGroup(typer.core.TyperGroup):
    """The app's group, whose own options (--version, shell completion, --help) are read
    before any command's: converted without pydantic too."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _plain_params(params)
        return params
