"""setuptools' dependencies read from files, in a publish-mode sdist.

A setuptools project may list its dependencies in ``project.dynamic`` and read them from files::

    [tool.setuptools.dynamic]
    dependencies = { file = ["requirements.txt"] }
    optional-dependencies.fast = { file = ["requirements-fast.txt"] }

setuptools ships those files in the sdist and reads them again when it builds the wheel from it, so a
publish-mode sdist carries its final requirements there: each requirement line of each file becomes
the lines PKG-INFO gets (a version specifier for a source-backed one), and the rest of the file stays
as it was.  The sdist's pyproject.toml keeps ``dynamic`` and the table.

pbr reads a setup.cfg-only project's dependencies from ``requirements.txt`` the same way
(:func:`pbr_requirement_files`), when nothing else feeds them (no ``[extras]``, no nested files).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["dynamic_requirement_files", "pbr_requirement_files", "rewrite_requirements_file"]

_FIELDS = ("dependencies", "optional-dependencies")


def dynamic_requirement_files(data: dict[str, Any]) -> dict[str, str | None] | None:
    """Every file setuptools reads a dynamic dependency field from, relative to the project (POSIX), with
    the extra it belongs to (``None``: ``dependencies``); ``None`` unless every dependency field that
    ``project.dynamic`` lists is read from files (``[tool.setuptools.dynamic] ... = { file = ... }``).

    >>> data = {"project": {"dynamic": ["dependencies"]}, "tool": {"setuptools": {"dynamic": {
    ...     "dependencies": {"file": ["requirements.txt", "./more.txt"]}}}}}
    >>> dynamic_requirement_files(data)
    {'requirements.txt': None, 'more.txt': None}
    """
    project = data.get("project")
    dynamic = project.get("dynamic") if isinstance(project, dict) else None
    fields = [field for field in _FIELDS if isinstance(dynamic, list) and field in dynamic]
    tool = data.get("tool")
    setuptools = tool.get("setuptools") if isinstance(tool, dict) else None
    table = setuptools.get("dynamic") if isinstance(setuptools, dict) else None
    if not fields or not isinstance(table, dict):
        return None
    files: dict[str, str | None] = {}
    specs: list[tuple[Any, str | None]] = []
    if "dependencies" in fields:
        specs.append((table.get("dependencies"), None))
    if "optional-dependencies" in fields:
        optional = table.get("optional-dependencies")
        if not isinstance(optional, dict) or not optional:
            return None
        specs.extend((spec, str(extra)) for extra, spec in optional.items())
    for spec, extra in specs:
        names = _files(spec)
        if names is None:
            return None
        for name in names:
            if files.get(name, extra) != extra:
                return None  # one file for two fields: its lines cannot be written for both
            files[name] = extra
    return files


def _files(spec: Any) -> list[str] | None:
    given = spec.get("file") if isinstance(spec, dict) else None
    names = [given] if isinstance(given, str) else given
    if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
        return None
    normalized = [posixpath.normpath(name.replace("\\", "/")) for name in names]
    if any(name.startswith(("../", "/")) or name == ".." for name in normalized):
        return None  # outside the project: not in the sdist
    return normalized


def rewrite_requirements_file(
    text: str, extra: str | None, rewrite: Callable[[str], list[str] | None]
) -> tuple[str, bool]:
    """``text`` (a requirements file setuptools reads, for ``extra`` or the plain dependencies) with each
    requirement line replaced by what ``rewrite`` makes of it as a Requires-Dist value (``None``: kept),
    and whether anything changed.  Comments, blank lines and lines that do not parse stay."""
    from packaging.requirements import InvalidRequirement

    from ..rewrite.markers import conjoin, split_extra
    from ..values import copied, parsed_requirement

    out: list[str] = []
    changed = False
    for raw in text.splitlines():
        stripped = raw.strip()
        body, hash_sign, comment = stripped.partition(" #")  # setuptools drops a trailing comment
        body = body.strip()
        if not body or body.startswith(("#", "-")):
            out.append(raw)
            continue
        try:
            requirement = parsed_requirement(body)
        except InvalidRequirement:
            out.append(raw)  # setuptools reports it
            continue
        value = requirement
        if extra is not None:
            value = copied(requirement)
            value.marker = conjoin(value.marker, f'extra == "{extra}"')
        lines = rewrite(str(value))
        if lines is None:
            out.append(raw)
            continue
        changed = True
        for line in lines:
            written = copied(parsed_requirement(line))
            if extra is not None:
                written.marker, _ = split_extra(written.marker)
            out.append(str(written))
        if len(lines) == 1 and hash_sign:
            out[-1] += f"  #{comment}"  # the line's own comment stays with it
    ending = "\n" if text.endswith("\n") or not text else ""
    return "\n".join(out) + ending, changed


def pbr_requirement_files(
    root: Path, data: dict[str, Any], backend: str, environ: Mapping[str, str] | None = None
) -> dict[str, str | None] | None:
    """``{"requirements.txt": None}`` for a pbr project (setup.cfg with pbr, no ``[project]`` table) whose
    dependencies pbr reads from that file alone, which it ships in the sdist and reads again for the wheel;
    ``None`` otherwise: pbr then takes them from elsewhere too (``[extras]`` of setup.cfg, a nested
    ``-r`` file, ``PBR_REQUIREMENTS_FILES``), which a rewrite of the one file would not reach."""
    import configparser

    if "project" in data or (os.environ if environ is None else environ).get("PBR_REQUIREMENTS_FILES"):
        return None
    setup_cfg, requirements = root / "setup.cfg", root / "requirements.txt"
    if not (setup_cfg.is_file() and requirements.is_file()):
        return None
    setup_py = root / "setup.py"
    uses_pbr = backend.split(":", 1)[0].strip().startswith("pbr") or (
        setup_py.is_file() and re.search(r"\bpbr\s*=\s*True\b", setup_py.read_text(encoding="utf-8", errors="replace"))
    )
    if not uses_pbr:
        return None
    config = configparser.ConfigParser(interpolation=None)
    try:
        config.read(setup_cfg, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    if config.has_section("extras") and any(config["extras"].values()):
        return None
    lines = requirements.read_text(encoding="utf-8", errors="replace").splitlines()
    if any(line.strip().startswith("-") for line in lines):
        return None  # `-r other.txt`, `-e ...`: requirements from elsewhere
    return {"requirements.txt": None}
