"""The tool readers, registered in one place.

Each tool that keeps dependency sources in its own table (uv, poetry, pdm...) has one
reader module with one :class:`~sourcelift.readers._base.Reader`.  The project reader,
the wrapper, the standards-only rewrite of a publish-mode sdist and ``sourcelift check``
ask the readers in :data:`READERS` and know no tool by name: adding the next tool is
one module and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from ._base import DeclaredPath, ReadContext, Reader
from .uv import READER as UV

__all__ = ["READERS", "DeclaredPath", "ReadContext", "Reader", "declared_paths", "owner"]


class _OnDemand:
    """A reader whose module is imported only for a project with its ``[tool.<tool>]`` table.

    Poetry's, pdm's and the variants' readers read nothing outside their own table, so a
    project without it never imports them (the plugin runs inside every build).  uv's reader
    is imported always: a workspace member inherits the root's ``[tool.uv.sources]``.
    """

    __slots__ = ("_key", "_module", "_reader", "tool")

    def __init__(self, tool: str, module: str, key: str | None = None) -> None:
        self.tool = tool
        self._module = module
        self._key = key
        """The one key of ``[tool.<tool>]`` the reader reads, when it reads no other (``None``: the table)."""
        self._reader: Reader | None = None

    def __repr__(self) -> str:
        return f"<reader of [tool.{self.tool}] in {self._module}>"

    def _load(self) -> Reader:
        if self._reader is None:
            self._reader = importlib.import_module(self._module).READER
        return self._reader

    def _absent(self, data: Any) -> bool:
        tool = data.get("tool")
        table = tool.get(self.tool) if hasattr(tool, "get") else None
        if table is None:
            return True
        # a table without the reader's key (`[tool.sourcelift]` naming only the backend) holds nothing for it;
        # anything but a table is the reader's to report
        return self._key is not None and isinstance(table, dict) and self._key not in table

    def read(self, context: ReadContext) -> None:
        if not self._absent(context.data):
            self._load().read(context)

    def standards(self, document: Any, lines: dict[str, list[str]], consumed: set[str]) -> None:
        if lines or not self._absent(document):
            self._load().standards(document, lines, consumed)

    def declared_paths(self, data: dict[str, Any]) -> Iterator[DeclaredPath]:
        if not self._absent(data):
            yield from self._load().declared_paths(data)


POETRY: Reader = _OnDemand("poetry", "sourcelift.readers.poetry")
PDM: Reader = _OnDemand("pdm", "sourcelift.readers.pdm")
VARIANTS: Reader = _OnDemand("sourcelift", "sourcelift.readers.variants", key="variants")
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
