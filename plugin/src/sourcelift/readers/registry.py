"""The tool readers, registered in one place.

Each tool that keeps dependency sources in its own table (uv, poetry, pdm...) has one
reader module with one :class:`~sourcelift.readers._base.Reader`.  The project reader,
the wrapper, the standards-only rewrite of a publish-mode sdist and ``sourcelift check``
ask the readers in :data:`READERS` and know no tool by name: adding the next tool is
one module and one line here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._base import DeclaredPath, ReadContext, Reader
from .pdm import READER as PDM
from .poetry import READER as POETRY
from .uv import READER as UV
from .variants import READER as VARIANTS

__all__ = ["READERS", "DeclaredPath", "ReadContext", "Reader", "declared_paths", "owner"]

READERS: tuple[Reader, ...] = (POETRY, UV, PDM, VARIANTS)
"""Every tool reader, in the order they read a project (poetry first: a classic poetry project declares its
requirements in its own table, which the others check their sources against; the variants of
``[tool.sourcelift.variants]`` last: they check and replace a ``[tool.uv.sources]`` list written for uv)."""


def owner(key: str) -> Reader | None:
    """The reader whose table ``key`` belongs to (``tool.poetry.dependencies.x`` -> poetry's)."""
    for reader in READERS:
        if key.startswith(f"tool.{reader.tool}."):
            return reader
    return None


def declared_paths(data: dict[str, Any]) -> Iterator[DeclaredPath]:
    """The local paths every registered tool table of ``data`` names."""
    for reader in READERS:
        yield from reader.declared_paths(data)
