"""Spec stage: YAML files -> a validated Stack model, or every error found, located.

The names below are imported on first use: a command that needs only the spec's errors or its
YAML reader (`stackgen lint` of plain rule files) does not import the model, pydantic with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackgen.spec.checks import StackCheck
    from stackgen.spec.errors import SpecError, SpecErrors
    from stackgen.spec.model import Stack
    from stackgen.spec.stack import load_stack, spec_warnings

_WHERE = {
    "SpecError": "stackgen.spec.errors",
    "SpecErrors": "stackgen.spec.errors",
    "Stack": "stackgen.spec.model",
    "StackCheck": "stackgen.spec.checks",
    "load_stack": "stackgen.spec.stack",
    "spec_warnings": "stackgen.spec.stack",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)


__all__ = ["SpecError", "SpecErrors", "Stack", "StackCheck", "load_stack", "spec_warnings"]
