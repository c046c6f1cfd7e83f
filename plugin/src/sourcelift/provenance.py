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
cache directory (uv builds git dependencies in checkouts of its cached clone),
any git failure: no document, and the build goes on.  gitpython is imported
only when the build has an archive or directory source inside a directory that
has a ``.git``; then one ``git status`` runs per build, whatever the number of
sources.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Union

from . import __version__
from .artifacts.metadata import Transform
from .core_metadata import requires_dist
from .gitstatus import parse_status
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
from .urls import path_to_file_url, redact_credentials

if TYPE_CHECKING:
    import git

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

_HEX40 = re.compile(r"[0-9a-f]{40}")
# scp-like syntax, as git reads it: no slash before the first colon, not a URL.
_SCP = re.compile(r"^(?:(?P<user>[^@/:]+)@)?(?P<host>[^@/:]+):(?P<path>.*)$")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

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
    top = _enclosing_work_tree(plan.root)
    if top is None:
        return None
    store = os.path.realpath(plan.store.root)
    inside = [
        s
        for s in sources
        if _relative(s.path, top) is not None
        and not (isinstance(s, ResolvedArchive) and _relative(s.path, Path(store)) is not None)  # fetched from git
    ]
    if not inside:
        return None
    return _from_git(plan, inside, lines)


def _enclosing_work_tree(root: Path) -> Path | None:
    """The nearest directory at or above ``root`` holding ``.git``: a cheap test before gitpython."""
    start = Path(os.path.realpath(root))
    for directory in (start, *start.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return None


def _relative(path: Path, top: Path) -> str | None:
    """``path`` relative to ``top`` (both with symlinks resolved), posix; ``None`` outside it."""
    try:
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(top)).as_posix()
    except ValueError:
        return None


def _from_git(plan: Plan, sources: list[Local], lines: Sequence[str]) -> list[Entry] | None:
    try:
        import git
    except Exception as exc:  # gitpython raises ImportError when there is no git executable
        _note(f"no provenance recorded: git is not usable ({type(exc).__name__})")
        return None
    try:
        with git.Repo(plan.root, search_parent_directories=True) as repo:
            if repo.bare or repo.working_tree_dir is None:
                return None
            top = Path(os.path.realpath(repo.working_tree_dir))
            located = [(s, rel) for s in sources if (rel := _relative(s.path, top)) is not None]
            if not located:
                return None
            # From the ref files, without asking git's object database (which starts a process).
            commit = git.SymbolicReference.dereference_recursive(repo, "HEAD")
            if not _HEX40.fullmatch(commit):
                return None
            branch = None if repo.head.is_detached else repo.active_branch.name
            raw_url = _remote_url(repo, branch)
            if raw_url is None:
                return None
            url = normalize_remote_url(raw_url, top)
            cache = _cache_directory(url)
            if cache is not None:
                # uv builds in a checkout of its own clone, in its cache: not where the sources came from.
                _note(f"no provenance recorded: the repository's remote is a copy inside the cache {cache}")
                return None
            status = repo.git.status(
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--ignored=matching",
                "--",
                *sorted({f":(literal){rel}" for _, rel in located}),
                env={"GIT_OPTIONAL_LOCKS": "0"},  # status must not write the index of the tree being built
            )
    except Exception as exc:  # no commit yet, unreadable config, git refusing the directory: no provenance
        _note(f"no provenance recorded: git could not describe {plan.root} ({type(exc).__name__})")
        return None
    changes = _parse_status(status)
    subdirectory = _relative(plan.root, top)
    targets = _targets(lines)
    entries: list[Entry] = []
    for source, rel in located:
        archive = isinstance(source, ResolvedArchive)
        entries.append(
            Entry(
                name=source.name,
                kind="archive" if archive else "directory",
                url=url,
                commit_id=commit,
                requested_revision=branch,
                path=rel,
                subdirectory=None if subdirectory in (None, ".") else subdirectory,
                filename=source.filename if isinstance(source, ResolvedArchive) else None,
                sha256=source.sha256 if isinstance(source, ResolvedArchive) else None,
                state=_state(rel, changes, directory=not archive),
                emitted=_emitted(source, plan, targets),
            )
        )
    return unique_entries(entries) or None


def _remote_url(repo: git.Repo, branch: str | None) -> str | None:
    """URL of the remote ``branch`` tracks, else of ``origin``; ``None`` without either."""
    with repo.config_reader() as config:
        remotes = {section[len('remote "') : -1] for section in config.sections() if section.startswith('remote "')}
        name = None
        if branch is not None:
            name = str(config.get_value(f'branch "{branch}"', "remote", default="")) or None
        if name not in remotes:
            name = "origin" if "origin" in remotes else None
        if name is None:
            return None
        urls = config.get_values(f'remote "{name}"', "url", default="")
    first = str(urls[0]) if urls else ""
    return first or None


def normalize_remote_url(url: str, base: Path) -> str:
    """A remote as a credential-free URL: scp-style becomes ``ssh://``, a local path ``file://``.

    ``base`` is where a relative local path is relative to (the work tree).

    >>> normalize_remote_url("git@github.com:org/repo.git", Path("/w"))
    'ssh://git@github.com/org/repo.git'
    >>> normalize_remote_url("https://me:tok@example.com/r.git", Path("/w"))
    'https://example.com/r.git'
    >>> normalize_remote_url("/srv/git/r.git", Path("/w"))
    'file:///srv/git/r.git'
    """
    url = url.strip()
    if "://" not in url and not _DRIVE.match(url):
        scp = _SCP.match(url)
        if scp is not None and "/" not in url.split(":", 1)[0]:
            user = f"{scp['user']}@" if scp["user"] else ""
            url = f"ssh://{user}{scp['host']}/{scp['path'].lstrip('/')}"
        else:
            url = path_to_file_url(Path(os.path.normpath(base / os.path.expanduser(url))))
    elif _DRIVE.match(url):
        url = path_to_file_url(Path(url))
    clean, _ = redact_credentials(url)
    return clean


_CACHEDIR_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"


def _cache_directory(url: str) -> Path | None:
    """The cache directory (tagged with ``CACHEDIR.TAG``) a ``file://`` remote lies in, if any."""
    if not url.startswith("file://"):
        return None
    from urllib.parse import unquote, urlsplit

    path = Path(unquote(urlsplit(url).path))
    for directory in (path, *path.parents):
        try:
            with open(directory / "CACHEDIR.TAG", "rb") as tag:
                if tag.read(len(_CACHEDIR_SIGNATURE)) == _CACHEDIR_SIGNATURE:
                    return directory
        except OSError:
            continue
    return None


# Status entries: path -> "modified" | "untracked" | "ignored" (paths ending in "/" stand for a whole directory).


def _parse_status(output: str) -> dict[str, str]:
    changes: dict[str, str] = {}
    for code, path, source in parse_status(output):
        if code == "??":
            changes[path] = "untracked"
        elif code == "!!":
            changes[path] = "ignored"
        elif code[0] in "RCA":
            changes[path] = "untracked"  # not at this path in HEAD
            if source is not None and code[0] == "R":
                changes[source] = "modified"  # the path it was renamed from
        else:
            changes[path] = "modified"
    return changes


def _state(rel: str, changes: dict[str, str], *, directory: bool) -> str:
    """What git says of ``rel``: an archive as a file, a directory by every file under it."""
    found: set[str] = set()
    prefix = "" if rel == "." else rel + "/"
    for path, change in changes.items():
        if path.endswith("/") and (rel + "/").startswith(path):
            found.add("untracked")  # the file or directory lies in an untracked or ignored directory
        elif path == rel or (directory and path.startswith(prefix)):
            if change == "ignored" and path != rel and directory:
                continue  # build leftovers inside a directory source (caches, egg-info) are not the source
            found.add("untracked" if change == "ignored" else change)
    if "modified" in found:
        return "modified"
    return "untracked" if found else "committed"


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
    """The lines that name ``source``: its store copy for an archive, its location for a directory."""
    if isinstance(source, ResolvedArchive):
        url = path_to_file_url(plan.store.path_for(source.sha256, source.filename))
    else:
        url = path_to_file_url(source.path)
    return [line for name, target, line in targets if name == source.name and target == url]


def _note(message: str) -> None:
    print(f"sourcelift: note: {message}", file=sys.stderr, flush=True)


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
