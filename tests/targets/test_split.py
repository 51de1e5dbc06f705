"""Splitting output under a size cap: every item once, every part under the cap, and placement
that stays put when the stack grows."""

from __future__ import annotations

import pytest

from stackgen.targets.split import TooLarge, split_by_size

Item = tuple[str, int]  # (key, bytes)


def size(part: list[Item]) -> int:
    return sum(n for _, n in part)


def split(items: list[Item], cap: int) -> list[tuple[str, list[Item]]]:
    return split_by_size(items, key=lambda item: item[0], size=size, cap=cap)


def services(count: int, each: int = 100) -> list[Item]:
    return [(f"svc-{n}", each) for n in range(count)]


def placement(parts: list[tuple[str, list[Item]]]) -> dict[str, str]:
    return {key: name for name, part in parts for key, _ in part}


def test_items_that_fit_stay_in_one_unnamed_part_in_their_order():
    items = services(5)
    assert split(items, cap=500) == [("", items)]


def test_over_the_cap_every_item_lands_once_and_every_part_fits():
    items = services(1000)
    parts = split(items, cap=5000)
    assert len(parts) > 20
    assert sorted(item for _, part in parts for item in part) == sorted(items)
    assert all(size(part) <= 5000 for _, part in parts)
    names = [name for name, _ in parts]
    assert names == sorted(names) and len(set(names)) == len(names)


def test_adding_a_service_moves_only_services_of_the_part_it_lands_in():
    before = placement(split(services(1000), cap=5000))
    after = placement(split([*services(1000), ("svc-new", 100)], cap=5000))
    moved = {key for key, part in before.items() if after[key] != part}
    # Only the part the new service lands in may overflow and split: its own services move,
    # into its halves; every other service stays where it was.
    old_parts = {before[key] for key in moved}
    assert len(old_parts) <= 1
    for old in old_parts:
        assert after["svc-new"].startswith(old)
        assert all(after[key].startswith(old) for key in moved)


def test_parts_keep_their_names_as_the_stack_grows_to_ten_times_its_size():
    small = placement(split(services(100), cap=5000))
    large = placement(split(services(1000), cap=5000))
    for key, part in small.items():  # a service only ever moves into a part below its old one
        assert large[key].startswith(part)


def test_items_with_one_key_share_a_part():
    items = [(f"svc-{n % 50}", 100) for n in range(200)]
    for _, part in split(items, cap=2000):
        keys = {key for key, _ in part}
        assert all(sum(1 for k, _ in part if k == key) == 4 for key in keys)


def test_one_item_over_the_cap_is_reported_with_its_key():
    with pytest.raises(TooLarge, match="svc-big alone is 9000 bytes, over the cap of 5000"):
        split([("svc-a", 100), ("svc-big", 9000)], cap=5000)
