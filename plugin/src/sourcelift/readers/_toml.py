"""Loading TOML files, with problems reported instead of raised, and bounded.

A pyproject.toml is read only when it is a regular file of at most :data:`MAX_TOML_BYTES`;
one nested deeper than the parser can follow is reported, not a crash.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._compat import tomllib
from .._files import NotARegularFile, TooLarge, read_bounded
from ..errors import Findings

__all__ = ["MAX_TOML_BYTES", "TomlError", "load_toml", "parse_shared", "read_toml", "subtable"]

MAX_TOML_BYTES = 8 * 1024 * 1024
"""pyproject.toml files larger than this are refused (the largest real ones are a few hundred KiB)."""

_PARSED: dict[bytes, dict[str, Any]] = {}


class TomlError(ValueError):
    """A TOML text that cannot be used: not UTF-8, not TOML, or nested too deeply."""


def parse_shared(raw: bytes) -> dict[str, Any]:
    """Parse TOML ``raw``, once per process for the same bytes (a workspace's member pyproject.toml is
    read by the workspace lookup and again by version discovery).  The result is shared: never mutate it.

    Raises :class:`TomlError` (a ``ValueError``, as ``UnicodeDecodeError`` and ``tomllib.TOMLDecodeError`` are).
    """
    data = _PARSED.get(raw)
    if data is None:
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise TomlError(f"not UTF-8 text (byte {exc.start}: {exc.reason})") from None
        except tomllib.TOMLDecodeError as exc:
            raise TomlError(f"not valid TOML: {exc}") from None
        except RecursionError:
            raise TomlError("nested too deeply for sourcelift to read (arrays or tables inside each other)") from None
        _PARSED[raw] = data
    return data


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
