"""Reading a spec into a validated Stack model, or every error found, located."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from stackgen.spec.checks import (
    StackCheck,
    check_stack,
    links_people_cannot_open,
    parts_of,
    parts_of_data,
    retention_unknown,
)
from stackgen.spec.errors import SpecError, SpecErrors
from stackgen.spec.loader import SourceMap, load_data, load_spec
from stackgen.spec.model import Stack
from stackgen.spec.overlay import apply_overlay, overlay_path
from stackgen.spec.pydantic_errors import convert
from stackgen.spec.templates import template_folder_errors


def load_stack(path: Path, env: str | None = None, checks: Sequence[StackCheck] = ()) -> Stack:
    """Read, merge and validate the spec at `path` (with the overlay of environment `env`),
    and run `checks`, the stages above's checks of it; raises SpecErrors with every problem."""
    if env is None and (stack := _valid_without_positions(path, checks)) is not None:
        return stack
    loaded = load_spec(path)
    if env is not None:
        loaded = apply_overlay(loaded, overlay_path(path, env))
    try:
        stack = Stack.model_validate(loaded.data)
    except ValidationError as exc:
        errors = convert(exc, loaded.data, loaded.source, Stack)
        errors += check_stack(parts_of_data(loaded.data), loaded.source, checks)
        raise SpecErrors(errors) from None
    errors = check_stack(parts_of(stack), loaded.source, checks)
    errors += template_folder_errors(stack, path, loaded.source)
    if errors:
        raise SpecErrors(errors)
    return stack


def spec_warnings(path: Path, stack: Stack, env: str | None = None) -> list[SpecError]:
    """What the valid spec at `path` (`stack`, as load_stack read it) may have wrong that
    only its author can tell, located like its errors; the positions are read only when
    there is something to locate."""
    found = [*retention_unknown(stack), *links_people_cannot_open(stack)]
    if not found:
        return []
    loaded = load_spec(path)
    if env is not None:
        loaded = apply_overlay(loaded, overlay_path(path, env))
    return [loaded.source.error(f.path, f.message, key=f.on_key) for f in found]


def _valid_without_positions(path: Path, checks: Sequence[StackCheck]) -> Stack | None:
    """The stack, when its spec is valid, read without the positions that only a mistake
    needs; None when there is any mistake, for `load_stack` to read it again and report
    every mistake where it was written."""
    data = load_data(path)
    if data is None:
        return None
    try:
        stack = Stack.model_validate(data)
    except ValidationError:
        return None
    nowhere = SourceMap()  # a mistake found here is found again, and located, by the caller
    if check_stack(parts_of(stack), nowhere, checks) or template_folder_errors(
        stack, path, nowhere
    ):
        return None
    return stack
