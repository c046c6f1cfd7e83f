"""Loading TOML files, with problems reported instead of raised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._compat import tomllib
from ..errors import Findings

__all__ = ["load_toml", "parse_shared"]

_PARSED: dict[bytes, dict[str, Any]] = {}


def parse_shared(raw: bytes) -> dict[str, Any]:
    """Parse TOML ``raw``, once per process for the same bytes (a workspace's member pyproject.toml is
    read by the workspace lookup and again by version discovery).  The result is shared: never mutate it.

    Raises ``UnicodeDecodeError`` or ``tomllib.TOMLDecodeError``.
    """
    data = _PARSED.get(raw)
    if data is None:
        data = tomllib.loads(raw.decode("utf-8"))
        _PARSED[raw] = data
    return data


def load_toml(path: Path, findings: Findings) -> dict[str, Any] | None:
    try:
        with path.open("rb") as stream:
            data: dict[str, Any] = tomllib.load(stream)
            return data
    except FileNotFoundError:
        findings.error(str(path), "the file does not exist", "run the build from the project's root directory")
    except tomllib.TOMLDecodeError as exc:
        findings.error(str(path), f"not valid TOML: {exc}", "correct the TOML syntax")
    except OSError as exc:
        findings.error(str(path), f"cannot be read: {exc.strerror}", "check the file's permissions")
    return None
