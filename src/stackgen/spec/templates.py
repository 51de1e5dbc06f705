"""Where a project's own templates are: `output.templates`, relative to the spec folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from stackgen.spec.errors import SpecError
from stackgen.spec.loader import SourceMap
from stackgen.spec.model import Stack


def spec_folder(spec: Path) -> Path:
    """SPEC when it is a folder, else the spec file's folder (as for env/ overlays)."""
    return spec if spec.is_dir() else spec.parent


def template_folders(stack: Stack, spec: Path, first: Sequence[Path] = ()) -> tuple[Path, ...]:
    """The project's template folders in search order: `first` (`--templates`), then the spec's."""
    folders = [*first, *(spec_folder(spec) / name for name in stack.output.templates)]
    return tuple(dict.fromkeys(folders))  # a folder named twice is searched once


def template_folder_errors(stack: Stack, spec: Path, source: SourceMap) -> list[SpecError]:
    return [
        source.error(
            ("output", "templates", i),
            f"no folder {spec_folder(spec) / name} (paths are relative to the spec folder "
            f"{spec_folder(spec)})",
        )
        for i, name in enumerate(stack.output.templates)
        if not (spec_folder(spec) / name).is_dir()
    ]
