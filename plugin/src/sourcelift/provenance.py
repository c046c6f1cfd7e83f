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
from typing import TYPE_CHECKING, TypedDict, Union

from . import __version__
from .artifacts.metadata import Transform, requires_dist
from .model import ResolvedArchive, ResolvedDirectory
from .urls import path_to_file_url, redact_credentials

if TYPE_CHECKING:
    import git

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
_HEX40 = re.compile(r"[0-9a-f]{40}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
# scp-like syntax, as git reads it: no slash before the first colon, not a URL.
_SCP = re.compile(r"^(?:(?P<user>[^@/:]+)@)?(?P<host>[^@/:]+):(?P<path>.*)$")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

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
    import json

    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def collect(plan: Plan, lines: Sequence[str]) -> Document | None:
    """The provenance of ``plan``'s archive and directory sources, or ``None`` when there is none.

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


def _from_git(plan: Plan, sources: list[Local], lines: Sequence[str]) -> Document | None:
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
    return _document(entries)


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
    fields = output.split("\0")
    index = 0
    while index < len(fields):
        item = fields[index]
        index += 1
        if len(item) < 4:
            continue
        code, path = item[:2], item[3:]
        if code == "??":
            changes[path] = "untracked"
        elif code == "!!":
            changes[path] = "ignored"
        elif code[0] in "RC":
            changes[path] = "untracked"  # not at this path in HEAD
            if index < len(fields) and code[0] == "R":
                changes[fields[index]] = "modified"  # the path it was renamed from
            index += 1
        elif code[0] == "A":
            changes[path] = "untracked"
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


def _document(entries: list[Entry]) -> Document | None:
    unique: list[Entry] = []
    for entry in sorted(entries, key=lambda e: (e["name"], e["kind"], e["path"])):
        if entry not in unique:
            unique.append(entry)
    if not unique:
        return None
    return Document(version=VERSION, generator=f"sourcelift {__version__}", entries=unique)


def _note(message: str) -> None:
    print(f"sourcelift: note: {message}", file=sys.stderr, flush=True)


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
    """The source of the sdist's sources file an entry describes: an archive by its hash, a directory by its path."""
    for source in sources:
        if source.name != entry["name"]:
            continue
        if isinstance(source, ResolvedArchive):
            if entry["kind"] == "archive" and entry["sha256"] == source.sha256:
                return source
        elif entry["kind"] == "directory":
            # The sources file names the directory as it was on this machine; the entry, relative to the repository.
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
    if not _HEX40.fullmatch(item["commit_id"]):
        return None
    if item["kind"] == "archive":
        if not isinstance(item.get("sha256"), str) or not _HEX64.fullmatch(item["sha256"]) or not item.get("filename"):
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
