"""Loading TOML files, with problems reported instead of raised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._compat import tomllib
from ..errors import Findings

__all__ = ["load_toml"]


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
