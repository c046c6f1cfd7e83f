"""The version cache: a directory version, by the fingerprint of its build inputs.

One small JSON file per fingerprint::

    <cache>/versions/v1/<hex[:2]>/<hex>.json    {"format": 1, "member": "/abs/dir", "version": "1.2.0"}

Entries are written atomically (a temporary file in the same directory, then
``os.replace``), so a reader sees a whole entry or none, and without a lock.  A
miss takes the entry's lock (``<hex>.lock``, ``fcntl.flock`` / ``msvcrt.locking``)
and looks again before computing, so concurrent builds run a backend once per
key.  An unreadable or malformed entry counts as a miss.  The cache lives in
the user cache directory, moves with ``SOURCELIFT_CACHE_DIR`` and is bypassed
with ``SOURCELIFT_NO_CACHE=1``; it is never inside a source tree.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Callable

from .._patterns import is_lower_hex
from ..errors import Problem, warn

__all__ = ["CACHE_DIR_ENV", "NO_CACHE_ENV", "VersionCache", "default_cache_dir"]

CACHE_DIR_ENV = "SOURCELIFT_CACHE_DIR"
NO_CACHE_ENV = "SOURCELIFT_NO_CACHE"
_TRUE = ("1", "true", "yes", "on")
_MAX_MEMBER_FILE = 1024 * 1024
"""A member's list of versions larger than this is not read (it lists versions, a few bytes each)."""
_FORMAT = 1
LOCK_TIMEOUT = 360.0
"""How long a build waits for another one computing the same entry (longer than a backend may run)."""
_POLL = 0.02


def default_cache_dir(platform: str, environ: Mapping[str, str], home: Path | None = None) -> Path:
    """Where the cache lives by the platform's convention.

    >>> default_cache_dir("linux", {"XDG_CACHE_HOME": "/c"}, Path("/home/u")).as_posix()
    '/c/sourcelift'
    >>> default_cache_dir("linux", {}, Path("/home/u")).as_posix()
    '/home/u/.cache/sourcelift'
    >>> default_cache_dir("darwin", {}, Path("/Users/u")).as_posix()
    '/Users/u/Library/Caches/sourcelift'
    """
    if home is None:
        home = Path.home()
    if platform.startswith("win"):
        base = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / "sourcelift" / "Cache"
    if platform == "darwin":
        return home / "Library" / "Caches" / "sourcelift"
    xdg = environ.get("XDG_CACHE_HOME", "")
    base_dir = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".cache"  # XDG: a relative value is ignored
    return base_dir / "sourcelift"


class VersionCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory.absolute()
        self._entries = self.directory / "versions" / "v1"
        self._entries_text = str(self._entries)
        self._members = self.directory / "versions" / "members-v1"
        """One file per member, one line per version ever stored for it (:meth:`versions_seen`)."""
        self._members_made = False
        self._unwritable = False

    def __repr__(self) -> str:
        return f"VersionCache({str(self.directory)!r})"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> VersionCache | None:
        """The cache the environment asks for, or ``None`` when ``SOURCELIFT_NO_CACHE`` bypasses it."""
        if environ.get(NO_CACHE_ENV, "").strip().lower() in _TRUE:
            return None
        configured = environ.get(CACHE_DIR_ENV, "").strip()
        if configured:
            return cls(Path(configured).expanduser())
        try:
            return cls(default_cache_dir(sys.platform, environ))
        except RuntimeError:  # no home directory to put it in
            return None

    def has_entries(self) -> bool:
        """Whether any build has stored an entry here (a lookup in a cache without them can only miss)."""
        return self._members.is_dir()

    def _member_file(self, member: Path) -> Path:
        key = hashlib.sha256(str(member).encode("utf-8", "surrogateescape")).hexdigest()[:32]
        return self._members / key

    def versions_seen(self, member: Path) -> list[str]:
        """Every version an entry of ``member`` has held, cheaply (one small file, no fingerprint).

        Local mode asks this first: when each of these satisfies a requirement, whatever entry the
        member's current fingerprint finds satisfies it too, and no fingerprint is needed.
        """
        from .._files import read_bounded

        try:
            text = read_bounded(self._member_file(member), _MAX_MEMBER_FILE).decode("utf-8", "replace")
        except OSError:
            return []
        from packaging.version import InvalidVersion, Version

        seen: list[str] = []
        for line in text.splitlines():
            try:
                if str(Version(line)) == line and line not in seen:
                    seen.append(line)
            except InvalidVersion:
                continue  # a torn or foreign line: a version it named is simply not known
        return seen

    def _note_member(self, member: Path, version: str) -> None:
        """Add ``version`` to ``member``'s versions (one appended line: writes of a line this short
        are not interleaved by concurrent builds; a version listed twice is read once).  A line is
        added only when a backend computed a version, so the file grows with new build inputs only."""
        if not self._members_made:
            self._members.mkdir(parents=True, exist_ok=True)
            self._members_made = True
        descriptor = os.open(self._member_file(member), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(descriptor, f"{version}\n".encode())
        finally:
            os.close(descriptor)

    def entry_path(self, digest: str) -> Path:
        return Path(self._entry(digest))

    def _entry(self, digest: str) -> str:
        """:meth:`entry_path` as a string (os.path, not pathlib: a workspace build looks up every member's entry)."""
        if not is_lower_hex(digest, 64):
            raise ValueError(f"not a sha256 hex digest: {digest!r}")
        return os.path.join(self._entries_text, digest[:2], f"{digest}.json")

    def get(self, digest: str, member: Path) -> str | None:
        """The cached version, or ``None`` on a miss (absent, unreadable, malformed, another member's)."""
        path = self._entry(digest)
        try:
            with open(path, "rb", buffering=0) as stream:
                raw = stream.readall()
        except OSError:
            return None
        import json

        try:
            entry = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(entry, dict) or entry.get("format") != _FORMAT or entry.get("member") != str(member):
            return None
        version = entry.get("version")
        if not isinstance(version, str) or not version:
            return None
        from packaging.version import InvalidVersion, Version

        try:
            Version(version)
        except InvalidVersion:
            return None
        return version

    def put(self, digest: str, member: Path, version: str) -> None:
        """Store an entry atomically; a cache that cannot be written is reported once and skipped."""
        import json

        from ..artifacts._atomic import atomic_writer

        target = self.entry_path(digest)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_writer(target) as stream:
                stream.write(json.dumps({"format": _FORMAT, "member": str(member), "version": version}).encode())
            self._note_member(member, version)
        except OSError as exc:
            self._report_unwritable(exc)

    def get_or_compute(self, digest: str, member: Path, compute: Callable[[], str]) -> tuple[str, bool]:
        """The cached version (and ``True``), or ``compute()``'s, stored (and ``False``).

        Under the entry's lock, so that concurrent builds compute it once.  ``compute``
        raising stores nothing.
        """
        found = self.get(digest, member)
        if found is not None:
            return found, True
        with self._locked(digest):
            found = self.get(digest, member)
            if found is not None:
                return found, True
            version = compute()
            self.put(digest, member, version)
            return version, False

    def try_claim(self, digest: str) -> int | None:
        """Take the entry's lock without waiting: a token for :meth:`release`, or ``None`` when another
        build holds it (then :meth:`get_or_compute` waits for that build's answer)."""
        path = self.entry_path(digest).with_suffix(".lock")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            self._report_unwritable(exc)
            return -1  # unlocked: at worst two builds compute the same version
        try:
            if _try_lock(descriptor):
                return descriptor
        except OSError:  # no locking here: go on without it
            return descriptor
        os.close(descriptor)
        return None

    def release(self, token: int) -> None:
        if token < 0:
            return
        with suppress(OSError):
            _unlock(token)
        os.close(token)

    @contextmanager
    def _locked(self, digest: str) -> Iterator[None]:
        path = self.entry_path(digest).with_suffix(".lock")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            self._report_unwritable(exc)
            yield  # unlocked: at worst two builds compute the same version
            return
        locked = False
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    locked = _try_lock(descriptor)
                except OSError:  # no locking here (some network file systems): go on without it
                    break
                if locked or time.monotonic() > deadline:  # a holder stuck that long: do not fail the build
                    break
                time.sleep(_POLL)
            yield
        finally:
            if locked:
                _unlock(descriptor)
            os.close(descriptor)

    def _report_unwritable(self, exc: OSError) -> None:
        if self._unwritable:
            return
        self._unwritable = True
        warn(
            Problem(
                CACHE_DIR_ENV,
                f"the version cache at {self.directory} cannot be written ({exc.strerror or exc}); "
                "versions are computed without it",
                f"set {CACHE_DIR_ENV} to a writable directory, or {NO_CACHE_ENV}=1 to bypass the cache",
            )
        )


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(descriptor: int) -> bool:
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
