"""Files replaced whole: a kill at any moment leaves the old content or the new one, never a mix.

Every write goes to a temporary file in the same directory, is flushed and
fsynced, then renamed over the target with ``os.replace`` (atomic on POSIX and
Windows), and the directory is fsynced so that the rename itself survives a
power loss.  Temporary names start with ``.<name>.`` and end with
:data:`TEMP_SUFFIX`, so that a later run can remove what a killed one left.

For the crash tests only: with ``SOURCELIFT_TEST_CRASH_AT=N`` in the
environment, the process kills itself (SIGKILL) at the N-th crash point; there
are crash points just before and just after every replacement and removal.
"""

from __future__ import annotations

import os

__all__ = ["TEMP_SUFFIX", "crash_point", "remove_durably", "remove_leftovers", "write_atomic"]

TEMP_SUFFIX = ".sourcelift-tmp"
CRASH_ENV = "SOURCELIFT_TEST_CRASH_AT"

_crash_points = 0


def crash_point() -> None:
    """Count a crash point; kill this process at the one ``SOURCELIFT_TEST_CRASH_AT`` names."""
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    global _crash_points
    _crash_points += 1
    if wanted.strip() == str(_crash_points):
        import signal

        kill = getattr(signal, "SIGKILL", signal.SIGTERM)
        os.kill(os.getpid(), kill)


def _fsync_directory(directory: str) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows; rename is durable there
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` by ``data`` (keeping its permission bits), durably and atomically."""
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".{name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(temporary, mode)
        crash_point()
        os.replace(temporary, path)
    except BaseException:
        _unlink_quietly(temporary)
        raise
    _fsync_directory(directory or ".")
    crash_point()


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        return


def remove_durably(path: str) -> None:
    """Remove ``path`` (if it exists), durably."""
    crash_point()
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    _fsync_directory(os.path.dirname(path) or ".")
    crash_point()


def _writer_alive(name: str) -> bool:
    """Is the process whose id is in a temporary file's name (``.<name>.<pid>.sourcelift-tmp``) running?"""
    pid_text = name[: -len(TEMP_SUFFIX)].rpartition(".")[2]
    if not pid_text.isdigit() or int(pid_text) == os.getpid() or os.name == "nt":
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but belongs to someone else
        return True
    return True


def remove_leftovers(directory: str, names: tuple[str, ...]) -> list[str]:
    """Remove temporary files a killed run left for ``names`` in ``directory``; return what was removed."""
    removed: list[str] = []
    prefixes = tuple(f".{name}." for name in names)
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(prefixes) and entry.name.endswith(TEMP_SUFFIX):
            if _writer_alive(entry.name):
                continue  # another run is writing it right now
            try:
                os.unlink(entry.path)
                removed.append(entry.name)
            except OSError:
                pass
    return removed
