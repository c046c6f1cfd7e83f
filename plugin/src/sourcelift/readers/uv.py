"""``[tool.uv.sources]``: every source form uv accepts, checked key by key."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

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
from ..values import check_marker_backslash, check_path, check_rev, check_subdirectory, check_text, check_url, closest
from ._base import DeclaredPath, ReadContext
from ._toml import subtable
from .workspace import find_workspace

__all__ = ["READER", "UvReader", "check_disjoint", "read_uv_sources"]

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
    spelled: dict[str, str] = {}
    for raw_name, value in table.items():
        name = canonicalize_name(raw_name)
        entry_key = f"{key}.{raw_name}"
        if name in spelled:  # uv: "duplicate sources for package"
            findings.error(
                entry_key,
                f"duplicate sources for package `{name}`: `{key}.{spelled[name]}` names the same package "
                "once names are normalized",
                "keep one entry per package; a list of sources with a `marker` each tells environments apart",
                dependency=name,
            )
            continue
        spelled[name] = raw_name
        if isinstance(value, list) and not value:  # uv: "Must provide at least one source"
            findings.error(
                entry_key,
                'is an empty list of sources; uv refuses it ("Must provide at least one source")',
                f'give at least one source, e.g. `{raw_name} = {{ path = "../{raw_name}" }}`, or remove the entry',
                dependency=raw_name,
            )
            continue
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
            check_disjoint([s for s in read if s.key not in unguarded], entry_key, raw_name, findings)
        sources[name] = read
    return sources


def check_disjoint(listed: list[Source], key: str, name: str, findings: Findings, marker_key: str = "marker") -> None:
    """Two entries of a list of sources for the same extra and group must not both hold in one
    environment (uv: "Source markers must be disjoint"), or the rewrite gives an installer two locations
    for one dependency. Markers count as disjoint only when sourcelift can tell they are."""
    from ..rewrite.markers import CannotNegate, conjoin, disjoint, is_unsatisfiable, negate_any, surely_overlap

    def scope(source: Source) -> tuple[str, str]:
        return canonicalize_name(source.extra or ""), canonicalize_name(source.group or "")

    for index, first in enumerate(listed):
        for second in listed[index + 1 :]:
            if scope(first) != scope(second) or disjoint(first.marker, second.marker):
                continue
            if not surely_overlap(first.marker, second.marker):
                findings.warning(
                    key,
                    f"sourcelift cannot tell whether `{first.key}` (`{first.marker}`) and `{second.key}` "
                    f"(`{second.marker}`) are disjoint; where both hold, an installer would be given two "
                    "locations for one dependency",
                    f"check that the two `{marker_key}` exclude each other (uv refuses overlapping ones), or "
                    "write both with the same variable",
                    dependency=name,
                )
                continue
            shown = [
                f"`{s.key}` ({f'`{s.marker}`' if s.marker is not None else f'no `{marker_key}`'})"
                for s in (first, second)
            ]
            example = ""
            if first.marker is not None and second.marker is not None:
                with contextlib.suppress(CannotNegate):
                    apart = conjoin(second.marker, negate_any([first.marker]))
                    if not is_unsatisfiable(apart):  # identical markers: no such example
                        example = f", e.g. `{marker_key} = '{apart}'` in `{second.key}`"
            findings.error(
                key,
                f"{shown[0]} and {shown[1]} overlap: both hold in some environment, where an installer would "
                f"be given two locations for one dependency (uv: the entries' `{marker_key}` must be disjoint; "
                "sourcelift counts two disjoint when they give one variable contradicting values)",
                f"make the two entries' `{marker_key}` exclusive{example}, or remove one of the entries",
                dependency=name,
            )


_KNOWN = set().union(*_ALLOWED.values())
_CHECKS: dict[str, tuple[Callable[[str], str | None], str]] = {
    "rev": (check_rev, 'give a commit, tag or branch name, e.g. `rev = "v1.2.0"`'),
    "tag": (check_rev, 'give the tag\'s name, e.g. `tag = "v1.2.0"`'),
    "branch": (check_rev, 'give the branch\'s name, e.g. `branch = "main"`'),
    "subdirectory": (
        check_subdirectory,
        'give a relative directory inside the repository, e.g. `subdirectory = "libs/a"`',
    ),
    "extra": (check_text, "give the name of one of the project's extras"),
    "group": (check_text, "give the name of one of the project's dependency groups"),
    "index": (check_text, "give the `name` of a `[[tool.uv.index]]` entry"),
}


def _check_values(name: str, entry: dict[str, Any], key: str, findings: Findings) -> bool:
    """Every string an entry gives that can reach a requirement line, checked for what it must be."""
    ok = True

    def bad(field: str, problem: str, fix: str) -> None:
        nonlocal ok
        value = entry[field]
        shown = value if len(value) <= 80 else value[:77] + "..."
        findings.error(f"{key}.{field}", f"{shown!r} {problem}", fix, dependency=name)
        ok = False

    for field, (check, fix) in _CHECKS.items():
        value = entry.get(field)
        if isinstance(value, str):
            problem = check(value)
            if problem is not None:
                bad(field, problem, fix)
    git = entry.get("git")
    if isinstance(git, str):
        problem = check_url(git[4:] if git.startswith("git+") else git, kind="git")
        if problem is not None:
            bad("git", problem, 'give the repository\'s URL, e.g. `git = "https://github.com/org/repo"`')
    url = entry.get("url")
    if isinstance(url, str):
        problem = check_url(url, kind="url")
        if problem is not None:
            bad("url", problem, 'give the archive\'s URL, e.g. `url = "https://example.com/pkg-1.0.tar.gz"`')
    path = entry.get("path")
    if isinstance(path, str):
        problem = check_path(path)
        if problem is not None:
            bad("path", problem, "give the path of a wheel, an sdist or a project directory, relative to this file")
    return ok


_MEMBER_ENTRY = {"workspace": True}
"""The entry a workspace root gives each of its members: read without the checks it passes."""


def _read_entry(name: str, entry: Any, key: str, pyproject: Path, findings: Findings) -> Source | None:
    if entry == _MEMBER_ENTRY and type(entry.get("workspace")) is bool:  # not `workspace = 1`, which equals True
        return WorkspaceSource(name=name, key=key, pyproject=pyproject)
    if not isinstance(entry, dict):
        findings.error(
            key,
            f'must be a table such as `{{ path = "..." }}`, not {type(entry).__name__} {entry!r}',
            "write the source as an inline table",
            dependency=name,
        )
        return None
    ok = True
    for field in sorted(str(f) for f in set(entry) - _KNOWN):
        findings.error(
            f"{key}.{field}",
            f"unknown key `{field}`{closest(field, _KNOWN)}",
            f"a source takes {', '.join(f'`{a}`' for a in sorted(_KNOWN))}",
            dependency=name,
        )
        ok = False
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
            findings.error(key, message, fix, dependency=name)
        elif ok:  # an unknown key was reported already: that is the likelier mistake
            message = "names no kind of source"
            fix = "give exactly one of `path`, `git`, `url`, `index`, `workspace = true`"
            findings.error(key, message, fix, dependency=name)
        return None
    kind = kinds[0]
    unknown = sorted(str(f) for f in (set(entry) & _KNOWN) - _ALLOWED[kind])
    if unknown:
        findings.error(
            key,
            f"key(s) a `{kind}` source does not take: {', '.join(f'`{u}`' for u in unknown)}",
            f"remove them; a `{kind}` source takes {', '.join(f'`{a}`' for a in sorted(_ALLOWED[kind]))}",
            dependency=name,
        )
        ok = False
    if not _check_values(name, entry, key, findings):
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
    if isinstance(raw_marker, str) and not raw_marker.replace("\t", " ").isprintable():
        # packaging takes control characters inside a quoted value; they would reach METADATA as they are
        bad = next(c for c in raw_marker if c != "\t" and not c.isprintable())
        findings.error(
            f"{key}.marker",
            f"{raw_marker!r} is not a valid PEP 508 marker: it contains a control character (U+{ord(bad):04X})",
            "remove the character",
            dependency=name,
        )
        ok = False
    elif isinstance(raw_marker, str):
        try:
            marker = Marker(raw_marker)
            escaped = check_marker_backslash(raw_marker, marker)
            if escaped is not None:
                raise InvalidMarker(f"it {escaped}")
        except InvalidMarker as exc:
            first = str(exc).splitlines()[0] if str(exc) else "invalid"
            findings.error(
                f"{key}.marker",
                f"{raw_marker!r} is not a valid PEP 508 marker: {first}",
                "correct the marker, e.g. `marker = \"sys_platform == 'linux'\"`",
                dependency=name,
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
        tool_uv = subtable(context.data, "tool", "uv")
        if tool_uv is None:
            tool_uv = {}  # no [tool.uv]: sources may still come from the workspace root
        if not isinstance(tool_uv, dict):
            context.findings.error(
                "tool.uv", f"must be a table, not {type(tool_uv).__name__} {tool_uv!r}", "write it as `[tool.uv]`"
            )
            return
        own_table = tool_uv.get("sources")
        if own_table is not None:
            spelled: dict[str, str] = {}
            if isinstance(own_table, dict):  # the keys as written, for the messages
                spelled = {canonicalize_name(str(raw)): str(raw) for raw in own_table}
            for name, declared in read_uv_sources(own_table, context.pyproject, context.findings).items():
                context.add_sources(name, declared, f"tool.uv.sources.{spelled.get(name, name)}")
        indexes = _index_names(context.data)
        workspace = find_workspace(context.root)
        root_of_workspace = workspace is not None and workspace.root.resolve() == context.root.resolve()
        if workspace is not None and not root_of_workspace:
            indexes |= _index_names(workspace.data)
            inherited = workspace.sources_table
            if inherited is not None:
                for name, declared in read_uv_sources(
                    inherited, workspace.pyproject, context.findings, key=f"{workspace.pyproject}:tool.uv.sources"
                ).items():
                    context.sources.setdefault(name, declared)
        _check_references(context, indexes)
        dev = tool_uv.get("dev-dependencies", [])
        for text in dev if isinstance(dev, list) else []:
            if isinstance(text, str):
                try:
                    context.other_names.add(canonicalize_name(Requirement(text).name))
                except InvalidRequirement:
                    continue
        if not root_of_workspace:  # the members inherit the root's sources: one they use is not unused
            _warn_unused(context, own_table)

    def standards(self, document: Any, lines: dict[str, list[str]], consumed: set[str]) -> None:
        tool = document.get("tool")
        uv = tool.get("uv") if isinstance(tool, dict) else None
        sources = uv.get("sources") if isinstance(uv, dict) else None
        if not isinstance(tool, dict) or not isinstance(uv, dict) or not isinstance(sources, dict):
            return
        removed = [n for n in sources if canonicalize_name(n) in consumed]
        for name in removed:
            del sources[name]
        if removed and not sources:  # a table the user left empty (comments only, say) stays as it was
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


def _index_names(data: dict[str, Any]) -> set[str]:
    """The names of the ``[[tool.uv.index]]`` entries of a pyproject."""
    entries = subtable(data, "tool", "uv", "index")
    if not isinstance(entries, list):
        return set()
    return {str(e["name"]) for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)}


def _check_references(context: ReadContext, indexes: set[str]) -> None:
    """A source's ``extra`` must be an extra of the project, its ``group`` a dependency group and its
    ``index`` a defined index, as in uv."""
    project = context.project_table or {}
    optional = project.get("optional-dependencies")
    optional = optional if isinstance(optional, dict) else {}
    dynamic = project.get("dynamic")
    dynamic = dynamic if isinstance(dynamic, list) else []
    extras = {canonicalize_name(str(e)) for e in optional}
    groups = context.data.get("dependency-groups")
    group_names = [str(g) for g in groups] if isinstance(groups, dict) else []
    if subtable(context.data, "tool", "uv", "dev-dependencies") is not None:
        group_names.append("dev")  # uv reads `tool.uv.dev-dependencies` as the group `dev`
    groups_defined = {canonicalize_name(g) for g in group_names}
    for name, declared in context.sources.items():
        for source in declared:
            if (
                source.extra is not None
                and "optional-dependencies" not in dynamic
                and context.project_table is not None
                and canonicalize_name(source.extra) not in extras
            ):
                known = ", ".join(f"`{e}`" for e in sorted(optional)) or "none"
                context.findings.error(
                    f"{source.key}.extra",
                    f"names the extra `{source.extra}`, which `project.optional-dependencies` does not define "
                    f"(extras: {known}){closest(source.extra, (str(e) for e in optional))}",
                    "name one of the project's extras, or add that extra to `[project.optional-dependencies]`",
                    dependency=name,
                )
            if (
                source.group is not None
                and source.key.startswith("tool.uv.sources.")  # a workspace root's groups are its own
                and canonicalize_name(source.group) not in groups_defined
            ):
                known = ", ".join(f"`{g}`" for g in sorted(group_names)) or "none"
                context.findings.error(
                    f"{source.key}.group",
                    f"names the dependency group `{source.group}`, which `[dependency-groups]` does not define "
                    f"(groups: {known}){closest(source.group, group_names)}",
                    "name one of the project's dependency groups, or add that group to `[dependency-groups]`",
                    dependency=name,
                )
            if isinstance(source, IndexSource) and source.index not in indexes:
                known = ", ".join(f"`{i}`" for i in sorted(indexes)) or "none"
                context.findings.error(
                    f"{source.key}.index",
                    f"names the index `{source.index}`, which no `[[tool.uv.index]]` entry defines "
                    f"(indexes: {known}){closest(source.index, indexes)}",
                    'define it: `[[tool.uv.index]]` with `name = "..."` and `url = "..."`, or correct the name',
                    dependency=name,
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
