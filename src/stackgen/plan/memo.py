"""Memos that last one plan: while a plan is built the stack does not change, and the rules,
dashboards, proofs, runbooks and routing matrix each ask for every service's alerts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar, cast

from stackgen.common.memo import BoundedMemo

P = ParamSpec("P")
T = TypeVar("T")

# Results one plan keeps: several per service for a fleet of thousands; past that the oldest
# are worked out again when asked for.
PLAN_MEMO_SIZE = 1 << 17


# The `per_plan` results of the plan being built, by function and argument identities. Each
# entry keeps its arguments alive, so their ids stay theirs while it is remembered.
PlanMemo = BoundedMemo[tuple[Any, ...], tuple[Any, Any]]
_CURRENT: ContextVar[PlanMemo | None] = ContextVar("stackgen_plan_memo", default=None)


@contextmanager
def planning() -> Iterator[PlanMemo]:
    """Remember `per_plan` results until the block ends (nested blocks share the outer memo)."""
    current = _CURRENT.get()
    if current is not None:
        yield current
        return
    memo: PlanMemo = BoundedMemo(PLAN_MEMO_SIZE)
    token = _CURRENT.set(memo)
    try:
        yield memo
    finally:
        _CURRENT.reset(token)


def per_plan(fn: Callable[P, T]) -> Callable[P, T]:
    """`fn` computed once per distinct argument objects inside `planning()`, and on every call
    outside it (a caller may change the stack between two calls). A list result is copied
    for each caller, so appending to it cannot reach another's."""

    @wraps(fn)
    def remembered(*args: P.args, **kwargs: P.kwargs) -> T:
        memo = _CURRENT.get()
        if memo is None:
            return fn(*args, **kwargs)
        key = (fn, *map(id, args), *((k, id(v)) for k, v in sorted(kwargs.items())))
        _, result = memo.get(key, lambda: ((args, kwargs), fn(*args, **kwargs)))
        return cast(T, list(result)) if isinstance(result, list) else result

    return remembered
