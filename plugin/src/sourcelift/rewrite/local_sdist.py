"""The sources file a local-mode sdist carries, so the wheel built from it gets the same lines.

``.sourcelift/local.json`` in the sdist holds every resolved source as it was in
the tree the sdist was made from: archives by the path of their copy inside the
sdist and their sha256, directories by their absolute location on this machine.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.markers import InvalidMarker, Marker
from packaging.utils import canonicalize_name

from .._files import read_bounded
from ..artifacts.filenames import InvalidArchiveName, parse_archive_name
from ..artifacts.store import sha256_file
from ..errors import ConfigError, Findings
from ..model import ResolvedArchive, ResolvedDirectory, ResolvedGit, ResolvedIndex, ResolvedSource, ResolvedUrl
from ..values import check_path, check_rev, check_subdirectory, check_text, check_url

if TYPE_CHECKING:
    from .local import Locate

__all__ = ["LOCAL_SOURCES_PATH", "LOCAL_SOURCES_VERSION", "local_sources_file", "read_local_sources"]

LOCAL_SOURCES_PATH = ".sourcelift/local.json"
LOCAL_SOURCES_VERSION = 1
ARCHIVE_DIR = ".sourcelift/archives"
NOTE = (
    "This sdist was built by sourcelift in local mode. Its dependencies point at archives it carries and "
    "at directories on the machine that built it ({origin}); it is for that machine only. "
    "Build a publish-mode sdist to share or upload."
)


def local_sources_file(
    sources: dict[str, list[ResolvedSource]], origin: Path, members: set[str], locate: Locate | None = None
) -> tuple[bytes, dict[str, Path]]:
    """The sources file's bytes, and the archives to add to the sdist (member path -> file).

    ``locate`` gives a directory's ``git+`` URL when the sdist is made in a git checkout
    where it is committed; the wheel built from the sdist then names it so, wherever it is built.
    """
    import json

    to_add: dict[str, Path] = {}
    entries: dict[str, list[dict[str, Any]]] = {}
    for name, items in sorted(sources.items()):
        entries[name] = []
        for source in items:
            entry: dict[str, Any] = {
                "key": source.key,
                "marker": str(source.marker) if source.marker is not None else None,
                "extra": source.extra,
            }
            if source.binds is not None:
                entry["binds"] = source.binds
            if isinstance(source, ResolvedArchive):
                member = source.relative or f"{ARCHIVE_DIR}/{source.sha256}/{source.filename}"
                if member not in members:
                    to_add[member] = source.path
                entry.update(
                    kind="archive",
                    member=member,
                    filename=source.filename,
                    sha256=source.sha256,
                    project=source.project,
                    version=source.version,
                )
            elif isinstance(source, ResolvedDirectory):
                entry.update(kind="directory", path=str(source.path))
                in_git = source.in_git or (locate(source) if locate is not None else None)
                if in_git:
                    entry["git"] = in_git
            elif isinstance(source, ResolvedGit):
                entry.update(kind="git", url=source.url, rev=source.rev, subdirectory=source.subdirectory)
            elif isinstance(source, ResolvedUrl):
                entry.update(kind="url", url=source.url, subdirectory=source.subdirectory)
            else:
                entry.update(kind="index", index=source.index)
            entries[name].append(entry)
    document = {
        "version": LOCAL_SOURCES_VERSION,
        "note": NOTE.format(origin=origin),
        "origin": str(origin),
        "sources": entries,
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode(), to_add


MAX_SOURCES_FILE_BYTES = 16 * 1024 * 1024
"""A sources file larger than this is refused (real ones are a few kB)."""
_FIX = "rebuild the sdist from the source tree; do not edit a built sdist"


class _Bad(ValueError):
    """One value of the sources file is not what sourcelift writes there."""


def _text(entry: dict[str, Any], field: str, *, optional: bool = False) -> str | None:
    value = entry.get(field)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _Bad(f"`{field}` must be a string, not {type(value).__name__}")
    return value


def _checked(entry: dict[str, Any], field: str, check: Any, *, optional: bool = False) -> str | None:
    value = _text(entry, field, optional=optional)
    if value is not None:
        problem = check(value)
        if problem is not None:
            raise _Bad(f"`{field}` {value[:80]!r} {problem}")
    return value


def read_local_sources(root: Path, findings: Findings) -> dict[str, list[ResolvedSource]]:
    """The resolved sources a local-mode sdist's sources file holds, every value checked as if it came from
    a pyproject (the file is data from an archive, possibly hostile)."""
    import json

    path = root / LOCAL_SOURCES_PATH
    key = str(path)
    try:
        document = json.loads(read_bounded(path, MAX_SOURCES_FILE_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        findings.error(key, f"the local-mode sdist's sources file cannot be read: {exc}", _FIX)
        return {}
    from ..provenance_document import is_valid_unicode

    if not is_valid_unicode(document):  # a value written into METADATA again could not be encoded
        findings.error(
            key,
            "the local-mode sdist's sources file holds text that is not valid Unicode (a lone surrogate such as "
            "\\udcff)",
            _FIX,
        )
        return {}
    if not isinstance(document, dict) or document.get("version") != LOCAL_SOURCES_VERSION:
        findings.error(
            key,
            f"unsupported sources file version {document.get('version')!r}"
            if isinstance(document, dict)
            else "the sources file is not a JSON object",
            "build the wheel with the sourcelift version that made the sdist, or rebuild the sdist",
        )
        return {}
    origin = document.get("origin", "?")
    table = document.get("sources", {})
    if not isinstance(table, dict):
        findings.error(f"{key}: sources", "must be an object of source lists by package name", _FIX)
        return {}
    sources: dict[str, list[ResolvedSource]] = {}
    for raw_name, items in table.items():
        name = canonicalize_name(raw_name)
        if not isinstance(items, list) or name != raw_name:
            findings.error(f"{key}: sources.{raw_name}", "must be a list under a normalized package name", _FIX)
            continue
        sources[name] = []
        for index, entry in enumerate(items):
            where = f"{key}: sources.{name}[{index}]"
            try:
                if not isinstance(entry, dict):
                    raise _Bad("must be an object")
                source = _read_entry(root, name, entry, str(origin), findings)
            except _Bad as exc:
                findings.error(where, f"the sources file is damaged: {exc}", _FIX, dependency=name)
                continue
            if source is not None:
                sources[name].append(source)
    return sources


def _read_entry(root: Path, name: str, entry: dict[str, Any], origin: str, findings: Findings) -> ResolvedSource | None:
    entry_key = _text(entry, "key")
    assert entry_key is not None
    if "\n" in entry_key or "\r" in entry_key or len(entry_key) > 500:
        raise _Bad("`key` is not a pyproject key")
    raw_marker = _text(entry, "marker", optional=True)
    try:
        marker = Marker(raw_marker) if raw_marker else None
    except InvalidMarker:
        raise _Bad(f"`marker` {str(raw_marker)[:80]!r} is not a valid marker") from None
    common: dict[str, Any] = {
        "name": name,
        "key": entry_key,
        "marker": marker,
        "extra": _checked(entry, "extra", check_text, optional=True),
        "binds": _checked(entry, "binds", check_text, optional=True),
    }
    kind = entry.get("kind")
    if kind == "archive":
        member_name = _checked(entry, "member", check_subdirectory)
        filename = _text(entry, "filename")
        sha256 = _text(entry, "sha256")
        assert member_name is not None and filename is not None and sha256 is not None
        try:
            parsed = parse_archive_name(filename)
        except InvalidArchiveName as exc:
            raise _Bad(str(exc)) from None
        if parsed.canonical != name or not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise _Bad(f"`filename` {filename!r} or `sha256` does not fit the package {name!r}")
        member = root / member_name
        inside = os.path.realpath(member).startswith(os.path.realpath(root) + os.sep)
        try:
            intact = inside and sha256_file(member) == sha256
        except (OSError, ConfigError):
            intact = False
        if not intact:
            findings.error(
                entry_key,
                f"the archive {member_name} in this sdist is missing or does not match its recorded sha256",
                _FIX,
                dependency=name,
            )
            return None
        return ResolvedArchive(
            **common, path=member, filename=filename, sha256=sha256, project=parsed.project, version=parsed.version
        )
    if kind == "directory":
        location = _checked(entry, "path", check_path)
        assert location is not None
        directory = Path(location)
        in_git = _checked(entry, "git", check_text, optional=True)
        if in_git is not None:
            if not in_git.startswith("git+"):
                raise _Bad(f"`git` {in_git[:80]!r} is not a `git+` URL")
            return ResolvedDirectory(**common, path=directory, in_git=in_git)  # need not exist here
        if not directory.is_absolute() or not directory.is_dir():
            findings.error(
                entry_key,
                f"this local-mode sdist points at the directory {directory}, which does not exist here "
                f"(the sdist was made from {origin[:200]}, for that machine only)",
                "build from the source tree on the machine that has it, or build a publish-mode sdist",
                dependency=name,
            )
            return None
        return ResolvedDirectory(**common, path=directory)
    if kind == "git":
        url = _checked(entry, "url", lambda value: check_url(value, kind="git"))
        assert url is not None
        rev = _checked(entry, "rev", check_rev, optional=True)
        subdirectory = _checked(entry, "subdirectory", check_subdirectory, optional=True)
        return ResolvedGit(**common, url=url, rev=rev, subdirectory=subdirectory)
    if kind == "url":
        url = _checked(entry, "url", lambda value: check_url(value, kind="url"))
        assert url is not None
        subdirectory = _checked(entry, "subdirectory", check_subdirectory, optional=True)
        return ResolvedUrl(**common, url=url, subdirectory=subdirectory)
    if kind == "index":
        index = _checked(entry, "index", check_text)
        assert index is not None
        return ResolvedIndex(**common, index=index)
    raise _Bad(f"unknown source kind {str(kind)[:40]!r}")
