"""The normalized model every reader produces and every rewrite consumes.

A *declared* :class:`Source` says where a tool-specific table points
(``[tool.uv.sources]``, a hatch ``{root:uri}`` or a pdm ``${PROJECT_ROOT}``
direct reference).  A *resolved* source is what that turned out to be on disk
or on the network: an archive with its hash, a project directory, a git
repository, a URL or an index.  Requirements are matched to sources by
normalized name, as uv does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

from packaging.markers import Marker
from packaging.requirements import Requirement

from ._dataclasses import field, slotted_dataclass

__all__ = [
    "DeclaredRequirement",
    "GitArchiveSource",
    "GitSource",
    "IndexSource",
    "PathSource",
    "Project",
    "ResolvedArchive",
    "ResolvedDirectory",
    "ResolvedGit",
    "ResolvedIndex",
    "ResolvedSource",
    "ResolvedUrl",
    "Source",
    "SourceBase",
    "UrlSource",
    "WorkspaceSource",
]


@slotted_dataclass
class SourceBase:
    """What every declared source has: its package, where it was declared, its guards."""

    name: str
    """Canonical (normalized) name of the package the source is for."""
    key: str
    """pyproject key path of the declaration, e.g. ``tool.uv.sources.prebuilt``."""
    pyproject: Path
    """The pyproject.toml that declared it; relative paths are relative to its directory."""
    marker: Marker | None = None
    extra: str | None = None
    """Only for requirements active with this extra of the project (uv's ``extra``)."""
    group: str | None = None
    """Only for this dependency group (uv's ``group``); never part of built metadata."""
    binds: str | None = None
    """The key of the one declared requirement this source serves (an entry of poetry's
    multiple-constraints list, whose ``marker`` is the requirement's own); ``None``: every
    requirement with this name, the source's ``marker`` guarding it as in uv."""

    @property
    def base(self) -> Path:
        return self.pyproject.parent


@slotted_dataclass
class PathSource(SourceBase):
    """A local path: an archive (wheel, sdist) or a project directory."""

    path: str = ""
    editable: bool = False


@slotted_dataclass
class WorkspaceSource(SourceBase):
    """``workspace = true``: the workspace member with this name."""

    editable: bool = False


@slotted_dataclass
class GitSource(SourceBase):
    """A git repository at a revision, optionally a subdirectory of it."""

    git: str = ""
    rev: str | None = None
    subdirectory: str | None = None
    lfs: bool = False


@slotted_dataclass
class GitArchiveSource(SourceBase):
    """An archive (wheel or sdist) stored at ``path`` inside a git repository."""

    git: str = ""
    rev: str | None = None
    path: str = ""


@slotted_dataclass
class UrlSource(SourceBase):
    url: str = ""
    subdirectory: str | None = None


@slotted_dataclass
class IndexSource(SourceBase):
    index: str = ""


Source = Union[PathSource, WorkspaceSource, GitSource, GitArchiveSource, UrlSource, IndexSource]


@slotted_dataclass
class DeclaredRequirement:
    """A requirement as written in ``[project]``, with where it was written."""

    requirement: Requirement
    key: str
    """e.g. ``project.dependencies[0]`` or ``project.optional-dependencies.cli[1]``."""
    extra: str | None = None


@slotted_dataclass
class Project:
    """Everything sourcelift read from one project's pyproject.toml (and its workspace)."""

    root: Path
    pyproject: Path
    name: str
    requirements: list[DeclaredRequirement]
    sources: dict[str, list[Source]]
    """Sources by canonical package name, own declarations before inherited ones."""
    dynamic_dependencies: bool = False
    """True when ``dependencies`` or ``optional-dependencies`` are in ``project.dynamic``."""
    other_names: frozenset[str] = field(default_factory=frozenset)
    """Names used outside built metadata (dependency groups), so their sources are used."""
    development_only: list[Source] = field(default_factory=list)
    """Sources of development-only tables (pdm's dev-dependencies, poetry's groups): reported, never emitted."""
    has_project_table: bool = True
    """False for a directory whose pyproject.toml has no ``[project]`` (classic poetry, setup.py, a virtual root)."""


# Resolved sources: what a declared source turned out to be.


@slotted_dataclass
class ResolvedBase:
    name: str
    key: str
    marker: Marker | None
    extra: str | None


# Every resolved source ends with `binds` (as :attr:`SourceBase.binds`), defaulted: a base-class field
# with a default would have to come after the subclasses' fields, which have none.


@slotted_dataclass
class ResolvedArchive(ResolvedBase):
    """A wheel or sdist file, identified by its content hash."""

    path: Path
    """Where the archive is readable now (in the tree, an sdist, or the store)."""
    filename: str
    sha256: str
    project: str
    """The project name the file name carries (not normalized)."""
    version: str
    relative: str | None = None
    """The path as declared, relative to the project root, when it lies inside it."""
    binds: str | None = None


@slotted_dataclass
class ResolvedDirectory(ResolvedBase):
    path: Path
    version: str | None = None
    """The project's static version, when pyproject.toml gives one (checked against the specifier)."""
    in_git: str | None = None
    """``git+URL@COMMIT#subdirectory=PATH`` naming this directory, as a local-mode sdist made in a
    git checkout recorded it (a build in the tree asks the plan's checkout instead)."""
    binds: str | None = None


@slotted_dataclass
class ResolvedGit(ResolvedBase):
    url: str
    """Credential-free repository URL, without the ``git+`` prefix."""
    rev: str | None
    subdirectory: str | None
    binds: str | None = None


@slotted_dataclass
class ResolvedUrl(ResolvedBase):
    url: str
    subdirectory: str | None
    binds: str | None = None


@slotted_dataclass
class ResolvedIndex(ResolvedBase):
    index: str
    binds: str | None = None


ResolvedSource = Union[ResolvedArchive, ResolvedDirectory, ResolvedGit, ResolvedUrl, ResolvedIndex]
