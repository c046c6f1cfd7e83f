"""Installed distributions, read without importing or executing anything from them.

One :class:`Environment` abstraction over four readers (trees):

- :class:`DirectoryTree`: live ``site-packages`` directories (or any unpacked tree), read
  with ``os.scandir``; the only writable one;
- :func:`from_python`: the ``purelib``/``platlib`` directories another interpreter reports
  (one subprocess);
- :class:`TarTree`: a container image (layer tarballs, lowest first, with whiteouts applied; a
  ``docker save`` archive; an OCI image layout tarball), each layer streamed once, nothing
  extracted; every ``site-packages``/``dist-packages`` directory holding ``*.dist-info``
  directories is an installation root;
- :class:`MemoryTree`: pre-loaded files (root -> relative path -> bytes), for tests and callers
  that already hold the metadata.

Only the head of ``METADATA`` is read (up to its first blank line): the name, the version and
the ``Requires-Dist`` lines that carry a URL are all there.

What ``provenance`` and ``freeze`` pay for (2,000 distributions, ``bench/bench_frontend.py``):
files are read through descriptors (``os.open``, ``fstat``, ``os.read``: no file objects),
relative to a descriptor of their root; a lazy load (``lazy=True``) lists a ``.dist-info``
directory only when something asks for its listing, and reads what every distribution needs in
one pass (:meth:`DirectoryTree.scan`: METADATA's head, then the files most directories lack,
looked up with ``access`` before they are opened, as a listing would show them); nothing is
hashed until an answer needs a hash.  The bounds stay: regular files only (``O_NONBLOCK`` on
open, ``fstat`` before any read: never a FIFO or a device), no file read past its limit.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter

from sourcelift.names import canonical_name
from sourcelift.provenance_document import WHEEL_FILE
from sourcelift.record_file import Row, encode_digest, parse_rows, record_hash

from .finding import hook_error

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

    from .errors import HookError

__all__ = [
    "DIST_INFO_FILES",
    "JOURNAL_FILE",
    "MAX_DIST_INFO_FILE",
    "ORIGIN_FILE",
    "PROVENANCE_FILE",
    "DirectoryTree",
    "Dist",
    "Environment",
    "MemoryTree",
    "TarTree",
    "Tree",
    "canonical_name",
    "default_environment",
    "from_mapping",
    "from_paths",
    "from_python",
    "from_tar",
]

UNREAD: object = object()
"""What :meth:`DirectoryTree.scan` gives for a head it left to :meth:`Tree.read_head`."""

PROVENANCE_FILE = WHEEL_FILE
"""The provenance document the plugin writes into a wheel's ``.dist-info``."""
ORIGIN_FILE = "sourcelift-origin.json"
"""What ``sourcelift record`` found for an installed distribution (listed in RECORD)."""
JOURNAL_FILE = "sourcelift-journal.json"
"""A roll-forward journal: present only while ``record`` rewrites a ``.dist-info`` (never in RECORD)."""

DIST_INFO_FILES = frozenset(
    {
        "METADATA",
        "PKG-INFO",
        "RECORD",
        "direct_url.json",
        "INSTALLER",
        "WHEEL",
        PROVENANCE_FILE,
        ORIGIN_FILE,
        JOURNAL_FILE,
    }
)
"""The ``.dist-info`` files the command reads (a tarball reader keeps only these)."""
SCANNED = ("direct_url.json", PROVENANCE_FILE, ORIGIN_FILE)
"""What a lazy load reads of each ``.dist-info`` directory beside METADATA by default (the origin file
beside a direct_url.json only): what ``provenance`` and ``freeze`` read of every distribution."""

MAX_DIST_INFO_FILE = 16 * 1024 * 1024
"""No ``.dist-info`` file the command reads may be larger (RECORD of a huge package is ~1 MiB)."""
MAX_HASHED_FILE = 2 * 1024 * 1024 * 1024
"""Files larger than this are not hashed (reported as unverifiable)."""
_HEAD_CHUNK = 4096
_HASH_CHUNK = 1 << 20
_READ_CHUNK = 1 << 16  # a read allocates all it asks for: not a chunk of a megabyte to find the end of a file
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_ACCESS_NOFOLLOW = os.access in os.supports_follow_symlinks
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_DIR_FD = os.open in os.supports_dir_fd and os.access in os.supports_dir_fd and bool(_O_DIRECTORY)


def _is_directory(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a directory, following a symbolic link; a link that loops or dangles is none."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _error(message: str, fix: str = "") -> HookError:
    return hook_error()(message, fix)


def _unreadable(path: str, exc: OSError) -> HookError:
    """Why the file at ``path`` of an installed distribution cannot be read, and the fix that fits."""
    import errno

    from sourcelift._files import NotARegularFile

    if isinstance(exc, NotARegularFile):  # its text names the path and what it is instead
        return _error(str(exc), "it must be a regular file: reinstall the distribution it belongs to")
    if exc.errno == errno.ELOOP:
        return _error(
            f"cannot read {path}: {exc.strerror or exc}", "it is a symbolic link that loops: reinstall the distribution"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _error(f"cannot read {path}: {exc.strerror or exc}", "check its permissions")
    return _error(f"cannot read {path}: {exc.strerror or exc}", "check the file, or reinstall the distribution")


def open_fd(path: str) -> tuple[int, int]:
    """A read-only descriptor of the regular file ``path``, and its size.

    :func:`sourcelift._files.open_regular` without the file object: ``O_NONBLOCK`` keeps the open
    from blocking on a FIFO, and the descriptor is checked before anything is read; anything
    but a regular file raises what ``open_regular`` raises (``NotARegularFile``, an ``OSError``).
    """
    descriptor = os.open(path, _OPEN_FLAGS)
    size = _regular_size(descriptor)
    if size is not None:
        return descriptor, size
    from sourcelift._files import open_regular

    with open_regular(path) as stream:  # raises for a FIFO, a device, a directory
        descriptor = os.dup(stream.fileno())  # it became a regular file meanwhile
    return descriptor, os.fstat(descriptor).st_size


def _regular_size(descriptor: int) -> int | None:
    """The size of the regular file open as ``descriptor``; for anything else the descriptor is closed
    and ``None`` returned (the caller asks :func:`sourcelift._files.open_regular`, which says why)."""
    try:
        info = os.fstat(descriptor)
    except BaseException:
        os.close(descriptor)
        raise
    if stat.S_ISREG(info.st_mode):
        return info.st_size
    os.close(descriptor)
    return None


def read_fd(descriptor: int, size: int, limit: int) -> bytes:
    """What ``descriptor`` holds: the ``size`` bytes fstat counted, in one call; when it said 0 (an empty
    file, or one of ``/proc``) or the read came short, everything up to the end of the file.  More than
    ``limit`` bytes in all raises :class:`sourcelift._files.TooLarge` (a file that grows while it is read)."""
    data = os.read(descriptor, size) if size > 0 else b""
    if size > 0 and len(data) == size:
        return data  # the file as it was opened (one that grows meanwhile is read at some moment either way)
    parts = [data]
    total = len(data)
    while True:
        chunk = os.read(descriptor, _READ_CHUNK)
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > limit:
            from sourcelift._files import TooLarge

            raise TooLarge(f"more than {limit} bytes")
        parts.append(chunk)


def record_digest(raw: bytes) -> str:
    """``sha256=`` and :func:`sourcelift.record_file.encode_digest` of ``raw``, from ``binascii`` directly
    (what ``base64.urlsafe_b64encode`` calls; ``base64`` itself costs an import)."""
    import binascii

    return "sha256=" + binascii.b2a_base64(raw, newline=False).rstrip(b"=").translate(_URLSAFE).decode("ascii")


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _stream_digest(stream: IO[bytes], limit: int) -> tuple[str, str, int] | None:
    """(RECORD-style digest, hex digest, size) of a stream; ``None`` past ``limit`` bytes."""
    import hashlib

    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(_HASH_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            return None
        digest.update(chunk)
    raw = digest.digest()
    return "sha256=" + encode_digest(raw), raw.hex(), size


def fd_sha256(descriptor: int, size: int, limit: int) -> tuple[bytes, int] | None:
    """(sha256, size) of what is left in ``descriptor``; ``None`` past ``limit`` bytes (as :func:`_stream_digest`).

    A file of less than a chunk (``size``: what fstat said) is read and hashed in one call."""
    import hashlib

    if 0 < size < _HASH_CHUNK:
        data = os.read(descriptor, size)
        if len(data) == size:  # all of it (see read_fd)
            return (hashlib.sha256(data).digest(), size) if size <= limit else None
        digest = hashlib.sha256(data)  # a short read: on to the end, chunk by chunk
        total = len(data)
    else:
        digest = hashlib.sha256()
        total = 0
    while True:
        chunk = os.read(descriptor, _HASH_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            return None
        digest.update(chunk)
    return digest.digest(), total


def file_sha256(path: str, limit: int = MAX_HASHED_FILE) -> str | None:
    """Hex sha256 of a local file, ``None`` if it is missing, unreadable or larger than ``limit``."""
    try:
        descriptor, size = open_fd(path)  # never a FIFO or a device: they would block or never end
        try:
            result = fd_sha256(descriptor, size, limit)
        finally:
            os.close(descriptor)
    except (OSError, ValueError):  # ValueError: a path holding a NUL names no file
        return None
    return None if result is None else result[0].hex()


def _head(data: bytes) -> bytes:
    """The header part of a core-metadata file: up to its first blank line."""
    cut = len(data)
    for separator in (b"\n\n", b"\r\n\r\n"):
        at = data.find(separator)
        if at != -1:
            cut = min(cut, at)
    return data[:cut]


class Tree:
    """Where installed files are read from.  Paths inside a root are posix and relative."""

    kind = "abstract"
    writable = False

    def roots(self) -> list[str]:
        raise NotImplementedError

    def dist_infos(self, root: str) -> list[str]:
        """Names of the ``*.dist-info`` (and legacy ``*.egg-info``) directories in ``root``."""
        raise NotImplementedError

    def listdir(self, root: str, directory: str) -> frozenset[str]:
        raise NotImplementedError

    def exists(self, root: str, relpath: str) -> bool:
        """Whether ``listdir`` of the file's directory names it."""
        directory, _, name = relpath.rpartition("/")
        return name in self.listdir(root, directory)

    def read(self, root: str, relpath: str, limit: int = MAX_DIST_INFO_FILE) -> bytes | None:
        """A file's bytes, ``None`` if it does not exist; :class:`HookError` if larger than ``limit``."""
        raise NotImplementedError

    def read_head(self, root: str, relpath: str) -> bytes | None:
        """The header part of a core-metadata file (up to its first blank line)."""
        data = self.read(root, relpath)
        return None if data is None else _head(data)

    def digest(self, root: str, relpath: str) -> tuple[str, int] | None:
        """(RECORD-style sha256, size) of an installed file; ``None`` if missing or not hashable."""
        raise NotImplementedError

    def digests(self, root: str, relpaths: Sequence[str]) -> list[tuple[str, int] | None]:
        """:meth:`digest` of each file."""
        return [self.digest(root, relpath) for relpath in relpaths]

    def local_path(self, root: str, relpath: str) -> str | None:
        """The file's path on this machine, for the writable tree only."""
        return None

    def describe(self) -> str:
        raise NotImplementedError


class DirectoryTree(Tree):
    """Directories on this machine: a live site-packages, a ``--target`` directory, an unpacked tree.

    Files are opened relative to a descriptor of their root where the platform allows it (a
    shorter path to resolve: the cost of most of what ``provenance`` and ``freeze`` do).
    """

    kind = "directory"
    writable = True

    def __init__(self, roots: Iterable[str]) -> None:
        unique: list[str] = []
        for root in roots:
            path = os.path.abspath(root)
            if path not in unique:
                unique.append(path)
        self._roots = unique
        self._root_fds: dict[str, int] = {}

    def __del__(self) -> None:
        self.close()

    def close(self) -> None:
        """Close the descriptors of the roots (they are opened again when needed)."""
        fds, self._root_fds = getattr(self, "_root_fds", {}), {}
        for descriptor in fds.values():
            if descriptor >= 0:
                os.close(descriptor)

    def roots(self) -> list[str]:
        return list(self._roots)

    def dist_infos(self, root: str) -> list[str]:
        try:
            with os.scandir(root) as entries:
                return [
                    entry.name
                    for entry in entries
                    if entry.name.endswith((".dist-info", ".egg-info")) and _is_directory(entry)
                ]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise _error(
                f"cannot list {root}: {exc.strerror or exc}", "check its permissions, or give another --path"
            ) from None

    def listdir(self, root: str, directory: str) -> frozenset[str]:
        try:
            return frozenset(os.listdir(os.path.join(root, directory)))
        except OSError:
            return frozenset()

    def _root_fd(self, root: str, relpath: str) -> int | None:
        """A descriptor of ``root`` to open ``relpath`` relative to, or ``None`` (then: the full path)."""
        if not _DIR_FD or relpath[:1] == "/" or ".." in relpath or "//" in relpath:
            return None
        descriptor = self._root_fds.get(root)
        if descriptor is None:
            try:
                descriptor = os.open(root, os.O_RDONLY | _O_DIRECTORY)
            except OSError:
                descriptor = -1
            self._root_fds[root] = descriptor
        return descriptor if descriptor >= 0 else None

    def _open(self, root: str, relpath: str) -> tuple[int, int]:
        """:func:`open_fd` of the file, relative to its root's descriptor where possible."""
        if "\x00" in relpath:  # a path from a hostile RECORD: no file has such a name (os.open raises ValueError)
            raise FileNotFoundError(errno.ENOENT, "no file has a name holding a NUL", relpath)
        at = self._root_fd(root, relpath)
        if at is None:
            return open_fd(self._path(root, relpath))
        descriptor = os.open(relpath, _OPEN_FLAGS, dir_fd=at)
        size = _regular_size(descriptor)
        if size is not None:
            return descriptor, size
        return open_fd(self._path(root, relpath))  # raises what open_regular raises for it

    def exists(self, root: str, relpath: str) -> bool:
        if "\x00" in relpath:
            return False
        at = self._root_fd(root, relpath)
        if _ACCESS_NOFOLLOW:  # the name itself, as a listing shows it; no exception when it is not there
            if at is None:
                return os.access(self._path(root, relpath), os.F_OK, follow_symlinks=False)
            return os.access(relpath, os.F_OK, dir_fd=at, follow_symlinks=False)
        try:
            os.lstat(self._path(root, relpath))
        except OSError:
            return False
        return True

    def _path(self, root: str, relpath: str) -> str:
        if os.sep == "/" and ".." not in relpath and "//" not in relpath:
            return f"{root}/{relpath}"  # the common case, without normpath's cost
        return os.path.normpath(os.path.join(root, *relpath.split("/")))

    def read(self, root: str, relpath: str, limit: int = MAX_DIST_INFO_FILE) -> bytes | None:
        try:
            descriptor, size = self._open(root, relpath)
            try:
                if size > limit:
                    path = self._path(root, relpath)
                    raise _error(f"{path} is larger than {limit} bytes; it is not read", "check that it is not corrupt")
                data = read_fd(descriptor, size, limit)
            finally:
                os.close(descriptor)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            path = self._path(root, relpath)
            raise _unreadable(path, exc) from None
        return data

    def read_head(self, root: str, relpath: str) -> bytes | None:
        try:
            descriptor, _ = self._open(root, relpath)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            path = self._path(root, relpath)
            raise _unreadable(path, exc) from None
        try:  # the common case first: the first chunk holds the blank line
            data = os.read(descriptor, _HEAD_CHUNK)
            lf = data.find(b"\n\n")
            if lf != -1:  # the first separator of the file: a \r\n\r\n before it ends by lf + 3
                crlf = data.find(b"\r\n\r\n", 0, lf + 3)
                return data[: lf if crlf == -1 else crlf]
            if data and b"\r\n\r\n" not in data:
                buffer = bytearray(data)  # grown in place: linear however far the blank line is
                while len(buffer) <= MAX_DIST_INFO_FILE:
                    chunk = os.read(descriptor, _HEAD_CHUNK)
                    if not chunk:
                        break
                    buffer += chunk
                    # a separator may straddle two chunks: look a few bytes back
                    tail = bytes(buffer[-len(chunk) - 3 :])
                    if b"\n\n" in tail or b"\r\n\r\n" in tail:
                        break
                data = bytes(buffer)
        except OSError as exc:
            path = self._path(root, relpath)
            raise _unreadable(path, exc) from None
        finally:
            os.close(descriptor)
        return _head(data)

    def scan(
        self, root: str, directories: Sequence[str], names: Sequence[str] = SCANNED
    ) -> list[tuple[object, dict[str, bytes | None]]] | None:
        """For each ``.dist-info`` (or ``.egg-info``) directory of ``root``: the head of its METADATA (PKG-INFO),
        and what :meth:`read` gives for the files ``names`` it holds (``None``: not there; the origin file
        is read beside a direct_url.json only).

        One pass, the lazy load's: each file whose read is plain (a regular file within its limit,
        no error) is read here; :data:`UNREAD` for a head, or a name left out of the files, is
        anything else, for :meth:`read_head` and :meth:`read` to answer as always (errors
        included).  ``None`` where the platform has no ``dir_fd`` or ``access(follow_symlinks=False)``.
        """
        at = self._root_fd(root, "")
        if at is None or not _ACCESS_NOFOLLOW:
            return None
        scanned: list[tuple[object, dict[str, bytes | None]]] = []
        flags, f_ok, regular, limit = _OPEN_FLAGS, os.F_OK, stat.S_ISREG, MAX_DIST_INFO_FILE
        open_, read, close, fstat, access = os.open, os.read, os.close, os.fstat, os.access
        # (name, "/name", looked up before it is opened, read beside a direct_url.json only)
        plan = [(name, "/" + name, name in _OFTEN_ABSENT, name == ORIGIN_FILE) for name in names]
        for directory in directories:
            if "/" in directory or directory == "..":
                scanned.append((UNREAD, {}))
                continue
            head: object = UNREAD
            metadata = directory + ("/PKG-INFO" if directory.endswith(".egg-info") else "/METADATA")
            try:
                descriptor = open_(metadata, flags, dir_fd=at)
            except (FileNotFoundError, NotADirectoryError):
                head = None
            except OSError:
                pass
            else:
                try:
                    if regular(fstat(descriptor).st_mode):
                        data = read(descriptor, _HEAD_CHUNK)
                        lf = data.find(b"\n\n")
                        if lf != -1:  # as read_head: a \r\n\r\n before it ends by lf + 3
                            crlf = data.find(b"\r\n\r\n", 0, lf + 3)
                            head = data[: lf if crlf == -1 else crlf]
                except OSError:
                    pass
                finally:
                    close(descriptor)
            files: dict[str, bytes | None] = {}
            for name, suffix, often_absent, beside_direct_url in plan:
                if beside_direct_url and not files.get("direct_url.json"):
                    continue
                relpath = directory + suffix
                if often_absent and not access(relpath, f_ok, dir_fd=at, follow_symlinks=False):
                    files[name] = None  # not listed in the directory
                    continue
                try:
                    descriptor = open_(relpath, flags, dir_fd=at)
                except OSError:
                    continue
                try:
                    info = fstat(descriptor)
                    if regular(info.st_mode) and info.st_size <= limit:
                        data = read(descriptor, info.st_size) if info.st_size else b""
                        if not len(data) == info.st_size > 0:  # empty by fstat, or a short read: to the end
                            data += read_fd(descriptor, 0, limit - len(data))
                        files[name] = data
                except OSError:
                    pass
                finally:
                    close(descriptor)
            scanned.append((head, files))
        return scanned

    def digests(self, root: str, relpaths: Sequence[str]) -> list[tuple[str, int] | None]:
        """:meth:`digest` of each file, in one loop: a regular file of less than a chunk opened relative to the
        root and read whole in one call is hashed here; any other is left to :meth:`digest`."""
        import hashlib

        at = self._root_fd(root, "")
        found: list[tuple[str, int] | None] = []
        flags, regular, sha256 = _OPEN_FLAGS, stat.S_ISREG, hashlib.sha256
        open_, read, close, fstat = os.open, os.read, os.close, os.fstat
        for relpath in relpaths:
            if at is None or relpath[:1] == "/" or ".." in relpath or "//" in relpath:
                found.append(self.digest(root, relpath))
                continue
            try:
                descriptor = open_(relpath, flags, dir_fd=at)
            except (OSError, ValueError):  # ValueError: a RECORD path holding a NUL, which no file has
                found.append(None)  # as digest(): missing or unreadable
                continue
            data = None
            try:
                info = fstat(descriptor)
                if regular(info.st_mode) and info.st_size < _HASH_CHUNK:
                    data = read(descriptor, info.st_size or 1)  # all of it (see read_fd); empty: nothing to read
                    if len(data) != info.st_size:
                        data = None
            except OSError:
                pass
            finally:
                close(descriptor)
            found.append(
                self.digest(root, relpath) if data is None else (record_digest(sha256(data).digest()), len(data))
            )
        return found

    def digest(self, root: str, relpath: str) -> tuple[str, int] | None:
        try:
            descriptor, size = self._open(root, relpath)
            try:
                result = fd_sha256(descriptor, size, MAX_HASHED_FILE)
            finally:
                os.close(descriptor)
        except OSError:
            return None
        return None if result is None else (record_digest(result[0]), result[1])

    def local_path(self, root: str, relpath: str) -> str | None:
        return self._path(root, relpath)

    def describe(self) -> str:
        return ", ".join(self._roots)


class MemoryTree(Tree):
    """Files held in memory: ``{root: {relative posix path: bytes}}``."""

    kind = "memory"

    def __init__(
        self,
        files: Mapping[str, Mapping[str, bytes]],
        digests: Mapping[str, Mapping[str, tuple[str, int]]] | None = None,
        *,
        description: str = "pre-loaded metadata",
    ) -> None:
        self._files: dict[str, dict[str, bytes]] = {root: dict(content) for root, content in files.items()}
        self._digests: dict[str, dict[str, tuple[str, int]]] = {
            root: dict((digests or {}).get(root, {})) for root in self._files
        }
        self._description = description

    def roots(self) -> list[str]:
        return list(self._files)

    def dist_infos(self, root: str) -> list[str]:
        names = set()
        for relpath in self._files.get(root, {}):
            top = relpath.split("/", 1)[0]
            if top.endswith((".dist-info", ".egg-info")) and "/" in relpath:
                names.add(top)
        return sorted(names)

    def listdir(self, root: str, directory: str) -> frozenset[str]:
        prefix = directory + "/"
        return frozenset(
            relpath[len(prefix) :].split("/", 1)[0]
            for relpath in self._files.get(root, {})
            if relpath.startswith(prefix)
        )

    def read(self, root: str, relpath: str, limit: int = MAX_DIST_INFO_FILE) -> bytes | None:
        data = self._files.get(root, {}).get(relpath)
        if data is not None and len(data) > limit:
            raise _error(f"{root}/{relpath} is larger than {limit} bytes; it is not read")
        return data

    def digest(self, root: str, relpath: str) -> tuple[str, int] | None:
        known = self._digests.get(root, {}).get(_normalize(relpath))
        if known is not None:
            return known
        data = self._files.get(root, {}).get(_normalize(relpath))
        return None if data is None else (record_hash(data), len(data))

    def describe(self) -> str:
        return self._description


def _normalize(relpath: str) -> str:
    return posixpath.normpath(relpath)


class TarTree(MemoryTree):
    """A container image read without starting or extracting it (:mod:`.image`): one or more layer tarballs
    (lowest first, whiteouts applied), a ``docker save`` archive or an OCI image layout tarball.

    Kept: the ``.dist-info`` files in :data:`DIST_INFO_FILES` (METADATA only up to its first
    blank line), the names in every ``.dist-info`` directory, and (with ``hash_files``) the
    sha256 and size of every regular file, to check installed files against RECORD.
    Members larger than :data:`MAX_DIST_INFO_FILE` are not read as metadata.  Nothing is
    extracted and no member is executed.  ``..`` and absolute member names are normalized
    into the image's own tree.
    """

    kind = "tar"

    def __init__(self, path: str | Sequence[str], *, hash_files: bool = True) -> None:
        from .image import read_layers

        super().__init__({})
        self.paths = [path] if isinstance(path, str) else list(path)
        self.path = ", ".join(self.paths)
        merged = read_layers(self.paths, hash_files=hash_files, wanted_files=DIST_INFO_FILES)
        self.deleted_any = merged.deleted_any
        self._listing: dict[str, set[str]] = {}
        for name in merged.listed:
            parent, base = posixpath.split(name)
            self._listing.setdefault(parent, set()).add(base)
        roots = sorted(
            {
                posixpath.dirname(directory)
                for directory in self._listing
                if posixpath.basename(posixpath.dirname(directory)) in ("site-packages", "dist-packages")
            }
        )
        for root in roots:
            prefix = root + "/"
            self._files[root] = {
                name[len(prefix) :]: data for name, data in merged.contents.items() if name.startswith(prefix)
            }
            self._digests[root] = {}
        self._all_digests = merged.digests

    def roots(self) -> list[str]:
        return list(self._files)

    def dist_infos(self, root: str) -> list[str]:
        prefix = root + "/"
        return sorted(
            directory[len(prefix) :]
            for directory in self._listing
            if directory.startswith(prefix) and "/" not in directory[len(prefix) :]
        )

    def listdir(self, root: str, directory: str) -> frozenset[str]:
        return frozenset(self._listing.get(f"{root}/{directory}", ()))

    def read_head(self, root: str, relpath: str) -> bytes | None:
        return self.read(root, relpath)  # stored as heads already

    def digest(self, root: str, relpath: str) -> tuple[str, int] | None:
        joined = posixpath.normpath(f"{root}/{relpath}")
        if joined.startswith("../") or joined == "..":
            return None
        return self._all_digests.get(joined)

    def describe(self) -> str:
        return self.path


_UNREAD = "\0unread"
_OFTEN_ABSENT = frozenset({"direct_url.json", PROVENANCE_FILE, ORIGIN_FILE, JOURNAL_FILE})
"""Files most ``.dist-info`` directories lack: looked up before they are opened (in a lazy environment)."""


class Dist:
    """One installed distribution: its ``.dist-info`` directory in one root of a tree.

    ``files`` is the directory's listing: given, or made on first use (a lazily loaded
    environment); until then, files are read by name.
    """

    __slots__ = (
        "_files",
        "_installer",
        "_record",
        "_scanned",
        "dist_info",
        "key",
        "name",
        "root",
        "tree",
        "url_requirements",
        "version",
    )

    def __init__(
        self,
        tree: Tree,
        root: str,
        dist_info: str,
        name: str,
        version: str,
        files: frozenset[str] | None,
        url_requirements: list[str],
        scanned: dict[str, bytes | None] | None = None,
    ) -> None:
        self.tree = tree
        self.root = root
        self.dist_info = dist_info
        self.name = name
        self.version = version
        self.key = canonical_name(name)
        self._files = files
        self._installer: str | None = _UNREAD
        self._record: list[Row] | None = None
        self._scanned = scanned  # what the lazy load read already: each given to read() once
        self.url_requirements = url_requirements

    @property
    def files(self) -> frozenset[str]:
        """The names in the ``.dist-info`` directory."""
        if self._files is None:
            self._files = self.tree.listdir(self.root, self.dist_info)
        return self._files

    def has(self, name: str) -> bool:
        """Whether the ``.dist-info`` directory holds ``name`` (without listing it, when it is not listed yet)."""
        if self._scanned and name in self._scanned:
            return self._scanned[name] is not None
        if self._files is not None:
            return name in self._files
        return self.tree.exists(self.root, f"{self.dist_info}/{name}")

    def absent(self, name: str) -> bool:
        """Whether the ``.dist-info`` directory is known not to hold ``name`` (its listing, or the lazy load's
        look-up, says so): :meth:`read` would give ``None``.  ``False`` when it is not known without asking."""
        if self._scanned is not None and name in self._scanned:
            return self._scanned[name] is None
        return self._files is not None and name not in self._files

    def __repr__(self) -> str:
        return f"Dist({self.name!r}, {self.version!r}, {self.root!r})"

    @property
    def legacy(self) -> bool:
        """An ``.egg-info`` installation (no RECORD, no direct_url.json)."""
        return self.dist_info.endswith(".egg-info")

    def read(self, name: str) -> bytes | None:
        """A file of the ``.dist-info`` directory, ``None`` when it is not there."""
        if self._scanned and name in self._scanned:
            return self._scanned.pop(name)
        if self._files is not None:
            if name not in self._files:
                return None
        elif name in _OFTEN_ABSENT and not self.tree.exists(self.root, f"{self.dist_info}/{name}"):
            return None  # the same answer as a failed open, at a third of its cost
        return self.tree.read(self.root, f"{self.dist_info}/{name}")

    def text(self, name: str) -> str | None:
        data = self.read(name)
        return None if data is None else data.decode("utf-8", "replace")

    def path(self, name: str) -> str | None:
        """Path on this machine of a ``.dist-info`` file (writable trees only)."""
        return self.tree.local_path(self.root, f"{self.dist_info}/{name}")

    def record_rows(self) -> list[Row] | None:
        """The rows of RECORD (``None`` without one), read once; :class:`HookError` as :meth:`read`."""
        if self._record is None:
            text = self.text("RECORD")
            if text is None:
                return None
            self._record = parse_rows(text)
        return self._record

    @property
    def installer(self) -> str | None:
        """What INSTALLER says (read once)."""
        if self._installer is _UNREAD:
            text = self.text("INSTALLER")
            self._installer = text.strip() or None if text is not None else None
        return self._installer


_FIELD_STARTS = frozenset("NnVvRr")
_SPELLED = {"Name": "name", "Version": "version", "Requires-Dist": "requires-dist"}  # as METADATA spells them
_FOLDING_STARTS = frozenset((" ", "\t", ""))


def _parse_head(head: bytes) -> tuple[str | None, str | None, list[str]]:
    """Name, Version and the URL-carrying ``Requires-Dist`` values of a metadata header block.

    A block of one line per header (no continuation line, no carriage return, no blank line) is
    read here, line by line; any other goes through :func:`sourcelift.core_metadata.parse_headers`,
    whose answer this one equals on such a block.  Without a ``Requires-Dist`` that could carry a URL,
    the lines after Name and Version (and a line that could continue the later of them) are not read:
    nothing in them changes the answer.
    """
    text = head.decode("utf-8", "replace")
    if "\r" in text:
        return _parse_folded_head(text)
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()  # what follows the last line end is no line
    last = len(lines) - 1
    requires_possible = "@" in text and "requires-dist" in text.lower()
    name = version = None
    requires: list[str] = []
    for number, line in enumerate(lines):
        first = line[:1]
        if first not in _FIELD_STARTS:
            if first in _FOLDING_STARTS:
                return _parse_folded_head(text)  # a continuation line or a blank line
            if not first.isspace():
                continue  # not one of the three fields (whose name may follow blanks other than space and tab)
        field, colon, value = line.partition(":")
        if not colon:
            continue
        key = _SPELLED.get(field) or field.strip().lower()
        if key == "name":
            if name is not None:
                continue
            name = value.strip()
        elif key == "version":
            if version is not None:
                continue
            version = value.strip()
        else:
            if key == "requires-dist" and "@" in value:
                requires.append(value.strip())
            continue
        if (
            name is not None
            and version is not None
            and not requires_possible
            and (number == last or lines[number + 1][:1] not in (" ", "\t"))
        ):
            break  # both found, and the line after does not continue this one
    return name, version, requires


def _parse_folded_head(text: str) -> tuple[str | None, str | None, list[str]]:
    from sourcelift.core_metadata import parse_headers

    name = version = None
    requires: list[str] = []
    for field, folded, _ in parse_headers(text)[0]:
        key, value = field.lower(), folded.replace("\n", " ")  # a folded value, unfolded
        if key == "name" and name is None:
            name = value
        elif key == "version" and version is None:
            version = value
        elif key == "requires-dist" and "@" in value:
            requires.append(value)
    return name, version, requires


def _read_metadata(
    tree: Tree, root: str, directory: str, files: frozenset[str] | None, scanned: dict[str, bytes | None] | None
) -> tuple[bytes | None, frozenset[str] | None, dict[str, bytes | None] | None]:
    """The head of a ``.dist-info`` directory's METADATA (an ``.egg-info``'s PKG-INFO), read by the tree, and the
    listing and scanned files its distribution keeps (the listing when a lazy load could not search it)."""
    name = "PKG-INFO" if directory.endswith(".egg-info") else "METADATA"
    path = f"{directory}/{name}"
    try:
        return (tree.read_head(root, path) if files is None or name in files else None), files, scanned
    except hook_error():
        if files is not None:
            raise
    # a directory a lazy load cannot search: what an eager load makes of it, from its listing
    files = tree.listdir(root, directory)
    return (tree.read_head(root, path) if name in files else None), files, None


def _name_from_directory(directory: str) -> tuple[str, str]:
    stem = directory.rsplit(".", 1)[0]
    name, _, version = stem.partition("-")
    return name, version.split("-", 1)[0]


class Environment:
    """The installed distributions of a tree, sorted by normalized name."""

    def __init__(self, tree: Tree, dists: list[Dist]) -> None:
        self.tree = tree
        self.dists = dists

    @classmethod
    def load(cls, tree: Tree, *, lazy: bool = False, read_ahead: Sequence[str] = SCANNED) -> Environment:
        """The distributions of ``tree``; ``lazy``: list each ``.dist-info`` directory only when asked to.

        Both give the same answers as long as no ``.dist-info`` directory changes meanwhile (or
        can be read but not listed): a lazy one opens files by name.
        """
        dists: list[Dist] = []
        for root in tree.roots():
            directories = tree.dist_infos(root)
            scan: Sequence[tuple[object, dict[str, bytes | None] | None]] | None = None
            if lazy and isinstance(tree, DirectoryTree):
                scan = tree.scan(root, directories, read_ahead)
            if scan is None:
                scan = [(UNREAD, None)] * len(directories)
            for directory, (head, scanned) in zip(directories, scan):
                files = None if lazy else tree.listdir(root, directory)
                if head is UNREAD:
                    head, files, scanned = _read_metadata(tree, root, directory, files, scanned)
                name, version, requires = _parse_head(head) if isinstance(head, bytes) else (None, None, [])
                if name is None or version is None:
                    fallback_name, fallback_version = _name_from_directory(directory)
                    name = name or fallback_name
                    version = version or fallback_version
                dists.append(Dist(tree, root, directory, name, version, files, requires, scanned))
        dists.sort(key=attrgetter("key", "version", "root", "dist_info"))
        return cls(tree, dists)

    @property
    def writable(self) -> bool:
        return self.tree.writable

    def describe(self) -> str:
        return self.tree.describe()

    def select(self, names: Iterable[str]) -> tuple[list[Dist], list[str]]:
        """The distributions named (normalized names), and the names not installed."""
        asked = list(names)
        wanted = [canonical_name(n) for n in asked]
        found = [d for d in self.dists if d.key in wanted]
        present = {d.key for d in found}
        missing = [n for n, key in zip(asked, wanted) if key not in present]
        return found, missing


# Constructors: the command's --path / --python / --from-tar, and the default.


def from_paths(paths: Iterable[str], *, lazy: bool = False, read_ahead: Sequence[str] = SCANNED) -> Environment:
    roots = list(paths)
    for path in roots:
        if not os.path.isdir(path):
            from .errors import UsageError

            raise UsageError(
                f"{path} {'is not a directory' if os.path.lexists(path) else 'does not exist'}",
                "give a site-packages directory (or a --target directory) with --path",
            )
    return Environment.load(DirectoryTree(roots), lazy=lazy, read_ahead=read_ahead)


def from_mapping(files: Mapping[str, Mapping[str, bytes]]) -> Environment:
    """An environment of pre-loaded files: ``{root: {"x-1.dist-info/METADATA": b"...", ...}}``."""
    return Environment.load(MemoryTree(files))


def from_tar(path: str | Sequence[str], *, hash_files: bool = True) -> Environment:
    """The environment of a container image: layer tarballs (lowest first), a ``docker save`` archive or
    an OCI image layout tarball (see :mod:`.image`).  Several image archives stack like layers."""
    from .errors import UsageError

    paths = [path] if isinstance(path, str) else list(path)
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing or not paths:
        raise UsageError(
            f"{', '.join(missing) or 'no path'}: not a file",
            "give container image layers (tarballs), a `docker save` archive or an OCI image layout tarball",
        )
    tree = TarTree(paths, hash_files=hash_files)
    if not tree.roots() and not tree.deleted_any:
        raise UsageError(
            f"{', '.join(paths)} holds no site-packages or dist-packages directory with installed distributions",
            "give the layers that hold the Python environment (e.g. those with usr/lib/python3.X/site-packages)",
        )
    return Environment.load(tree)


# Asked of the target interpreter, in one subprocess (or in this one): where pip installs go.
PATHS_SCRIPT = r"""
import json, os, sys, sysconfig


def _paths(prefix, user, root):
    def scheme(kind):
        preferred = getattr(sysconfig, "get_preferred_scheme", None)
        return preferred(kind) if preferred else os.name + "_" + kind

    if user:
        paths = sysconfig.get_paths(scheme=scheme("user"))
    elif prefix:
        paths = sysconfig.get_paths(scheme=scheme("prefix"), vars={"base": prefix, "platbase": prefix})
    else:
        paths = sysconfig.get_paths()
    found = []
    for key in ("purelib", "platlib"):
        path = paths[key]
        if root:
            path = os.path.join(root, os.path.splitdrive(path)[1].lstrip("\\/"))
        if path not in found:
            found.append(path)
    return found


if __name__ == "__main__":
    print(json.dumps(_paths(sys.argv[1], sys.argv[2] == "1", sys.argv[3])))
"""


def install_paths(python: str | None, *, prefix: str = "", user: bool = False, root: str = "") -> list[str]:
    """purelib and platlib of ``python`` (default: this interpreter), as pip computes them.

    ``prefix``, ``user`` and ``root`` are pip's ``--prefix``, ``--user`` and ``--root``.
    """
    import json

    from .errors import UsageError

    if python is None:
        namespace: dict[str, object] = {"__name__": "sourcelift_hook_paths"}
        exec(PATHS_SCRIPT, namespace)
        paths = namespace["_paths"](prefix, user, root)  # type: ignore[operator]
        return [str(p) for p in paths]
    import subprocess

    try:
        proc = subprocess.run(
            [python, "-I", "-c", PATHS_SCRIPT, prefix, "1" if user else "0", root],
            capture_output=True,
            text=True,
            errors="replace",  # what a program that is no Python prints may be any bytes
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(f"cannot run {python}: {exc}", "give the path of a Python interpreter with --python") from None
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        raise UsageError(
            f"{python} could not report its site-packages: {detail[0]}",
            "give the path of a Python interpreter with --python",
        )
    try:
        found = json.loads(proc.stdout)
    except (ValueError, RecursionError):
        found = None
    if not isinstance(found, list) or not all(isinstance(p, str) and os.path.isabs(p) for p in found):
        raise UsageError(f"{python} printed no list of paths", "give a Python interpreter with --python")
    return list(found)


def from_python(python: str, *, lazy: bool = False, read_ahead: Sequence[str] = SCANNED) -> Environment:
    roots = [p for p in install_paths(python) if os.path.isdir(p)]
    return Environment.load(DirectoryTree(roots), lazy=lazy, read_ahead=read_ahead)


def default_environment(*, lazy: bool = False, read_ahead: Sequence[str] = SCANNED) -> Environment:
    """The environment of the interpreter running this command (where ``pip install`` puts things)."""
    roots = [p for p in install_paths(None) if os.path.isdir(p)]
    return Environment.load(DirectoryTree(roots), lazy=lazy, read_ahead=read_ahead)
