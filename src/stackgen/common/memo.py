"""A memo with a bound: results by key, the oldest forgotten first once it is full. For work
that recurs across a long-lived process (a render worker, a test session) on keys without end."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedMemo(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._results: dict[K, V] = {}

    def __len__(self) -> int:
        return len(self._results)

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The result for `key`, computed by `compute` the first time it is asked for."""
        try:
            return self._results[key]
        except KeyError:
            pass
        if len(self._results) >= self.size:
            del self._results[next(iter(self._results))]  # the oldest
        result = self._results[key] = compute()
        return result
