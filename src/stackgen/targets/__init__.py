"""Targets: the forms a render is written in. The plain files (prometheus/, alertmanager/,
grafana/, runbooks/) are always rendered and checked; every other target is built from them and
the stack, so that all forms say the same thing.

Each target module other than `prometheus` has `files(stack, plain) -> {path: bytes}` (paths
under its own folder of OUT) and `problems(files) -> [message]`, the offline checks a render runs
before writing (a problem is a stackgen bug).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import import_module
from types import ModuleType

from stackgen.spec.model import Stack, Target

PLAIN = "prometheus"
# Targets that run the plain files, so need them written beside their own.
NEEDS_PLAIN = {"compose"}


class TargetError(Exception):
    """The targets asked for cannot be rendered together."""


def _module(target: str) -> ModuleType:
    return import_module(f"stackgen.targets.{target}")


def chosen(stack: Stack, override: Sequence[str] | None) -> list[Target]:
    targets = list(override or stack.output.targets)
    for target in targets:
        if target in NEEDS_PLAIN and PLAIN not in targets:
            raise TargetError(
                f"the {target} target runs the plain files: add the {PLAIN} target too"
            )
    return targets  # type: ignore[return-value]


def target_files(
    stack: Stack, plain: Mapping[str, bytes], targets: Sequence[str]
) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for target in targets:
        files |= dict(plain) if target == PLAIN else _module(target).files(stack, plain)
    return files


def target_problems(files: Mapping[str, bytes], targets: Sequence[str]) -> list[str]:
    return [
        problem
        for target in targets
        if target != PLAIN
        for problem in _module(target).problems(files)
    ]
