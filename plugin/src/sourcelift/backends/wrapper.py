"""The wrapper backend behind ``build-backend = "sourcelift.build"``.

Every PEP 517 and PEP 660 hook delegates to the backend named in
``[tool.sourcelift] backend`` and then rewrites what it built: the
``Requires-Dist`` lines of source-backed requirements in METADATA and PKG-INFO
(and the wheel's RECORD), the archives an sdist must carry, and the sources file a
local-mode sdist needs so that the wheel built from it gets the same lines.
The source tree is never written to.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .. import _collector
from ..artifacts.wheel import read_wheel_metadata, rewrite_metadata_file, rewrite_wheel
from ..config import (
    MODE_ENV,
    SETTING_PREFIX,
    Config,
    check_settings,
    choose_cache,
    choose_mode,
    read_config,
)
from ..core_metadata import requires_dist
from ..errors import (
    ConfigError,
    Findings,
    MissingDependency,
    ProblemsError,
    SourceliftError,
    exit_code,
    render_error,
)
from ..readers._toml import enable_store, load_toml, save_store, subtable
from ..rewrite.local import CachedVersions
from ..rewrite.plan import Plan, directory_sources, make_plan

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from ..rewrite.publish import Publisher

__all__ = [
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "optional_hook",
]

ConfigSettings = Any
F = TypeVar("F", bound=Callable[..., Any])


def _report_and_exit(error: BaseException) -> None:
    """One message on stderr and the exit code of :func:`sourcelift.errors.exit_code`; no traceback.

    A dependency of sourcelift's that is not installed (a build without isolation) is named with how
    to install it, not reported as a bug."""
    error = MissingDependency.recognise(error) or error
    print(render_error(error, debug=bool(os.environ.get("SOURCELIFT_DEBUG"))), file=sys.stderr, flush=True)
    raise SystemExit(exit_code(error))


def _ours(function: F) -> F:
    """Run a step of sourcelift's own; its errors become one message and an exit, not a traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        running = _collector.pause()  # a step allocates thousands of short-lived objects and frees them
        try:
            return function(*args, **kwargs)
        except SystemExit:
            raise
        except Exception as error:
            _report_and_exit(error)
        finally:
            _collector.resume(running)

    return wrapper  # type: ignore[return-value]


@functools.cache
def _pyproject(root: str) -> dict[str, Any]:
    """The project's pyproject.toml, parsed once per build process."""
    findings = Findings()
    pyproject = Path(root) / "pyproject.toml"
    data = load_toml(pyproject, findings)
    findings.raise_if_any(pyproject)
    return data or {}


@functools.cache
def _config(root: str) -> Config:
    findings = Findings()
    config = read_config(_pyproject(root), findings)
    if findings.problems:  # the build stops here: report the sources' problems too, as `explain` does
        try:
            make_plan(Path(root), data=_pyproject(root))
        except ProblemsError as exc:
            findings.problems.extend(exc.problems)
    findings.raise_if_any(Path(root) / "pyproject.toml")
    return config


@functools.cache
def _inner_backend(root: str) -> ModuleType | Any:
    config = _config(root)
    module_name, _, attribute = config.backend.partition(":")
    try:
        backend: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise _unimportable_backend(root, config.backend, exc) from None
    for part in filter(None, attribute.split(".")):
        backend = getattr(backend, part, None)
        if backend is None:
            raise ConfigError(
                f"the build backend `{config.backend}` named in `tool.sourcelift.backend` does not exist: "
                f"`{module_name}` has no `{attribute}`\n"
                '      fix: name a PEP 517 backend, e.g. `backend = "hatchling.build"`'
            )
    missing = [hook for hook in ("build_wheel", "build_sdist") if not callable(getattr(backend, hook, None))]
    if missing:
        raise ConfigError(
            f"`{config.backend}` named in `tool.sourcelift.backend` is not a PEP 517 build backend "
            f"(it has no {' or '.join(f'`{m}`' for m in missing)})\n"
            '      fix: name a PEP 517 backend, e.g. `backend = "hatchling.build"`'
        )
    return backend


# distributions whose name is not the top-level module of the backend they provide (canonicalized)
_BACKEND_DISTRIBUTIONS = {"mesonpy": "meson-python", "pdm": "pdm-backend", "poetry": "poetry-core"}


def _unimportable_backend(root: str, backend: str, error: ImportError) -> ConfigError:
    """What to change when the wrapped backend does not import: list it in ``build-system.requires``, or,
    when that lists it already, install it where a build without isolation runs."""
    import re

    from packaging.utils import canonicalize_name

    top = backend.partition(":")[0].split(".")[0]
    table = subtable(_pyproject(root), "tool", "sourcelift")
    key = "`tool.sourcelift.backend`" + ("" if isinstance(table, dict) and "backend" in table else " (the default)")
    declared = subtable(_pyproject(root), "build-system", "requires")
    prefixes = {canonicalize_name(top), canonicalize_name(_BACKEND_DISTRIBUTIONS.get(top, top))}
    listed = None
    for line in declared if isinstance(declared, list) else []:
        found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line) if isinstance(line, str) else None
        name = canonicalize_name(found.group(1)) if found else None
        if name in prefixes:
            listed = line.strip()
            break
    problem = f"cannot import the build backend `{backend}` named in {key} ({type(error).__name__}: {error})"
    if listed is None:
        return ConfigError(
            f"{problem}\n"
            f"      fix: add the distribution that provides `{top}` to `build-system.requires` "
            f'(e.g. "hatchling" for hatchling.build, "setuptools" for setuptools.build_meta)'
        )
    python = sys.executable or "python"
    return ConfigError(
        f"{problem}\n"
        f"      why: `build-system.requires` lists `{listed}`, but a build without isolation (`--no-build-isolation`, "
        "`python -m build -n`) runs in the environment as it is, and nothing installed it (or all it needs) there\n"
        f'      fix: install it there (`{python} -m pip install "{listed}"`), or build with isolation'
    )


def _root() -> str:
    return os.getcwd()


@_ours
def _load_inner() -> Any:
    return _inner_backend(_root())


def _publish_mode(root: str, config_settings: ConfigSettings) -> bool:
    return choose_mode(_config(root), config_settings, os.environ) == "publish"


def _publisher(root: str, config_settings: ConfigSettings) -> Publisher | None:
    """The publish-mode renderer when this build is in publish mode, else ``None``."""
    if not _publish_mode(root, config_settings):
        return None
    from ..rewrite.publish import Publisher  # publish mode only
    from . import quirks

    publisher = Publisher.from_config(_config(root), config_settings)
    _load_inner()  # a backend built on another writes its lines: it has imported that one once loaded
    publisher.line_form = quirks.requirement_form(_config(root).backend)
    return publisher


@_ours
def _plan(config_settings: ConfigSettings = None) -> Plan:
    root = _root()
    publisher = _publisher(root, config_settings)
    cache = choose_cache(_config(root), config_settings)
    # local mode: a directory's dynamic version is checked when the version cache already holds it
    known = CachedVersions() if publisher is None and cache else None
    if cache:
        enable_store(_cache_directory)
    plan, findings = make_plan(Path(root), data=_pyproject(root), publisher=publisher, known_version=known)
    save_store()
    findings.emit_warnings()
    return plan


def _cache_directory() -> Path | None:
    """The version cache's directory (``None``: bypassed, or no home directory for it)."""
    from ..versions.cache import VersionCache

    cache = VersionCache.from_environment()
    return None if cache is None else cache.directory


@_ours
def _publish_build_requires(config_settings: ConfigSettings) -> list[str]:
    """In publish mode, what the directory sources' own backends need to tell their versions
    (e.g. hatch-vcs), so that the frontend installs it before the build hook runs."""
    root = _root()
    if not _publish_mode(root, config_settings):
        return []
    from ..versions import dynamic_build_requires

    requires: list[str] = []
    for path in directory_sources(Path(root), _pyproject(root)):
        requires.extend(r for r in dynamic_build_requires(path) if r not in requires)
    return requires


def _transform(plan: Plan, metadata: str) -> Callable[[str], list[str] | None]:
    """Every new Requires-Dist value, rendered before anything is written: all problems at once."""
    findings = Findings()
    values = requires_dist(metadata)
    table = {value: plan.rewrite_line(value, findings) for value in values}
    findings.raise_if_any(Path(_root()) / "pyproject.toml")
    # the plan reported on the declared lines already: only what the backend added is new
    written = Findings()
    for value in values:
        plan.warn_unbacked_written(value, written)
    written.emit_warnings()
    return table.get


@_ours
def _finish_wheel(plan: Plan, wheel: Path) -> None:
    metadata = read_wheel_metadata(wheel)
    transform = _transform(plan, metadata)
    add: dict[str, bytes] = {}
    # only archive and directory sources have provenance, and only in a git checkout or from a local sdist
    if plan.mode == "local" and plan.location_dependent and (plan.checkout is not None or plan.from_local_sdist):
        from ..provenance import wheel_files

        add = wheel_files(plan, metadata, transform)
    rewrite_wheel(wheel, transform, add=add)
    plan.populate_store()


@_ours
def _finish_metadata(plan: Plan, metadata: Path) -> None:
    rewrite_metadata_file(metadata, _transform(plan, metadata.read_text(encoding="utf-8")))
    plan.populate_store()


@_ours
def _finish_sdist(plan: Plan, sdist: Path, *, computed: bool = False) -> None:
    if plan.publisher is not None:
        _finish_publish_sdist(plan, sdist, computed=computed)
        return
    # tarfile, gzip and json only for sdists: wheel builds never import them.
    from ..artifacts.sdist import read_sdist_pkg_info, rewrite_sdist, sdist_members
    from ..rewrite.local_sdist import LOCAL_SOURCES_PATH, local_sources_file

    members = sdist_members(sdist)
    add: dict[str, bytes | Path] = {}
    if plan.from_local_sdist:
        # Building an sdist from an sdist: carry the sources file and archives over as they are.
        add[LOCAL_SOURCES_PATH] = Path(_root()) / LOCAL_SOURCES_PATH
    elif plan.sources:
        locate = plan.checkout.git_target if plan.checkout is not None else None
        sources_file, archives = local_sources_file(plan.sources, plan.root, members, locate)
        add.update(archives)
        add[LOCAL_SOURCES_PATH] = sources_file
    pkg_info = read_sdist_pkg_info(sdist)
    transform = _transform(plan, pkg_info)
    if plan.location_dependent:  # the wheel built from this sdist takes the provenance of this tree
        from ..provenance import sdist_files

        add.update(sdist_files(plan, pkg_info, transform))
    replace: dict[str, bytes] = {}
    drop: list[str] = []
    missing = _missing_requires_dist(plan, pkg_info)
    final_lines = _final_lines(pkg_info, transform) + missing  # what PKG-INFO says once rewritten
    if not plan.from_local_sdist:  # an sdist built from an sdist has its pyproject.toml rewritten already
        replace, drop = _sdist_pyproject(plan, sdist, members, final_lines, publish=False)
    _remove_credentials(sdist, replace)
    rewrite_sdist(
        sdist,
        transform,
        mark_dynamic=plan.location_dependent,
        add=add,
        replace=replace,
        drop=drop,
        complete=missing,
    )
    plan.populate_store()  # the sdist's static lines point into the store: `uv pip install SDIST` reads them
    if plan.location_dependent and not plan.from_local_sdist:
        print(_local_sdist_note(sdist.name, final_lines), file=sys.stderr, flush=True)


def _local_sdist_note(name: str, final_lines: list[str]) -> str:
    """What a local-mode sdist is for, said from the lines it carries: files of this machine (the store,
    directories), or only commits of a remote (a clean checkout), which an index rejects all the same."""
    from packaging.requirements import InvalidRequirement

    from ..values import parsed_requirement

    files: list[str] = []
    for line in final_lines:
        try:
            url = parsed_requirement(line).url
        except InvalidRequirement:
            continue
        if url is not None and url.startswith("file:"):
            files.append(url)
    if files:
        more = f" and {len(files) - 1} more" if len(files) > 1 else ""
        return (
            f"sourcelift: note: {name} is a local-mode sdist: its dependencies point at files on this machine "
            f"({files[0]}{more}); it is for this machine only. Build it in publish mode to upload or share it."
        )
    return (
        f"sourcelift: note: {name} is a local-mode sdist: its dependencies are direct references to commits "
        "(`git+URL@COMMIT`), which indexes such as PyPI reject. Build it in publish mode to upload it."
    )


def _remove_credentials(sdist: Path, replace: dict[str, bytes]) -> None:
    """The sdist's pyproject.toml (as rewritten in ``replace``, or as the backend copied it from the
    tree) without the secrets of the URLs in it: the sdist is an artifact."""
    from ..artifacts.sdist import read_sdist_member
    from ..urls import redact_credentials

    if "pyproject.toml" in replace:
        try:
            text = replace["pyproject.toml"].decode("utf-8")
        except UnicodeDecodeError:
            return
    else:
        try:
            text = read_sdist_member(sdist, "pyproject.toml")
        except (SourceliftError, UnicodeDecodeError):
            return
    clean, removed = redact_credentials(text)
    if removed:
        replace["pyproject.toml"] = clean.encode("utf-8")


def _finish_publish_sdist(plan: Plan, sdist: Path, *, computed: bool = False) -> None:
    """A standards-only sdist: static Requires-Dist, and a pyproject.toml any frontend builds without sourcelift.
    ``computed``: the dependencies are dynamic and only the backend's own lines can reach the wheel."""
    from ..artifacts.sdist import read_sdist_pkg_info, rewrite_sdist, sdist_members

    if plan.from_local_sdist:
        raise ConfigError(
            f"{sdist.name}: a publish-mode sdist cannot be made from a local-mode sdist, whose sources point at "
            "paths on the machine that built it\n"
            "      fix: build the publish-mode sdist from the source tree (e.g. `python -m build --sdist "
            "-C sourcelift-mode=publish` in the checkout)"
        )
    pkg_info = read_sdist_pkg_info(sdist)
    transform = _transform(plan, pkg_info)
    if computed:
        _computed_lines_are_final(plan, pkg_info, transform)
    missing = _missing_requires_dist(plan, pkg_info)
    final_lines = _final_lines(pkg_info, transform) + missing
    members = sdist_members(sdist)
    replace, drop = _sdist_pyproject(plan, sdist, members, final_lines, publish=True)
    replace.update(_requirement_files(plan, sdist, members))
    rewrite_sdist(
        sdist,
        transform,
        mark_dynamic=False,
        add={},
        replace=replace,
        drop=drop,
        complete=missing,
    )


def _setuptools_files(plan: Plan) -> dict[str, str | None] | None:
    """The files setuptools (or pbr) reads the dynamic dependencies from (see
    :mod:`sourcelift.backends.requirement_files`), when the wrapped backend builds from them."""
    return _dependency_files(_root()) if plan.dynamic_dependencies else None


@functools.cache
def _dependency_files(root: str) -> dict[str, str | None] | None:
    """:func:`_setuptools_files` of the project at ``root``, looked for once per build process (a publish
    sdist asks three times; pbr's answer reads setup.cfg, setup.py and requirements.txt)."""
    from . import quirks

    backend = _config(root).backend
    if quirks.builds_dynamic_fields_from_pkg_info(backend):
        return None
    from .requirement_files import dynamic_requirement_files, pbr_requirement_files

    data = _pyproject(root)
    return dynamic_requirement_files(data) or pbr_requirement_files(Path(root), data, backend)


def _requirement_files(plan: Plan, sdist: Path, members: set[str]) -> dict[str, bytes]:
    """A publish sdist's requirement files (setuptools' ``file =``) with the final lines."""
    files = _setuptools_files(plan)
    if not files:
        return {}
    from ..artifacts.sdist import read_sdist_member
    from .requirement_files import rewrite_requirements_file

    pyproject = Path(_root()) / "pyproject.toml"
    absent = sorted(name for name in files if name not in members)
    if absent:
        raise ConfigError(
            f"{sdist.name} lacks {', '.join(f'`{name}`' for name in absent)}, which the backend reads the "
            "dependencies from (`tool.setuptools.dynamic`, or pbr's requirements.txt): publish mode writes the "
            "final requirements there, and the wheel built from the sdist needs them\n"
            f"      fix: include it in the sdist (e.g. `include {absent[0]}` in MANIFEST.in)"
        )
    findings = Findings()
    replace: dict[str, bytes] = {}
    for name, extra in files.items():
        text, changed = rewrite_requirements_file(
            read_sdist_member(sdist, name), extra, lambda value: plan.rewrite_line(value, findings)
        )
        if changed:
            replace[name] = text.encode("utf-8")
    findings.raise_if_any(pyproject)
    return replace


def _static_field(key: str, data: dict[str, Any]) -> bool:
    """Whether the requirement at ``key`` lies in a `[project]` field that `project.dynamic` does not list."""
    project = data.get("project")
    dynamic = project.get("dynamic") if isinstance(project, dict) else None
    listed = set(dynamic) if isinstance(dynamic, list) else set()
    for field in ("dependencies", "optional-dependencies"):
        if key.startswith((f"project.{field}[", f"project.{field}.")):
            return field not in listed
    return False


def _final_lines(pkg_info: str, transform: Callable[[str], list[str] | None]) -> list[str]:
    return [line for value in requires_dist(pkg_info) for line in (transform(value) or [value])]


def _sdist_pyproject(
    plan: Plan, sdist: Path, members: set[str], final_lines: list[str], *, publish: bool
) -> tuple[dict[str, bytes], list[str]]:
    """The sdist members to replace and to drop so that what its pyproject.toml (and every copy of it)
    says statically is what the wheel says: the final requirement lines, written with tomlkit, and the
    adjustments of :mod:`sourcelift.backends.quirks`.  The tree's own pyproject.toml is never written."""
    from ..artifacts.sdist import read_sdist_member
    from ..rewrite.standards import local_pyproject, standards_pyproject
    from . import quirks

    if not plan.sources and not publish:  # publish mode always restores the wrapped backend
        return {}, []
    pyproject = Path(_root()) / "pyproject.toml"
    backend = _config(_root()).backend
    direct = any(_is_direct_reference(line) for line in final_lines)
    adjust = None if publish else _both(quirks.adjust_local_pyproject(backend, direct), _poetry_paths_here(plan))
    findings = Findings()
    # dynamic dependencies: the lines go into PKG-INFO (hatchling) or the files setuptools reads them from;
    # a static field beside them (read from files) is written here as usual
    dynamic = plan.dynamic_dependencies and not (publish and _setuptools_files(plan))
    lines = plan.declared_lines(findings, as_metadata=False)
    if dynamic:
        # only the fields `project.dynamic` does not list: a static `optional-dependencies` beside
        # dependencies a metadata hook fills is read from this file by the wheel built from the sdist
        lines = {key: values for key, values in lines.items() if _static_field(key, _pyproject(_root()))}
    findings.raise_if_any(pyproject)
    from packaging.utils import canonicalize_name

    from ..readers.registry import owner

    if not publish:
        # a local-mode sdist writes [project] arrays only: a tool's own tables (poetry's) keep their
        # entries, and the sources behind them stay
        lines = {key: values for key, values in lines.items() if owner(key) is None}
    copies, drop = quirks.sdist_companions(members)
    drop = drop if plan.sources else []  # nothing was rewritten: nothing repeats an old line
    # The sources are spent where the lines were written, and where the backend computes the
    # dependencies (a hatchling metadata hook): PKG-INFO carries the final lines, and a wheel built from
    # the sdist takes them from there (or, in local mode, from the sources file).  Left in place, a
    # `workspace = true` entry stops uv at the unpacked sdist, which is no workspace member.
    spent = bool(lines) or plan.dynamic_dependencies
    data = _pyproject(_root())
    from ..readers.registry import declared_paths

    # Outside its workspace a `workspace = true` entry stops uv, even one only a dependency group uses.
    # A workspace root's sdist ships [tool.uv.workspace] and the members it holds: uv there needs their
    # entries (a member required without one stops it too), so those stay whatever the lines say.
    workspace_sources = {declared.name for declared in declared_paths(data) if declared.workspace}
    shipped = _shipped_members(data, members) if workspace_sources else set()
    stray = workspace_sources - shipped
    if not publish and not spent and adjust is None and not stray:
        return {}, drop
    # Spent: the sources of the names the written lines require.  Another source that only a dependency
    # group (or nothing) uses stays: the sdist keeps those groups, and `uv lock` there needs their sources.
    if plan.dynamic_dependencies:
        required = {canonicalize_name(name) for name in map(_requirement_name, final_lines) if name}
    else:
        required = {canonicalize_name(item.requirement.name) for item in plan.requirements}
    # An `index` source only says where uv looks for the requirement: the line stays as written and names
    # no index, so the entry stays too (lerobot's torch from a CUDA index on Linux; its `[[tool.uv.index]]`
    # ships either way), for uv in the unpacked sdist.
    from ..model import ResolvedIndex

    consumed = {
        name
        for name, sources in plan.sources.items()
        if spent
        and name in required
        and any(owner(source.key) for source in sources)
        and not all(isinstance(source, ResolvedIndex) for source in sources)
    }
    if not publish:
        consumed -= {
            canonicalize_name(item.requirement.name) for item in plan.requirements if owner(item.key) is not None
        }
    consumed = (consumed | stray) - shipped
    base = quirks.sdist_pyproject_base(read_sdist_member(sdist, "pyproject.toml"), pyproject.read_bytes())
    rewrite = standards_pyproject if publish else local_pyproject
    text = rewrite(base, lines, consumed, backend, adjust).encode("utf-8")
    return {"pyproject.toml": text, **dict.fromkeys(copies, text)}, drop


def _shipped_members(data: dict[str, Any], members: set[str]) -> set[str]:
    """The canonical names of the uv workspace members an sdist with ``members`` holds, when the project
    (its pyproject ``data``) is the workspace's root, whose sdist keeps `[tool.uv.workspace]`; else none."""
    if not isinstance(subtable(data, "tool", "uv", "workspace"), dict):
        return set()
    from ..readers.workspace import find_workspace

    workspace = find_workspace(Path(_root()))
    return workspace.members_within(members, Findings()) if workspace is not None else set()


def _both(first: Callable[[Any], None] | None, second: Callable[[Any], None] | None) -> Callable[[Any], None] | None:
    if first is None or second is None:
        return first or second

    def both(document: Any) -> None:
        first(document)
        second(document)

    return both


def _poetry_paths_here(plan: Plan) -> Callable[[Any], None] | None:
    """A local-mode sdist keeps poetry's `[tool.poetry.dependencies]` entries (poetry-core builds from them):
    a `path` outside the project becomes this machine's absolute path, which poetry-core finds when it
    builds the wheel from the unpacked sdist (a relative one names nothing there, and it warns)."""
    import re

    from .._files import real_path
    from ..model import ResolvedArchive, ResolvedDirectory
    from ..readers.poetry import DEPENDENCY_KEY

    top = real_path(plan.root)
    moved: dict[tuple[str, int | None], str] = {}
    for sources in plan.sources.values():
        for source in sources:
            match = re.fullmatch(DEPENDENCY_KEY, source.key)
            if match is None or not isinstance(source, (ResolvedArchive, ResolvedDirectory)):
                continue
            where = real_path(source.path)
            if where == top or where.startswith(top.rstrip(os.sep) + os.sep):
                continue  # inside the project: the sdist holds it (or the sources record does)
            index = int(match["index"]) if match["index"] is not None else None
            moved[(match["name"], index)] = Path(where).as_posix()
    if not moved:
        return None

    def localize(document: Any) -> None:
        tool = document.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
        if not isinstance(dependencies, dict):
            return
        for (name, index), path in moved.items():
            entry = dependencies.get(name)
            if index is not None:
                entry = entry[index] if isinstance(entry, list) and index < len(entry) else None
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                entry["path"] = path

    return localize


def _parsed(line: str) -> Requirement | None:
    from packaging.requirements import InvalidRequirement

    from ..values import parsed_requirement

    try:
        return parsed_requirement(line)
    except InvalidRequirement:
        return None


def _requirement_name(line: str) -> str | None:
    requirement = _parsed(line)
    return requirement.name if requirement is not None else None


def _is_direct_reference(line: str) -> bool:
    requirement = _parsed(line)
    return requirement is not None and requirement.url is not None


def _missing_requires_dist(plan: Plan, pkg_info: str) -> list[str]:
    """Requires-Dist lines for a PKG-INFO whose backend wrote none (see :mod:`sourcelift.backends.quirks`)."""
    from . import quirks

    if not plan.requirements or requires_dist(pkg_info):
        return []
    findings = Findings()
    with_sources = plan.declared_lines(findings)
    findings.raise_if_any(Path(_root()) / "pyproject.toml")
    declared: list[str] = []
    for item in plan.requirements:
        if item.key in with_sources:
            declared.extend(with_sources[item.key])
        else:
            from ..rewrite.markers import as_metadata

            declared.append(as_metadata(item.requirement, item.extra))
    return quirks.missing_requires_dist(requires_dist(pkg_info), declared, plan.dynamic_dependencies)


@_ours
def _inner_settings(config_settings: ConfigSettings) -> ConfigSettings:
    """The config settings without sourcelift's own: every ``sourcelift-*`` key is ours, and a backend
    that rejects unknown settings (scikit-build-core) or warns about any (uv_build) must not see them.
    A mistyped one of ours stops the build (it would be ignored: a "publish" build in local mode)."""
    if not config_settings:
        return config_settings
    check_settings(config_settings)
    return {key: value for key, value in config_settings.items() if not str(key).startswith(SETTING_PREFIX)}


def _requires(hook: str, config_settings: ConfigSettings) -> list[str]:
    inner = _load_inner()
    function = getattr(inner, hook, None)
    requires = list(function(_inner_settings(config_settings))) if function is not None else []
    return requires + [r for r in _publish_build_requires(config_settings) if r not in requires]


def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> list[str]:
    return _requires("get_requires_for_build_wheel", config_settings)


def get_requires_for_build_sdist(config_settings: ConfigSettings = None) -> list[str]:
    return _requires("get_requires_for_build_sdist", config_settings)


def get_requires_for_build_editable(config_settings: ConfigSettings = None) -> list[str]:
    return _requires("get_requires_for_build_editable", config_settings)


def _remove_on_failure(artifact: Path, finish: Callable[[], None]) -> None:
    """Run ``finish``; if sourcelift fails the build, the inner backend's artifact goes too, so that
    nothing unrewritten is left in the output directory (where `twine upload dist/*` would find it)."""
    try:
        finish()
    except BaseException:
        if artifact.is_dir():
            shutil.rmtree(artifact, ignore_errors=True)
        else:
            artifact.unlink(missing_ok=True)
        raise


def _build(hook: str, wheel_directory: str, config_settings: ConfigSettings, metadata_directory: str | None) -> str:
    plan = _plan(config_settings)
    inner_metadata = _inner_metadata_directory(metadata_directory)
    name: str = getattr(_load_inner(), hook)(wheel_directory, _inner_settings(config_settings), inner_metadata)
    wheel = Path(wheel_directory) / name
    _remove_on_failure(wheel, lambda: _finish_wheel(plan, wheel))
    return name


def build_wheel(
    wheel_directory: str, config_settings: ConfigSettings = None, metadata_directory: str | None = None
) -> str:
    return _build("build_wheel", wheel_directory, config_settings, metadata_directory)


def build_editable(
    wheel_directory: str, config_settings: ConfigSettings = None, metadata_directory: str | None = None
) -> str:
    return _build("build_editable", wheel_directory, config_settings, metadata_directory)


@_ours
def _check_publish_sdist(plan: Plan) -> bool:
    """Refuse a publish-mode sdist whose final requirements have nowhere to go, before the backend runs.

    True when the dependencies are dynamic in `[project]` and nothing carries rewritten lines: the sdist
    builds only if the lines the backend computes are final already (a setuptools plugin's
    `nvidia-nat-core == {version}`), which :func:`_computed_lines_are_final` checks once it ran."""
    from . import quirks

    backend = _config(_root()).backend
    if not (plan.dynamic_dependencies and plan.sources) or quirks.builds_dynamic_fields_from_pkg_info(backend):
        return False
    if _setuptools_files(plan):
        return False  # setuptools reads them from files the sdist carries: publish mode writes them there
    names = ", ".join(f"`{name}`" for name in sorted(plan.sources))
    if "project" not in _pyproject(_root()):
        raise ConfigError(
            f"publish mode writes the final requirements ({names}) into the sdist's pyproject.toml, but the "
            "dependencies are declared in setup.py/setup.cfg (no `[project]` table), so they cannot be written "
            "there: a standards-only sdist needs static dependencies that any frontend builds without sourcelift\n"
            "      fix: declare the project's metadata and dependencies in `[project]` of pyproject.toml; a "
            "publish-mode wheel builds from the tree as it is (`pip wheel -C sourcelift-mode=publish .`)"
        )
    return True


def _computed_lines_are_final(plan: Plan, pkg_info: str, transform: Callable[[str], list[str] | None]) -> None:
    """Stop a publish-mode sdist whose dynamic dependencies need a line rewritten: its pyproject.toml has no
    array to write it into, and the wheel built from it computes the backend's own line again."""
    changed: list[str] = []
    data = _pyproject(_root())
    for value in requires_dist(pkg_info):
        key = plan.declared_key(value)
        if key is not None and _static_field(key, data):
            continue  # a static field's line: the sdist's pyproject.toml gets it (see _sdist_pyproject)
        new = transform(value)
        if new is not None and [_parsed(line) for line in new] != [_parsed(value)]:
            changed.append(f"`{value}` -> {', '.join(f'`{line}`' for line in new)}")
    changed.extend(f"(none) -> `{line}`" for line in _missing_requires_dist(plan, pkg_info))
    if not changed:
        return
    names = ", ".join(f"`{name}`" for name in sorted(plan.sources))
    shown = "; ".join(changed[:3]) + (f"; and {len(changed) - 3} more" if len(changed) > 3 else "")
    raise ConfigError(
        f"publish mode writes the final requirements ({names}) into the sdist's pyproject.toml, but "
        "`project.dynamic` lists the dependencies, so they cannot be written there, and the backend computes "
        f"other lines ({shown})\n"
        "      fix: list the dependencies statically in `[project] dependencies` (and "
        "`optional-dependencies`), and remove them from `project.dynamic`; or make the backend compute the "
        "lines after `->` itself"
    )


def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    plan = _plan(config_settings)
    computed = plan.publisher is not None and not plan.from_local_sdist and _check_publish_sdist(plan)
    name: str = _load_inner().build_sdist(sdist_directory, _inner_settings(config_settings))
    sdist = Path(sdist_directory) / name
    _remove_on_failure(sdist, lambda: _finish_sdist(plan, sdist, computed=computed))
    if plan.publisher is not None and not plan.from_local_sdist:
        _note_mode_setting_reaches_the_wheel(config_settings)
    return name


@_ours
def _note_mode_setting_reaches_the_wheel(config_settings: ConfigSettings) -> None:
    """A publish sdist chosen with ``-C sourcelift-mode=publish`` names the wrapped backend itself; a frontend
    building the wheel from it hands that backend the same setting, which a strict one refuses: say so
    before it does, with what to do instead."""
    from . import quirks

    backend = _config(_root()).backend
    distribution = quirks.rejects_unknown_settings(backend)
    ours = sorted(str(key) for key in config_settings or () if str(key).startswith(SETTING_PREFIX))
    if distribution is None or not ours:
        return
    given = ", ".join(f"`-C {key}`" for key in ours)
    print(
        f"sourcelift: note: this publish sdist is built by `{backend}` alone; a frontend that builds the wheel "
        f"from it (`python -m build`, `uv build`) hands it {given} too, and {distribution} stops on settings it "
        f"does not know. Choose the mode with `{MODE_ENV}=publish` (and the other settings by their environment "
        "variables) instead of `-C`, or build the wheel from this sdist without `-C`.",
        file=sys.stderr,
        flush=True,
    )


INNER_METADATA = ".sourcelift-inner-metadata"
"""Where, inside the frontend's ``metadata_directory``, the wrapped backend's own
``prepare_metadata_for_build_*`` output is kept, unmodified, for its ``build_*`` hook."""


def _inner_metadata_directory(metadata_directory: str | None) -> str | None:
    """The wrapped backend's own prepared ``.dist-info`` for the one the frontend passes, or ``None``.

    The frontend's copy has sourcelift's METADATA; backends that compare it with what
    they build (uv_build, scikit-build-core) must get their own, or none at all.
    """
    if not metadata_directory:
        return None
    given = Path(metadata_directory)
    own = given.parent / INNER_METADATA / given.name
    return str(own) if own.is_dir() else None


def _prepare(hook: str, metadata_directory: str, config_settings: ConfigSettings) -> str:
    plan = _plan(config_settings)
    private = Path(metadata_directory) / INNER_METADATA
    private.mkdir(exist_ok=True)
    dist_info: str = getattr(_load_inner(), hook)(str(private), _inner_settings(config_settings))
    ours = Path(metadata_directory) / dist_info

    def finish() -> None:
        if ours.is_dir() and not ours.is_symlink():  # a second call into one directory: replaced, as a backend does
            shutil.rmtree(ours)
        _copy_metadata(private / dist_info, ours)
        _finish_metadata(plan, ours / "METADATA")

    try:
        _remove_on_failure(ours, finish)
    except BaseException:
        shutil.rmtree(private, ignore_errors=True)
        raise
    return dist_info


@_ours
def _copy_metadata(source: Path, target: Path) -> None:
    shutil.copytree(source, target)


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: ConfigSettings = None) -> str:
    return _prepare("prepare_metadata_for_build_wheel", metadata_directory, config_settings)


def prepare_metadata_for_build_editable(metadata_directory: str, config_settings: ConfigSettings = None) -> str:
    return _prepare("prepare_metadata_for_build_editable", metadata_directory, config_settings)


_OPTIONAL_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "prepare_metadata_for_build_wheel": prepare_metadata_for_build_wheel,
    "prepare_metadata_for_build_editable": prepare_metadata_for_build_editable,
    "get_requires_for_build_editable": get_requires_for_build_editable,
    "build_editable": build_editable,
}


def optional_hook(name: str) -> Callable[..., Any]:
    """The wrapper of an optional hook, present exactly when the inner backend has it.

    Frontends probe optional hooks with ``getattr``; hatchling, for one, drops
    ``prepare_metadata_for_build_wheel`` under pip, and the wrapper must mirror that.
    """
    if name in _OPTIONAL_IMPLEMENTATIONS and hasattr(_load_inner(), name):
        return _OPTIONAL_IMPLEMENTATIONS[name]
    raise AttributeError(name)
