"""Reading a file inside a folder that may come from a pull request (OUT, a rule folder), never
through a symbolic link. Its own module: `stackgen lint` reads every file through it, and
starts faster without the writer's imports."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath


def read_in(out: Path, rel: str) -> bytes:
    """The bytes of the regular file `rel` inside OUT, never through a symbolic link (OUT's
    own path excepted, which the user gave): OUT may come from a pull request, and a link in it
    must not make stackgen read, and then print, a file from elsewhere. OSError (ELOOP for a
    link, EINVAL for anything but a regular file) when it cannot be read so."""
    parts = PurePosixPath(rel).parts
    if not parts or not is_inside(rel):
        raise OSError(errno.EINVAL, "not a path inside OUT", rel)
    nofollow = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for part in parts[:-1]:
            try:
                folder = os.open(part, os.O_RDONLY | os.O_DIRECTORY | nofollow, dir_fd=fd)
            except NotADirectoryError:  # Linux says so of a link to a folder, too
                if stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode):
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), rel) from None
                raise
            os.close(fd)
            fd = folder
        # O_NONBLOCK: opening a named pipe must not wait for a writer; it is refused below.
        file = os.open(parts[-1], os.O_RDONLY | os.O_NONBLOCK | nofollow, dir_fd=fd)
    finally:
        os.close(fd)
    with os.fdopen(file, "rb") as handle:
        mode = os.fstat(file).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), rel)
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file", rel)
        return handle.read()


def is_inside(rel: str) -> bool:
    """Whether `rel` is a normalised relative POSIX path that stays inside its folder."""
    if not rel or "\0" in rel or rel.startswith("/") or "\\" in rel:
        return False
    parts = rel.split("/")
    return all(part not in ("", ".", "..") for part in parts)
