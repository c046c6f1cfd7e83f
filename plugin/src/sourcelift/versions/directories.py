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

import contextlib
import functools
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from .._compat import tomllib
from .._dataclasses import slotted_dataclass
from .._files import read_bounded, real_path
from ..core_metadata import first_values
from ..readers._toml import MAX_TOML_BYTES, TomlError, parse_shared, subtable
from ..urls import redact_credentials
from .cache import VersionCache
from .errors import VersionError

__all__ = [
    "BACKEND_TIMEOUT",
    "PROBE_ENV",
    "DirectoryVersion",
    "backend_metadata",
    "build_requirements",
    "cached_directory_version",
    "directory_version",
    "directory_versions",
    "dynamic_build_requires",
    "missing_build_requirements",
    "missing_requirements",
    "runs_declared_backend",
]

BACKEND_TIMEOUT = 300.0
"""Seconds a backend may take to compute a version."""
PROBE_ENV = "SOURCELIFT_VERSION_PROBE"
"""Set (to the project directory) in the environment of the backend run that computes a version."""
CHAIN_ENV = "SOURCELIFT_VERSION_CHAIN"
"""The directories whose versions the processes above are computing (``os.pathsep``-separated), so that a
cycle between members is reported by name instead of spawning backends without end."""
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


def directory_version(path: Path, cache: VersionCache | None, python: str | None = None) -> DirectoryVersion:
    """The version of the project in directory ``path``.

    ``cache=None`` computes a dynamic version every time.  ``python``: the interpreter of an
    environment that holds the project's build requirements (an isolated build environment);
    by default the running one, which must have them.  Raises
    :class:`~sourcelift.versions.VersionError` when it cannot be known.
    """
    data = _load(path)
    static = _static_version(path, data)
    if static is not None:
        return DirectoryVersion(static, "static")
    directory = Path(real_path(path))  # one spelling per directory: the cache key and git's view agree
    _refuse_cycle(directory)  # before any cache lock: a cycle would wait on a lock its own parent holds
    if cache is not None:
        from .fingerprint import member_fingerprint

        fingerprint = member_fingerprint(directory, data)
        if fingerprint.digest is not None:
            version, cached = cache.get_or_compute(
                fingerprint.digest, directory, lambda: _run_backend(directory, data, python)
            )
            return DirectoryVersion(version, "cache" if cached else "backend")
    return DirectoryVersion(_run_backend(directory, data, python), "backend")


def cached_directory_version(path: Path, cache: VersionCache) -> str | None:
    """The dynamic version of the project in ``path`` as ``cache`` already holds it for the project's
    current build inputs, or ``None`` when that is not known: a static version (read it from
    pyproject.toml), no usable fingerprint (not in git, uncommitted changes), no entry.

    A lookup only: no backend runs and nothing is written.
    """
    try:
        data = _load(path)
        if _static_version(path, data) is not None:
            return None
        directory = Path(real_path(path))
        from .fingerprint import member_fingerprint

        digest = member_fingerprint(directory, data).digest
    except VersionError:  # the build reports an unreadable project or malformed cache keys where it matters
        return None
    return cache.get(digest, directory) if digest is not None else None


def directory_versions(
    paths: Sequence[Path], cache: VersionCache | None, jobs: int | None = None
) -> dict[Path, DirectoryVersion | VersionError]:
    """The version of each project directory in ``paths``, or the error that says why it cannot be known.

    Static versions and cache hits are answered here.  The backends that must run
    run concurrently, ``jobs`` processes at a time (default: the CPUs this process
    may use); projects built by the same well-known backend (hatchling, pdm-backend,
    flit-core, uv_build, poetry-core; no ``backend-path``) share a process, so that
    the interpreter starts and the backend is imported once per process, not once
    per project.  A cache entry is computed once even across concurrent builds that
    share the cache: its lock is taken before the backend runs, and a build that
    finds it taken waits for the other's answer.
    """
    results: dict[Path, DirectoryVersion | VersionError] = {}
    pending: list[_Pending] = []
    version_env: list[tuple[str, str]] | None = None
    for path in dict.fromkeys(paths):
        try:
            data, raw = _read(path)
            static = _static_version(path, data)
            if static is not None:
                results[path] = DirectoryVersion(static, "static")
                continue
            real = real_path(path)
            directory = path if real == str(path) else Path(real)  # most paths are real already
            digest = None
            if cache is not None:
                from .fingerprint import member_fingerprint, version_environment

                if version_env is None:
                    version_env = version_environment()
                digest = member_fingerprint(directory, data, version_env=version_env, pyproject=raw).digest
                found = cache.get(digest, directory) if digest is not None else None
                if found is not None:
                    results[path] = DirectoryVersion(found, "cache")
                    continue
            pending.append(_Pending(path, directory, data, digest))
        except VersionError as exc:
            results[path] = exc
    claimed: list[_Pending] = []
    waiting: list[_Pending] = []
    for item in pending:
        if cache is None or item.digest is None:
            claimed.append(item)
            continue
        item.token = cache.try_claim(item.digest)
        if item.token is None:
            waiting.append(item)
            continue
        found = cache.get(item.digest, item.directory)  # computed by another build meanwhile
        if found is not None:
            cache.release(item.token)
            results[item.path] = DirectoryVersion(found, "cache")
            continue
        claimed.append(item)
    try:
        for item, version in _compute(claimed, jobs or _cpus()).items():
            if isinstance(version, str):
                if cache is not None and item.digest is not None:
                    cache.put(item.digest, item.directory, version)
                results[item.path] = DirectoryVersion(version, "backend")
            else:
                results[item.path] = version
    finally:
        for item in claimed:
            if cache is not None and item.token is not None:
                cache.release(item.token)
    for item in waiting:
        assert cache is not None and item.digest is not None
        try:
            version, cached = cache.get_or_compute(
                item.digest, item.directory, functools.partial(_run_backend, item.directory, item.data)
            )
            results[item.path] = DirectoryVersion(version, "cache" if cached else "backend")
        except VersionError as exc:
            results[item.path] = exc
    return {path: results[path] for path in dict.fromkeys(paths)}


class _Pending:
    def __init__(self, path: Path, directory: Path, data: dict[str, Any], digest: str | None) -> None:
        self.path = path
        self.directory = directory
        self.data = data
        self.digest = digest
        self.token: int | None = None


# Backends whose hooks only read the working directory's project: one process may serve many projects.
SHARED_PROCESS_BACKENDS = frozenset(
    {"hatchling.build", "pdm.backend", "flit_core.buildapi", "uv_build", "poetry.core.masonry.api"}
)


def _compute(items: list[_Pending], workers: int) -> dict[_Pending, str | VersionError]:
    """Run the backends of ``items``, ``workers`` processes at a time."""
    if not items:
        return {}  # every version known: a warm build does not even import the thread pool
    from concurrent.futures import ThreadPoolExecutor

    tasks: list[list[_Pending]] = []
    groups: dict[tuple[str, tuple[str, ...]], list[_Pending]] = {}
    out: dict[_Pending, str | VersionError] = {}
    for item in items:
        try:
            system = _build_system(item.directory, item.data)
        except VersionError as exc:
            out[item] = exc
            continue
        if system.backend in SHARED_PROCESS_BACKENDS and not system.backend_path:
            groups.setdefault((system.backend, tuple(system.requires)), []).append(item)
        else:
            tasks.append([item])
    for group in groups.values():
        count = min(len(group), workers)
        tasks.extend(group[index::count] for index in range(count))
    if not tasks:
        return out

    def run(task: list[_Pending]) -> dict[_Pending, str | VersionError]:
        if len(task) > 1:
            return _run_shared(task)
        try:
            return {task[0]: _run_backend(task[0].directory, task[0].data)}
        except VersionError as exc:
            return {task[0]: exc}

    if len(tasks) == 1:
        out.update(run(tasks[0]))
        return out
    with ThreadPoolExecutor(max_workers=min(workers, len(tasks)), thread_name_prefix="sourcelift-version") as pool:
        for found in pool.map(run, tasks):
            out.update(found)
    return out


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform
        return os.cpu_count() or 1


def _chain(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The project directories whose versions are being computed by the processes above this one."""
    value = environ.get(CHAIN_ENV, "")
    return [entry for entry in value.split(os.pathsep) if entry]


def _project_name(directory: str) -> str:
    try:
        name = subtable(_load(Path(directory)), "project", "name")
    except VersionError:
        name = None
    return name if isinstance(name, str) else Path(directory).name


def _refuse_cycle(directory: Path) -> None:
    """A project whose version is being computed further up asks for its own version again: a cycle."""
    chain = _chain()
    if str(directory) not in chain:
        return
    loop = [*chain[chain.index(str(directory)) :], str(directory)]
    names = " -> ".join(_project_name(entry) for entry in loop)
    raise VersionError(
        f"dependency cycle between members whose versions are dynamic: {names} "
        "(each one's build backend needs the other's version to write its metadata)",
        "give one of them a static `project.version`, or a version specifier (`[tool.sourcelift.strategies]`) "
        "for the dependency that closes the cycle",
    )


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
    return _read(directory)[0]


def _read(directory: Path) -> tuple[dict[str, Any], bytes | None]:
    """The project's parsed pyproject.toml and its bytes (``({}, None)`` for a setup.py project)."""
    pyproject = os.path.join(directory, "pyproject.toml")  # not pathlib: read for every member
    try:
        raw = read_bounded(pyproject, MAX_TOML_BYTES)
    except FileNotFoundError:
        if (directory / "setup.py").is_file():
            return {}, None  # a setup.py project: its backend (setuptools' legacy one) knows the version
        raise VersionError(
            f"{directory} is not a Python project (no pyproject.toml or setup.py), so it has no version",
            "point the source at the project's root directory",
        ) from None
    except OSError as exc:
        raise VersionError(f"cannot read {pyproject}: {exc.strerror or exc}", "check the file's permissions") from None
    try:
        data = parse_shared(raw, member=True)  # the workspace lookup parsed the same bytes already
    except TomlError as exc:
        raise VersionError(f"{pyproject}: {exc}", "correct the file: it must be UTF-8 encoded TOML") from None
    return data, raw


def _static_version(directory: Path, data: dict[str, Any]) -> str | None:
    from ..readers.project import poetry_static

    pyproject = os.path.join(directory, "pyproject.toml")  # for the messages; not pathlib: asked for every member
    project = data.get("project")
    dynamic = project.get("dynamic", []) if isinstance(project, dict) else []
    if not isinstance(project, dict) or (isinstance(dynamic, list) and "version" in dynamic):
        # no PEP 621 version: only the backend knows, unless it is poetry-core reading `[tool.poetry] version`
        # or maturin reading the literal version of the crate's Cargo.toml
        poetry = poetry_static(data, "version")
        if poetry is None:
            return _maturin_version(directory, data) if isinstance(project, dict) else None
        try:
            return str(Version(poetry))
        except InvalidVersion:
            raise VersionError(
                f"{pyproject}: `tool.poetry.version` is {poetry!r}, which is not a valid version (PEP 440)",
                'give a version like "1.2.0"',
            ) from None
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


_CARGO_RELEASE = re.compile(r"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)")
"""A Cargo version maturin writes unchanged (a semver pre-release or build suffix it converts: the backend runs)."""


def _maturin_version(directory: Path, data: dict[str, Any]) -> str | None:
    """The version maturin gives a project with a dynamic version: ``[package] version`` of its
    Cargo.toml (``[tool.maturin] manifest-path``, else the one beside pyproject.toml), read when it is a
    plain ``X.Y.Z``.  ``None`` (the backend computes it) for other backends, a version inherited from
    the Cargo workspace or any other form.  Running maturin for it needs ``cargo metadata``, which
    resolves every crate dependency (from crates.io: a network access, and seconds per member)."""
    system = data.get("build-system")
    declared = system.get("build-backend") if isinstance(system, dict) else None
    if not isinstance(declared, str):
        return None
    from ..config import wrapped_backend

    if wrapped_backend(declared, data) != "maturin":
        return None
    tool = data.get("tool")
    maturin = tool.get("maturin") if isinstance(tool, dict) else None
    manifest = maturin.get("manifest-path", "Cargo.toml") if isinstance(maturin, dict) else "Cargo.toml"
    if not isinstance(manifest, str):
        return None
    try:
        cargo = tomllib.loads(read_bounded(os.path.join(directory, manifest), MAX_TOML_BYTES).decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None  # maturin reports what is wrong with it
    package = cargo.get("package")
    version = package.get("version") if isinstance(package, dict) else None
    if not isinstance(version, str) or not _CARGO_RELEASE.fullmatch(version):
        return None
    return str(Version(version))


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
    # sourcelift's wrapper only rewrites requirements; the backend it wraps computes the version
    from ..config import wrapped_backend

    declared = backend.strip()
    inner = wrapped_backend(declared, data)
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


def missing_requirements(requires: list[str]) -> list[str]:
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


def _run_shared(items: list[_Pending]) -> dict[_Pending, str | VersionError]:
    """The versions of several projects with the same backend, from one child process.

    A project whose version does not come out of it (its hook failed, the process
    crashed or timed out) runs again on its own, which reports exactly what went wrong.
    """
    import json
    import subprocess
    import tempfile

    system = _build_system(items[0].directory, items[0].data)
    out: dict[_Pending, str | VersionError] = {}
    if missing_requirements(system.requires):
        return {item: _run_alone(item) for item in items}  # each reports what is missing
    with tempfile.TemporaryDirectory(prefix="sourcelift-version-") as scratch:
        jobs = [
            {
                "directory": str(item.directory),
                "output": str(Path(scratch) / f"out-{index}"),
                "result": str(Path(scratch) / f"result-{index}.json"),
            }
            for index, item in enumerate(items)
        ]
        request = json.dumps({"backend": system.backend, "backend_path": [], "jobs": jobs})
        env = dict(os.environ)
        env.pop("PIP_BUILD_TRACKER", None)  # hatchling hides prepare_metadata_for_build_wheel under it
        # a crash or a timeout leaves results missing: those projects run again on their own below
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(
                _child_command(request),
                cwd=items[0].directory,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=BACKEND_TIMEOUT * len(items),
                check=False,
            )
        for item, job in zip(items, jobs):
            try:
                result = json.loads(Path(job["result"]).read_text(encoding="utf-8"))
                out[item] = str(Version(str(result["version"]))) if result.get("ok") else _run_alone(item)
            except (OSError, ValueError, KeyError, TypeError, InvalidVersion):
                out[item] = _run_alone(item)
    return out


def _run_alone(item: _Pending) -> str | VersionError:
    try:
        return _run_backend(item.directory, item.data)
    except VersionError as exc:
        return exc


def _child_command(request: str) -> list[str]:
    child = Path(__file__).with_name("_child.py")
    try:
        return [sys.executable, "-c", child.read_text(encoding="utf-8"), request]
    except OSError:  # installed without its source (zipapp): run it as a module
        return [sys.executable, "-m", "sourcelift.versions._child", request]


def missing_build_requirements(path: Path) -> tuple[str, list[str]]:
    """(the backend that computes the project's metadata, the build requirements this interpreter lacks for it).

    Raises :class:`~sourcelift.versions.VersionError` for an unreadable project.
    """
    system = _build_system(path, _load(path))
    return system.backend, missing_requirements(system.requires)


def runs_declared_backend(path: Path) -> bool:
    """Whether the backend that computes the project's metadata is its declared ``build-backend`` with a
    ``backend-path`` (an in-tree module, which may re-export sourcelift's wrapper), not one sourcelift's
    wrapper names or an installed one."""
    system = _build_system(path, _load(path))
    return system.backend == system.declared_backend and bool(system.backend_path)


def build_requirements(path: Path) -> list[str]:
    """The project's ``build-system.requires`` (PEP 518's default without a ``[build-system]``)."""
    return list(_build_system(path, _load(path)).requires)


def backend_metadata(path: Path, python: str | None = None) -> dict[str, Any]:
    """Run the project's own metadata hook (of the backend sourcelift wraps, if it wraps one):
    ``{"hook", "version", "requires_dist"}``.  ``python`` as in :func:`directory_version`.

    Raises :class:`~sourcelift.versions.VersionError`.
    """
    from ..core_metadata import requires_dist

    directory = path.resolve()
    text = _metadata_text(directory, _load(directory), python, what="dependencies")
    return {
        "hook": "prepare_metadata_for_build_wheel",
        "version": _version_of(directory, _load(directory), text),
        "requires_dist": requires_dist(text),
    }


def _run_backend(directory: Path, data: dict[str, Any], python: str | None = None) -> str:
    return _version_of(directory, data, _metadata_text(directory, data, python))


def _metadata_text(directory: Path, data: dict[str, Any], python: str | None, what: str = "version") -> str:
    """The METADATA the project's backend prepares, for its ``what`` (``version`` or ``dependencies``)."""
    system = _build_system(directory, data)
    shown = system.backend if system.backend == system.declared_backend else f"{system.backend} (wrapped by sourcelift)"
    missing = missing_requirements(system.requires) if python is None else []
    verb = "compute its version" if what == "version" else "list its dependencies"
    if missing:
        listed = ", ".join(f'"{item}"' for item in missing)
        raise VersionError(
            f"the {what} of {directory} {'is' if what == 'version' else 'are'} dynamic, and its build backend "
            f"`{shown}` cannot run here: "
            f"this build environment lacks {listed} (from its `build-system.requires`)",
            f"add {listed} to `build-system.requires` of the project being built, so that the frontend installs "
            "them; a build without isolation needs them installed in its environment",
        )
    from ._backend import BackendFailed, BackendTimeout, prepare_metadata

    env = dict(os.environ)
    env[PROBE_ENV] = str(directory)
    env[CHAIN_ENV] = os.pathsep.join([*_chain(), str(directory)])
    fix = "make the project build on its own (run e.g. `python -m build --wheel` in it and fix what fails)" + (
        ", or give it a static `project.version`" if what == "version" else ""
    )
    try:
        return prepare_metadata(directory, system.backend, system.backend_path, env, BACKEND_TIMEOUT, python)
    except BackendTimeout as exc:
        raise VersionError(
            f"the build backend `{shown}` of {directory} did not {verb} within "
            f"{BACKEND_TIMEOUT:.0f} s (it and its child processes were stopped){_tail(exc.output)}",
            "find out why building its metadata hangs (run its build by hand), or give it a static version",
        ) from None
    except BackendFailed as exc:
        error, _ = redact_credentials(exc.message)
        failure = VersionError(
            f"the build backend `{shown}` of {directory} could not {verb}: {error}{_tail(exc.output)}",
            fix,
        )
    raise _lacking_dynamic_requires(directory, system, shown, what, env, python, error) or failure


def _lacking_dynamic_requires(
    directory: Path, system: _BuildSystem, shown: str, what: str, env: dict[str, str], python: str | None, error: str
) -> VersionError | None:
    """After a failed backend run here: the error naming what the backend's ``get_requires_for_build_wheel``
    asks for (PEP 517) and this environment lacks, when it lacks any (a frontend installs them before a build,
    sourcelift installs nothing); else ``None``."""
    if python is not None:
        return None  # an isolated environment: what it holds is not this interpreter's to check
    from ._backend import dynamic_requires

    asked = [
        item
        for item in dynamic_requires(directory, system.backend, system.backend_path, env, BACKEND_TIMEOUT)
        if item not in system.requires
    ]
    missing = missing_requirements(asked)
    if not missing:
        return None
    listed, _ = redact_credentials(", ".join(f'"{item}"' for item in missing))
    return VersionError(
        f"the {what} of {directory} {'is' if what == 'version' else 'are'} dynamic, and its build backend "
        f"`{shown}` cannot run here: it asks for {listed} (its `get_requires_for_build_wheel`, not its "
        f"`build-system.requires`), which this build environment lacks (the backend's own error: {error})",
        f"add {listed} to `build-system.requires` of the project being built, so that the frontend installs "
        "them; a build without isolation needs them installed in its environment",
        tuple(asked),
    )


def _version_of(directory: Path, data: dict[str, Any], text: str) -> str:
    """The version in the METADATA ``text`` the project's backend prepared."""
    system = _build_system(directory, data)
    shown = system.backend if system.backend == system.declared_backend else f"{system.backend} (wrapped by sourcelift)"
    fix = (
        "make the project build on its own (run e.g. `python -m build --wheel` in it and fix what fails), "
        "or give it a static `project.version`"
    )
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
    """The lines the backend wrote that explain its failure, for the error message (credentials removed):
    when sourcelift itself stopped it (a nested version probe), its message; else the last lines."""
    every = [line.rstrip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    ours = [
        n
        for n, line in enumerate(every)
        if line.lstrip().startswith(("sourcelift: the build stops", "sourcelift: error"))
    ]
    if ours:
        start = ours[-1]
        end = next((n for n in range(start, len(every)) if every[n].startswith("Traceback")), len(every))
        lines = every[start:end][: 2 * _STDERR_LINES]
    else:
        lines = every[-_STDERR_LINES:]
    if lines:
        return "\n        | " + "\n        | ".join(redact_credentials(line)[0] for line in lines)
    return ""
