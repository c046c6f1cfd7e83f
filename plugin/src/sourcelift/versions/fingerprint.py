"""The fingerprint of a project directory's build inputs: the key of the version cache.

It covers what can change the version a backend computes, and nothing else:

- the project's own tracked files: the tree id of its directory at HEAD (git
  computes it from every file's content), and the bytes of ``pyproject.toml``,
  ``setup.py`` and ``setup.cfg``;
- its version source when pyproject.toml names a file (``[tool.hatch.version] path``,
  ``[tool.pdm.version] path``, ``[tool.setuptools.dynamic] version = { file = ... }``),
  wherever it lies;
- what ``[tool.uv] cache-keys`` and ``[tool.sourcelift] cache-keys`` name, in uv's
  format: a glob (``"VERSION"``, ``"src/**/*.py"``) or ``{ file = glob }`` (the
  files' bytes), ``{ dir = path }`` (the directory's listing), ``{ env = NAME }``
  (the variable's value), ``{ git = true }`` or ``{ git = { commit = true, tags = true } }``;
- the environment variables version plugins read (``SETUPTOOLS_SCM_PRETEND_VERSION``...);
- the Python version and the directory's absolute path;
- for a project whose version comes from git (hatch-vcs, setuptools-scm, pdm's
  ``scm`` source, versioningit, dunamai..., or a ``git`` cache key): HEAD's commit
  and every tag ref.

There is no usable fingerprint (the version is computed every time, never cached)
when the directory is not in a git repository, git is unavailable, the directory
is not in HEAD's tree, it has uncommitted or untracked files of its own, or, for a
version from git, any tracked file of the repository is modified (such a version
says so: setuptools-scm adds the date).  Untracked or modified files elsewhere
leave other projects' entries usable: they cannot change those versions.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

from .._dataclasses import slotted_dataclass
from . import _gitstate
from .errors import VersionError

__all__ = ["CacheKey", "Fingerprint", "member_fingerprint", "parse_cache_keys"]

SCHEMA = "sourcelift-version-cache-1"
BUILD_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
# Version plugins that take a version from the environment; their variables are inputs too.
VERSION_ENV_PREFIXES = (
    "SETUPTOOLS_SCM_",
    "PDM_BUILD_SCM_",
    "POETRY_DYNAMIC_VERSIONING_",
    "DUNAMAI_",
    "VERSIONINGIT_",
    "HATCH_VCS_",
)
_GLOB_CHARACTERS = frozenset("*?[{")
_CHUNK = 1024 * 1024

CacheKey = tuple[str, Union[str, tuple[bool, bool]]]
"""``("file", glob)``, ``("dir", path)``, ``("env", name)`` or ``("git", (commit, tags))``."""


@slotted_dataclass
class Fingerprint:
    digest: str | None
    """Hex sha256 of the inputs; ``None`` when there is no usable fingerprint."""
    reason: str | None = None
    """Why there is none."""


def _cache_keys_fix(where: str) -> str:
    return (
        f"write `{where}` as uv does, e.g. "
        '`cache-keys = ["VERSION", { file = "src/**/*.py" }, { git = { commit = true, tags = true } }, '
        '{ env = "BUILD_NUMBER" }]`'
    )


def parse_cache_keys(value: Any, where: str) -> list[CacheKey]:
    """Read a ``cache-keys`` array (uv's format); ``where`` is its key path, for messages.

    >>> parse_cache_keys(["VERSION", {"env": "CI"}, {"git": True}], "tool.uv.cache-keys")
    [('file', 'VERSION'), ('env', 'CI'), ('git', (True, True))]
    """
    if not isinstance(value, list):
        raise VersionError(f"`{where}` must be an array, not {value!r}", _cache_keys_fix(where))
    keys: list[CacheKey] = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if isinstance(item, str) and item:
            keys.append(("file", item))
            continue
        if isinstance(item, dict) and len(item) == 1:
            ((kind, argument),) = item.items()
            if kind in ("file", "dir", "env") and isinstance(argument, str) and argument:
                keys.append((kind, argument))
                continue
            if kind == "git":
                if isinstance(argument, bool):
                    keys.append(("git", (argument, argument)))
                    continue
                if isinstance(argument, dict) and set(argument) <= {"commit", "tags"}:
                    flags = [argument.get(flag, False) for flag in ("commit", "tags")]
                    if all(isinstance(flag, bool) for flag in flags):
                        keys.append(("git", (flags[0], flags[1])))
                        continue
        raise VersionError(
            f"`{here}` is {item!r}: not a glob string or one of `{{ file = ... }}`, `{{ dir = ... }}`, "
            "`{ env = ... }`, `{ git = ... }`",
            _cache_keys_fix(where),
        )
    return keys


def declared_cache_keys(data: Mapping[str, Any]) -> list[CacheKey]:
    """The cache keys of ``[tool.uv]`` and ``[tool.sourcelift]`` together."""
    tool = data.get("tool")
    keys: list[CacheKey] = []
    if not isinstance(tool, dict):
        return keys
    for table in ("uv", "sourcelift"):
        section = tool.get(table)
        if isinstance(section, dict) and "cache-keys" in section:
            keys.extend(parse_cache_keys(section["cache-keys"], f"tool.{table}.cache-keys"))
    return keys


def version_environment(environ: Mapping[str, str] = os.environ) -> list[tuple[str, str]]:
    """The variables version plugins read (``SETUPTOOLS_SCM_*``...), sorted: an input of every fingerprint."""
    return sorted((name, value) for name, value in environ.items() if name.startswith(VERSION_ENV_PREFIXES))


def member_fingerprint(
    directory: Path,
    data: Mapping[str, Any],
    environ: Mapping[str, str] = os.environ,
    version_env: list[tuple[str, str]] | None = None,
    pyproject: bytes | None = None,
) -> Fingerprint:
    """The fingerprint of the project in ``directory`` (absolute), whose parsed pyproject is ``data``.

    ``version_env``: :func:`version_environment` of ``environ``, when the caller fingerprints many
    members at once (read once for all of them).  ``pyproject``: the bytes ``data`` was parsed from,
    fed as the file would be (not read again)."""
    keys = declared_cache_keys(data)  # malformed keys are an error even where nothing would be cached
    root = _gitstate.find_repo_root(directory)
    if root is None:
        return Fingerprint(None, f"{directory} is not in a git repository")
    state = _gitstate.repo_state(root, environ)
    if isinstance(state, str):
        return Fingerprint(None, state)
    place = state.relative(directory)
    own = state.dirty_under(directory, place)
    if own:
        return Fingerprint(None, f"{directory} has uncommitted or untracked files ({_shown(own)})")
    commit, tags = reads_git(data, keys)
    if commit or tags:
        modified = state.modified_tracked()
        if modified:
            return Fingerprint(
                None,
                f"the version of {directory} comes from git, and the work tree at {root} has uncommitted "
                f"changes ({_shown(modified)})",
            )
    tree = state.tree_of(directory, place)
    if tree is None:
        return Fingerprint(None, f"{directory} is not in the tree of HEAD in {root}")
    # each part fed as its length and its bytes, hashed at once at the end (the same digest as feeding
    # the hash part by part, without a call for each of the dozens of parts of every member)
    chunks: list[bytes] = [_PREFIX or _prefix()]

    def feed(*parts: str | bytes) -> None:
        for part in parts:
            raw = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
            chunks.append(len(raw).to_bytes(8, "little"))
            chunks.append(raw)

    feed(str(directory))
    feed("tree", tree)
    if commit:
        feed("head", state.head)
    if tags:
        feed("tags", state.tags)
    for name in BUILD_FILES:
        if name == "pyproject.toml" and pyproject is not None:
            feed("file", name, hashlib.sha256(pyproject).hexdigest())
        else:
            _feed_file(feed, directory, name)
    for relative in version_files(data):
        _feed_file(feed, directory, relative)
    for kind, argument in keys:
        if kind == "file":
            assert isinstance(argument, str)
            _feed_glob(feed, directory, argument)
        elif kind == "dir":
            assert isinstance(argument, str)
            _feed_listing(feed, directory / argument, argument)
        elif kind == "env":
            assert isinstance(argument, str)
            value = environ.get(argument)
            feed("env", argument, "unset" if value is None else "set:" + value)
        # git keys: read by reads_git above
    for name, value in version_environment(environ) if version_env is None else version_env:
        feed("version-env", name, value)
    return Fingerprint(hashlib.sha256(b"".join(chunks)).hexdigest())


_PREFIX = b""


def _prefix() -> bytes:
    """What every fingerprint of this process starts with, fed as :func:`member_fingerprint` feeds a part:
    the schema and the interpreter."""
    global _PREFIX
    parts = [
        part.encode("utf-8", "surrogateescape") for part in (SCHEMA, sys.version, sys.implementation.cache_tag or "")
    ]
    _PREFIX = b"".join(len(raw).to_bytes(8, "little") + raw for raw in parts)
    return _PREFIX


def _shown(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (", ..." if len(paths) > 3 else "")


# Build requirements whose presence means the version comes from git (canonical names).
VCS_PLUGINS = frozenset(
    {
        "hatch-vcs",
        "setuptools-scm",
        "vcs-versioning",
        "setuptools-git-versioning",
        "setuptools-git",
        "poetry-dynamic-versioning",
        "versioningit",
        "dunamai",
        "uv-dynamic-versioning",
        "pbr",
        "versioneer",
        "dynamic-versioning",
        "miniver",
    }
)

_VCS_TABLES = ("setuptools_scm", "setuptools-scm", "poetry-dynamic-versioning", "versioningit")


def reads_git(data: Mapping[str, Any], keys: list[CacheKey]) -> tuple[bool, bool]:
    """Whether the project's version plugin reads HEAD and the tags (``(commit, tags)``).

    Known version-from-git plugins in ``build-system.requires`` or their tables say
    both; a ``git`` cache key says what it names.  Anything else is taken to compute
    the version from the project's files (declare ``{ git = true }`` when it does not).
    """
    commit = tags = False
    for kind, argument in keys:
        if kind == "git":
            assert isinstance(argument, tuple)
            commit, tags = commit or argument[0], tags or argument[1]
    system = data.get("build-system")
    requires = system.get("requires", []) if isinstance(system, dict) else []
    if isinstance(requires, list) and _names_vcs_plugin(tuple(item for item in requires if isinstance(item, str))):
        return True, True
    tool = data.get("tool")
    if isinstance(tool, dict):
        if any(
            name in tool for name in ("setuptools_scm", "setuptools-scm", "poetry-dynamic-versioning", "versioningit")
        ):
            return True, True
        hatch = tool.get("hatch", {}).get("version", {}) if isinstance(tool.get("hatch"), dict) else {}
        pdm = tool.get("pdm", {}).get("version", {}) if isinstance(tool.get("pdm"), dict) else {}
        if (isinstance(hatch, dict) and hatch.get("source") == "vcs") or (
            isinstance(pdm, dict) and pdm.get("source") == "scm"
        ):
            return True, True
    return commit, tags


@functools.lru_cache(maxsize=256)
def _names_vcs_plugin(requires: tuple[str, ...]) -> bool:
    """Whether one of the build requirements is a version-from-git plugin (the members of a workspace
    mostly list the same requirements: asked once per list)."""
    from packaging.utils import canonicalize_name

    for item in requires:
        name = item.split(";")[0]
        for stop in "<>=!~[ @(":
            name = name.split(stop)[0]
        if canonicalize_name(name.strip() or "-") in VCS_PLUGINS:
            return True
    return False


def version_files(data: Mapping[str, Any]) -> list[str]:
    """The files pyproject.toml names as the version's source (relative to the project)."""
    found: list[str] = []
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return found
    for table in ("hatch", "pdm"):
        section = tool.get(table)
        version = section.get("version") if isinstance(section, dict) else None
        if isinstance(version, dict) and isinstance(version.get("path"), str):
            found.append(version["path"])
    setuptools = tool.get("setuptools")
    dynamic = setuptools.get("dynamic") if isinstance(setuptools, dict) else None
    version = dynamic.get("version") if isinstance(dynamic, dict) else None
    if isinstance(version, dict):
        files = version.get("file")
        if isinstance(files, str):
            found.append(files)
        elif isinstance(files, list):
            found.extend(f for f in files if isinstance(f, str))
    return found


def _feed_file(feed: Any, directory: Path, relative: str) -> None:
    path = os.path.join(directory, relative)  # no pathlib: every member feeds several files
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            content = hashlib.sha256()
            # by the size fstat gives (a read of _CHUNK would allocate that much for every small file),
            # then on to the end whatever the file has grown to
            want = min(os.fstat(descriptor).st_size, _CHUNK) + 1
            while True:
                chunk = os.read(descriptor, want)
                if not chunk:
                    break
                content.update(chunk)
                want = _CHUNK
        finally:
            os.close(descriptor)
        feed("file", relative, content.hexdigest())
    except FileNotFoundError:
        feed("missing", relative)
    except IsADirectoryError:
        feed("not-a-file", relative)
    except OSError as exc:
        raise VersionError(
            f"cannot read {path}, an input of the version of {directory}: {exc.strerror}",
            "make the file readable, or remove it from `cache-keys`",
        ) from None


def _expand_braces(pattern: str) -> list[str]:
    """``src/{a,b}/*.py`` -> ``src/a/*.py``, ``src/b/*.py`` (globwalk's braces, as uv uses)."""
    start = pattern.find("{")
    end = pattern.find("}", start + 1)
    if start < 0 or end < 0:
        return [pattern]
    head, body, tail = pattern[:start], pattern[start + 1 : end], pattern[end + 1 :]
    return [expanded for option in body.split(",") for expanded in _expand_braces(head + option + tail)]


def _feed_glob(feed: Any, directory: Path, pattern: str) -> None:
    if not _GLOB_CHARACTERS.intersection(pattern):
        _feed_file(feed, directory, pattern)
        return
    matches: set[str] = set()
    for expanded in _expand_braces(pattern):
        try:
            for match in directory.glob(expanded):
                if match.is_file():
                    matches.add(match.relative_to(directory).as_posix())
        except (ValueError, NotImplementedError) as exc:
            raise VersionError(
                f"the cache key {pattern!r} of {directory} is not a usable glob ({exc})",
                "give globs relative to the project directory, e.g. `src/**/*.py`",
            ) from None
    feed("glob", pattern, str(len(matches)))
    for relative in sorted(matches):
        _feed_file(feed, directory, relative)


def _feed_listing(feed: Any, path: Path, relative: str) -> None:
    try:
        with os.scandir(path) as entries:
            names = sorted(entry.name + ("/" if entry.is_dir() else "") for entry in entries)
    except (FileNotFoundError, NotADirectoryError):
        feed("no-dir", relative)
        return
    except OSError as exc:
        raise VersionError(f"cannot list {path}, a cache key: {exc.strerror}", "make it readable") from None
    feed("dir", relative, *names)
