"""SL5xx: tool-specific sources left in an sdist's pyproject.toml that point at files the sdist lacks,
and uv workspace sources that do not fit the sdist's workspace.

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
from fnmatch import fnmatchcase
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


def _list(value: Any) -> list[Any]:
    """``value`` when it is a list; a value of another type (``dependencies = 5``) holds no requirement."""
    return value if isinstance(value, list) else []


def _requirement_strings(pyproject: dict[str, Any]) -> Iterator[tuple[str, Any, bool]]:
    """(key path, requirement text, whether building or installing the project uses it)."""
    project = pyproject.get("project")
    if isinstance(project, dict):
        for index, text in enumerate(_list(project.get("dependencies"))):
            yield f"project.dependencies[{index}]", text, True
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            for extra, values in extras.items():
                for index, text in enumerate(values if isinstance(values, list) else []):
                    yield f"project.optional-dependencies.{extra}[{index}]", text, True
    build_system = pyproject.get("build-system")
    if isinstance(build_system, dict):
        for index, text in enumerate(_list(build_system.get("requires"))):
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


def _glob_match(path: str, pattern: str) -> bool:
    """Whether the directory ``path`` (relative, ``/``-separated) matches a workspace glob as uv's do:
    ``*`` within one path segment, ``**`` across any number of them."""
    parts = path.split("/")
    segments = posixpath.normpath(pattern.replace("\\", "/")).split("/")

    def match(at: int, index: int) -> bool:
        if index == len(segments):
            return at == len(parts)
        if segments[index] == "**":
            return any(match(skip, index + 1) for skip in range(at, len(parts) + 1))
        return at < len(parts) and fnmatchcase(parts[at], segments[index]) and match(at + 1, index + 1)

    return match(0, 0)


def _workspace_members(archive: Archive, pyproject: dict[str, Any]) -> dict[str, str] | None:
    """The uv workspace members the sdist holds (canonical name -> directory, ``.`` for the root), when its
    pyproject.toml has ``[tool.uv.workspace]``; else ``None``."""
    from sourcelift.readers._toml import subtable
    from sourcelift.readers.workspace import member_patterns

    if not isinstance(subtable(pyproject, "tool", "uv", "workspace"), dict):
        return None
    members: dict[str, str] = {}
    name = subtable(pyproject, "project", "name")
    if isinstance(name, str):
        members[canonicalize_name(name)] = "."
    included, excluded = member_patterns(pyproject, "members"), member_patterns(pyproject, "exclude")
    for directory, project in sorted(archive.project_names.items()):
        if any(_glob_match(directory, p) for p in included) and not any(_glob_match(directory, p) for p in excluded):
            members.setdefault(canonicalize_name(project), directory)
    return members


def _missing_member_sources(archive: Archive, pyproject: dict[str, Any], members: dict[str, str]) -> list[Finding]:
    """SL506: a requirement names a member the sdist ships, and `[tool.uv.sources]` has no entry for it."""
    from sourcelift.readers._toml import subtable

    sources = subtable(pyproject, "tool", "uv", "sources")
    sourced = {canonicalize_name(str(name)) for name in sources} if isinstance(sources, dict) else set()
    itself = subtable(pyproject, "project", "name")
    out: list[Finding] = []
    for key, text, _ in _requirement_strings(pyproject):
        if key.startswith("build-system.") or not isinstance(text, str):
            continue
        try:
            name = canonicalize_name(Requirement(text).name)
        except InvalidRequirement:
            continue
        if name not in members or name in sourced or (isinstance(itself, str) and name == canonicalize_name(itself)):
            continue
        sourced.add(name)  # once per name
        out.append(
            finding(
                "SL506",
                archive.display,
                f"`{key}` requires `{name}`, a workspace member the sdist holds ({members[name]}), and "
                "`[tool.uv.sources]` has no entry for it: `uv lock` and `uv sync` stop in the unpacked sdist "
                '("is included as a workspace member, but is missing an entry in `tool.uv.sources`")',
                fix=f"keep `{name} = {{ workspace = true }}` in the sdist's `[tool.uv.sources]`; sourcelift's "
                "wrapper backend keeps the entries of the members a workspace root's sdist ships",
                location=f"pyproject.toml: {key}",
            )
        )
    return out


def check_sources(archive: Archive, pyproject: dict[str, Any] | None) -> list[Finding]:
    if archive.kind != "sdist" or pyproject is None:
        return []
    out: list[Finding] = []
    used = _requirement_names(pyproject)
    from sourcelift.readers.registry import declared_paths

    members = _workspace_members(archive, pyproject)  # a workspace root's sdist ships some of its members
    for declared in declared_paths(pyproject):
        # a development entry (a dependency group's, pdm's dev-dependencies) backs no requirement, even one of its name
        in_use = declared.requirement or (not declared.development_only and declared.name in used)
        if declared.workspace and (members is None or declared.name not in members):
            where = (
                "the sdist is not a workspace"
                if members is None
                else "the sdist holds no workspace member of that name"
            )
            out.append(
                finding(
                    "SL502",
                    archive.display,
                    f"`{declared.key}` is a workspace source; {where}, so uv cannot build "
                    f"or install `{declared.name}` from it",
                    location=f"pyproject.toml: {declared.key}",
                )
            )
        if declared.path is not None and not _present(archive, declared.path):
            out.append(
                finding(
                    "SL501" if in_use else "SL505",
                    archive.display,
                    f"`{declared.path_key}` names {declared.path!r}, which the sdist does not contain"
                    + ("" if in_use else " (no requirement of the project uses this source)"),
                    location=f"pyproject.toml: {declared.path_key}",
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
        except InvalidRequirement:  # pdm's editable form, `-e file:///${PROJECT_ROOT}/../lib#egg=lib`
            egg = re.search(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)", text)
            name = egg.group(1) if egg else text
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
    if members:
        out += _missing_member_sources(archive, pyproject, members)
    return out
