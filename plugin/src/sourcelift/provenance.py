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
sdist (no ``.git`` there) takes it.  The document's model, writer and parser (with its
policy for bad entries) are :mod:`sourcelift.provenance_document`, shared with the command.

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
from typing import TYPE_CHECKING, Union

from . import __version__
from .artifacts.metadata import Transform
from .core_metadata import requires_dist
from .model import ResolvedArchive, ResolvedDirectory
from .provenance_document import (
    MAX_DOCUMENT_BYTES,
    SDIST_PATH,
    VERSION,
    WHEEL_FILE,
    Entry,
    parse_document,
    render_document,
    unique_entries,
)
from .rewrite.checkout import normalize_remote_url, note
from .urls import path_to_file_url

if TYPE_CHECKING:
    from .rewrite.plan import Plan

__all__ = [
    "SDIST_PATH",
    "VERSION",
    "WHEEL_FILE",
    "Entry",
    "collect",
    "normalize_remote_url",
    "render",
    "sdist_files",
    "wheel_files",
]


Local = Union[ResolvedArchive, ResolvedDirectory]


def emitted_lines(metadata: str, transform: Transform) -> list[str]:
    """Every ``Requires-Dist`` value the build writes: the rewritten ones and those it keeps."""
    return [line for value in requires_dist(metadata) for line in (transform(value) or [value])]


def wheel_files(plan: Plan, metadata: str, transform: Transform) -> dict[str, bytes]:
    """Files for the wheel's ``.dist-info`` (name -> bytes): the document, when there is one."""
    entries = collect(plan, emitted_lines(metadata, transform))
    return {WHEEL_FILE: render(entries)} if entries else {}


def sdist_files(plan: Plan, pkg_info: str, transform: Transform) -> dict[str, bytes | Path]:
    """Files for a local-mode sdist (path relative to its top directory -> content)."""
    entries = collect(plan, emitted_lines(pkg_info, transform))
    return {SDIST_PATH: render(entries)} if entries else {}


def render(entries: list[Entry]) -> bytes:
    """The document's bytes, naming this sourcelift as its generator."""
    return render_document(entries, f"sourcelift {__version__}")


def collect(plan: Plan, lines: Sequence[str]) -> list[Entry] | None:
    """The provenance entries of ``plan``'s archive and directory sources, or ``None`` when there is none.

    ``lines`` are the ``Requires-Dist`` values the build writes; each entry lists
    those that name its source.  A plan read from a local-mode sdist's sources file takes
    the document the sdist carries, matched to its sources again.
    """
    if plan.mode != "local":
        return None
    sources = [
        s for items in plan.sources.values() for s in items if isinstance(s, (ResolvedArchive, ResolvedDirectory))
    ]
    if not sources:
        return None
    if plan.from_local_sdist:
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
    return unique_entries(entries) or None


def _targets(lines: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """(URL, line) of each direct reference among ``lines``, by the canonical name it requires."""
    from packaging.requirements import InvalidRequirement
    from packaging.utils import canonicalize_name

    from .values import parsed_requirement

    out: dict[str, list[tuple[str, str]]] = {}
    for line in lines:
        try:
            requirement = parsed_requirement(line)
        except InvalidRequirement:
            continue
        if requirement.url:
            out.setdefault(canonicalize_name(requirement.name), []).append((requirement.url, line))
    return out


def _emitted(source: Local, plan: Plan, targets: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The lines that name ``source``: its store copy for an archive, its location (or its place in
    the repository) for a directory."""
    named = targets.get(source.name)  # a workspace member's source: one of dozens, found without a scan
    if not named:
        return []
    if isinstance(source, ResolvedArchive):
        urls = {path_to_file_url(plan.store.path_for(source.sha256, source.filename))}
    else:
        urls = {source.in_git or ""}
        if plan.checkout is not None:
            urls.add(plan.checkout.git_target(source) or "")
        if any(target.startswith("file:") for target, _ in named):  # its path's URL, when a line names one
            urls.add(path_to_file_url(source.path))
    return [line for target, line in named if target in urls]


def _note(message: str) -> None:
    note(message)


# A wheel built from a local-mode sdist: the document the sdist carries, checked and matched again.


def _from_sdist(plan: Plan, sources: list[Local], lines: Sequence[str]) -> list[Entry] | None:
    path = plan.root / SDIST_PATH
    try:
        if not path.is_file():
            return None
        with open(path, "rb") as stream:
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        _note(f"no provenance recorded: {SDIST_PATH} in this sdist cannot be read ({exc.strerror or exc})")
        return None
    entries, problems = parse_document(data, SDIST_PATH)
    for problem in problems:
        _note(f"provenance: {problem}{'' if entries else '; no provenance recorded'}")
    targets = _targets(lines)
    matched: list[Entry] = []
    for entry in entries:
        source = _match(entry, sources)
        if source is not None:
            matched.append(entry.replace(emitted=_emitted(source, plan, targets)))
    return unique_entries(matched) or None


def _match(entry: Entry, sources: list[Local]) -> Local | None:
    """The source of the sdist's sources file an entry describes: an archive by its hash, a directory by its path."""
    for source in sources:
        if source.name != entry.name:
            continue
        if isinstance(source, ResolvedArchive):
            if entry.kind == "archive" and entry.sha256 == source.sha256:
                return source
        elif entry.kind == "directory":
            # The sources file names the directory as it was on this machine; the entry, relative to the repository.
            tail = PurePosixPath(entry.path).parts
            parts = Path(os.path.realpath(source.path)).parts
            if not tail or parts[len(parts) - len(tail) :] == tail:
                return source
    return None
