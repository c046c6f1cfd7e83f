"""Loading TOML files, with problems reported instead of raised, and bounded.

A pyproject.toml is read only when it is a regular file of at most :data:`MAX_TOML_BYTES`;
one nested deeper than the parser can follow is reported, not a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._compat import tomllib
from .._files import NotARegularFile, TooLarge, read_bounded
from ..errors import Findings

__all__ = [
    "MAX_TOML_BYTES",
    "TomlError",
    "attach_store",
    "detach_store",
    "enable_store",
    "load_toml",
    "parse_shared",
    "read_toml",
    "save_store",
    "subtable",
]

MAX_TOML_BYTES = 8 * 1024 * 1024
"""pyproject.toml files larger than this are refused (the largest real ones are a few hundred KiB)."""
MAX_STORE_BYTES = 16 * 1024 * 1024
"""A store of parses larger than this is not read (it is rewritten smaller by the next build)."""
_STORE_FORMAT = 1

_PARSED: dict[bytes, dict[str, Any]] = {}


class _ParseStore:
    """The parses of a workspace's pyproject.toml files, kept between builds in the cache directory.

    A build in a workspace of dozens or hundreds of members reads every member's pyproject.toml,
    and parsing them is most of that (``tomllib``: some 50 us a small file).  Entries are keyed by
    the sha256 of the file's bytes, so an entry is never stale: a changed file is a new key.  Only
    what JSON holds as it is (no dates or times) is kept; the store keeps the entries its last
    build used and as many others, so it stays the size of the workspace.
    """

    def __init__(self, path: Path, workspace_root: Path | None = None) -> None:
        self.path = path
        self.workspace_root = workspace_root
        self.entries: dict[str, Any] = {}
        self.used: dict[str, dict[str, Any]] = {}
        self.added = False
        import json

        try:
            stored = json.loads(read_bounded(path, MAX_STORE_BYTES))
        except (OSError, ValueError, RecursionError):
            return  # none yet, unreadable or damaged: parse, and write a new one
        if not isinstance(stored, dict) or stored.get("format") != _STORE_FORMAT:
            return
        if isinstance(stored.get("entries"), dict):
            self.entries = stored["entries"]

    def get(self, digest: str) -> dict[str, Any] | None:
        data = self.entries.get(digest)
        if not isinstance(data, dict):
            return None
        self.used[digest] = data
        return data

    def add(self, digest: str, data: dict[str, Any]) -> None:
        if _json_exact(data):
            self.used[digest] = data
            self.added = True

    def save(self) -> None:
        if not self.added:
            return
        import json

        from ..artifacts._atomic import atomic_writer

        kept: dict[str, Any] = dict(self.used)
        for digest, data in self.entries.items():
            if len(kept) >= 2 * len(self.used) + 16:
                break
            kept.setdefault(digest, data)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_writer(self.path) as stream:
                stream.write(json.dumps({"format": _STORE_FORMAT, "entries": kept}, separators=(",", ":")).encode())
        except OSError:
            pass  # an unwritable cache only costs the next build its parses
        self.added = False


def _json_exact(value: Any) -> bool:
    """Whether JSON gives ``value`` back as it is (TOML's dates and times it does not)."""
    if isinstance(value, dict):
        return all(_json_exact(item) for item in value.values())
    if isinstance(value, list):
        return all(_json_exact(item) for item in value)
    return isinstance(value, (str, int, float, bool))


_STORE_DIRECTORY: Callable[[], Path | None] | None = None
_STORE: _ParseStore | None = None


def enable_store(directory: Callable[[], Path | None]) -> None:
    """Let :func:`attach_store` keep parses under ``directory()`` (the cache directory, asked only
    when a workspace is found; ``None``: no cache).  The wrapper backend enables it when the
    version cache is in use."""
    global _STORE_DIRECTORY
    _STORE_DIRECTORY = directory


def attach_store(workspace_root: Path) -> None:
    """Keep the parses of this workspace's files between builds, when :func:`enable_store` allowed it."""
    global _STORE
    if _STORE_DIRECTORY is None:
        return
    directory = _STORE_DIRECTORY()
    if directory is None:
        return
    import hashlib

    name = hashlib.sha256(str(workspace_root).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    path = directory / "toml" / "v1" / f"{name}.json"
    if _STORE is not None and _STORE.path == path:
        return
    if _STORE is not None:
        _STORE.save()  # another workspace's, in a process that plans several (tests, explain)
    _STORE = _ParseStore(path, workspace_root)


def detach_store(directory: Path) -> None:
    """Drop, unwritten, the store :func:`attach_store` attached for ``directory`` when it turned out to be
    no workspace root (a member's file names `workspace` too: its own ``x = { workspace = true }``)."""
    global _STORE
    if _STORE is not None and _STORE.workspace_root == directory:
        _STORE = None


def save_store() -> None:
    """Write what this build parsed anew (a no-op without a store or anything new)."""
    if _STORE is not None:
        _STORE.save()


class TomlError(ValueError):
    """A TOML text that cannot be used: not UTF-8, not TOML, or nested too deeply."""


def parse_shared(raw: bytes, *, member: bool = False) -> dict[str, Any]:
    """Parse TOML ``raw``, once per process for the same bytes (a workspace's member pyproject.toml is
    read by the workspace lookup and again by version discovery).  The result is shared: never mutate it.

    ``member``: one of a workspace's many files (a member's, or a long root's), which :mod:`._simple_toml`
    reads in a fraction of tomllib's time when it is plain (compiling its pattern, some 1 ms, pays only
    over many files or a long one).
    Raises :class:`TomlError` (a ``ValueError``, as ``UnicodeDecodeError`` and ``tomllib.TOMLDecodeError`` are).
    """
    data = _PARSED.get(raw)
    if data is None:
        if _STORE is None:
            data = _parse(raw, member)
        else:
            import hashlib

            digest = hashlib.sha256(raw).hexdigest()
            data = _STORE.get(digest)
            if data is None:
                data = _parse(raw, member)
                _STORE.add(digest, data)
        _PARSED[raw] = data
    return data


def _parse(raw: bytes, plain_first: bool = False) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
        if plain_first:
            from ._simple_toml import parse_simple

            simple = parse_simple(text)
            if simple is not None:
                return simple
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise TomlError(f"not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(f"not valid TOML: {exc}") from None
    except RecursionError:
        raise TomlError("nested too deeply for sourcelift to read (arrays or tables inside each other)") from None


def read_toml(path: Path) -> dict[str, Any]:
    """Read and parse a TOML file; ``OSError`` when it cannot be read, :class:`TomlError` when it is not TOML."""
    return parse_shared(read_bounded(path, MAX_TOML_BYTES))


def load_toml(path: Path, findings: Findings) -> dict[str, Any] | None:
    try:
        return read_toml(path)
    except FileNotFoundError:
        findings.error(str(path), "the file does not exist", "run the build from the project's root directory")
    except (NotARegularFile, TooLarge) as exc:
        findings.error(str(path), str(exc), "make pyproject.toml a plain text file of reasonable size")
    except TomlError as exc:
        findings.error(str(path), str(exc), "correct the file: it must be UTF-8 encoded TOML")
    except OSError as exc:
        findings.error(str(path), f"cannot be read: {exc.strerror or exc}", "check the file's permissions")
    return None


def subtable(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``, or ``None`` as soon as a level is missing or is not a table.

    >>> subtable({"tool": {"uv": {"sources": {}}}}, "tool", "uv", "sources")
    {}
    >>> subtable({"tool": 1}, "tool", "uv") is None
    True
    """
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
