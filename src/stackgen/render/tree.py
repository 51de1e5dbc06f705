"""The files a render puts in OUT, unchecked: what `render --check`, `diff` and `report` compare
with OUT. The plain files are rendered into a folder (streamed, see render.stream) and read from
it when asked for; the other targets' are built from them."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, Sequence
from pathlib import Path

from stackgen.render.project import SearchPath
from stackgen.render.stream import render_tree
from stackgen.spec.model import Stack
from stackgen.targets import PLAIN, target_files
from stackgen.write import FolderFiles, digest


def tree_files(
    stack: Stack,
    folder: Path,
    targets: Sequence[str],
    templates: SearchPath = (),
    jobs: int | None = None,
) -> tuple[Mapping[str, bytes], dict[str, str]]:
    """The files OUT would hold, the plain ones rendered into `folder` (read from it, so it
    must outlive the mapping), none checked; and their digests."""
    written = render_tree(stack, folder, templates, jobs=jobs)
    plain = FolderFiles(folder, written)
    others = target_files(stack, plain, [target for target in targets if target != PLAIN])
    digests = {path: digest(data) for path, data in others.items()}
    if PLAIN not in targets:
        return others, digests
    return ChainMap(others, plain), {path: w.digest for path, w in written.items()} | digests
