"""The YAML loader for files of any size: libyaml's parser when PyYAML has it, with a scalar's
implicit tag looked up once per distinct text. The safe loader has no path resolvers, so the
tag depends on the text alone, and specs and rendered files repeat their labels, durations and
numbers hundreds of thousands of times."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVE = yaml.resolver.Resolver.resolve
_RESOLVER = yaml.resolver.Resolver()


@lru_cache(maxsize=1 << 16)
def _scalar_tag(value: str, implicit: tuple[bool, bool]) -> str:
    return _RESOLVE(_RESOLVER, yaml.ScalarNode, value, implicit)


class Loader(SAFE_LOADER):  # type: ignore[misc, valid-type]
    """SAFE_LOADER, resolving scalars' tags through the cache."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _scalar_tag(value, implicit)
        return _RESOLVE(self, kind, value, implicit)
