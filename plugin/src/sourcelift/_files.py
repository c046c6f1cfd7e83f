"""Opening files a build reads, bounded: regular files only, never more than a limit.

A FIFO or a device named where a file is expected would block a build forever or feed it
without end; a huge file would fill memory.  Everything sourcelift reads from a project
(pyproject.toml, its record, vendored archives) opens through :func:`open_regular`.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    import zipfile

__all__ = ["NotARegularFile", "TooLarge", "forget_real_paths", "open_regular", "read_bounded", "read_zip", "real_path"]


class NotARegularFile(OSError):
    """The path names a FIFO, a device, a socket or a directory, not a file."""


class TooLarge(OSError):
    """The file is larger than the bound for what it is."""


def _open_descriptor(path: Path | str) -> tuple[int, int]:
    """A descriptor of the regular file ``path`` open for reading (blocking), and the file's size.

    ``O_NONBLOCK`` keeps the open itself from blocking on a FIFO; the check is made on the
    opened descriptor, so the file cannot be swapped between the check and the read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            mode = status.st_mode
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a directory" if stat.S_ISDIR(mode) else "a special file"
            raise NotARegularFile(f"{path} is {kind}, not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return descriptor, status.st_size
    except BaseException:
        os.close(descriptor)
        raise


def open_regular(path: Path | str) -> BinaryIO:
    """Open ``path`` for reading in binary mode, refusing anything but a regular file (see
    :func:`_open_descriptor`)."""
    descriptor, _ = _open_descriptor(path)
    try:
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


_MORE = 1024 * 1024
"""What :func:`read_bounded` asks for at a time once a file turns out longer than its size said."""


def read_bounded(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file ``path``; :class:`TooLarge` past ``limit`` bytes.

    Read by the size the file has when it is opened, and on until the end whatever it has grown
    to: asking for ``limit + 1`` bytes at once would allocate that much for every small file (a
    workspace build reads hundreds of pyproject.toml files).
    """
    descriptor, size = _open_descriptor(path)
    try:
        chunks: list[bytes] = []
        total = 0
        want = min(size, limit) + 1  # one byte more than the size: a file that grew is read on
        while total <= limit:
            chunk = os.read(descriptor, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            want = min(_MORE, limit + 1 - total)  # at least 1 while the loop goes on
    finally:
        os.close(descriptor)
    if total > limit:
        raise TooLarge(f"{path} is larger than {limit} bytes; sourcelift refuses to read it")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_REAL_DIRECTORIES: dict[str, str] = {}
"""The real path of each parent directory :func:`real_path` resolved, for the process."""
_REAL_PATHS: dict[str, str] = {}
"""Each absolute path :func:`real_path` resolved, and each answer (a real path is its own), for the process."""


def real_path(path: Path | str) -> str:
    """``os.path.realpath(path)``, each path and each parent directory resolved once per process.

    A workspace build resolves every member, some members several times (the workspace lookup, the
    checkout, the version's fingerprint), and ``os.path.realpath`` checks each component of each path
    with ``lstat``: dozens of members under one parent ask the same question dozens of times.  Here
    the answers are remembered, and for a path not asked before, its parent's: only its last
    component is checked (a symbolic link there is resolved in full).  A path with ``..`` takes
    ``os.path.realpath`` as it is (``..`` after a symbolic link is not lexical), and so does every
    path on Windows.
    """
    text = os.fspath(path)
    if os.name == "nt" or ".." in text.split(os.sep):
        return os.path.realpath(text)
    absolute = os.path.abspath(text)
    known = _REAL_PATHS.get(absolute)
    if known is not None:
        return known
    parent, name = os.path.split(absolute)
    if not name:
        return os.path.realpath(text)  # the root directory
    real_parent = _REAL_DIRECTORIES.get(parent)
    if real_parent is None:
        real_parent = _REAL_DIRECTORIES[parent] = os.path.realpath(parent)
    candidate = os.path.join(real_parent, name)
    real = os.path.realpath(candidate) if os.path.islink(candidate) else candidate
    _REAL_PATHS[absolute] = _REAL_PATHS[real] = real
    return real


def forget_real_paths() -> None:
    """Forget the paths and parent directories :func:`real_path` resolved (a long-lived process whose
    directories are replaced by symbolic links calls this)."""
    _REAL_DIRECTORIES.clear()
    _REAL_PATHS.clear()


def read_zip(file: str | Path | BinaryIO) -> zipfile.ZipFile:
    """``file`` opened as a zip archive for reading, its member names read as UTF-8.

    Wheels and sdists name their members in UTF-8.  zipfile decodes a name without the UTF-8
    flag (every ASCII name Python's own zipfile writes) as cp437, and the first such decode in a
    process imports that codec: about 1 ms of every build.  Names that are not UTF-8 fall back to
    zipfile's default.
    """
    import zipfile

    if sys.version_info >= (3, 11):
        start = file.tell() if not isinstance(file, (str, Path)) else 0
        try:
            return zipfile.ZipFile(file, metadata_encoding="utf-8")
        except UnicodeDecodeError:
            if not isinstance(file, (str, Path)):
                file.seek(start)
    return zipfile.ZipFile(file)
