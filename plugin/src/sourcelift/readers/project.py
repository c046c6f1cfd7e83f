"""Read one project: its requirements, and the sources that apply to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import Findings
from ..model import DeclaredRequirement, Project, Source
from .direct_refs import parse_requirement
from .uv import read_uv_sources
from .workspace import find_workspace

__all__ = ["read_project"]


def read_project(root: Path, data: dict[str, Any], findings: Findings) -> Project:
    """Build the normalized model of the project at ``root`` from its parsed pyproject.

    Problems go into ``findings``; the returned model holds what could be read.
    """
    pyproject = root / "pyproject.toml"
    project_table = data.get("project")
    if project_table is None:
        # A setup.py/setup.cfg project: its requirements are only known from the built
        # metadata, where sources still apply by name.
        project_table = {"dynamic": ["dependencies", "optional-dependencies"]}
    elif not isinstance(project_table, dict):
        findings.error("project", "must be a table", "write the project's metadata as `[project]`")
        project_table = {}
    name = project_table.get("name") if isinstance(project_table.get("name"), str) else root.name
    dynamic = project_table.get("dynamic", [])
    dynamic = dynamic if isinstance(dynamic, list) else []
    dynamic_dependencies = bool({"dependencies", "optional-dependencies"} & set(dynamic))

    requirements: list[DeclaredRequirement] = []
    sources: dict[str, list[Source]] = {}

    def add_requirements(values: Any, key: str, extra: str | None) -> None:
        if not isinstance(values, list):
            findings.error(key, "must be an array of requirement strings", f"write `{key}` as a list of strings")
            return
        for index, text in enumerate(values):
            item_key = f"{key}[{index}]"
            if not isinstance(text, str):
                findings.error(item_key, f"must be a string, not {text!r}", "write the requirement as a string")
                continue
            try:
                requirement, source = parse_requirement(text, item_key, pyproject)
            except InvalidRequirement as exc:
                findings.error(item_key, f"is not a valid PEP 508 requirement: {exc}", "correct the requirement")
                continue
            requirements.append(DeclaredRequirement(requirement, item_key, extra))
            if source is not None:
                sources.setdefault(source.name, []).append(source)
                if "${PROJECT_ROOT}" in text and not dynamic_dependencies:
                    findings.warning(
                        item_key,
                        "uv reads static dependencies itself, without this build backend, and expands "
                        "`${PROJECT_ROOT}` from its own environment (its working directory), so "
                        "`uv pip install` of this project from git or another directory cannot find the file",
                        "declare the path in `[tool.uv.sources]` "
                        f'(`{requirement.name} = {{ path = "{source.path}" }}`) '
                        "and keep the bare name in the dependencies; sourcelift reads both forms",
                        dependency=requirement.name,
                    )

    if "dependencies" in project_table:
        add_requirements(project_table["dependencies"], "project.dependencies", None)
    optional = project_table.get("optional-dependencies", {})
    if isinstance(optional, dict):
        for extra, values in optional.items():
            add_requirements(values, f"project.optional-dependencies.{extra}", str(extra))
    else:
        findings.error(
            "project.optional-dependencies",
            "must be a table of extras",
            "write `[project.optional-dependencies]` with one array per extra",
        )

    tool_uv = data.get("tool", {}).get("uv", {})
    own_table = tool_uv.get("sources") if isinstance(tool_uv, dict) else None
    for source_name, declared in (
        read_uv_sources(own_table, pyproject, findings).items() if own_table is not None else ()
    ):
        if source_name in sources:
            findings.error(
                f"tool.uv.sources.{source_name}",
                "this package also has a placeholder direct reference in `[project]`; two sources would compete",
                "keep one: the `[tool.uv.sources]` entry or the direct reference",
                dependency=source_name,
            )
            continue
        sources[source_name] = declared

    workspace = find_workspace(root)
    if workspace is not None and workspace.root.resolve() != root.resolve():
        inherited = workspace.sources_table
        if inherited is not None:
            for source_name, declared in read_uv_sources(
                inherited, workspace.pyproject, findings, key=f"{workspace.pyproject}:tool.uv.sources"
            ).items():
                sources.setdefault(source_name, declared)

    other_names = _dependency_group_names(data)
    project = Project(
        root=root,
        pyproject=pyproject,
        name=str(name),
        requirements=requirements,
        sources=sources,
        dynamic_dependencies=dynamic_dependencies,
        other_names=frozenset(other_names),
    )
    _warn_unused(project, own_table, findings)
    return project


def _dependency_group_names(data: dict[str, Any]) -> set[str]:
    """Names in PEP 735 dependency groups and uv's dev-dependencies (never in built metadata)."""
    names: set[str] = set()
    groups = data.get("dependency-groups", {})
    texts: list[Any] = []
    if isinstance(groups, dict):
        for values in groups.values():
            if isinstance(values, list):
                texts.extend(values)
    dev = data.get("tool", {}).get("uv", {}).get("dev-dependencies", [])
    if isinstance(dev, list):
        texts.extend(dev)
    for text in texts:
        if isinstance(text, str):
            try:
                names.add(canonicalize_name(Requirement(text).name))
            except InvalidRequirement:
                continue
    return names


def _warn_unused(project: Project, own_table: Any, findings: Findings) -> None:
    """A source for a name no requirement uses is a warning, as in uv."""
    if project.dynamic_dependencies or not isinstance(own_table, dict):
        return
    used = {canonicalize_name(r.requirement.name) for r in project.requirements} | project.other_names
    for raw_name in own_table:
        if canonicalize_name(raw_name) not in used:
            findings.warning(
                f"tool.uv.sources.{raw_name}",
                "no requirement in `project.dependencies` or `project.optional-dependencies` uses this source",
                f"add `{raw_name}` to the dependencies, or remove the source",
                dependency=raw_name,
            )
