"""Splitting output under a size cap, with placement that stays put as a stack grows.

Items are placed by the bits of a hash of their key: everything starts in one part, and a part
over the cap splits in two by the next bit. Adding an item changes only the part it lands in
(and splits only that part when it overflows), so a service added to a big team does not move
the other services' rule groups between files. Parts are named by their bits ("" when the
items fit in one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
_MAX_BITS = 64


class TooLarge(Exception):
    """One item alone is over the cap."""

    def __init__(self, key: str, size: int, cap: int) -> None:
        super().__init__(f"{key} alone is {size} bytes, over the cap of {cap} bytes")
        self.key, self.size, self.cap = key, size, cap


def _bits(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()[: _MAX_BITS // 8]
    return format(int.from_bytes(digest, "big"), f"0{_MAX_BITS}b")


def split_by_size(
    items: Sequence[T],
    key: Callable[[T], str],
    size: Callable[[Sequence[T]], int],
    cap: int,
) -> list[tuple[str, list[T]]]:
    """Parts of `items` (order kept within a part), each with size(part) <= cap, sorted by name.
    Items with the same key always share a part."""
    bits = {id(item): _bits(key(item)) for item in items}

    def place(prefix: str, part: list[T]) -> list[tuple[str, list[T]]]:
        measured = size(part)
        if measured <= cap:
            return [(prefix, part)]
        if len({bits[id(item)] for item in part}) == 1:
            raise TooLarge(key(part[0]), measured, cap)
        depth = len(prefix)
        zeros = [item for item in part if bits[id(item)][depth] == "0"]
        ones = [item for item in part if bits[id(item)][depth] == "1"]
        return (
            [*place(prefix + "0", zeros), *place(prefix + "1", ones)]
            if zeros and ones
            else place(prefix + ("0" if zeros else "1"), part)
        )

    return [(name, part) for name, part in place("", list(items)) if part]
