"""uv workspaces: find the root above a project, its members, and their names."""

from __future__ import annotations

import glob
import os
from dataclasses import field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from .._compat import tomllib
from .._dataclasses import slotted_dataclass
from ..errors import Findings
from ._toml import parse_shared

__all__ = ["Workspace", "find_workspace"]


@slotted_dataclass
class Workspace:
    root: Path
    pyproject: Path
    data: dict[str, Any]
    _members: dict[str, Path] | None = field(default=None, repr=False)
    _dirs: set[Path] | None = field(default=None, repr=False)

    @property
    def sources_table(self) -> Any:
        return self.data.get("tool", {}).get("uv", {}).get("sources")

    def _patterns(self, key: str) -> list[str]:
        value = self.data.get("tool", {}).get("uv", {}).get("workspace", {}).get(key, [])
        return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []

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

    def _find_member_dirs(self) -> set[Path]:
        found: set[Path] = set()
        for pattern in self._patterns("members"):
            for match in glob.glob(os.path.join(glob.escape(str(self.root)), pattern)):
                if os.path.isfile(os.path.join(match, "pyproject.toml")):
                    found.add(_real(Path(match)))
        for pattern in self._patterns("exclude"):
            for match in glob.glob(os.path.join(glob.escape(str(self.root)), pattern)):
                found.discard(_real(Path(match)))
        return found

    def members(self, findings: Findings) -> dict[str, Path]:
        """Member directories by canonical project name."""
        if self._members is None:
            members: dict[str, Path] = {}
            if "project" in self.data and isinstance(self.data["project"].get("name"), str):
                members[canonicalize_name(self.data["project"]["name"])] = _real(self.root)
            for directory in sorted(self._member_dirs()):
                try:
                    data = parse_shared((directory / "pyproject.toml").read_bytes())
                except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                    findings.warning(
                        str(directory / "pyproject.toml"),
                        f"workspace member cannot be read: {exc}",
                        "correct the member's pyproject.toml",
                    )
                    continue
                name = data.get("project", {}).get("name")
                if isinstance(name, str):
                    members[canonicalize_name(name)] = directory
            self._members = members
        return self._members


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def find_workspace(project_root: Path) -> Workspace | None:
    """The uv workspace whose members include ``project_root``, if any.

    Walks up from the project (the project itself may be the root), as uv does:
    the first ``pyproject.toml`` with ``[tool.uv.workspace]`` decides.
    """
    for directory in (project_root, *project_root.parents):
        candidate = directory / "pyproject.toml"
        try:
            raw = candidate.read_bytes()
        except OSError:
            continue
        if b"workspace" not in raw:  # cheap pre-check before parsing
            continue
        try:
            data = parse_shared(raw)
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if not isinstance(data.get("tool", {}).get("uv", {}).get("workspace"), dict):
            continue
        workspace = Workspace(directory, candidate, data)
        return workspace if workspace.includes(project_root) else None
    return None
