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
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Mapping, Sequence

from sourcelift.core_metadata import parse_headers
from sourcelift.names import canonical_name
from sourcelift.provenance_document import WHEEL_FILE
from sourcelift.record_file import encode_digest, record_hash

from .errors import HookError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

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

MAX_DIST_INFO_FILE = 16 * 1024 * 1024
"""No ``.dist-info`` file the command reads may be larger (RECORD of a huge package is ~1 MiB)."""
MAX_HASHED_FILE = 2 * 1024 * 1024 * 1024
"""Files larger than this are not hashed (reported as unverifiable)."""
_HEAD_CHUNK = 4096


def _stream_digest(stream: IO[bytes], limit: int) -> tuple[str, str, int] | None:
    """(RECORD-style digest, hex digest, size) of a stream; ``None`` past ``limit`` bytes."""
    import hashlib

    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            return None
        digest.update(chunk)
    raw = digest.digest()
    return "sha256=" + encode_digest(raw), raw.hex(), size


def file_sha256(path: str, limit: int = MAX_HASHED_FILE) -> str | None:
    """Hex sha256 of a local file, ``None`` if it is missing, unreadable or larger than ``limit``."""
    try:
        with open(path, "rb") as stream:
            result = _stream_digest(stream, limit)
    except OSError:
        return None
    return None if result is None else result[1]


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

    def local_path(self, root: str, relpath: str) -> str | None:
        """The file's path on this machine, for the writable tree only."""
        return None

    def describe(self) -> str:
        raise NotImplementedError


class DirectoryTree(Tree):
    """Directories on this machine: a live site-packages, a ``--target`` directory, an unpacked tree."""

    kind = "directory"
    writable = True

    def __init__(self, roots: Iterable[str]) -> None:
        unique: list[str] = []
        for root in roots:
            path = os.path.abspath(root)
            if path not in unique:
                unique.append(path)
        self._roots = unique

    def roots(self) -> list[str]:
        return list(self._roots)

    def dist_infos(self, root: str) -> list[str]:
        try:
            with os.scandir(root) as entries:
                return [
                    entry.name
                    for entry in entries
                    if entry.name.endswith((".dist-info", ".egg-info")) and entry.is_dir()
                ]
        except FileNotFoundError:
            return []

    def listdir(self, root: str, directory: str) -> frozenset[str]:
        try:
            return frozenset(os.listdir(os.path.join(root, directory)))
        except OSError:
            return frozenset()

    def _path(self, root: str, relpath: str) -> str:
        if os.sep == "/" and ".." not in relpath and "//" not in relpath:
            return f"{root}/{relpath}"  # the common case, without normpath's cost
        return os.path.normpath(os.path.join(root, *relpath.split("/")))

    def read(self, root: str, relpath: str, limit: int = MAX_DIST_INFO_FILE) -> bytes | None:
        path = self._path(root, relpath)
        try:
            with open(path, "rb") as stream:
                if os.fstat(stream.fileno()).st_size > limit:
                    raise HookError(
                        f"{path} is larger than {limit} bytes; it is not read", "check that it is not corrupt"
                    )
                data = stream.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise HookError(f"cannot read {path}: {exc.strerror or exc}", "check its permissions") from None
        return data

    def read_head(self, root: str, relpath: str) -> bytes | None:
        path = self._path(root, relpath)
        try:
            with open(path, "rb") as stream:
                data = b""
                while len(data) <= MAX_DIST_INFO_FILE:
                    chunk = stream.read(_HEAD_CHUNK)
                    if not chunk:
                        break
                    data += chunk
                    # a separator may straddle two chunks: look a few bytes back
                    if b"\n\n" in data[-len(chunk) - 3 :] or b"\r\n\r\n" in data[-len(chunk) - 3 :]:
                        break
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise HookError(f"cannot read {path}: {exc.strerror or exc}", "check its permissions") from None
        return _head(data)

    def digest(self, root: str, relpath: str) -> tuple[str, int] | None:
        try:
            with open(self._path(root, relpath), "rb") as stream:
                result = _stream_digest(stream, MAX_HASHED_FILE)
        except OSError:
            return None
        return None if result is None else (result[0], result[2])

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
            raise HookError(f"{root}/{relpath} is larger than {limit} bytes; it is not read")
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


class Dist:
    """One installed distribution: its ``.dist-info`` directory in one root of a tree."""

    __slots__ = ("dist_info", "files", "key", "name", "root", "tree", "url_requirements", "version")

    def __init__(
        self,
        tree: Tree,
        root: str,
        dist_info: str,
        name: str,
        version: str,
        files: frozenset[str],
        url_requirements: list[str],
    ) -> None:
        self.tree = tree
        self.root = root
        self.dist_info = dist_info
        self.name = name
        self.version = version
        self.key = canonical_name(name)
        self.files = files
        self.url_requirements = url_requirements

    def __repr__(self) -> str:
        return f"Dist({self.name!r}, {self.version!r}, {self.root!r})"

    @property
    def legacy(self) -> bool:
        """An ``.egg-info`` installation (no RECORD, no direct_url.json)."""
        return self.dist_info.endswith(".egg-info")

    def read(self, name: str) -> bytes | None:
        """A file of the ``.dist-info`` directory, ``None`` when it is not there."""
        if name not in self.files:
            return None
        return self.tree.read(self.root, f"{self.dist_info}/{name}")

    def text(self, name: str) -> str | None:
        data = self.read(name)
        return None if data is None else data.decode("utf-8", "replace")

    def path(self, name: str) -> str | None:
        """Path on this machine of a ``.dist-info`` file (writable trees only)."""
        return self.tree.local_path(self.root, f"{self.dist_info}/{name}")

    @property
    def installer(self) -> str | None:
        text = self.text("INSTALLER")
        return text.strip() or None if text is not None else None


def _parse_head(head: bytes) -> tuple[str | None, str | None, list[str]]:
    """Name, Version and the URL-carrying ``Requires-Dist`` values of a metadata header block."""
    name = version = None
    requires: list[str] = []
    for field, folded, _ in parse_headers(head.decode("utf-8", "replace"))[0]:
        key, value = field.lower(), folded.replace("\n", " ")  # a folded value, unfolded
        if key == "name" and name is None:
            name = value
        elif key == "version" and version is None:
            version = value
        elif key == "requires-dist" and "@" in value:
            requires.append(value)
    return name, version, requires


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
    def load(cls, tree: Tree) -> Environment:
        dists: list[Dist] = []
        for root in tree.roots():
            for directory in tree.dist_infos(root):
                files = tree.listdir(root, directory)
                metadata = "PKG-INFO" if directory.endswith(".egg-info") else "METADATA"
                head = tree.read_head(root, f"{directory}/{metadata}") if metadata in files else None
                name, version, requires = _parse_head(head) if head is not None else (None, None, [])
                if name is None or version is None:
                    fallback_name, fallback_version = _name_from_directory(directory)
                    name = name or fallback_name
                    version = version or fallback_version
                dists.append(Dist(tree, root, directory, name, version, files, requires))
        dists.sort(key=lambda d: (d.key, d.version, d.root, d.dist_info))
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


def from_paths(paths: Iterable[str]) -> Environment:
    roots = list(paths)
    for path in roots:
        if not os.path.isdir(path):
            raise UsageError(
                f"{path} is not a directory",
                "give a site-packages directory (or a --target directory) with --path",
            )
    return Environment.load(DirectoryTree(roots))


def from_mapping(files: Mapping[str, Mapping[str, bytes]]) -> Environment:
    """An environment of pre-loaded files: ``{root: {"x-1.dist-info/METADATA": b"...", ...}}``."""
    return Environment.load(MemoryTree(files))


def from_tar(path: str | Sequence[str], *, hash_files: bool = True) -> Environment:
    """The environment of a container image: layer tarballs (lowest first), a ``docker save`` archive or
    an OCI image layout tarball (see :mod:`.image`).  Several image archives stack like layers."""
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
    except ValueError:
        raise UsageError(f"{python} printed no list of paths", "give a Python interpreter with --python") from None
    return [str(p) for p in found]


def from_python(python: str) -> Environment:
    return Environment.load(DirectoryTree([p for p in install_paths(python) if os.path.isdir(p)]))


def default_environment() -> Environment:
    """The environment of the interpreter running this command (where ``pip install`` puts things)."""
    return Environment.load(DirectoryTree([p for p in install_paths(None) if os.path.isdir(p)]))
