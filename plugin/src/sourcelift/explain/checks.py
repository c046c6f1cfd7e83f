"""What ``explain`` checks beyond a build: will a clone, or another machine, build this project?

- the build system: sourcelift in ``build-system.requires``, and the wrapper or the hatchling
  hook switched on (else the sources are silently ignored);
- vendored archives: a Git LFS pointer committed in place of the file, or a file that is not
  a valid archive of the dependency it stands for;
- git: a vendored archive or source directory that the enclosing repository does not track
  (untracked, or ignored by ``.gitignore``), so that a clone does not have it.

Each check adds problems (key, what is wrong, the fix) to a :class:`~sourcelift.errors.Findings`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .._files import open_regular
from ..errors import Findings
from ..model import ResolvedArchive, ResolvedDirectory, ResolvedSource

__all__ = ["LFS_POINTER", "check_archives", "check_build_system", "check_git_tracking"]

LFS_POINTER = b"version https://git-lfs.github.com/spec/"
_HOOK_TABLE = ("tool", "hatch", "metadata", "hooks", "sourcelift")
# the distribution that provides a backend's module (the longest dotted prefix that is listed, else its
# top-level package), where it differs in more than `_`/`-`
_PROVIDERS = {
    "pdm.pep517": "pdm-pep517",  # pdm's former backend, `pdm.pep517.api`
    "poetry.masonry": "poetry",  # poetry's own backend before poetry-core, `poetry.masonry.api`
    "hatchling": "hatchling",
    "setuptools": "setuptools",
    "pdm": "pdm-backend",
    "poetry": "poetry-core",
    "flit_core": "flit-core",
    "uv_build": "uv-build",
    "scikit_build_core": "scikit-build-core",
    "maturin": "maturin",
    "mesonpy": "meson-python",
}


def _provider(backend: str) -> str:
    """The distribution that provides the backend module ``backend`` (``pdm.pep517.api``: pdm-pep517)."""
    parts = backend.split(":")[0].strip().split(".")
    for length in range(len(parts), 0, -1):
        provider = _PROVIDERS.get(".".join(parts[:length]))
        if provider is not None:
            return provider
    return parts[0].replace("_", "-")


def _requires(data: dict[str, Any]) -> set[str]:
    build_system = data.get("build-system")
    requires = build_system.get("requires", []) if isinstance(build_system, dict) else []
    names: set[str] = set()
    for text in requires if isinstance(requires, list) else []:
        try:
            names.add(canonicalize_name(Requirement(str(text)).name))
        except InvalidRequirement:
            continue
    return names


def _has_table(data: dict[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, dict)


SHIM_MODULE = "sourcelift_backend"
"""The name the fix of an in-tree backend suggests for the module that re-exports the wrapper."""


def _backend_path(data: dict[str, Any]) -> list[str]:
    build_system = data.get("build-system")
    entries = build_system.get("backend-path") if isinstance(build_system, dict) else None
    return [e for e in entries if isinstance(e, str)] if isinstance(entries, list) else []


def _shim_fix(backend_path: list[str], inner: str) -> str:
    shim = f"{backend_path[0].rstrip('/')}/{SHIM_MODULE}.py"
    return (
        f"keep `build-backend` in the backend path: create {shim} containing `from sourcelift.build import *` and "
        f'`from sourcelift.build import __getattr__`, set `build-backend = "{SHIM_MODULE}"`, and name your '
        f'in-tree backend in `[tool.sourcelift] backend = "{inner}"`'
    )


def _in_tree_wrapper(root: Path, backend: str, backend_path: list[str]) -> bool:
    """Whether the in-tree backend ``backend`` is a module in ``backend_path`` that re-exports the wrapper."""
    relative = backend.strip().split(":")[0].replace(".", "/")
    for entry in backend_path:
        for candidate in (f"{relative}.py", f"{relative}/__init__.py"):
            try:
                with open_regular(root / entry / candidate) as stream:
                    if b"sourcelift.build" in stream.read(64 * 1024):
                        return True
            except OSError:
                continue
    return False


def check_build_system(
    data: dict[str, Any], inner_backend: str, has_sources: bool, findings: Findings, root: Path | None = None
) -> None:
    """sourcelift must be installed for the build and be the backend (or the hatchling hook) to act at all.

    With ``build-system.backend-path``, frontends load ``build-backend`` only from those directories
    (PEP 517): the wrapper is then a module there that re-exports ``sourcelift.build``."""
    build_system = data.get("build-system", {})
    if not isinstance(build_system, dict):
        findings.error(
            "build-system",
            f"is {type(build_system).__name__} {build_system!r}, not a table: frontends stop before any backend runs",
            'write it as a table: `[build-system]` with `requires = ["sourcelift", ...]` and `build-backend`',
        )
        return
    requires = build_system.get("requires")
    if requires is not None and not (isinstance(requires, list) and all(isinstance(r, str) for r in requires)):
        findings.error(
            "build-system.requires",
            f"is {requires!r}, not a list of requirement strings: frontends stop before any backend runs",
            'write it as a list, e.g. `requires = ["sourcelift", "hatchling"]`',
        )
        return
    backend = build_system.get("build-backend")
    backend_path = _backend_path(data)
    wrapper = isinstance(backend, str) and backend.strip().split(":")[0] == "sourcelift.build"
    if wrapper and backend_path:
        findings.error(
            "build-system.backend-path",
            "is set, and frontends load `build-backend` only from those directories (PEP 517): pip, build and "
            'uv stop with "Backend was not loaded from backend-path" (or "Cannot find module") before '
            "sourcelift runs",
            _shim_fix(backend_path, inner_backend),
        )
    elif isinstance(backend, str) and backend_path and root is not None:
        wrapper = _in_tree_wrapper(root, backend, backend_path)
    hook = _has_table(data, _HOOK_TABLE)
    if not (has_sources or wrapper or hook):
        return  # no source to rewrite, and sourcelift not asked for: nothing can go wrong here
    requires = _requires(data)
    if "sourcelift" not in requires:
        findings.error(
            "build-system.requires",
            "does not list sourcelift, so the frontend does not install it for the build"
            + ("" if wrapper or hook else " and no build step rewrites the sources"),
            'add "sourcelift" to `build-system.requires`',
        )
    if not wrapper and not hook:
        shown = backend if isinstance(backend, str) else "none (setuptools' legacy backend)"
        findings.error(
            "build-system.build-backend",
            f"is {shown}: sourcelift is not switched on, so the built metadata does not get the lines below for "
            "the tool-specific sources (the backend drops them, or writes paths of the machine that builds)",
            _shim_fix(backend_path, inner_backend if backend.split(":")[0] == SHIM_MODULE else backend)
            if isinstance(backend, str) and backend_path
            else 'set `build-backend = "sourcelift.build"` and name the real backend in `[tool.sourcelift] backend = '
            f'"{backend if isinstance(backend, str) else "setuptools.build_meta"}"`'
            + (
                " (or, keeping hatchling, add the `[tool.hatch.metadata.hooks.sourcelift]` hook)"
                if isinstance(backend, str) and backend.startswith("hatchling")
                else ""
            ),
        )
    if wrapper:
        provider = _provider(inner_backend)
        if canonicalize_name(provider) not in requires and not backend_path:
            findings.error(
                "build-system.requires",
                f"does not list {provider}, which provides the backend `{inner_backend}` that sourcelift wraps "
                "(`tool.sourcelift.backend`)",
                f'add "{provider}" to `build-system.requires`',
            )


def _path_key(source: ResolvedSource) -> str:
    return source.key if source.key.startswith("project.") or ".path" in source.key else f"{source.key}.path"


def check_archives(sources: dict[str, list[ResolvedSource]], findings: Findings) -> None:
    """Every vendored archive is the file itself (not a Git LFS pointer) and a valid archive of its dependency."""
    from ..versions import VersionError, archive_version

    for items in sources.values():
        for source in items:
            if not isinstance(source, ResolvedArchive):
                continue
            key = _path_key(source)
            try:
                with source.path.open("rb") as stream:
                    head = stream.read(len(LFS_POINTER))
            except OSError as exc:
                findings.error(key, f"{source.path} cannot be read: {exc.strerror}", "check the file", source.name)
                continue
            if head == LFS_POINTER:
                findings.error(
                    key,
                    f"{source.filename} is a Git LFS pointer, not the archive: `git lfs` did not fetch it here, and "
                    "installers that clone the repository (pip, uv without `lfs = true`) get the pointer too",
                    "run `git lfs pull` to build here; for clones, commit the archive itself "
                    f"(`git lfs untrack '{source.filename}'`, then `git add --renormalize .`)",
                    dependency=source.name,
                )
                continue
            try:
                version = archive_version(source.path)
            except VersionError as exc:
                findings.error(
                    key,
                    f"{source.filename} is not a valid archive of {source.name!r}: {exc.message}",
                    f"vendor a real release of {source.name!r} (e.g. `pip download {source.name}=={source.version} "
                    "--no-deps`) there",
                    dependency=source.name,
                )
                continue
            if version != source.version and canonicalize_name(version) != canonicalize_name(source.version):
                findings.error(
                    key,
                    f"{source.filename} holds version {version}, not the {source.version} its file name says",
                    "vendor the archive under its real file name",
                    dependency=source.name,
                )


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def check_git_tracking(root: Path, sources: dict[str, list[ResolvedSource]], findings: Findings) -> None:
    """An archive or project directory inside the enclosing git repository must be tracked by it:
    a clone (``pip install git+...``) has only what is committed."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0:
        return  # not in a git repository (or no git): nothing a clone could miss
    toplevel = Path(top.stdout.strip())
    wanted: list[tuple[ResolvedSource, str]] = []  # (source, path relative to the repository)
    for items in sources.values():
        for source in items:
            if isinstance(source, ResolvedArchive):
                target = source.path
            elif isinstance(source, ResolvedDirectory):
                project_file = next(
                    (
                        source.path / n
                        for n in ("pyproject.toml", "setup.py", "setup.cfg")
                        if (source.path / n).is_file()
                    ),
                    None,
                )
                if project_file is None:
                    continue
                target = project_file
            else:
                continue
            try:
                relative = Path(os.path.realpath(target)).relative_to(os.path.realpath(toplevel)).as_posix()
            except ValueError:
                continue  # outside the repository (the store, or a sibling checkout)
            wanted.append((source, relative))
    if not wanted:
        return
    listed = _git(toplevel, "ls-files", "-z", "--cached", "--", *(relative for _, relative in wanted))
    tracked = set(listed.stdout.split("\0")) if listed is not None and listed.returncode == 0 else set()
    for source, relative in wanted:
        if relative in tracked:
            continue
        what = "the archive" if isinstance(source, ResolvedArchive) else "the project directory of"
        shown = relative if isinstance(source, ResolvedArchive) else relative.rsplit("/", 1)[0]
        ignored = _git(toplevel, "check-ignore", "-v", "--", relative)
        if ignored is not None and ignored.returncode == 0:
            rule = ignored.stdout.strip().split("\t")[0]
            findings.error(
                _path_key(source) if isinstance(source, ResolvedArchive) else source.key,
                f"{what} {shown!r} is ignored by git ({rule}), so it is not committed and a clone of "
                f"{toplevel} does not have it: `pip install git+...` fails there",
                f"commit it: `git add -f {relative}` (and exempt it in .gitignore, e.g. `!{relative}`)",
                dependency=source.name,
            )
        else:
            findings.error(
                _path_key(source) if isinstance(source, ResolvedArchive) else source.key,
                f"{what} {shown!r} is not committed to the git repository at {toplevel}, so a clone does not "
                "have it: `pip install git+...` fails there",
                f"commit it: `git add {relative if isinstance(source, ResolvedArchive) else shown}` and `git commit`",
                dependency=source.name,
            )
