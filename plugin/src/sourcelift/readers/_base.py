"""What a tool reader is: the interface every reader module implements (see :mod:`.registry`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from .._dataclasses import field, slotted_dataclass
from ..errors import Findings
from ..model import DeclaredRequirement, Source

__all__ = ["DeclaredPath", "ReadContext", "Reader"]


@slotted_dataclass
class ReadContext:
    """What the readers of one project fill in, in the order of :data:`READERS`."""

    root: Path
    pyproject: Path
    data: dict[str, Any]
    findings: Findings
    project_table: dict[str, Any] | None
    """``[project]``, or ``None`` when pyproject.toml has none."""
    name: str | None = None
    requirements: list[DeclaredRequirement] = field(default_factory=list)
    requirements_from: str | None = None
    """The tool table that declared the requirements when ``[project]`` does not (classic poetry)."""
    sources: dict[str, list[Source]] = field(default_factory=dict)
    other_names: set[str] = field(default_factory=set)
    development_only: list[Source] = field(default_factory=list)
    dynamic_dependencies: bool = False

    def add_sources(self, name: str, declared: list[Source], key: str) -> bool:
        """Add the sources of ``name`` declared at ``key``; two declarations of one name compete (an error)."""
        if self.sources.get(name):
            self.findings.error(
                key,
                f"`{self.sources[name][0].key}` already gives this package a source; two sources would compete",
                f"keep one of the two declarations: `{self.sources[name][0].key}` or `{key}`",
                dependency=name,
            )
            return False
        self.sources[name] = declared
        return True


@slotted_dataclass
class DeclaredPath:
    """A local path a tool table names, as ``sourcelift check`` looks for it in an sdist."""

    key: str
    name: str
    """Canonical name of the package it is for."""
    path: str | None
    workspace: bool = False
    """A uv ``workspace = true`` source: meaningless outside the workspace."""
    development_only: bool = False
    requirement: bool = False
    """The entry is itself a requirement of the project (poetry's ``[tool.poetry.dependencies]``)."""
    path_field: str | None = "path"
    """The key of ``key``'s table that names the path; ``None`` when ``key`` is a string naming it itself
    (a pdm development entry, a variant set given as a glob)."""

    @property
    def path_key(self) -> str:
        """The key whose value names :attr:`path`."""
        return self.key if self.path_field is None else f"{self.key}.{self.path_field}"


class Reader(Protocol):
    """One tool's dependency tables."""

    @property
    def tool(self) -> str:
        """The ``[tool.<tool>]`` table it reads; every key it reports starts with ``tool.<tool>.``."""

    def read(self, context: ReadContext) -> None:
        """Add what the tool declares for the project: requirements (only where ``[project]`` does not
        declare them), sources, names of development-only requirements, development-only sources."""

    def standards(self, document: Any, lines: dict[str, list[str]], consumed: set[str]) -> None:
        """Rewrite the tool's tables of a publish-mode sdist's pyproject.toml (a tomlkit document) so that
        the tool's own backend builds the same metadata without sourcelift: ``lines`` are the final
        requirement lines by key (this reader's keys only), ``consumed`` the canonical names whose
        sources became those lines."""

    def declared_paths(self, data: dict[str, Any]) -> Iterator[DeclaredPath]:
        """Every local path the tool's tables name (for ``sourcelift check`` on an sdist)."""
