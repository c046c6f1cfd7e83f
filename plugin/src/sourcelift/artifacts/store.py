"""The content-addressed store of archives that local-mode wheels point at.

A wheel built in local mode must still install after its build directory is
gone, so vendored archives are copied into a store keyed by their sha256 and the
wheel's ``Requires-Dist`` names the copy::

    <store>/sha256/<hex digest>/<original file name>

The store lives in the user's data directory (it is not a cache: installed
wheels refer to it) and moves with ``SOURCELIFT_STORE_DIR``.  Writes are
atomic (temporary file, then ``os.replace``), so concurrent builds share it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from .._files import open_regular
from .._patterns import is_lower_hex
from ..errors import ConfigError

__all__ = ["ENV_VAR", "MAX_ARCHIVE_BYTES", "Store", "remove_stale_parts", "sha256_file"]

ENV_VAR = "SOURCELIFT_STORE_DIR"
MAX_ARCHIVE_BYTES = 4 * 1024**3
"""Archives larger than this are refused: a bound on what a build reads."""
_CHUNK = 1024 * 1024
_NOT_IN_NAMES = ("/", "\\", "\x00", ":")


def default_store_dir() -> Path:
    """Platform data directory: XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "sourcelift" / "store"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "sourcelift" / "store"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sourcelift" / "store"


def sha256_file(path: Path, limit: int = MAX_ARCHIVE_BYTES) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as stream:
        _copy(stream, None, digest, limit, str(path))
    return digest.hexdigest()


def _copy(source: BinaryIO, target: BinaryIO | None, digest: hashlib._Hash, limit: int, what: str) -> None:
    total = 0
    while True:
        chunk = source.read(_CHUNK)
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise ConfigError(f"{what} is larger than {limit} bytes; sourcelift refuses to read it")
        digest.update(chunk)
        if target is not None:
            target.write(chunk)


class Store:
    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            configured = os.environ.get(ENV_VAR)
            root = Path(configured).expanduser() if configured else default_store_dir()
        self.root = root.absolute()

    def path_for(self, sha256: str, filename: str) -> Path:
        """Where the archive with this hash lives (whether or not it is there yet).

        Both parts may come from a (possibly hostile) sdist record: neither may leave the store.
        """
        plain = filename not in ("", ".", "..") and not any(c in filename for c in _NOT_IN_NAMES)
        if not is_lower_hex(sha256, 64) or not plain:
            raise ConfigError(f"refusing to store {filename!r} under hash {sha256!r}: not a plain file name and hash")
        return self.root / "sha256" / sha256 / filename

    def ensure(self, source: Path, sha256: str, filename: str) -> Path:
        """Copy ``source`` into the store unless an intact copy is there; return its path.

        An existing entry is hashed again first (a truncated or altered copy is replaced),
        and the copy never gets wider permission bits than ``source`` has.
        """
        target = self.path_for(sha256, filename)
        with open_regular(source) as stream:
            mode = os.fstat(stream.fileno()).st_mode & 0o777
            if self._intact(target, sha256):
                _narrow(target, mode)
                return target
            return self._write(stream, filename, sha256, mode)[1]

    def _intact(self, target: Path, sha256: str) -> bool:
        try:
            return sha256_file(target) == sha256
        except (OSError, ConfigError):
            return False

    def add_stream(self, stream: BinaryIO, sha256: str, filename: str) -> Path:
        """Write an archive from a stream, checking it has the expected hash."""
        return self._write(stream, filename, sha256)[1]

    def add_unverified(self, stream: BinaryIO, filename: str) -> tuple[str, Path]:
        """Write an archive whose hash is not known yet; return its hash and stored path."""
        return self._write(stream, filename, None)

    def _write(self, stream: BinaryIO, filename: str, expected: str | None, mode: int = 0o644) -> tuple[str, Path]:
        incoming = self.root / "incoming"
        try:
            incoming.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the archive store at {self.root}: {exc.strerror}; set {ENV_VAR} to a writable directory"
            ) from None
        remove_stale_parts(incoming)
        handle, temporary = tempfile.mkstemp(dir=incoming, prefix=f".tmp-{os.getpid()}-", suffix=".part")
        try:
            digest = hashlib.sha256()
            with os.fdopen(handle, "wb") as out:
                _copy(stream, out, digest, MAX_ARCHIVE_BYTES, filename)
            sha256 = digest.hexdigest()
            if expected is not None and sha256 != expected:
                raise ConfigError(
                    f"{filename}: content hash {sha256} differs from the expected {expected}; "
                    "the archive changed while it was being read, or it was tampered with"
                )
            target = self.path_for(sha256, filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(temporary, mode & 0o777)
            os.replace(temporary, target)  # atomic: a concurrent build sees all of it or none
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256, target


def _narrow(target: Path, mode: int) -> None:
    """Take from an existing entry the permission bits ``mode`` lacks (a 0600 source keeps its copy 0600)."""
    try:
        current = target.stat().st_mode & 0o777
        if current & ~mode:
            os.chmod(target, current & mode)
    except OSError:
        return  # another user's entry: its bits are theirs


STALE_PART_SECONDS = 3600.0
"""A ``.part`` file whose writer is gone, or older than this, was left by a killed build."""


def remove_stale_parts(incoming: Path, now: float | None = None) -> list[str]:
    """Remove the temporary files killed builds left in ``incoming``; return their names.

    A file is stale when the process named in it (``.tmp-<pid>-...part``) is gone, or when it
    is older than :data:`STALE_PART_SECONDS` (the process id may belong to another machine
    sharing the store, or have been reused).
    """
    import time

    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(os.scandir(incoming))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(".tmp-") and entry.name.endswith(".part")):
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        pid_text = entry.name[len(".tmp-") :].partition("-")[0]
        if age < STALE_PART_SECONDS and (not pid_text.isdigit() or _alive(int(pid_text))):
            continue
        try:
            os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # no cheap signal-0 probe: rely on the age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, another user's
    return True
