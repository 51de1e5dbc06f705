"""Memos that last one plan: while a plan is built the stack does not change, and the rules,
dashboards, proofs, runbooks and routing matrix each ask for every service's alerts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar, cast

P = ParamSpec("P")
T = TypeVar("T")

# Result (with its arguments, so their ids stay theirs) by function and argument identities.
_MEMO: ContextVar[dict[tuple[Any, ...], tuple[Any, Any]] | None] = ContextVar(
    "stackgen_plan_memo", default=None
)


@contextmanager
def planning() -> Iterator[None]:
    """Remember `per_plan` results until the block ends (nested blocks share the outer memo)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def per_plan(fn: Callable[P, T]) -> Callable[P, T]:
    """`fn` computed once per distinct argument objects inside `planning()`, and on every call
    outside it (a caller may change the stack between two calls). A list result is copied
    for each caller, so appending to it cannot reach another's."""

    @wraps(fn)
    def remembered(*args: P.args, **kwargs: P.kwargs) -> T:
        memo = _MEMO.get()
        if memo is None:
            return fn(*args, **kwargs)
        key = (fn, *map(id, args), *((k, id(v)) for k, v in sorted(kwargs.items())))
        entry = memo.get(key)
        if entry is None:
            entry = memo[key] = ((args, kwargs), fn(*args, **kwargs))
        result = entry[1]
        return cast(T, list(result)) if isinstance(result, list) else result

    return remembered
