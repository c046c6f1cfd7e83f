"""The version of a project directory (a path source or a workspace member).

A static ``[project].version`` is read from pyproject.toml.  Otherwise the
project's own build backend computes it: ``prepare_metadata_for_build_wheel``
(or ``build_wheel`` when the backend lacks that hook) runs in a child process through
pyproject-hooks (:mod:`sourcelift.versions._backend`: the project as working directory, a
temporary output directory, a timeout that stops the child's whole process group), and the
``Version`` of the METADATA it produces is the answer.  Backend runs are cached by the
fingerprint of the project's build inputs (:mod:`sourcelift.versions.fingerprint`,
:mod:`sourcelift.versions.cache`).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from .._compat import tomllib
from .._dataclasses import slotted_dataclass
from ..core_metadata import first_values
from ..readers._toml import parse_shared
from ..urls import redact_credentials
from .cache import VersionCache
from .errors import VersionError

__all__ = [
    "BACKEND_TIMEOUT",
    "PROBE_ENV",
    "DirectoryVersion",
    "directory_version",
    "dynamic_build_requires",
]

BACKEND_TIMEOUT = 300.0
"""Seconds a backend may take to compute a version."""
PROBE_ENV = "SOURCELIFT_VERSION_PROBE"
"""Set (to the project directory) in the environment of the backend run that computes a version."""
# PEP 517/518: what a project without [build-system] is built with (as pip and build do)
DEFAULT_REQUIRES = ("setuptools>=40.8.0",)
DEFAULT_BACKEND = "setuptools.build_meta:__legacy__"
_STDERR_LINES = 15


@slotted_dataclass
class DirectoryVersion:
    version: str
    """The normalized version."""
    how: str
    """``"static"`` (pyproject.toml), ``"backend"`` (computed now) or ``"cache"``."""


@slotted_dataclass
class _BuildSystem:
    requires: list[str]
    backend: str
    backend_path: list[str]
    declared_backend: str
    """The backend as pyproject.toml names it (``sourcelift.build`` is unwrapped in ``backend``)."""


def directory_version(path: Path, cache: VersionCache | None) -> DirectoryVersion:
    """The version of the project in directory ``path``.

    ``cache=None`` computes a dynamic version every time.  Raises
    :class:`~sourcelift.versions.VersionError` when it cannot be known.
    """
    data = _load(path)
    static = _static_version(path, data)
    if static is not None:
        return DirectoryVersion(static, "static")
    directory = path.resolve()  # one spelling per directory: the cache key and git's view agree
    if cache is not None:
        from .fingerprint import member_fingerprint

        fingerprint = member_fingerprint(directory, data)
        if fingerprint.digest is not None:
            version, cached = cache.get_or_compute(fingerprint.digest, directory, lambda: _run_backend(directory, data))
            return DirectoryVersion(version, "cache" if cached else "backend")
    return DirectoryVersion(_run_backend(directory, data), "backend")


def dynamic_build_requires(path: Path) -> list[str]:
    """The project's ``build-system.requires`` when its version is dynamic, else ``[]``.

    What a frontend must install before :func:`directory_version` can run the
    project's backend (``hatch-vcs``, ``setuptools-scm``...).  Parsed once per
    process and directory; a project whose pyproject.toml cannot be read gives
    ``[]`` (:func:`directory_version` reports the problem).
    """
    return list(_dynamic_build_requires(str(path.resolve())))


@functools.cache
def _dynamic_build_requires(directory: str) -> tuple[str, ...]:
    try:
        data = _load(Path(directory))
        if _static_version(Path(directory), data) is not None:
            return ()
        return tuple(_build_system(Path(directory), data).requires)
    except VersionError:
        return ()


def _load(directory: Path) -> dict[str, Any]:
    pyproject = directory / "pyproject.toml"
    try:
        raw = pyproject.read_bytes()
    except FileNotFoundError:
        if (directory / "setup.py").is_file():
            return {}  # a setup.py project: its backend (setuptools' legacy one) knows the version
        raise VersionError(
            f"{directory} is not a Python project (no pyproject.toml or setup.py), so it has no version",
            "point the source at the project's root directory",
        ) from None
    except OSError as exc:
        raise VersionError(f"cannot read {pyproject}: {exc.strerror}", "check the file's permissions") from None
    try:
        data = parse_shared(raw)  # the workspace lookup parsed the same bytes already
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VersionError(f"{pyproject} is not valid TOML: {exc}", "correct the TOML syntax") from None
    return data


def _static_version(directory: Path, data: dict[str, Any]) -> str | None:
    project = data.get("project")
    if not isinstance(project, dict):
        return None  # no PEP 621 metadata: only the backend knows
    dynamic = project.get("dynamic", [])
    if isinstance(dynamic, list) and "version" in dynamic:
        return None
    pyproject = directory / "pyproject.toml"
    version = project.get("version")
    if version is None:
        raise VersionError(
            f"{pyproject}: `project.version` is missing and `version` is not listed in `project.dynamic`",
            'give `version = "..."` in `[project]`, or add "version" to `project.dynamic` for a backend to compute it',
        )
    if not isinstance(version, str):
        raise VersionError(
            f"{pyproject}: `project.version` must be a string, not {version!r}", 'write `version = "1.0"`'
        )
    try:
        return str(Version(version))
    except InvalidVersion:
        raise VersionError(
            f"{pyproject}: `project.version` is {version!r}, which is not a valid version (PEP 440)",
            'give a version like "1.2.0"',
        ) from None


def _build_system(directory: Path, data: dict[str, Any]) -> _BuildSystem:
    pyproject = directory / "pyproject.toml"
    table = data.get("build-system")
    if table is None:
        return _BuildSystem(list(DEFAULT_REQUIRES), DEFAULT_BACKEND, [], DEFAULT_BACKEND)
    if not isinstance(table, dict):
        raise VersionError(f"{pyproject}: `build-system` must be a table", "write it as `[build-system]`")
    requires = table.get("requires", list(DEFAULT_REQUIRES))
    backend = table.get("build-backend", DEFAULT_BACKEND)
    backend_path = table.get("backend-path", [])
    if not isinstance(requires, list) or not all(isinstance(item, str) for item in requires):
        raise VersionError(f"{pyproject}: `build-system.requires` must be an array of strings", "correct it")
    if not isinstance(backend, str) or not backend.strip():
        raise VersionError(f"{pyproject}: `build-system.build-backend` must be a string", "correct it")
    if not isinstance(backend_path, list) or not all(isinstance(item, str) for item in backend_path):
        raise VersionError(f"{pyproject}: `build-system.backend-path` must be an array of strings", "correct it")
    declared = backend.strip()
    inner = declared
    if declared.split(":")[0].strip() == "sourcelift.build":
        # sourcelift's wrapper only rewrites requirements; the backend it wraps computes the version
        from ..config import DEFAULT_BACKEND as WRAPPED_DEFAULT

        configured = data.get("tool", {}).get("sourcelift", {}).get("backend", WRAPPED_DEFAULT)
        inner = configured.strip() if isinstance(configured, str) and configured.strip() else WRAPPED_DEFAULT
    resolved_paths = []
    real_directory = directory.resolve()
    for entry in backend_path:
        resolved = (directory / entry).resolve()
        if resolved != real_directory and real_directory not in resolved.parents:
            raise VersionError(
                f"{pyproject}: `build-system.backend-path` entry {entry!r} is outside the project",
                "keep in-tree backends inside the project directory (PEP 517)",
            )
        resolved_paths.append(str(resolved))
    return _BuildSystem(list(requires), inner, resolved_paths, declared)


def _missing_requirements(requires: list[str]) -> list[str]:
    """The requirements this interpreter cannot satisfy (not installed, or another version)."""
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    missing: list[str] = []
    for text in requires:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            missing.append(f"{text} (not a valid requirement)")
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        if canonicalize_name(requirement.name) == "sourcelift":
            continue  # it is running
        installed = None
        for candidate in dict.fromkeys(
            (
                requirement.name,
                canonicalize_name(requirement.name),
                canonicalize_name(requirement.name).replace("-", "_"),
            )
        ):
            try:
                installed = metadata.version(candidate)
                break
            except metadata.PackageNotFoundError:
                continue
        if installed is None:
            missing.append(text)
        elif requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            missing.append(f"{text} (found {requirement.name} {installed})")
    return missing


def _run_backend(directory: Path, data: dict[str, Any]) -> str:
    system = _build_system(directory, data)
    shown = system.backend if system.backend == system.declared_backend else f"{system.backend} (wrapped by sourcelift)"
    missing = _missing_requirements(system.requires)
    if missing:
        listed = ", ".join(f'"{item}"' for item in missing)
        raise VersionError(
            f"the version of {directory} is dynamic, and its build backend `{shown}` cannot run here: "
            f"this build environment lacks {listed} (from its `build-system.requires`)",
            f"add {listed} to `build-system.requires` of the project being built, so that the frontend installs "
            "them; a build without isolation needs them installed in its environment",
        )
    from ._backend import BackendFailed, BackendTimeout, prepare_metadata

    env = dict(os.environ)
    env[PROBE_ENV] = str(directory)
    fix = (
        "make the project build on its own (run e.g. `python -m build --wheel` in it and fix what fails), "
        "or give it a static `project.version`"
    )
    try:
        text = prepare_metadata(directory, system.backend, system.backend_path, env, BACKEND_TIMEOUT)
    except BackendTimeout as exc:
        raise VersionError(
            f"the build backend `{shown}` of {directory} did not compute its version within "
            f"{BACKEND_TIMEOUT:.0f} s (it and its child processes were stopped){_tail(exc.output)}",
            "find out why building its metadata hangs (run its build by hand), or give it a static version",
        ) from None
    except BackendFailed as exc:
        error, _ = redact_credentials(exc.message)
        raise VersionError(
            f"the build backend `{shown}` of {directory} could not compute its version: {error}{_tail(exc.output)}",
            fix,
        ) from None
    found = first_values(text).get("version", "")
    if not found:
        raise VersionError(
            f"the build backend `{shown}` of {directory} could not compute its version: "
            "the METADATA it prepared has no Version field",
            fix,
        )
    try:
        return str(Version(found))
    except InvalidVersion:
        raise VersionError(
            f"the build backend `{shown}` of {directory} computed the version {found!r}, which is not valid (PEP 440)",
            fix,
        ) from None


def _tail(output: bytes) -> str:
    """The last lines the backend wrote, for the error message (credentials removed)."""
    text = output.decode("utf-8", "replace")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()][-_STDERR_LINES:]
    if lines:
        return "\n        | " + "\n        | ".join(redact_credentials(line)[0] for line in lines)
    return ""
