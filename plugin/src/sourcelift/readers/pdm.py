"""pdm: ``[tool.pdm.dev-dependencies]`` and pdm's entries of ``[dependency-groups]``, development-only by definition.

pdm keeps local paths of development dependencies there (``-e file:///${PROJECT_ROOT}/../lib#egg=lib``,
``-e ../lib``, ``lib @ file:///${PROJECT_ROOT}/../lib``).  They never reach built metadata, so
sourcelift reports them as development-only and never emits them.  pdm's project-root
placeholders in ``[project]`` requirements are read with hatch's in :mod:`.direct_refs`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from packaging.requirements import InvalidRequirement
from packaging.utils import canonicalize_name

from ..model import PathSource
from ._base import DeclaredPath, ReadContext
from .direct_refs import parse_requirement

__all__ = ["READER", "PdmReader"]

# patterns are compiled on first use (re caches them): the plugin is imported by every build
_ROOT = r"^file:///?\$\{PROJECT_ROOT\}/?"
_NOWHERE = Path("pyproject.toml")
_EGG = r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)"


def _dev_tables(data: dict[str, Any]) -> Iterator[tuple[str, str, list[Any]]]:
    """(group, key, entries) of ``[tool.pdm.dev-dependencies]``."""
    tool = data.get("tool")
    pdm = tool.get("pdm") if isinstance(tool, dict) else None
    dev = pdm.get("dev-dependencies") if isinstance(pdm, dict) else None
    if isinstance(dev, dict):
        for group, entries in dev.items():
            if isinstance(entries, list):
                yield str(group), f"tool.pdm.dev-dependencies.{group}", entries


def _local(text: str) -> tuple[str, str] | None:
    """(name, path relative to the project root) of a local development entry, else ``None``."""
    text = text.strip()
    if text.startswith("-e"):
        text = text[2:].strip()
    if " @ " in text:
        try:
            requirement, source = parse_requirement(text, "", _NOWHERE)
        except InvalidRequirement:
            return None
        return (requirement.name, source.path) if source is not None else None
    egg = re.search(_EGG, text)
    location = re.sub(_EGG, "", text)
    if re.match(_ROOT, location):
        location = unquote(re.sub(_ROOT, "", location)) or "."
    elif not location.startswith((".", "/")):
        return None  # a plain requirement
    name = egg.group(1) if egg else location.rstrip("/").rsplit("/", 1)[-1]
    return name, location


def _group_tables(data: dict[str, Any]) -> Iterator[tuple[str, str, list[Any]]]:
    """(group, key, entries) of ``[dependency-groups]``, where pdm writes its non-editable development
    entries (``lib @ file:///${PROJECT_ROOT}/../lib``, since late 2024; editables stay in
    ``[tool.pdm.dev-dependencies]``), and where some projects write editables by hand."""
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group, entries in groups.items():
            if isinstance(entries, list):
                yield str(group), f"dependency-groups.{group}", entries


def _pdm_entry(text: Any) -> bool:
    """Whether a ``[dependency-groups]`` entry is written pdm's way (an editable, or a project-root reference)."""
    return isinstance(text, str) and (text.strip().startswith("-e") or "${PROJECT_ROOT}" in text)


class PdmReader:
    tool = "pdm"

    def read(self, context: ReadContext) -> None:
        tables = list(_dev_tables(context.data))
        # shown as development-only; `sourcelift check` reads `[dependency-groups]` itself (SL505)
        tables += [(g, k, [e if _pdm_entry(e) else None for e in es]) for g, k, es in _group_tables(context.data)]
        for group, key, entries in tables:
            for index, text in enumerate(entries):
                local = _local(text) if isinstance(text, str) else None
                if local is None:
                    continue
                name, path = local
                context.other_names.add(canonicalize_name(name))
                context.development_only.append(
                    PathSource(
                        name=canonicalize_name(name),
                        key=f"{key}[{index}]",
                        pyproject=context.pyproject,
                        group=group,
                        path=path,
                        editable=text.strip().startswith("-e"),
                    )
                )

    def standards(self, document: Any, lines: dict[str, list[str]], consumed: set[str]) -> None:
        """Nothing: development dependencies are not metadata, and pdm-backend ignores them when building."""

    def declared_paths(self, data: dict[str, Any]) -> Iterator[DeclaredPath]:
        for _, key, entries in _dev_tables(data):
            for index, text in enumerate(entries):
                local = _local(text) if isinstance(text, str) else None
                if local is not None:
                    yield DeclaredPath(
                        key=f"{key}[{index}]",
                        name=canonicalize_name(local[0]),
                        path=local[1],
                        development_only=True,
                        path_field=None,  # the entry is a string
                    )


READER = PdmReader()
