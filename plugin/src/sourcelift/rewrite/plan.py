"""A build's plan: the resolved sources of one project, and how its metadata lines change."""

from __future__ import annotations

import copy
import functools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..artifacts.store import Store
from ..errors import Findings
from ..model import (
    DeclaredRequirement,
    PathSource,
    Project,
    ResolvedArchive,
    ResolvedDirectory,
    ResolvedSource,
    WorkspaceSource,
)
from ..readers._toml import load_toml
from ..readers.project import read_project
from ..readers.workspace import find_workspace
from .local import is_location_dependent, render_local
from .markers import conjoin
from .resolve import resolve_sources

if TYPE_CHECKING:
    from .publish import Publisher

__all__ = ["Plan", "directory_sources", "make_plan", "plan_project"]


@dataclass  # not slotted: functools.cached_property needs the instance __dict__
class Plan:
    root: Path
    sources: dict[str, list[ResolvedSource]]
    store: Store
    requirements: list[DeclaredRequirement] = field(default_factory=list)
    from_local_sdist: bool = False
    """True when read from a local-mode sdist's sources file (building a wheel from it)."""
    dynamic_dependencies: bool = False
    """The project's dependencies are dynamic: the backend computes them, pyproject.toml does not list them."""
    publisher: Publisher | None = None
    """Set in publish mode: lines become version specifiers instead of direct references."""

    @functools.cached_property
    def _parsed(self) -> dict[str, Requirement]:
        return {str(d.requirement): d.requirement for d in self.requirements}

    @property
    def mode(self) -> str:
        return "local" if self.publisher is None else "publish"

    def render(
        self, requirement: Requirement, sources: list[ResolvedSource], findings: Findings, key: str
    ) -> list[str]:
        """The lines of one requirement with sources, in this plan's mode."""
        if self.publisher is not None:
            return self.publisher.render(requirement, sources, findings, key)
        return render_local(requirement, sources, self.store, findings, key)

    @property
    def location_dependent(self) -> bool:
        return any(is_location_dependent(sources) for sources in self.sources.values())

    def archives(self) -> list[ResolvedArchive]:
        return [s for sources in self.sources.values() for s in sources if isinstance(s, ResolvedArchive)]

    def populate_store(self) -> None:
        """Copy every archive the lines point at into the store (idempotent, atomic)."""
        if self.publisher is not None:
            return  # publish-mode lines point at no file
        for archive in self.archives():
            self.store.ensure(archive.path, archive.sha256, archive.filename)

    def rewrite_line(self, value: str, findings: Findings) -> list[str] | None:
        """New ``Requires-Dist`` values for one the backend wrote, or ``None`` to keep it."""
        requirement = self._parsed.get(value)  # most lines are the declared requirements, parsed already
        if requirement is None:
            try:
                requirement = Requirement(value)
            except InvalidRequirement:
                return None
        sources = self.sources.get(canonicalize_name(requirement.name))
        if not sources:
            if self.publisher is not None and requirement.url is not None:
                findings.warning(
                    f"Requires-Dist: {value}",
                    "is a direct reference with no source behind it, so publish mode leaves it as it is; "
                    "an index such as PyPI rejects it at upload",
                    f"declare a source for `{requirement.name}` (e.g. in `[tool.uv.sources]`) and a plain requirement",
                    dependency=requirement.name,
                )
            return None
        if requirement.url is not None:  # a placeholder reference the backend expanded; the source replaces it
            requirement = copy.copy(requirement)
            requirement.url = None
        return self.render(requirement, sources, findings, f"Requires-Dist: {value}")

    def declared_lines(self, findings: Findings, *, as_metadata: bool = True) -> dict[str, list[str]]:
        """The lines of each declared requirement with a source, by its pyproject key.

        ``as_metadata``: as they read in METADATA (an extra's requirements carry
        ``extra == "..."``); otherwise as they are written in ``[project]``.
        """
        lines: dict[str, list[str]] = {}
        for declared in self.requirements:
            sources = self.sources.get(canonicalize_name(declared.requirement.name))
            if sources:
                requirement = copy.copy(declared.requirement)
                requirement.url = None
                if declared.extra is not None and as_metadata:
                    requirement.marker = conjoin(requirement.marker, f'extra == "{declared.extra}"')
                elif declared.extra is not None:
                    sources = [_without_extra(s, declared.extra) for s in sources]
                lines[declared.key] = self.render(requirement, sources, findings, declared.key)
        return lines


def _without_extra(source: ResolvedSource, extra: str) -> ResolvedSource:
    """The source as seen from inside ``[project.optional-dependencies.<extra>]``: its guard for that
    extra is implied there."""
    if source.extra != extra:
        return source
    return replace(source, extra=None)


def plan_project(
    root: Path, data: dict[str, Any], findings: Findings, store: Store, publisher: Publisher | None = None
) -> tuple[Plan, Project]:
    """Read the project, resolve its sources and check every declared requirement against them.

    Problems go into ``findings``; nothing is raised.
    """
    project = read_project(root, data, findings)
    plan = Plan(
        root,
        resolve_sources(project, findings, store),
        store,
        project.requirements,
        dynamic_dependencies=project.dynamic_dependencies,
        publisher=publisher,
    )
    plan.declared_lines(findings)
    if publisher is not None:
        publisher.check_overrides(set(plan.sources), findings)
    return plan, project


def make_plan(
    root: Path,
    store: Store | None = None,
    data: dict[str, Any] | None = None,
    publisher: Publisher | None = None,
) -> tuple[Plan, Findings]:
    """Read and check the project at ``root``; raise :class:`~sourcelift.errors.ProblemsError` on problems.

    In an unpacked local-mode sdist (``PKG-INFO`` and the sourcelift sources file beside
    ``pyproject.toml``) the sources file made from the original tree is used instead.
    """
    store = store or Store()
    findings = Findings()
    if (root / "PKG-INFO").is_file():  # an unpacked sdist; only then is the local_sdist module needed
        from .local_sdist import LOCAL_SOURCES_PATH, read_local_sources

        if (root / LOCAL_SOURCES_PATH).is_file():
            sources = read_local_sources(root, findings)
            findings.raise_if_any(root / LOCAL_SOURCES_PATH)
            return Plan(root, sources, store, from_local_sdist=True, publisher=publisher), findings
    pyproject = root / "pyproject.toml"
    if data is None:
        data = load_toml(pyproject, findings)
        if data is None:
            findings.raise_if_any(pyproject)
            raise AssertionError("unreachable")  # pragma: no cover
    plan, _ = plan_project(root, data, findings, store, publisher)
    findings.raise_if_any(pyproject)
    return plan, findings


def directory_sources(root: Path, data: dict[str, Any]) -> list[Path]:
    """The project directories the sources of the project at ``root`` name, found without fetching
    or hashing anything; problems are left for the build to report."""
    findings = Findings()
    if (root / "PKG-INFO").is_file():
        from .local_sdist import LOCAL_SOURCES_PATH, read_local_sources

        if (root / LOCAL_SOURCES_PATH).is_file():
            recorded = read_local_sources(root, findings)
            return [s.path for sources in recorded.values() for s in sources if isinstance(s, ResolvedDirectory)]
    project = read_project(root, data, findings)
    used = {canonicalize_name(r.requirement.name) for r in project.requirements}
    paths: list[Path] = []
    members: dict[str, Path] | None = None
    for name, sources in project.sources.items():
        if not project.dynamic_dependencies and name not in used:
            continue
        for source in sources:
            if source.group is not None:
                continue
            if isinstance(source, PathSource):
                target = Path(os.path.normpath(source.base / source.path))
                if target.is_dir():
                    paths.append(target)
            elif isinstance(source, WorkspaceSource):
                if members is None:
                    workspace = find_workspace(root)
                    members = workspace.members(findings) if workspace is not None else {}
                if source.name in members:
                    paths.append(members[source.name])
    return paths
