"""``[tool.uv.sources]``: every source form uv accepts, checked key by key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import Findings
from ..model import (
    GitArchiveSource,
    GitSource,
    IndexSource,
    PathSource,
    Source,
    UrlSource,
    WorkspaceSource,
)
from ._base import DeclaredPath, ReadContext
from .workspace import find_workspace

__all__ = ["READER", "UvReader", "read_uv_sources"]

_KINDS = ("path", "git", "url", "index", "workspace")
_COMMON = {"marker", "extra", "group"}
_ALLOWED: dict[str, set[str]] = {
    "git": {"git", "rev", "tag", "branch", "subdirectory", "lfs", "path"} | _COMMON,
    "url": {"url", "subdirectory"} | _COMMON,
    "path": {"path", "editable", "package"} | _COMMON,
    "index": {"index"} | _COMMON,
    "workspace": {"workspace", "editable"} | _COMMON,
}
_TYPES: dict[str, type] = {
    "git": str,
    "rev": str,
    "tag": str,
    "branch": str,
    "subdirectory": str,
    "lfs": bool,
    "path": str,
    "url": str,
    "index": str,
    "workspace": bool,
    "editable": bool,
    "package": bool,
    "marker": str,
    "extra": str,
    "group": str,
}
_TYPE_NAMES = {str: "a string", bool: "a boolean (true or false)"}


def read_uv_sources(
    table: Any, pyproject: Path, findings: Findings, key: str = "tool.uv.sources"
) -> dict[str, list[Source]]:
    """Read a ``[tool.uv.sources]`` table into sources by canonical name."""
    sources: dict[str, list[Source]] = {}
    if not isinstance(table, dict):
        findings.error(key, "must be a table", "write it as `[tool.uv.sources]` with one entry per package")
        return sources
    for raw_name, value in table.items():
        name = canonicalize_name(raw_name)
        entry_key = f"{key}.{raw_name}"
        entries = value if isinstance(value, list) else [value]
        read: list[Source] = []
        for index, entry in enumerate(entries):
            item_key = f"{entry_key}[{index}]" if isinstance(value, list) else entry_key
            source = _read_entry(name, entry, item_key, pyproject, findings)
            if source is not None:
                read.append(source)
        if isinstance(value, list) and len(read) > 1:
            unguarded = [s.key for s in read if s.marker is None and s.extra is None and s.group is None]
            if unguarded:
                findings.error(
                    entry_key,
                    "a list of sources must tell its entries apart: every entry needs a `marker` "
                    f"(or `extra`/`group`), but {', '.join(f'`{k}`' for k in unguarded)} has none",
                    "add a `marker` such as `sys_platform == 'linux'` to each entry",
                    dependency=raw_name,
                )
        sources[name] = read
    return sources


def _read_entry(name: str, entry: Any, key: str, pyproject: Path, findings: Findings) -> Source | None:
    if not isinstance(entry, dict):
        findings.error(
            key,
            f'must be a table such as `{{ path = "..." }}`, not {type(entry).__name__} {entry!r}',
            "write the source as an inline table",
            dependency=name,
        )
        return None
    ok = True
    for field, value in entry.items():
        expected = _TYPES.get(field)
        if expected is not None and not isinstance(value, expected):
            findings.error(
                f"{key}.{field}",
                f"must be {_TYPE_NAMES[expected]}, not {type(value).__name__} {value!r}",
                f"give `{field}` {_TYPE_NAMES[expected]}",
                dependency=name,
            )
            ok = False
    kinds = [kind for kind in _KINDS if kind in entry]
    # `git` + `path` is one kind: an archive inside a git repository.
    if "git" in kinds and "path" in kinds:
        kinds.remove("path")
    if len(kinds) != 1:
        if kinds:
            listed = " with ".join(f"`{k}`" for k in kinds)
            message = f"names more than one kind of source: {listed}"
            fix = (
                "keep exactly one of `path`, `git`, `url`, `index`, `workspace` (lists of sources take a `marker` each)"
            )
        else:
            message = "names no kind of source"
            fix = "give exactly one of `path`, `git`, `url`, `index`, `workspace = true`"
        findings.error(key, message, fix, dependency=name)
        return None
    kind = kinds[0]
    unknown = sorted(set(entry) - _ALLOWED[kind])
    if unknown:
        findings.error(
            key,
            f"unknown key(s) for a `{kind}` source: {', '.join(f'`{u}`' for u in unknown)}",
            f"remove them; a `{kind}` source takes {', '.join(f'`{a}`' for a in sorted(_ALLOWED[kind]))}",
            dependency=name,
        )
        ok = False
    refs = [ref for ref in ("rev", "tag", "branch") if ref in entry]
    if len(refs) > 1:
        findings.error(
            key,
            f"gives {' and '.join(f'`{r}`' for r in refs)}; a git source takes at most one",
            "keep only one of `rev`, `tag`, `branch`",
            dependency=name,
        )
        ok = False
    if kind == "git" and "path" in entry and ("subdirectory" in entry or "lfs" in entry):
        findings.error(
            key,
            "an archive inside a git repository (`git` with `path`) cannot also take `subdirectory` or `lfs`",
            "remove `subdirectory`/`lfs`, or drop `path` to use a project directory in the repository",
            dependency=name,
        )
        ok = False
    if kind == "workspace" and entry.get("workspace") is not True:
        findings.error(
            key, "`workspace` must be `true`", "write `workspace = true` or remove the entry", dependency=name
        )
        ok = False
    marker: Marker | None = None
    raw_marker = entry.get("marker")
    if isinstance(raw_marker, str):
        try:
            marker = Marker(raw_marker)
        except InvalidMarker as exc:
            findings.error(
                f"{key}.marker", f"is not a valid PEP 508 marker: {exc}", "correct the marker", dependency=name
            )
            ok = False
    if not ok:
        return None

    common: dict[str, Any] = {
        "name": name,
        "key": key,
        "pyproject": pyproject,
        "marker": marker,
        "extra": entry.get("extra"),
        "group": entry.get("group"),
    }
    if kind == "path":
        return PathSource(**common, path=entry["path"], editable=entry.get("editable", False))
    if kind == "workspace":
        return WorkspaceSource(**common, editable=entry.get("editable", False))
    if kind == "git":
        rev = entry.get("rev") or entry.get("tag") or entry.get("branch")
        git = entry["git"]
        if "path" in entry:
            return GitArchiveSource(**common, git=git, rev=rev, path=entry["path"])
        return GitSource(
            **common, git=git, rev=rev, subdirectory=entry.get("subdirectory"), lfs=entry.get("lfs", False)
        )
    if kind == "url":
        return UrlSource(**common, url=entry["url"], subdirectory=entry.get("subdirectory"))
    return IndexSource(**common, index=entry["index"])


class UvReader:
    """``[tool.uv.sources]`` (own, and inherited from the workspace root) and ``tool.uv.dev-dependencies``."""

    tool = "uv"

    def read(self, context: ReadContext) -> None:
        tool_uv = context.data.get("tool", {}).get("uv", {})
        if not isinstance(tool_uv, dict):
            return
        own_table = tool_uv.get("sources")
        if own_table is not None:
            for name, declared in read_uv_sources(own_table, context.pyproject, context.findings).items():
                context.add_sources(name, declared, f"tool.uv.sources.{name}")
        workspace = find_workspace(context.root)
        if workspace is not None and workspace.root.resolve() != context.root.resolve():
            inherited = workspace.sources_table
            if inherited is not None:
                for name, declared in read_uv_sources(
                    inherited, workspace.pyproject, context.findings, key=f"{workspace.pyproject}:tool.uv.sources"
                ).items():
                    context.sources.setdefault(name, declared)
        dev = tool_uv.get("dev-dependencies", [])
        for text in dev if isinstance(dev, list) else []:
            if isinstance(text, str):
                try:
                    context.other_names.add(canonicalize_name(Requirement(text).name))
                except InvalidRequirement:
                    continue
        _warn_unused(context, own_table)

    def standards(self, document: Any, lines: dict[str, list[str]], consumed: set[str]) -> None:
        tool = document.get("tool")
        uv = tool.get("uv") if isinstance(tool, dict) else None
        sources = uv.get("sources") if isinstance(uv, dict) else None
        if not isinstance(tool, dict) or not isinstance(uv, dict) or not isinstance(sources, dict):
            return
        for name in [n for n in sources if canonicalize_name(n) in consumed]:
            del sources[name]
        if not sources:
            del uv["sources"]
        if not uv:
            del tool["uv"]

    def declared_paths(self, data: dict[str, Any]) -> Iterator[DeclaredPath]:
        tool = data.get("tool")
        uv = tool.get("uv") if isinstance(tool, dict) else None
        sources = uv.get("sources") if isinstance(uv, dict) else None
        if not isinstance(sources, dict):
            return
        for name, value in sources.items():
            entries = value if isinstance(value, list) else [value]
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    continue
                key = f"tool.uv.sources.{name}" + (f"[{index}]" if isinstance(value, list) else "")
                path = entry.get("path")
                yield DeclaredPath(
                    key=key,
                    name=canonicalize_name(str(name)),
                    path=path if isinstance(path, str) and "git" not in entry else None,
                    workspace=entry.get("workspace") is True,
                    development_only=isinstance(entry.get("group"), str),
                )


def _warn_unused(context: ReadContext, own_table: Any) -> None:
    """A source for a name no requirement uses is a warning, as in uv."""
    if context.dynamic_dependencies or not isinstance(own_table, dict):
        return
    if context.project_table is None and context.requirements_from is None:
        return  # a setup.py project: its requirements are known only from its built metadata
    used = {canonicalize_name(r.requirement.name) for r in context.requirements} | context.other_names
    for raw_name in own_table:
        if canonicalize_name(raw_name) not in used:
            context.findings.warning(
                f"tool.uv.sources.{raw_name}",
                "no requirement in `project.dependencies` or `project.optional-dependencies` uses this source",
                f"add `{raw_name}` to the dependencies, or remove the source",
                dependency=raw_name,
            )


READER = UvReader()
