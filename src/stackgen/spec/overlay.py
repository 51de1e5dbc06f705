"""Environment overlays: `SPEC/env/NAME.yaml` changes the base spec for one environment.

The overlay is merged into the base as data, keeping where each value was written, so an
error in a value the overlay set points into the overlay file:
- mappings merge key by key; `key: null` drops the key (back to its default);
- lists of named items (services, channels, SLOs, datasources, ...) merge by `name`: an item
  whose name the base has is merged into it, a new name is added at the end, and
  `{name: X, remove: true}` removes X;
- any other value (scalars, other lists) replaces the base's.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any

from stackgen.spec.errors import Path, Position, SpecError, SpecErrors
from stackgen.spec.loader import (
    DOCUMENT,
    ENV_DIR,
    SPEC_SUFFIXES,
    LoadedSpec,
    SourceMap,
    read_overlay,
)

REMOVE = "remove"


def environments(spec: FsPath) -> list[str]:
    folder = (spec if spec.is_dir() else spec.parent) / ENV_DIR
    return sorted(p.stem for p in folder.glob("*") if p.suffix in SPEC_SUFFIXES and p.is_file())


def overlay_path(spec: FsPath, env: str) -> FsPath:
    folder = (spec if spec.is_dir() else spec.parent) / ENV_DIR
    for suffix in SPEC_SUFFIXES:
        if (folder / f"{env}{suffix}").is_file():
            return folder / f"{env}{suffix}"
    known = ", ".join(environments(spec)) or "none"
    raise SpecErrors(
        [
            SpecError(
                Position(str(folder / f"{env}.yaml"), 1, 1),
                DOCUMENT,
                f"no overlay for environment {env!r} (environments: {known}): "
                f"write {folder / f'{env}.yaml'}",
            )
        ]
    )


def apply_overlay(base: LoadedSpec, overlay: FsPath) -> LoadedSpec:
    data, source = read_overlay(overlay)
    merge = _Merge(base.source, source)
    merged = merge.merge(base.data, data, (), ())
    if merge.errors:
        raise SpecErrors(merge.errors)
    return LoadedSpec(merged, base.source)


def _named(items: Any) -> bool:
    return isinstance(items, list) and all(
        isinstance(item, dict) and isinstance(item.get("name"), str) for item in items
    )


class _Merge:
    def __init__(self, into: SourceMap, over: SourceMap) -> None:
        self.into, self.over = into, over
        self.errors: list[SpecError] = []
        self.tables = ((into.values, over.values), (into.keys, over.keys), (into.names, over.names))

    def merge(self, base: Any, over: Any, at: Path, from_: Path) -> Any:
        if isinstance(base, dict) and isinstance(over, dict):
            result = dict(base)
            for key, value in over.items():
                child, source = (*at, key), (*from_, key)
                if value is None:
                    self._drop(child, result.pop(key, None))
                    continue
                result[key] = (
                    self.merge(base[key], value, child, source)
                    if key in base
                    else self._graft(value, child, source, None)
                )
                self.into.keys[child] = self.over.keys[source]
            return result
        if _named(base) and _named(over) and base and over:
            return self._merge_named(base, over, at, from_)
        return self._graft(over, at, from_, base)

    def _merge_named(self, base: list, over: list, at: Path, from_: Path) -> list:
        # Take the base items' positions out, then lay the list out again.
        saved = self._take_items(at, len(base))
        items: list[Any] = list(base)
        origins: list[tuple[str, int]] = [("base", i) for i in range(len(base))]
        where = {item["name"]: i for i, item in enumerate(base)}
        removed: set[int] = set()
        for index, item in enumerate(over):
            name = item["name"]
            if item.get(REMOVE) is True and set(item) == {"name", REMOVE}:
                if name in where and where[name] < len(base):
                    removed.add(where[name])
                else:
                    self.errors.append(
                        self.over.error(
                            (*from_, index, "name"),
                            f"cannot remove {name!r}: the base has no such item "
                            f"(it has {', '.join(sorted(i['name'] for i in base))})",
                        )
                    )
                continue
            if name in where:
                origins[where[name]] = ("merge", index)
            else:
                where[name] = len(items)
                items.append(item)
                origins.append(("over", index))
        result = []
        for old, (item, (origin, index)) in enumerate(zip(items, origins, strict=True)):
            if old in removed:
                continue
            new = (*at, len(result))
            if origin == "over":
                result.append(self._graft(item, new, (*from_, index), None))
                continue
            self._put(new, saved[old], (*at, old))
            if origin == "merge":
                item = self.merge(item, over[index], new, (*from_, index))
            result.append(item)
        return result

    def _prefixed(self, table: dict[Path, Any], prefix: Path) -> list[Path]:
        size = len(prefix)
        return [p for p in table if p[:size] == prefix]

    def _drop(self, at: Path, was: Any) -> None:
        """Forget the positions of the value `was` at `at` (only a container has some below)."""
        for into, _ in self.tables:
            if isinstance(was, dict | list):
                for path in self._prefixed(into, at):
                    del into[path]
            else:
                into.pop(at, None)

    def _take_items(self, at: Path, count: int) -> list[list[dict[Path, Any]]]:
        """Remove and return the positions of the list at `at`, per item, one dict per table
        (in one pass over each table: a stack's spec has many thousands of positions)."""
        taken: list[list[dict[Path, Any]]] = [[{} for _ in self.tables] for _ in range(count)]
        size = len(at)
        for table_index, (into, _) in enumerate(self.tables):
            below = [p for p in into if len(p) > size and p[:size] == at]
            for path in below:
                if isinstance(path[size], int) and path[size] < count:
                    taken[path[size]][table_index][path] = into.pop(path)
        return taken

    def _put(self, at: Path, saved: list[dict[Path, Any]], was: Path) -> None:
        for (into, _), part in zip(self.tables, saved, strict=True):
            for path, position in part.items():
                into[(*at, *path[len(was) :])] = position

    def _graft(self, value: Any, at: Path, from_: Path, was: Any) -> Any:
        """`value` from the overlay replaces `was` at `at`, with its positions."""
        self._drop(at, was)
        for into, over in self.tables:
            for path in self._prefixed(over, from_):
                into[(*at, *path[len(from_) :])] = over[path]
        return value
