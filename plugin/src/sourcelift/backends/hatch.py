"""The native hatchling metadata hook: ``[tool.hatch.metadata.hooks.sourcelift]``.

For projects that keep ``build-backend = "hatchling.build"``.  hatchling runs
metadata hooks only when ``project.dynamic`` is non-empty, and, when it builds a
wheel from an sdist, only while some dynamic field is missing from PKG-INFO.
Where hatchling would skip this hook, the hook stops the build with a message
saying so: it is never silently inactive.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.metadata.plugin.interface import MetadataHookInterface
from hatchling.plugin import hookimpl
from packaging.requirements import InvalidRequirement
from packaging.utils import canonicalize_name

from ..config import choose_cache, choose_mode, read_config
from ..errors import Findings, Problem, warn
from ..readers._toml import load_toml, subtable
from ..readers.direct_refs import parse_requirement
from ..rewrite.local import CachedVersions
from ..rewrite.plan import Plan, make_plan, without_extra
from .wrapper import _ours

if TYPE_CHECKING:
    from ..rewrite.publish import Publisher

__all__ = ["SourceliftMetadataHook", "hatch_register_metadata_hook"]

_HOOK_KEY = "tool.hatch.metadata.hooks.sourcelift"
_USE_WRAPPER = 'or use the wrapper backend `build-backend = "sourcelift.build"`, which needs no dynamic field'


class SourceliftMetadataHook(MetadataHookInterface):
    PLUGIN_NAME = "sourcelift"

    def __init__(self, root: str, config: dict[str, Any]) -> None:
        super().__init__(root, config)
        # hatchling creates configured hooks even when it will not call `update`:
        # this is the one place to refuse to be silently skipped.
        _check_will_run(Path(root))

    def update(self, metadata: dict[str, Any]) -> None:
        _update(Path(self.root), metadata)


@_ours
def _check_will_run(root: Path) -> None:
    findings = Findings()
    data = load_toml(root / "pyproject.toml", findings) or {}
    project = data.get("project", {})
    dynamic = project.get("dynamic", []) if isinstance(project, dict) else []
    if not dynamic:
        findings.error(
            "project.dynamic",
            f"is empty, so hatchling will not run the metadata hook configured in `{_HOOK_KEY}` and the "
            "dependencies' sources would be silently ignored",
            f'make a field dynamic (e.g. `dynamic = ["version"]` with `[tool.hatch.version]`), {_USE_WRAPPER}',
        )
    elif (root / "PKG-INFO").is_file():
        from hatchling.metadata.spec import (
            PROJECT_CORE_METADATA_FIELDS,
            project_metadata_from_core_metadata,
        )

        base = project_metadata_from_core_metadata((root / "PKG-INFO").read_text(encoding="utf-8"))
        remaining = [f for f in dynamic if not (f in PROJECT_CORE_METADATA_FIELDS and f in base)]
        if not remaining:
            findings.error(
                "project.dynamic",
                f"every dynamic field ({', '.join(dynamic)}) is already in this sdist's PKG-INFO, so hatchling "
                f"will not run the metadata hook in `{_HOOK_KEY}` for this wheel and its dependencies would lose "
                "their sources",
                "build the wheel from the source tree (`pip wheel .`, `python -m build --wheel`, "
                f"`uv build --wheel`), {_USE_WRAPPER} and carries sources through sdists",
            )
    allowed = subtable(data, "tool", "hatch", "metadata", "allow-direct-references")
    if allowed is not True:
        findings.error(
            "tool.hatch.metadata.allow-direct-references",
            "must be `true`: the hook turns sources into direct references, which hatchling otherwise refuses",
            "add `[tool.hatch.metadata] allow-direct-references = true`",
        )
    findings.raise_if_any(root / "pyproject.toml")


@_ours
def _update(root: Path, metadata: dict[str, Any]) -> None:
    publisher, known = _renderers(root)
    plan, findings = make_plan(root, publisher=publisher, known_version=known)
    findings.emit_warnings()
    if "dependencies" in metadata:
        metadata["dependencies"] = _rewrite(plan, metadata["dependencies"], "project.dependencies", findings)
    optional = metadata.get("optional-dependencies")
    if isinstance(optional, dict):
        for extra, values in optional.items():
            optional[extra] = _rewrite(plan, values, f"project.optional-dependencies.{extra}", findings, extra)
    findings.raise_if_any(root / "pyproject.toml")
    plan.populate_store()


def _rewrite(plan: Plan, values: list[str], key: str, findings: Findings, extra: str | None = None) -> list[str]:
    """The lines of ``values`` (``[project]``'s, or ``extra``'s, to which hatchling adds the extra marker)."""
    out: list[str] = []
    for index, text in enumerate(values):
        try:
            requirement, _ = parse_requirement(text, f"{key}[{index}]", plan.root / "pyproject.toml")
        except InvalidRequirement:
            out.append(text)  # hatchling reports invalid requirements itself
            continue
        sources = plan.sources.get(canonicalize_name(requirement.name))
        if not sources:
            out.append(text)
            continue
        requirement.url = None
        if extra is not None:  # a source for this extra applies here without a marker of its own
            sources = [without_extra(source, extra) for source in sources]
        out.extend(plan.render(requirement, sources, findings, f"{key}[{index}]"))
    return out


def _renderers(root: Path) -> tuple[Publisher | None, CachedVersions | None]:
    """Publish mode from ``SOURCELIFT_MODE`` or ``[tool.sourcelift] mode`` (hatchling passes hooks no
    config settings): its publisher; in local mode, the cached directory versions to check (unless the
    version cache is bypassed)."""
    findings = Findings()
    config = read_config(load_toml(root / "pyproject.toml", findings) or {}, findings)
    findings.raise_if_any(root / "pyproject.toml")
    if choose_mode(config, None, os.environ) != "publish":
        return None, CachedVersions() if choose_cache(config, None) else None
    from ..rewrite.publish import Publisher

    warn(
        Problem(
            _HOOK_KEY,
            "in publish mode the metadata gets version specifiers, but an sdist built by hatchling keeps this "
            "hook and the sources in its pyproject.toml, so building it still needs sourcelift",
            'for a standards-only sdist, use the wrapper backend `build-backend = "sourcelift.build"`',
        )
    )
    return Publisher.from_config(config, None), None


@hookimpl
def hatch_register_metadata_hook() -> type[SourceliftMetadataHook]:
    return SourceliftMetadataHook
