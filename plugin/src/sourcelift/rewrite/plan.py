"""A build's plan: the resolved sources of one project, and how its metadata lines change."""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .._record import record
from ..artifacts.store import Store
from ..errors import Findings
from ..model import DeclaredRequirement, Project, ResolvedArchive, ResolvedSource
from ..readers._toml import load_toml
from ..readers.project import read_project
from .local import is_location_dependent, render_local
from .markers import conjoin
from .resolve import resolve_sources

__all__ = ["Plan", "make_plan", "plan_project"]


@record
class Plan:
    root: Path
    sources: dict[str, list[ResolvedSource]]
    store: Store
    requirements: list[DeclaredRequirement] = field(default_factory=list)
    from_record: bool = False
    """True when read from the record of a local-mode sdist (building a wheel from it)."""

    @property
    def location_dependent(self) -> bool:
        return any(is_location_dependent(sources) for sources in self.sources.values())

    def archives(self) -> list[ResolvedArchive]:
        return [s for sources in self.sources.values() for s in sources if isinstance(s, ResolvedArchive)]

    def populate_store(self) -> None:
        """Copy every archive the lines point at into the store (idempotent, atomic)."""
        for archive in self.archives():
            self.store.ensure(archive.path, archive.sha256, archive.filename)

    def rewrite_line(self, value: str, findings: Findings) -> list[str] | None:
        """New ``Requires-Dist`` values for one the backend wrote, or ``None`` to keep it."""
        try:
            requirement = Requirement(value)
        except InvalidRequirement:
            return None
        sources = self.sources.get(canonicalize_name(requirement.name))
        if not sources:
            return None
        requirement.url = None  # a placeholder reference the backend expanded; the source replaces it
        return render_local(requirement, sources, self.store, findings, f"Requires-Dist: {value}")

    def declared_lines(self, findings: Findings) -> dict[str, list[str]]:
        """Local-mode lines for each declared requirement with a source, by its pyproject key."""
        lines: dict[str, list[str]] = {}
        for declared in self.requirements:
            sources = self.sources.get(canonicalize_name(declared.requirement.name))
            if sources:
                requirement = Requirement(str(declared.requirement))
                if declared.extra is not None:  # as it will read in METADATA
                    requirement.marker = conjoin(requirement.marker, f'extra == "{declared.extra}"')
                lines[declared.key] = render_local(requirement, sources, self.store, findings, declared.key)
        return lines


def plan_project(root: Path, data: dict[str, Any], findings: Findings, store: Store) -> tuple[Plan, Project]:
    """Read the project, resolve its sources and check every declared requirement against them.

    Problems go into ``findings``; nothing is raised.
    """
    project = read_project(root, data, findings)
    plan = Plan(root, resolve_sources(project, findings, store), store, project.requirements)
    plan.declared_lines(findings)
    return plan, project


def make_plan(root: Path, store: Store | None = None, data: dict[str, Any] | None = None) -> tuple[Plan, Findings]:
    """Read and check the project at ``root``; raise :class:`~sourcelift.errors.ProblemsError` on problems.

    In an unpacked local-mode sdist (``PKG-INFO`` and the sourcelift record beside
    ``pyproject.toml``) the record made from the original tree is used instead.
    """
    store = store or Store()
    findings = Findings()
    if (root / "PKG-INFO").is_file():  # an unpacked sdist; only then is the record module needed
        from .record import RECORD_PATH, plan_sources_from_record

        if (root / RECORD_PATH).is_file():
            sources = plan_sources_from_record(root, findings)
            findings.raise_if_any(root / RECORD_PATH)
            return Plan(root, sources, store, from_record=True), findings
    pyproject = root / "pyproject.toml"
    if data is None:
        data = load_toml(pyproject, findings)
        if data is None:
            findings.raise_if_any(pyproject)
            raise AssertionError("unreachable")  # pragma: no cover
    plan, _ = plan_project(root, data, findings, store)
    findings.raise_if_any(pyproject)
    return plan, findings
