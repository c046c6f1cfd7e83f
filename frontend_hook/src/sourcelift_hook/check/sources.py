"""SL5xx: tool-specific sources left in an sdist's pyproject.toml that point at files the sdist lacks.

The tool tables are those of sourcelift's registered readers (:mod:`sourcelift.readers.registry`).

Standard frontends ignore these tables, but uv, hatch and pdm read them when
they build or install from the sdist: a source that names a path the sdist does
not hold breaks them, or silently points at a directory of the machine that
unpacked it.  Paths are resolved against the sdist's top directory; a path
that leaves it (``..``, absolute) is missing by definition.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from sourcelift.readers.direct_refs import HATCH_ROOT, PDM_ROOT

from .archives import Archive
from .model import Finding, finding

__all__ = ["check_sources"]

_PATH_END = re.compile(r"[\s;#\[]")


def _present(archive: Archive, relative: str) -> bool:
    if relative.startswith("/") or re.match(r"^[A-Za-z]:", relative):
        return False
    path = posixpath.normpath(relative.replace("\\", "/"))
    if path == ".":
        return True
    if path == ".." or path.startswith("../"):
        return False
    return path in archive.files or path in archive.directories


def _requirement_names(pyproject: dict[str, Any]) -> set[str]:
    """Names of what building or installing the project asks for: dependencies, extras, build requirements."""
    names: set[str] = set()
    for _, text, in_use in _requirement_strings(pyproject):
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text) if in_use and isinstance(text, str) else None
        if match:
            names.add(canonicalize_name(match.group(1)))
    return names


def _requirement_strings(pyproject: dict[str, Any]) -> Iterator[tuple[str, Any, bool]]:
    """(key path, requirement text, whether building or installing the project uses it)."""
    project = pyproject.get("project")
    if isinstance(project, dict):
        for index, text in enumerate(project.get("dependencies") or []):
            yield f"project.dependencies[{index}]", text, True
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            for extra, values in extras.items():
                for index, text in enumerate(values if isinstance(values, list) else []):
                    yield f"project.optional-dependencies.{extra}[{index}]", text, True
    build_system = pyproject.get("build-system")
    if isinstance(build_system, dict):
        for index, text in enumerate(build_system.get("requires") or []):
            yield f"build-system.requires[{index}]", text, True
    groups = pyproject.get("dependency-groups")
    if isinstance(groups, dict):
        for group, values in groups.items():
            for index, text in enumerate(values if isinstance(values, list) else []):
                yield f"dependency-groups.{group}[{index}]", text, False


def _placeholder_path(text: str) -> tuple[str, str] | None:
    """(``"hatch"`` or ``"pdm"``, path relative to the project root) of a placeholder reference."""
    hatch = HATCH_ROOT.search(text)
    if hatch is not None:
        rest = text[hatch.end() :]
        prefix = "../" * hatch.group(1).count(":parent")
        kind = "hatch"
    else:
        pdm = PDM_ROOT.search(text)
        if pdm is None:
            return None
        rest, prefix, kind = text[pdm.end() :], "", "pdm"
    rest = _PATH_END.split(rest, maxsplit=1)[0]
    return kind, prefix + (unquote(rest).lstrip("/") or ".")


def check_sources(archive: Archive, pyproject: dict[str, Any] | None) -> list[Finding]:
    if archive.kind != "sdist" or pyproject is None:
        return []
    out: list[Finding] = []
    used = _requirement_names(pyproject)
    from sourcelift.readers._toml import subtable
    from sourcelift.readers.registry import declared_paths

    a_workspace = isinstance(subtable(pyproject, "tool", "uv", "workspace"), dict)  # the root ships its members
    for declared in declared_paths(pyproject):
        in_use = declared.requirement or declared.name in used
        if declared.workspace and not a_workspace:
            out.append(
                finding(
                    "SL502",
                    archive.display,
                    f"`{declared.key}` is a workspace source; the sdist is not a workspace, so uv cannot build "
                    f"or install `{declared.name}` from it",
                    location=f"pyproject.toml: {declared.key}",
                )
            )
        if declared.path is not None and not _present(archive, declared.path):
            out.append(
                finding(
                    "SL501" if in_use else "SL505",
                    archive.display,
                    f"`{declared.key}.path` names {declared.path!r}, which the sdist does not contain"
                    + ("" if in_use else " (no requirement of the project uses this source)"),
                    location=f"pyproject.toml: {declared.key}.path",
                )
            )
    for key, text, in_use in _requirement_strings(pyproject):
        if not isinstance(text, str):
            continue
        placeholder = _placeholder_path(text)
        if placeholder is None:
            continue
        kind, path = placeholder
        if _present(archive, path):
            continue
        try:
            name = Requirement(HATCH_ROOT.sub("file:///x", PDM_ROOT.sub("file:///x", text))).name
        except InvalidRequirement:
            name = text
        what = "hatch `{root:uri}`" if kind == "hatch" else "pdm `${PROJECT_ROOT}`"
        check_id = ("SL503" if kind == "hatch" else "SL504") if in_use else "SL505"
        out.append(
            finding(
                check_id,
                archive.display,
                f"`{key}` ({name}) is a {what} reference to {path!r}, which the sdist does not contain",
                location=f"pyproject.toml: {key}",
            )
        )
    return out
