"""Read one project: its requirements, and the sources that apply to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import Findings
from ..model import DeclaredRequirement, IndexSource, Project, Source
from ..values import closest
from ._toml import subtable
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

    tool = data.get("tool")
    if tool is not None and not isinstance(tool, dict):
        findings.error(
            "tool", f"must be a table, not {type(tool).__name__} {tool!r}", "write it as `[tool.<name>]` tables"
        )
    tool_uv = subtable(data, "tool", "uv")
    if tool_uv is not None and not isinstance(tool_uv, dict):
        findings.error(
            "tool.uv", f"must be a table, not {type(tool_uv).__name__} {tool_uv!r}", "write it as `[tool.uv]`"
        )
    own_table = subtable(data, "tool", "uv", "sources")
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

    indexes = _index_names(data)
    workspace = find_workspace(root)
    if workspace is not None and workspace.root.resolve() != root.resolve():
        indexes |= _index_names(workspace.data)
        inherited = workspace.sources_table
        if inherited is not None:
            for source_name, declared in read_uv_sources(
                inherited, workspace.pyproject, findings, key=f"{workspace.pyproject}:tool.uv.sources"
            ).items():
                sources.setdefault(source_name, declared)
    _check_references(sources, optional if isinstance(optional, dict) else {}, indexes, dynamic, findings)

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


def _index_names(data: dict[str, Any]) -> set[str]:
    """The names of the ``[[tool.uv.index]]`` entries of a pyproject."""
    entries = subtable(data, "tool", "uv", "index")
    if not isinstance(entries, list):
        return set()
    return {str(e["name"]) for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)}


def _check_references(
    sources: dict[str, list[Source]],
    optional: dict[str, Any],
    indexes: set[str],
    dynamic: list[Any],
    findings: Findings,
) -> None:
    """A source's ``extra`` must be an extra of the project and its ``index`` a defined index, as in uv."""
    extras = {canonicalize_name(str(e)) for e in optional}
    for name, declared in sources.items():
        for source in declared:
            if (
                source.extra is not None
                and "optional-dependencies" not in dynamic
                and canonicalize_name(source.extra) not in extras
            ):
                known = ", ".join(f"`{e}`" for e in sorted(optional)) or "none"
                findings.error(
                    f"{source.key}.extra",
                    f"names the extra `{source.extra}`, which `project.optional-dependencies` does not define "
                    f"(extras: {known}){closest(source.extra, (str(e) for e in optional))}",
                    "name one of the project's extras, or add that extra to `[project.optional-dependencies]`",
                    dependency=name,
                )
            if isinstance(source, IndexSource) and source.index not in indexes:
                known = ", ".join(f"`{i}`" for i in sorted(indexes)) or "none"
                findings.error(
                    f"{source.key}.index",
                    f"names the index `{source.index}`, which no `[[tool.uv.index]]` entry defines "
                    f"(indexes: {known}){closest(source.index, indexes)}",
                    'define it: `[[tool.uv.index]]` with `name = "..."` and `url = "..."`, or correct the name',
                    dependency=name,
                )


def _dependency_group_names(data: dict[str, Any]) -> set[str]:
    """Names in PEP 735 dependency groups and uv's dev-dependencies (never in built metadata)."""
    names: set[str] = set()
    groups = data.get("dependency-groups", {})
    texts: list[Any] = []
    if isinstance(groups, dict):
        for values in groups.values():
            if isinstance(values, list):
                texts.extend(values)
    dev = subtable(data, "tool", "uv", "dev-dependencies")
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
