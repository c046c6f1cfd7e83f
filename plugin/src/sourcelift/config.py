"""``[tool.sourcelift]``: which backend the wrapper delegates to, and the mode."""

from __future__ import annotations

from typing import Any

from ._record import record
from .errors import Findings

__all__ = ["DEFAULT_BACKEND", "Config", "read_config"]

DEFAULT_BACKEND = "hatchling.build"
_KEYS = {"backend", "mode"}


@record
class Config:
    backend: str = DEFAULT_BACKEND
    mode: str = "local"


def read_config(data: dict[str, Any], findings: Findings) -> Config:
    table = data.get("tool", {}).get("sourcelift", {})
    if not isinstance(table, dict):
        findings.error("tool.sourcelift", "must be a table", "write it as `[tool.sourcelift]`")
        return Config()
    for key in sorted(set(table) - _KEYS):
        findings.error(
            f"tool.sourcelift.{key}",
            "is not a sourcelift setting",
            f"remove it; `[tool.sourcelift]` takes {', '.join(f'`{k}`' for k in sorted(_KEYS))}",
        )
    backend = table.get("backend", DEFAULT_BACKEND)
    if not isinstance(backend, str) or not backend.strip():
        findings.error(
            "tool.sourcelift.backend",
            f'must name a PEP 517 backend such as "hatchling.build", not {backend!r}',
            'write e.g. `backend = "setuptools.build_meta"`',
        )
        backend = DEFAULT_BACKEND
    elif backend.strip().split(":")[0] == "sourcelift.build":
        findings.error(
            "tool.sourcelift.backend",
            "names sourcelift's own wrapper; it must name the backend to wrap",
            'name the real backend, e.g. `backend = "hatchling.build"`',
        )
    mode = table.get("mode", "local")
    if mode != "local":
        if mode == "publish":
            message = "publish mode is not available in this version of sourcelift"
        else:
            message = f'must be "local", not {mode!r}'
        findings.error("tool.sourcelift.mode", message, 'remove `mode` or set `mode = "local"`')
    return Config(backend=backend.strip() if isinstance(backend, str) else DEFAULT_BACKEND)
