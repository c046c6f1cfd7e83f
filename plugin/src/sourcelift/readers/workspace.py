"""uv workspaces: find the root above a project, its members, and their names."""

from __future__ import annotations

import glob
import os
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from .._dataclasses import field, slotted_dataclass
from .._files import read_bounded, real_path
from ..errors import Findings
from ._toml import MAX_TOML_BYTES, TomlError, attach_store, detach_store, parse_shared, subtable

__all__ = ["Workspace", "find_workspace", "member_patterns"]


@slotted_dataclass
class Workspace:
    root: Path
    pyproject: Path
    data: dict[str, Any]
    _members: dict[str, Path] | None = field(default=None, repr=False)
    _dirs: set[Path] | None = field(default=None, repr=False)
    _raw: dict[Path, bytes] = field(default_factory=dict, repr=False)
    _duplicates: dict[str, list[Path]] = field(default_factory=dict, repr=False)

    @property
    def sources_table(self) -> Any:
        return subtable(self.data, "tool", "uv", "sources")

    def _patterns(self, key: str) -> list[str]:
        return member_patterns(self.data, key)

    def includes(self, directory: Path) -> bool:
        """Whether ``directory`` is a member (the root with a [project] counts)."""
        directory = _real(directory)
        if directory == _real(self.root):
            return "project" in self.data
        return directory in self._member_dirs()

    def _member_dirs(self) -> set[Path]:
        if self._dirs is None:
            self._dirs = self._find_member_dirs()
        return self._dirs

    def _globbed(self, key: str) -> Iterator[str]:
        for pattern in self._patterns(key):
            yield from glob.glob(os.path.join(glob.escape(str(self.root)), pattern))

    def _find_member_dirs(self) -> set[Path]:
        found: set[Path] = set()
        for match in self._globbed("members"):
            if os.path.isfile(os.path.join(match, "pyproject.toml")):
                found.add(Path(real_path(match)))  # one Path per member: dozens of them
        for match in self._globbed("exclude"):
            found.discard(Path(real_path(match)))
        return found

    def projectless_dirs(self) -> list[Path]:
        """The directories ``members`` names that are no member: they hold no pyproject.toml (a git
        submodule not checked out, say)."""
        found = {
            _real(Path(match))
            for match in self._globbed("members")
            if os.path.isdir(match) and not os.path.isfile(os.path.join(match, "pyproject.toml"))
        }
        return sorted(found - {_real(Path(match)) for match in self._globbed("exclude")})

    def members(self, findings: Findings) -> dict[str, Path]:
        """Member directories by canonical project name."""
        if self._members is None:
            attach_store(self.root)  # the members' parses, kept between builds when the cache is in use
            members: dict[str, Path] = {}
            if isinstance(subtable(self.data, "project", "name"), str):
                members[canonicalize_name(self.data["project"]["name"])] = _real(self.root)
            for directory in sorted(self._member_dirs()):
                try:
                    raw = read_bounded(os.path.join(directory, "pyproject.toml"), MAX_TOML_BYTES)
                    self._raw[directory] = raw
                    name = _plain_project_name(raw)
                    if name is None:
                        name = subtable(parse_shared(raw, member=True), "project", "name")
                except (OSError, TomlError) as exc:
                    findings.warning(
                        str(directory / "pyproject.toml"),
                        f"workspace member cannot be read: {exc}",
                        "correct the member's pyproject.toml",
                    )
                    continue
                if isinstance(name, str):
                    canonical = canonicalize_name(name)
                    if canonical in members and members[canonical] != directory:
                        self._duplicates.setdefault(canonical, [members[canonical]]).append(directory)
                        continue  # uv refuses the workspace; the first (sorted) stays, for what else is read
                    members[canonical] = directory
            self._members = members
        return self._members

    def namesakes(self, name: str, findings: Findings) -> list[Path]:
        """The directories of the members named ``name`` (canonical) when there are several (uv refuses
        such a workspace: "Two workspace members are both named"), else ``[]``."""
        self.members(findings)
        return self._duplicates.get(name, [])

    def pattern_problems(self) -> list[tuple[str, str]]:
        """``(key, what is wrong)`` for ``[tool.uv.workspace]`` ``members`` or ``exclude`` that is not an
        array of strings: :func:`member_patterns` skips what is not a string, so a misspelt ``exclude``
        would otherwise leave a member in silently."""
        problems = []
        for key in ("members", "exclude"):
            value = subtable(self.data, "tool", "uv", "workspace", key)
            if value is not None and not (isinstance(value, list) and all(isinstance(p, str) for p in value)):
                problems.append(
                    (f"{self.pyproject}:tool.uv.workspace.{key}", f"must be an array of globs, not {value!r}")
                )
        return problems

    def members_within(self, files: Collection[str], findings: Findings) -> set[str]:
        """The canonical names of the members an sdist of the root ships: those whose pyproject.toml,
        as a path relative to the root, is one of ``files`` (the root itself always is)."""
        top = _real(self.root)
        shipped: set[str] = set()
        for name, directory in self.members(findings).items():
            inside = top in directory.parents and f"{directory.relative_to(top).as_posix()}/pyproject.toml" in files
            if directory == top or inside:
                shipped.add(name)
        return shipped

    def member_pyproject(self, directory: Path) -> bytes | None:
        """The bytes of a member's pyproject.toml as :meth:`members` read them (``None``: not read):
        the build checks the member against them without reading the file again."""
        return self._raw.get(directory)


def member_patterns(data: dict[str, Any], key: str) -> list[str]:
    """The globs of ``[tool.uv.workspace]``'s ``key`` (``members`` or ``exclude``) in pyproject ``data``."""
    value = subtable(data, "tool", "uv", "workspace", key) or []
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []


def _plain_project_name(raw: bytes) -> str | None:
    """``[project] name`` of a pyproject.toml that states it plainly (``name = "..."`` on its own line
    in the ``[project]`` table, no multi-line strings in the file), without parsing the whole file;
    ``None`` otherwise (then the file is parsed).  A workspace of dozens of members reads every
    member's name on each build."""
    if b'"""' in raw or b"'''" in raw or b"\\" in raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # the parse says what is wrong with it
    table = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped
            continue
        if table != "[project]" or not stripped.startswith("name"):
            continue
        key, equals, value = stripped.partition("=")
        value = value.strip()
        if key.strip() != "name" or not equals or len(value) < 2 or value[0] not in "\"'":
            continue
        end = value.find(value[0], 1)
        if end < 0 or value[end + 1 :].strip()[:1] not in ("", "#"):
            return None
        return value[1:end]
    return None


_FOUND: dict[tuple[Path, bytes], Workspace] = {}
LONG_ROOT_BYTES = 4096
"""A workspace root's pyproject.toml this long is tried in the plain subset first (tomllib reads some
4 KB a millisecond; compiling the subset's pattern takes about that)."""


def _real(path: Path) -> Path:
    return Path(real_path(path))


UNREADABLE_ROOTS: dict[Path, str] = {}
"""pyproject.toml files above a project that mention a workspace and cannot be parsed, with why:
:func:`find_workspace` passes them by, and a `workspace = true` source left without a workspace names them."""


def find_workspace(project_root: Path) -> Workspace | None:
    """The uv workspace whose members include ``project_root``, if any.

    Walks up from the project (the project itself may be the root), as uv does:
    the first ``pyproject.toml`` with ``[tool.uv.workspace]`` decides.
    """
    for directory in (project_root, *project_root.parents):
        candidate = directory / "pyproject.toml"
        try:
            raw = read_bounded(candidate, MAX_TOML_BYTES)
        except OSError:
            continue
        if b"workspace" not in raw:  # cheap pre-check before parsing
            continue
        # a root keeps its own parse between builds beside its members' (a source per member: the longest
        # file of a workspace): its store is attached before the file is parsed
        attach_store(directory)
        try:
            # a long root is read as the members' files are: tomllib takes longer on it than compiling the
            # plain subset's pattern, which the members' files need anyway
            data: Any = parse_shared(raw, member=len(raw) >= LONG_ROOT_BYTES)
        except TomlError as exc:
            UNREADABLE_ROOTS[candidate] = str(exc)  # named when no workspace is found (uv stops there)
            data = None
        else:
            UNREADABLE_ROOTS.pop(candidate, None)
        if not isinstance(subtable(data, "tool", "uv", "workspace"), dict):
            detach_store(directory)
            continue
        # one Workspace per root and content in a process: its members are found once per build
        workspace = _FOUND.get((directory, raw))
        if workspace is None:
            workspace = _FOUND[(directory, raw)] = Workspace(directory, candidate, data)
        return workspace if workspace.includes(project_root) else None
    return None
