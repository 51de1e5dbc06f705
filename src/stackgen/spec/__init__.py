"""Spec stage: YAML files -> a validated Stack model, or every error found, located."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from stackgen.spec.checks import check_stack
from stackgen.spec.errors import SpecError, SpecErrors
from stackgen.spec.loader import load_spec
from stackgen.spec.model import Stack
from stackgen.spec.pydantic_errors import convert


def load_stack(path: Path) -> Stack:
    """Read, merge and validate the spec at `path`; raises SpecErrors with every problem."""
    loaded = load_spec(path)
    try:
        stack = Stack.model_validate(loaded.data)
    except ValidationError as exc:
        raise SpecErrors(convert(exc, loaded.data, loaded.source, Stack)) from None
    errors = check_stack(stack, loaded.source)
    if errors:
        raise SpecErrors(errors)
    return stack


__all__ = ["SpecError", "SpecErrors", "Stack", "load_stack"]
