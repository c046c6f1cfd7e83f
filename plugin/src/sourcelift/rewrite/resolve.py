"""Resolve declared sources into what they are on disk or on the network, checking each."""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .._files import open_regular
from ..artifacts.filenames import ArchiveName, InvalidArchiveName, parse_archive_name
from ..artifacts.store import Store, sha256_file
from ..errors import ConfigError, Findings, MissingDependency
from ..model import (
    GitArchiveSource,
    GitSource,
    PathSource,
    Project,
    ResolvedArchive,
    ResolvedDirectory,
    ResolvedGit,
    ResolvedIndex,
    ResolvedSource,
    ResolvedUrl,
    Source,
    UrlSource,
    WorkspaceSource,
)
from ..readers._toml import TomlError, parse_shared, read_toml
from ..readers.project import poetry_static
from ..readers.workspace import UNREADABLE_ROOTS, Workspace, find_workspace
from ..urls import path_to_file_url, redact_credentials
from ..values import check_path

__all__ = ["resolve_sources"]

_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def resolve_sources(project: Project, findings: Findings, store: Store) -> dict[str, list[ResolvedSource]]:
    """Resolve every source a requirement of ``project`` can use (all of them if dependencies are dynamic)."""
    used = {canonicalize_name(r.requirement.name) for r in project.requirements}
    itself = canonicalize_name(project.name) if project.name else None
    resolved: dict[str, list[ResolvedSource]] = {}
    workspace: list[Workspace | None] = []  # found once, on the first workspace source
    for name, sources in project.sources.items():
        if not project.dynamic_dependencies and name not in used:
            continue
        if name == itself:
            # `all = ["app[lib]"]` in app itself, with `app = { workspace = true }` (airflow): a
            # self-reference names extras of the distribution being built; it stays plain, or pip
            # refuses the wheel (`app[lib] @ file://...` conflicts with the app being installed).
            continue
        items = [_resolve(project, source, findings, store, workspace) for source in sources if source.group is None]
        resolved[name] = [item for item in items if item is not None]
    return resolved


def _common(source: Source) -> dict[str, Any]:
    return {
        "name": source.name,
        "key": source.key,
        "marker": source.marker,
        "extra": source.extra,
        "binds": source.binds,
    }


def _resolve(
    project: Project, source: Source, findings: Findings, store: Store, workspace: list[Workspace | None]
) -> ResolvedSource | None:
    if isinstance(source, PathSource):
        return _resolve_path(project, source, findings)
    if isinstance(source, WorkspaceSource):
        if not workspace:
            workspace.append(find_workspace(project.root))
        return _resolve_workspace(project, source, workspace[0], findings)
    if isinstance(source, GitSource):
        url = _clean_url(source.git.removeprefix("git+"), source, f"{source.key}.git", findings)
        if "?" in url.partition("#")[0]:  # what is left of a query once its credentials are gone
            findings.error(
                f"{source.key}.git",
                f"{url!r} has a query (`?{url.partition('?')[2]}`): the `@revision` and `#subdirectory` of a "
                "`git+` requirement line would land in it, and installers would clone the default branch",
                "remove the query from the repository URL; give the revision as `rev`, `tag` or `branch`",
                dependency=source.name,
            )
            return None
        if source.lfs:
            findings.warning(
                f"{source.key}.lfs",
                "a PEP 508 requirement cannot ask for Git LFS; installers will clone without LFS files",
                "vendor the LFS-tracked files another way, or drop `lfs`",
                dependency=source.name,
            )
        return ResolvedGit(**_common(source), url=url, rev=source.rev, subdirectory=source.subdirectory)
    if isinstance(source, GitArchiveSource):
        return _resolve_git_archive(source, findings, store)
    if isinstance(source, UrlSource):
        url = _clean_url(source.url, source, f"{source.key}.url", findings)
        return ResolvedUrl(**_common(source), url=url, subdirectory=source.subdirectory)
    return ResolvedIndex(**_common(source), index=source.index)


def _clean_url(url: str, source: Source, key: str, findings: Findings) -> str:
    clean, removed = redact_credentials(url)
    if removed:
        findings.warning(
            key,
            "the URL carries credentials; sourcelift removed them from the built metadata",
            "keep credentials out of pyproject.toml: use a git credential helper, keyring or netrc",
            dependency=source.name,
        )
    return clean


def _resolve_path(project: Project, source: PathSource, findings: Findings) -> ResolvedSource | None:
    key = source.key if source.key.startswith("project.") else f"{source.key}.path"
    problem = check_path(source.path)
    if problem is not None:
        findings.error(key, f"{source.path!r} {problem}", "give the path of a wheel, an sdist or a project directory")
        return None
    target = Path(os.path.normpath(source.base / source.path))
    try:
        status = target.stat()
    except FileNotFoundError:
        status = None
    except OSError as exc:
        findings.error(
            key,
            f"path {source.path!r} cannot be looked at: {exc.strerror or exc}",
            "correct the path",
            dependency=source.name,
        )
        return None
    if status is None and _in_submodule(project, source, key, target, findings):
        return None
    repository = _work_tree(project.root.absolute()) if status is None else None  # only a missing path asks
    if repository is not None and _inside(repository, target.absolute()) is None:
        findings.error(
            key,
            f"path {source.path!r} does not exist (looked for {target}): it leads out of the repository "
            f"{repository}, and no clone of the repository contains what lies outside it",
            "vendor the file or project inside the repository and point the path there, "
            "or use a `git` or index source for it",
            dependency=source.name,
        )
        return None
    if status is None or (not stat.S_ISDIR(status.st_mode) and not stat.S_ISREG(status.st_mode)):
        what = "does not exist" if status is None else "is not a regular file or a directory"
        findings.error(
            key,
            f"path {source.path!r} {what} (looked for {target})",
            "commit the file or directory at that path, or correct the path",
            dependency=source.name,
        )
        return None
    escape = _symlink_escape(project.root, target)
    if escape is not None:
        findings.error(
            key,
            f"path {source.path!r} is a symbolic link (or lies under one) that leads out of the repository, "
            f"to {escape}; sourcelift does not follow it",
            "vendor the file itself in the repository, or point the source at the real location",
            dependency=source.name,
        )
        return None
    if stat.S_ISDIR(status.st_mode):
        if not any((target / name).is_file() for name in _PROJECT_FILES):
            if _in_submodule(project, source, key, target, findings):
                return None
            findings.error(
                key,
                f"directory {source.path!r} is not a Python project (no pyproject.toml, setup.py or setup.cfg)",
                "point the source at the project's directory, or at a built wheel or sdist",
                dependency=source.name,
            )
            return None
        if os.path.realpath(target) == os.path.realpath(project.root):
            findings.error(
                key,
                f"path {source.path!r} is the directory of the project being built"
                + (f", {project.name!r}" if project.name else "")
                + ": a project cannot depend on itself through a path source",
                f"point the source at the directory of {source.name!r}, or remove the source",
                dependency=source.name,
            )
            return None
        return _directory(source, key, target, findings)
    if source.editable:
        findings.error(
            f"{source.key}.editable",
            f"`editable = true` needs a project directory, but {source.path!r} is a file",
            "remove `editable`, or point the source at the project's directory",
            dependency=source.name,
        )
        return None
    parsed = _archive_name(source, key, target.name, findings)
    if parsed is None or not _check_archive(source, key, target, findings):
        return None
    try:
        sha256 = sha256_file(target)
    except (ConfigError, OSError) as exc:
        findings.error(key, str(exc), "vendor a smaller archive", dependency=source.name)
        return None
    return _archive(source, parsed, target, target.name, sha256, _inside(project.root, target))


def _in_submodule(project: Project, source: PathSource, key: str, target: Path, findings: Findings) -> bool:
    """Report a path in a git submodule that is not checked out (an empty directory, as a clone without
    ``--recurse-submodules`` leaves it); ``False`` when the path is in no such submodule."""
    from ..gitfacts import unpopulated_submodule

    submodule = unpopulated_submodule(target)
    if submodule is None:
        return False
    where = "is" if Path(os.path.realpath(target)) == submodule else "lies in"
    findings.error(
        key,
        f"path {source.path!r} {where} the git submodule {_shown(project.root, submodule)!r}, which is not "
        f"checked out: its directory {submodule} is empty",
        _submodule_fix(project.root, [submodule]),
        dependency=source.name,
    )
    return True


def _shown(root: Path, directory: Path) -> str:
    """``directory`` as a command run in ``root`` names it."""
    return Path(os.path.relpath(directory, os.path.realpath(root))).as_posix()


def _submodule_fix(root: Path, submodules: list[Path]) -> str:
    paths = " ".join(_shown(root, submodule) for submodule in submodules)
    return f"run `git submodule update --init {paths}` in {root}, or clone the repository with `--recurse-submodules`"


def _work_tree(root: Path) -> Path | None:
    """The git work tree holding ``root`` (the nearest directory with ``.git``), else ``None``."""
    for directory in (root, *root.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _repository_root(root: Path) -> Path:
    """The git work tree holding ``root``, else ``root`` itself."""
    return _work_tree(root) or root


def _symlink_escape(root: Path, target: Path) -> str | None:
    """Where ``target`` really leads when a symbolic link takes a path inside the repository out of it."""
    repository = Path(os.path.normpath(_repository_root(root.absolute())))
    lexical = Path(os.path.normpath(target.absolute()))
    if lexical != repository and repository not in lexical.parents:
        return None  # declared outside the repository: the user named that place
    real = Path(os.path.realpath(lexical))
    real_repository = Path(os.path.realpath(repository))
    if real == real_repository or real_repository in real.parents:
        return None
    return str(real)


_LFS_POINTER = b"version https://git-lfs.github.com/spec/"


def _check_archive(source: Source, key: str, target: Path, findings: Findings) -> bool:
    """A vendored archive is what its name says: checked in local mode as in publish mode."""
    try:
        with open_regular(target) as stream:
            head = stream.read(len(_LFS_POINTER))
    except OSError as exc:
        findings.error(
            key, f"cannot be read: {exc}", "check that the file exists and is readable", dependency=source.name
        )
        return False
    if head == _LFS_POINTER:
        findings.error(
            key,
            f"{target.name} is a Git LFS pointer, not the archive: run `git lfs pull`, or set `lfs = true` on the "
            "source",
            "run `git lfs pull` to build here; for clones, commit the archive itself "
            f"(`git lfs untrack '{target.name}'`, then `git add --renormalize .`)",
            dependency=source.name,
        )
        return False
    from ..versions import VersionError, archive_version

    try:
        archive_version(target)
    except VersionError as exc:
        findings.error(
            key,
            f"{target.name} is not a valid archive of {source.name!r}: {exc.message}",
            f"vendor a real release of {source.name!r} (as its build backend or the index made it) there",
            dependency=source.name,
        )
        return False
    return True


def _directory_project(
    source: Source, key: str, target: Path, findings: Findings, raw: bytes | None = None
) -> tuple[bool, str | None]:
    """Check that a project directory holds the dependency: (whether it does, its static version if any).

    ``raw``: the bytes of its pyproject.toml when the workspace read them already."""
    pyproject = os.path.join(target, "pyproject.toml")  # not pathlib: every member of a workspace comes here
    if raw is None and not os.path.isfile(pyproject):
        return True, None  # setup.py / setup.cfg only: the name is known to its backend alone
    try:
        data = read_toml(Path(pyproject)) if raw is None else parse_shared(raw, member=True)
    except (OSError, TomlError) as exc:
        findings.error(key, f"{pyproject}: {exc}", "correct the project's pyproject.toml", dependency=source.name)
        return False, None
    project = data.get("project")
    project = project if isinstance(project, dict) else {}
    name = project.get("name", poetry_static(data, "name"))
    shown = source.path if isinstance(source, PathSource) else target
    if name is None and "build-system" not in data and not _has_setup_files(target):
        # pip and uv build it with setuptools' fallback, which names it UNKNOWN 0.0.0
        findings.error(
            key,
            f"the directory {shown} holds no project: its pyproject.toml has neither `[project] name` nor "
            "`[build-system]`, and there is no setup.py or setup.cfg (a build of it makes 'UNKNOWN 0.0.0')",
            f'give it a `[project]` table with `name = "{source.name}"`, or point the source at the '
            "project's directory",
            dependency=source.name,
        )
        return False, None
    if name is not None and not isinstance(name, str):
        findings.error(
            key,
            f"the directory {shown} holds a pyproject.toml whose `project.name` is {name!r}, not a string",
            f'write `name = "{source.name}"` in its `[project]` table',
            dependency=source.name,
        )
        return False, None
    if isinstance(name, str) and canonicalize_name(name) != source.name:
        findings.error(
            key,
            f"the directory {shown} holds the project {name!r}, not {source.name!r}",
            f"point the source at the directory of {source.name!r}, or declare it under `{canonicalize_name(name)}`",
            dependency=source.name,
        )
        return False, None
    dynamic = project.get("dynamic", [])
    version = project.get("version")
    if (isinstance(dynamic, list) and "version" in dynamic) or version is None:
        version = poetry_static(data, "version")
    if isinstance(version, str):
        try:
            return True, str(Version(version))
        except InvalidVersion:
            return True, None
    return True, None


def _has_setup_files(target: Path) -> bool:
    return any(os.path.isfile(os.path.join(target, name)) for name in ("setup.py", "setup.cfg"))


def _archive_name(source: Source, key: str, filename: str, findings: Findings) -> ArchiveName | None:
    """The project and version an archive's file name carries, checked against the dependency."""
    try:
        parsed = parse_archive_name(filename)
    except InvalidArchiveName as exc:
        if isinstance(source, GitArchiveSource):  # `path` in a git source names a file; a directory is `subdirectory`
            fix = (
                "point `path` at a wheel (.whl) or sdist (.tar.gz, .zip) with a standard file name; for a project "
                f'directory in the git repository, write `subdirectory = "{source.path}"` in place of `path`'
            )
        else:
            fix = (
                "point the source at a wheel (.whl) or sdist (.tar.gz, .zip) with a standard file name, "
                "or at a directory"
            )
        findings.error(key, f"{exc}", fix, dependency=source.name)
        return None
    if parsed.canonical != source.name:
        findings.error(
            key,
            f"the archive {filename!r} is a release of {parsed.canonical!r}, not of {source.name!r}",
            f"vendor a release of {source.name!r} there, or declare the source under `{parsed.canonical}`",
            dependency=source.name,
        )
        return None
    return parsed


def _archive(
    source: Source, parsed: ArchiveName, location: Path, filename: str, sha256: str, relative: str | None
) -> ResolvedArchive:
    return ResolvedArchive(
        **_common(source),
        path=location,
        filename=filename,
        sha256=sha256,
        project=parsed.project,
        version=parsed.version,
        relative=relative,
    )


def _inside(root: Path, target: Path) -> str | None:
    try:
        return target.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _resolve_workspace(
    project: Project, source: WorkspaceSource, workspace: Workspace | None, findings: Findings
) -> ResolvedSource | None:
    if workspace is None:
        broken = [
            f"{path} cannot be parsed: {why}"
            for path, why in UNREADABLE_ROOTS.items()
            if path.parent == project.root or path.parent in project.root.parents
        ]
        findings.error(
            source.key,
            f"`workspace = true`, but no uv workspace above {project.root} includes this project"
            + (f" ({'; '.join(broken)})" if broken else ""),
            "correct that pyproject.toml"
            if broken
            else "list this project in `[tool.uv.workspace] members` of the workspace root, or use a `path` source",
            dependency=source.name,
        )
        return None
    members = workspace.members(findings)
    member = members.get(source.name)
    for key, problem in workspace.pattern_problems():
        findings.error(key, problem, 'write e.g. `members = ["packages/*"]` (and `exclude = ["packages/old"]`)')
    namesakes = workspace.namesakes(source.name, findings)
    if namesakes:
        shown = ", ".join(repr(_shown(workspace.root, d)) for d in namesakes)
        findings.error(
            source.key,
            f"the workspace at {workspace.root} has {len(namesakes)} members named {source.name!r} ({shown}); "
            "uv refuses such a workspace, and sourcelift cannot tell which one is meant",
            "rename all but one, or leave the others out with `[tool.uv.workspace] exclude`",
            dependency=source.name,
        )
        return None
    if member is None:
        known = ", ".join(sorted(members)) or "none"
        message = f"the workspace at {workspace.root} has no member named {source.name!r} (members: {known})"
        fix = "add the member to `[tool.uv.workspace] members`, or correct the dependency's name"
        submodules = _unpopulated_submodules(workspace.projectless_dirs())
        if submodules:
            shown = ", ".join(f"{_shown(workspace.root, s)!r}" for s in submodules)
            message += (
                f"; its `[tool.uv.workspace] members` name the git submodule(s) {shown}, "
                "which are not checked out (empty)"
            )
            fix = _submodule_fix(workspace.root, submodules)
        findings.error(source.key, message, fix, dependency=source.name)
        return None
    return _directory(source, source.key, member, findings, workspace.member_pyproject(member))


def _unpopulated_submodules(directories: list[Path]) -> list[Path]:
    """Those of ``directories`` that are git submodules not checked out."""
    if not directories:
        return []
    from ..gitfacts import unpopulated_submodule

    return [d for d in directories if unpopulated_submodule(d) == d]


def _directory(
    source: PathSource | WorkspaceSource, key: str, directory: Path, findings: Findings, raw: bytes | None = None
) -> ResolvedDirectory | None:
    """A directory source resolved to ``directory``, which must hold the dependency's project;
    ``editable = true`` cannot survive into a wheel.  ``raw``: its pyproject.toml, read already."""
    ok, version = _directory_project(source, key, directory, findings, raw)
    if not ok:
        return None
    if source.editable:
        findings.warning(
            f"{source.key}.editable",
            f"a built wheel cannot carry `editable = true`; its metadata names `{source.name}` as a regular, "
            f"non-editable dependency instead (local mode: a direct reference to {path_to_file_url(directory)}, "
            "or to its commit in a clean git checkout with a remote; publish mode: a version specifier)",
            f"to work on it in place, install it yourself: `pip install -e {directory}`",
            dependency=source.name,
        )
    return ResolvedDirectory(**_common(source), path=directory, version=version)


def _resolve_git_archive(source: GitArchiveSource, findings: Findings, store: Store) -> ResolvedSource | None:
    key = f"{source.key}.path"
    normalized = posixpath.normpath(source.path.replace("\\", "/"))
    if posixpath.isabs(normalized) or normalized == ".." or normalized.startswith("../") or ":" in normalized:
        findings.error(
            key,
            f"path {source.path!r} must stay inside the repository",
            "give the archive's path relative to the repository root, without `..`",
            dependency=source.name,
        )
        return None
    url = _clean_url(source.git.removeprefix("git+"), source, f"{source.key}.git", findings)
    filename = posixpath.basename(normalized)
    parsed = _archive_name(source, key, filename, findings)
    if parsed is None:
        return None  # checked before fetching anything
    from .._git import RevisionNotFound, with_git_blob  # only archives inside git repositories need it

    try:
        sha256, stored = with_git_blob(
            source.git.removeprefix("git+"),
            source.rev,
            normalized,
            lambda stream: store.add_unverified(stream, filename),
        )
    except RevisionNotFound as exc:
        findings.error(
            source.key,
            f"could not fetch the archive from {url}: {exc}",
            "check `rev`/`tag`/`branch`: name a commit, tag or branch the repository has (pushed, if it is remote)",
            dependency=source.name,
        )
        return None
    except MissingDependency:
        raise  # gitpython is not installed (a build without isolation): nothing to change in pyproject.toml
    except ConfigError as exc:
        findings.error(
            key,
            f"could not fetch the archive from {url}: {exc}",
            "check the repository URL, the revision and the path",
            dependency=source.name,
        )
        return None
    if not _check_archive(source, key, stored, findings):
        return None
    return _archive(source, parsed, stored, filename, sha256, None)
