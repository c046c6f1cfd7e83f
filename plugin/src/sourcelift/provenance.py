"""Provenance recorded at build time: which repository, commit and path a vendored source came from.

When a local-mode build runs in a git work tree, every archive or directory
source of that tree gets an entry: the repository URL (the remote the branch
tracks, else ``origin``; credentials removed, scp-style ``git@host:path``
normalized, local paths as ``file://`` URLs), the full commit id of HEAD, the
branch, the path relative to the repository root, where the building project
lies in it, the archive's sha256, whether git says the file is committed,
modified or untracked (then the commit does not describe it), and the
``Requires-Dist`` lines the build wrote for it.  The document goes into the
wheel's ``.dist-info`` as :data:`WHEEL_FILE` (listed in RECORD), and into a
local-mode sdist as :data:`SDIST_PATH`, from which a wheel built from that
sdist (no ``.git`` there) takes it.

No git executable, no repository, no remote, a remote that is a clone inside a
cache directory that does not say where it was fetched from, any git failure:
no document, and the build goes on.  The git facts are the plan's
(:mod:`sourcelift.rewrite.checkout`): read from disk, with one ``git status``
per build whatever the number of sources; gitpython is never imported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypedDict, Union

from . import __version__
from ._urls import path_to_file_url, redact_credentials
from .artifacts.metadata import Transform, requires_dist
from .gitfacts import is_object_id
from .model import ResolvedArchive, ResolvedDirectory
from .rewrite.checkout import normalize_remote_url, note

try:
    from _json import encode_basestring as _quote  # what json.dumps(ensure_ascii=False) uses
except ImportError:  # pragma: no cover - Pythons without the C accelerator
    from json.encoder import py_encode_basestring as _quote
if TYPE_CHECKING:
    from .rewrite.plan import Plan

__all__ = [
    "SDIST_PATH",
    "VERSION",
    "WHEEL_FILE",
    "Document",
    "Entry",
    "collect",
    "normalize_remote_url",
    "render",
    "sdist_files",
    "wheel_files",
]

VERSION = "1"
WHEEL_FILE = "sourcelift-provenance.json"
"""Name of the document inside the wheel's ``.dist-info`` directory."""
SDIST_PATH = ".sourcelift/provenance.json"
"""Path of the document inside a local-mode sdist, relative to its top directory."""

STATES = ("committed", "modified", "untracked")

Local = Union[ResolvedArchive, ResolvedDirectory]


class Entry(TypedDict):
    """One source's provenance (the JSON object in ``entries``)."""

    name: str
    kind: str
    url: str
    commit_id: str
    requested_revision: str | None
    path: str
    subdirectory: str | None
    filename: str | None
    sha256: str | None
    state: str
    emitted: list[str]


class Document(TypedDict):
    version: str
    generator: str
    entries: list[Entry]


def emitted_lines(metadata: str, transform: Transform) -> list[str]:
    """Every ``Requires-Dist`` value the build writes: the rewritten ones and those it keeps."""
    return [line for value in requires_dist(metadata) for line in (transform(value) or [value])]


def wheel_files(plan: Plan, metadata: str, transform: Transform) -> dict[str, bytes]:
    """Files for the wheel's ``.dist-info`` (name -> bytes): the document, when there is one."""
    document = collect(plan, emitted_lines(metadata, transform))
    return {WHEEL_FILE: render(document)} if document is not None else {}


def sdist_files(plan: Plan, pkg_info: str, transform: Transform) -> dict[str, bytes | Path]:
    """Files for a local-mode sdist (path relative to its top directory -> content)."""
    document = collect(plan, emitted_lines(pkg_info, transform))
    return {SDIST_PATH: render(document)} if document is not None else {}


def render(document: Document) -> bytes:
    """The document as ``json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)`` writes it.

    Without importing :mod:`json`, which a wheel build would otherwise import (and compile its
    regular expressions) for this one file: the document holds only strings, lists and ``None``.
    """
    return (_json_text(document, "") + "\n").encode("utf-8")


def _json_text(value: object, indent: str) -> str:
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ",\n".join(f"{inner}{_quote(k)}: {_json_text(v, inner)}" for k, v in sorted(value.items()))
        return f"{{\n{items}\n{indent}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _json_text(v, inner) for v in value) + f"\n{indent}]"
    raise TypeError(f"not in a provenance document: {value!r}")


def collect(plan: Plan, lines: Sequence[str]) -> Document | None:
    """The provenance of ``plan``'s archive and directory sources, or ``None`` when there is none.

    ``lines`` are the ``Requires-Dist`` values the build writes; each entry lists
    those that name its source.  A plan read from a local-mode sdist's record takes
    the document the sdist carries, matched to its sources again.
    """
    if plan.mode != "local":
        return None
    sources = [
        s for items in plan.sources.values() for s in items if isinstance(s, (ResolvedArchive, ResolvedDirectory))
    ]
    if not sources:
        return None
    if plan.from_record:
        return _from_sdist(plan, sources, lines)
    checkout = plan.checkout
    if checkout is None:
        return None
    targets = _targets(lines)
    subdirectory = checkout.subdirectory
    entries: list[Entry] = []
    for source in sources:
        rel = checkout.relative(source.path)
        if rel is None:
            continue
        archive = isinstance(source, ResolvedArchive)
        state = checkout.state(source.path, directory=not archive)
        if state is None:
            return None  # git could not tell (noted)
        entries.append(
            Entry(
                name=source.name,
                kind="archive" if archive else "directory",
                url=checkout.url,
                commit_id=checkout.commit,
                requested_revision=checkout.branch,
                path=rel,
                subdirectory=None if subdirectory in (None, ".") else subdirectory,
                filename=source.filename if isinstance(source, ResolvedArchive) else None,
                sha256=source.sha256 if isinstance(source, ResolvedArchive) else None,
                state=state,
                emitted=_emitted(source, plan, targets),
            )
        )
    return _document(entries)


def _targets(lines: Iterable[str]) -> list[tuple[str, str, str]]:
    """(canonical name, URL, line) of each direct reference among ``lines``."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    out: list[tuple[str, str, str]] = []
    for line in lines:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.url:
            out.append((canonicalize_name(requirement.name), requirement.url, line))
    return out


def _emitted(source: Local, plan: Plan, targets: list[tuple[str, str, str]]) -> list[str]:
    """The lines that name ``source``: its store copy for an archive, its location (or its place in
    the repository) for a directory."""
    if isinstance(source, ResolvedArchive):
        urls = {path_to_file_url(plan.store.path_for(source.sha256, source.filename))}
    else:
        urls = {path_to_file_url(source.path), source.in_git or ""}
        if plan.checkout is not None:
            urls.add(plan.checkout.git_target(source) or "")
    return [line for name, target, line in targets if name == source.name and target in urls]


def _document(entries: list[Entry]) -> Document | None:
    unique: list[Entry] = []
    for entry in sorted(entries, key=lambda e: (e["name"], e["kind"], e["path"])):
        if entry not in unique:
            unique.append(entry)
    if not unique:
        return None
    return Document(version=VERSION, generator=f"sourcelift {__version__}", entries=unique)


def _note(message: str) -> None:
    note(message)


# A wheel built from a local-mode sdist: the document the sdist carries, checked and matched again.


def _from_sdist(plan: Plan, sources: list[Local], lines: Sequence[str]) -> Document | None:
    path = plan.root / SDIST_PATH
    if not path.is_file():
        return None
    entries = _load_entries(path)
    if entries is None:
        _note(f"no provenance recorded: {SDIST_PATH} in this sdist is not a provenance document of version {VERSION}")
        return None
    targets = _targets(lines)
    matched: list[Entry] = []
    for entry in entries:
        source = _match(entry, sources)
        if source is not None:
            matched.append({**entry, "emitted": _emitted(source, plan, targets)})
    return _document(matched)


def _match(entry: Entry, sources: list[Local]) -> Local | None:
    """The source of the sdist's record an entry describes: an archive by its hash, a directory by its path."""
    for source in sources:
        if source.name != entry["name"]:
            continue
        if isinstance(source, ResolvedArchive):
            if entry["kind"] == "archive" and entry["sha256"] == source.sha256:
                return source
        elif entry["kind"] == "directory":
            # The record names the directory as it was on this machine; the entry, relative to the repository.
            tail = PurePosixPath(entry["path"]).parts
            parts = Path(os.path.realpath(source.path)).parts
            if not tail or parts[len(parts) - len(tail) :] == tail:
                return source
    return None


def _load_entries(path: Path) -> list[Entry] | None:
    """The entries of a document written by :func:`render`, or ``None`` if it is not one (never trusted blindly)."""
    import json

    try:
        if path.stat().st_size > 16 * 1024 * 1024:
            return None
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        return None
    items = document.get("entries")
    if not isinstance(items, list):
        return None
    entries: list[Entry] = []
    for item in items:
        entry = _checked_entry(item)
        if entry is None:
            return None
        entries.append(entry)
    return entries


def _optional_str(value: object) -> bool:
    return value is None or isinstance(value, str)


def _checked_entry(item: object) -> Entry | None:
    if not isinstance(item, dict):
        return None
    strings = ("name", "kind", "url", "commit_id", "path", "state")
    if not all(isinstance(item.get(key), str) for key in strings):
        return None
    if not all(_optional_str(item.get(key)) for key in ("requested_revision", "subdirectory", "filename", "sha256")):
        return None
    emitted = item.get("emitted", [])
    if not isinstance(emitted, list) or not all(isinstance(line, str) for line in emitted):
        return None
    relative = PurePosixPath(item["path"])
    if relative.is_absolute() or ".." in relative.parts or item["state"] not in STATES:
        return None
    if not is_object_id(item["commit_id"]):
        return None
    if item["kind"] == "archive":
        sha256 = item.get("sha256")
        if (
            not isinstance(sha256, str)
            or len(sha256) != 64
            or sha256.strip("0123456789abcdef")
            or not item.get("filename")
        ):
            return None
    elif item["kind"] != "directory":
        return None
    return Entry(
        name=item["name"],
        kind=item["kind"],
        url=redact_credentials(item["url"])[0],
        commit_id=item["commit_id"],
        requested_revision=item.get("requested_revision"),
        path=item["path"],
        subdirectory=item.get("subdirectory"),
        filename=item.get("filename"),
        sha256=item.get("sha256"),
        state=item["state"],
        emitted=list(emitted),
    )
