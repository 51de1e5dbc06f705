"""Writes rendered files into OUT atomically, and compares them with what OUT holds.

A manifest in OUT records what stackgen wrote, so a later render removes files the spec no
longer produces and never touches files it did not write. The new tree is built beside OUT and
swapped in with one atomic exchange (Linux renameat2): an error or a kill at any moment leaves
OUT as it was. Where the exchange is not available, two renames are used, and a kill between
them leaves OUT missing, with the old tree kept beside it.
"""

from __future__ import annotations

# ctypes and tempfile are imported where they are used: they are slow to import.
import difflib
import errno
import hashlib
import json
import os
import shutil
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from stackgen.common.confined import is_inside, read_in
from stackgen.common.layout import MANIFEST

_TEMP_MARK = ".stackgen-tmp-"


class WriteError(Exception):
    """OUT cannot be written as asked (a file in the way, no permission)."""


def digest(data: bytes) -> str:
    """A file's entry in the manifest."""
    return hashlib.sha256(data).hexdigest()


def manifest(digests: Mapping[str, str]) -> bytes:
    """The manifest of the files with these digests (by relative POSIX path)."""
    entries = dict(sorted(digests.items()))
    document = {"generator": "stackgen", "note": "files stackgen wrote here", "files": entries}
    return (json.dumps(document, indent=2) + "\n").encode()


class FolderFiles(Mapping[str, bytes]):
    """Files written into a folder, by relative POSIX path, read only when asked for: a large
    render's files need not all be held at once."""

    def __init__(self, root: Path, paths: Iterable[str]) -> None:
        self.root, self.paths = root, dict.fromkeys(sorted(paths))  # ordered, and a set

    def __getitem__(self, path: str) -> bytes:
        if path not in self.paths:
            raise KeyError(path)
        return (self.root / path).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def _entry(rel: object) -> str:
    """A manifest entry as it may be shown: short, one line."""
    text = repr(rel)
    return text if len(text) <= 80 else text[:77] + "..."


def managed_files(out: Path) -> set[str]:
    """Paths stackgen wrote into OUT last time (from its manifest), the manifest included.
    WriteError for a manifest that is damaged or names a path outside OUT."""
    try:
        text = read_in(out, MANIFEST).decode("utf-8")
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as exc:
        reason = _unreadable(exc) if isinstance(exc, OSError) else "not UTF-8"
        raise WriteError(
            f"{out / MANIFEST} is damaged ({reason}); delete it and render again"
        ) from None
    try:
        files = json.loads(text)["files"]
        if not isinstance(files, dict) or not all(isinstance(f, str) for f in files):
            raise TypeError("`files` is not a mapping of paths")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise WriteError(
            f"{out / MANIFEST} is damaged ({exc}); delete it and render again"
        ) from None
    outside = sorted(f for f in files if not is_inside(f))
    if outside:
        raise WriteError(
            f"{out / MANIFEST} lists {_entry(outside[0])}, which is not a relative path inside "
            f"{out}, which stackgen never writes: restore the manifest (or delete {out}) and "
            "render again"
        )
    return {*files, MANIFEST}


def _tree(root: Path) -> tuple[list[str], list[str]]:
    """Relative paths of the files (symbolic links included, to folders too, never followed)
    and of the empty folders under root."""
    files, empty_dirs = [], []
    for folder, dirs, names in os.walk(root):
        rel = Path(folder).relative_to(root)
        links = [d for d in dirs if (Path(folder) / d).is_symlink()]
        files += [(rel / n).as_posix() for n in [*names, *links]]
        if not dirs and not names and folder != str(root):
            empty_dirs.append(rel.as_posix())
    return sorted(files), empty_dirs


def _in_the_way(foreign: list[str], wanted: Iterable[str]) -> list[str]:
    """Foreign paths that a wanted file would replace, or that sit where a wanted file needs a
    folder (or the other way round)."""
    wanted = set(wanted)
    wanted_dirs = {p.rsplit("/", i)[0] for p in wanted for i in range(1, p.count("/") + 1)}
    foreign_dirs = {p.rsplit("/", i)[0] for p in foreign for i in range(1, p.count("/") + 1)}
    return sorted(
        {p for p in foreign if p in wanted or p in wanted_dirs}
        | {p for p in wanted if p in foreign_dirs}
    )


def unified_diff(
    out: Path, files: Mapping[str, bytes], label: str, digests: Mapping[str, str] | None = None
) -> str:
    """What `render` would change in OUT, as a unified diff; empty when OUT is current.
    `digests`: of `files`, when known (then each file is read from `files` only to compare)."""
    chunks: list[str] = []
    if digests is None:
        digests = {path: digest(data) for path, data in files.items()}
    wanted = ChainMap({MANIFEST: manifest(digests)}, files)
    current = managed_files(out) if out.is_dir() else set()
    for path in sorted(set(wanted) | current):
        new = wanted[path].decode("utf-8", "replace") if path in wanted else ""
        try:
            old = read_in(out, path).decode("utf-8", "replace")
            exists = True
        except (FileNotFoundError, NotADirectoryError):
            old, exists = "", False
        except OSError as exc:  # a link or a folder where the file should be, say
            old, exists = f"<{_unreadable(exc)}>\n", True
        if exists and path in wanted and old == new:
            continue
        chunks += difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{label}/{path}" if exists else "/dev/null",
            tofile=f"b/{label}/{path}" if path in wanted else "/dev/null",
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n\\ No newline at end of file\n"
    return "".join(chunks)


def _unreadable(exc: OSError) -> str:
    """Why a file in OUT was not read, without its target or contents."""
    if exc.errno == errno.ELOOP:
        return "a symbolic link, not followed"
    return exc.strerror or "not readable"


def write_files(root: Path, files: Mapping[str, bytes]) -> dict[str, str]:
    """Write `files` under root; their digests."""
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return {rel: digest(data) for rel, data in files.items()}


def write_staged(
    out: Path,
    produce: Callable[[Path], Mapping[str, str]],
    verify: Callable[[Path], None] | None = None,
) -> None:
    """Make OUT hold the files `produce(staging)` writes (plus files stackgen did not write),
    or leave it as it was. `produce` returns their digests by relative POSIX path: a large
    render writes each file as soon as it is made. `verify` checks the staged tree first."""
    import tempfile

    # Through a symbolic link, write where it points: the link stays valid.
    out = out.resolve() if out.is_symlink() else out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    if out.exists() and not out.is_dir():
        raise WriteError(f"{out} exists and is not a folder")
    keep, keep_dirs = _foreign_files(out)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out.name}{_TEMP_MARK}{os.getpid()}-", dir=out.parent)
    )
    try:
        digests = {**produce(staging)}
        digests.pop(MANIFEST, None)  # never one of the files: stackgen's own
        # Checked once the paths are known; the staging tree is dropped, OUT not touched.
        in_the_way = _in_the_way([*keep, *keep_dirs], [*digests, MANIFEST])
        if in_the_way:
            raise WriteError(
                f"{out / in_the_way[0]} was not written by stackgen (it is not in {MANIFEST}) "
                "and would be overwritten: move it away, then render again"
            )
        (staging / MANIFEST).write_bytes(manifest(digests))
        for rel in keep:
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(out / rel, target)
        for rel in keep_dirs:
            (staging / rel).mkdir(parents=True, exist_ok=True)
        staging.chmod(0o777 & ~_umask())
        _keep_folder_modes(out, staging)
        if verify is not None:
            verify(staging)
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the new tree if we failed, else the old one


def _foreign_files(out: Path) -> tuple[list[str], list[str]]:
    if not out.exists():
        return [], []
    managed = managed_files(out)
    files, empty_dirs = _tree(out)
    return [f for f in files if f not in managed], empty_dirs


def _link_or_copy(source: Path, target: Path) -> None:
    if source.is_symlink():
        target.symlink_to(os.readlink(source))
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _keep_folder_modes(out: Path, staging: Path) -> None:
    """Folders that OUT already has keep their permissions in the new tree."""
    if not out.is_dir():
        return
    for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir() and not p.is_symlink())]:
        old = out / folder.relative_to(staging)
        if old.is_dir() and not old.is_symlink():
            shutil.copymode(old, folder)


def _remove_leftovers(out: Path) -> None:
    """Temporary trees of renders that were killed before they could clean up (not those of a
    render still running)."""
    for stale in out.parent.glob(f".{out.name}{_TEMP_MARK}*"):
        owner = stale.name.removeprefix(f".{out.name}{_TEMP_MARK}").split("-", 1)[0]
        if owner.isdigit() and _running(int(owner)):
            continue
        shutil.rmtree(stale, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _swap_in(staging: Path, out: Path) -> None:
    """Put `staging` at `out`; the old tree (if any) ends up at `staging`."""
    if not out.exists():
        os.rename(staging, out)
        staging.mkdir()  # so the caller's cleanup has something to remove
        return
    if _exchange(staging, out):
        return
    # No atomic exchange here (not Linux, or a filesystem without it): two renames.
    backup = staging.with_name(staging.name + "-old")
    os.rename(out, backup)
    os.rename(staging, out)
    os.rename(backup, staging)


def _exchange(a: Path, b: Path) -> bool:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # not supported here
        return False
    raise WriteError(f"cannot swap {a} into {b}: {os.strerror(code)}")
