"""Read one project: its requirements, and the sources that apply to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..config import wrapped_backend
from ..errors import Findings
from ..model import DeclaredRequirement, Project, Source
from ..values import check_marker_backslash
from ._base import ReadContext
from .direct_refs import parse_requirement
from .registry import READERS

__all__ = ["POETRY_BACKEND", "poetry_static", "read_project"]

POETRY_BACKEND = "poetry.core.masonry.api"


def poetry_static(data: dict[str, Any], field: str) -> str | None:
    """``[tool.poetry] name`` or ``version`` where poetry-core reads it without running anything: the
    backend is poetry-core's own (not a plugin's, such as poetry-dynamic-versioning's), directly or
    wrapped by sourcelift, and ``[project]`` does not give the field (no ``[project]`` table, or the
    field in ``project.dynamic``)."""
    build_system = data.get("build-system")
    backend = build_system.get("build-backend") if isinstance(build_system, dict) else None
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if not isinstance(backend, str) or wrapped_backend(backend, data) != POETRY_BACKEND or not isinstance(poetry, dict):
        return None
    project = data.get("project")
    if isinstance(project, dict):
        dynamic = project.get("dynamic")
        if not (isinstance(dynamic, list) and field in dynamic):
            return None
    value = poetry.get(field)
    return value if isinstance(value, str) else None


def read_project(root: Path, data: dict[str, Any], findings: Findings) -> Project:
    """Build the normalized model of the project at ``root`` from its parsed pyproject.

    Problems go into ``findings``; the returned model holds what could be read.
    """
    pyproject = root / "pyproject.toml"
    tool = data.get("tool")
    if tool is not None and not isinstance(tool, dict):
        findings.error(
            "tool", f"must be a table, not {type(tool).__name__} {tool!r}", "write it as `[tool.<name>]` tables"
        )
    project_table = data.get("project")
    has_project = project_table is not None
    if project_table is None:
        project_table = {}
    elif not isinstance(project_table, dict):
        findings.error("project", "must be a table", "write the project's metadata as `[project]`")
        project_table = {}
    name = project_table.get("name") if isinstance(project_table.get("name"), str) else root.name
    dynamic = project_table.get("dynamic", [])
    dynamic = dynamic if isinstance(dynamic, list) else []
    dynamic_dependencies = any(field in ("dependencies", "optional-dependencies") for field in dynamic)

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
            if not text.replace("\t", " ").isprintable():
                # packaging takes a line break inside a quoted marker value, then renders a marker it
                # cannot parse again (`platform_release == "x<newline>y"`); no METADATA line holds one
                bad = next(c for c in text if c != "\t" and not c.isprintable())
                findings.error(
                    item_key,
                    f"{text!r} contains a control character (U+{ord(bad):04X}); a requirement is one line of text",
                    "remove the character",
                )
                continue
            try:
                requirement, source = parse_requirement(text, item_key, pyproject)
            except InvalidRequirement as exc:
                findings.error(item_key, f"is not a valid PEP 508 requirement: {exc}", "correct the requirement")
                continue
            escaped = None if requirement.marker is None else check_marker_backslash(text, requirement.marker)
            if escaped is not None:
                findings.error(item_key, f"{text!r}: its marker {escaped}", "remove the backslash")
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
                        "where uv installs the project, declare the path in `[tool.uv.sources]` "
                        f'(`{requirement.name} = {{ path = "{source.path}" }}`) '
                        "and keep the bare name in the dependencies (sourcelift reads both forms); pdm does "
                        "not read `[tool.uv.sources]`, so a project pdm locks keeps this form, and pip and the "
                        "wheels sourcelift builds install it",
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

    context = ReadContext(
        root=root,
        pyproject=pyproject,
        data=data,
        findings=findings,
        project_table=data.get("project") if isinstance(data.get("project"), dict) else None,
        name=str(name) if has_project else None,
        requirements=requirements,
        sources=sources,
        dynamic_dependencies=dynamic_dependencies,
        other_names=_dependency_group_names(data),
    )
    for reader in READERS:
        reader.read(context)
    if not has_project and context.requirements_from is None:
        # A setup.py/setup.cfg project: its requirements are only known from the built
        # metadata, where sources still apply by name.
        context.dynamic_dependencies = True
    return Project(
        root=root,
        pyproject=pyproject,
        name=context.name or root.name,
        requirements=context.requirements,
        sources=context.sources,
        dynamic_dependencies=context.dynamic_dependencies,
        other_names=frozenset(context.other_names),
        development_only=context.development_only,
        has_project_table=has_project,
    )


def _dependency_group_names(data: dict[str, Any]) -> set[str]:
    """Names in PEP 735 dependency groups (never in built metadata)."""
    names: set[str] = set()
    groups = data.get("dependency-groups", {})
    texts: list[Any] = []
    if isinstance(groups, dict):
        for values in groups.values():
            if isinstance(values, list):
                texts.extend(values)
    for text in texts:
        if isinstance(text, str):
            try:
                names.add(canonicalize_name(Requirement(text).name))
            except InvalidRequirement:
                continue
    return names
