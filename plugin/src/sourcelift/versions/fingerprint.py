"""The fingerprint of a project directory's build inputs: the key of the version cache.

It covers what can change the version a backend computes:

- ``pyproject.toml``, ``setup.py`` and ``setup.cfg`` (their bytes);
- what ``[tool.uv] cache-keys`` and ``[tool.sourcelift] cache-keys`` name, in uv's
  format: a glob (``"VERSION"``, ``"src/**/*.py"``) or ``{ file = glob }`` (the
  files' bytes), ``{ dir = path }`` (the directory's listing), ``{ env = NAME }``
  (the variable's value), ``{ git = true }`` or ``{ git = { commit = true, tags = true } }``;
- the environment variables version plugins read (``SETUPTOOLS_SCM_PRETEND_VERSION``...);
- the Python version and the directory's absolute path;
- the git state: HEAD's commit, its tree and the directory's tree, and every tag
  ref, because a version from hatch-vcs or setuptools-scm changes with commits and
  tags even when the directory's files do not.

There is no usable fingerprint (the version is computed every time, never cached)
when the directory is not in a git repository, git is unavailable, the directory
is not in HEAD's tree, or the work tree has uncommitted changes: a VCS version
reflects changes anywhere in the repository (setuptools-scm marks it dirty, with
the date), so a partial check could serve a stale version.
"""

from __future__ import annotations

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


def member_fingerprint(
    directory: Path, data: Mapping[str, Any], environ: Mapping[str, str] = os.environ
) -> Fingerprint:
    """The fingerprint of the project in ``directory`` (absolute), whose parsed pyproject is ``data``."""
    keys = declared_cache_keys(data)  # malformed keys are an error even where nothing would be cached
    root = _gitstate.find_repo_root(directory)
    if root is None:
        return Fingerprint(None, f"{directory} is not in a git repository")
    state = _gitstate.repo_state(root, environ)
    if isinstance(state, str):
        return Fingerprint(None, state)
    if state.dirty:
        shown = ", ".join(state.dirty[:3]) + (", ..." if len(state.dirty) > 3 else "")
        return Fingerprint(None, f"the git work tree at {root} has uncommitted or untracked files ({shown})")
    tree = state.tree_of(directory)
    if tree is None:
        return Fingerprint(None, f"{directory} is not in the tree of HEAD in {root}")
    digest = hashlib.sha256()

    def feed(*parts: str | bytes) -> None:
        for part in parts:
            raw = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
            digest.update(len(raw).to_bytes(8, "little"))
            digest.update(raw)

    feed(SCHEMA, sys.version, sys.implementation.cache_tag or "", str(directory))
    feed("git", state.head, state.head_tree, tree, state.tags)
    for name in BUILD_FILES:
        _feed_file(feed, directory, name)
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
        # git keys: HEAD and the tags are always part of the fingerprint
    for name in sorted(environ):
        if name.startswith(VERSION_ENV_PREFIXES):
            feed("version-env", name, environ[name])
    return Fingerprint(digest.hexdigest())


def _feed_file(feed: Any, directory: Path, relative: str) -> None:
    path = directory / relative
    try:
        with path.open("rb") as stream:
            content = hashlib.sha256()
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                content.update(chunk)
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
