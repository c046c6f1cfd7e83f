"""The git checkout a local-mode build runs in, as far as its in-repository sources are concerned.

When the project being built lies in a git work tree with a remote, each archive
or directory source inside that work tree has a place in the repository: the
remote's URL (credentials removed), HEAD's commit, and its path.  Two things use
that: the provenance document (:mod:`sourcelift.provenance`), and the lines of
directory sources, which become ``name @ git+URL@COMMIT#subdirectory=PATH`` when
the directory is committed and unmodified, so that what pip or uv installs from a
temporary clone does not name the clone.

The facts come from disk and one ``git status`` (:mod:`sourcelift.gitfacts`),
started when the plan is made and read when the built metadata is rewritten.
uv builds a git dependency in a checkout of its own cached clone; the repository
that clone was fetched from is recovered from the clone's ``FETCH_HEAD`` where it
names one URL.  Otherwise (no remote, no commit, git unusable) there are no facts
and every line is what it is outside git.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Union

from .._files import open_regular, real_path
from ..gitfacts import (
    ContainsQuery,
    Head,
    Repository,
    StatusQuery,
    cache_remote_url,
    find_repository,
    path_state,
)
from ..model import ResolvedArchive, ResolvedDirectory
from ..urls import FRAGMENT_SAFE, installable_git_url, path_to_file_url, redact_credentials, scp_as_ssh_url
from ..values import check_url

__all__ = ["Checkout", "normalize_remote_url", "open_checkout"]

Local = Union[ResolvedArchive, ResolvedDirectory]

_CACHEDIR_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"


class Checkout:
    """Where a build's in-repository sources lie, and (once ``git status`` answered) their state."""

    def __init__(
        self,
        repository: Repository,
        head: Head,
        url: str,
        located: dict[Path, str],
        query: StatusQuery,
        root: Path,
        on_remote: bool | ContainsQuery = True,
    ) -> None:
        self.repository = repository
        self.commit: str = head.commit or ""
        self.branch = head.branch
        self.url = url
        self.located = located
        """Each source path inside the work tree -> its path relative to the top (posix)."""
        self.subdirectory = _relative(root, Path(real_path(repository.top)))
        """Where the building project lies in the repository (``"."`` at its top)."""
        self._query = query
        self._noted = False
        self._on_remote = on_remote
        """Whether HEAD is on the remote as far as the remote-tracking refs say (a ``git+`` line of a
        commit the remote does not have installs nowhere, not even here)."""
        self._noted_remote = False

    def on_remote(self) -> bool:
        """Whether HEAD is contained in a remote-tracking ref; when it is not, that is noted once."""
        answer = self._on_remote if isinstance(self._on_remote, bool) else self._on_remote.result()
        if answer is True:
            return True
        if not self._noted_remote:
            self._noted_remote = True
            why = "is on no remote-tracking branch" if answer is False else f"could not be placed ({answer})"
            note(
                f"directories of this checkout are named by their path, not as `git+URL@COMMIT`: HEAD "
                f"({self.commit[:12]}) {why} of {self.url}, so the remote may not have it; push (and fetch) "
                "for lines that install anywhere"
            )
        return False

    def relative(self, path: Path) -> str | None:
        return self.located.get(path)

    def state(self, path: Path, *, directory: bool) -> str | None:
        """``committed`` / ``modified`` / ``untracked``, or ``None`` when git could not tell (noted once)."""
        rel = self.located.get(path)
        if rel is None:
            return None
        changes = self._query.result()
        if isinstance(changes, str):
            if not self._noted:
                self._noted = True
                note(f"no provenance recorded: git is not usable ({changes})")
            return None
        return path_state(rel, changes, directory=directory, building=self.subdirectory)

    def git_target(self, source: ResolvedDirectory) -> str | None:
        """``git+URL@COMMIT#subdirectory=PATH`` for a committed, unmodified directory; else ``None``.

        A path with a character outside letters, digits and ``-._~/+`` (a space, ``#``, ``&``, ``%``,
        non-ASCII) has no form every installer reads back in a ``#subdirectory=`` fragment (pip takes
        it as written, up to a ``&``; a space ends the URL): such a directory keeps its ``file:`` URL.
        """
        rel = self.located.get(source.path)
        if rel is None or rel.strip(FRAGMENT_SAFE):
            return None
        if self.state(source.path, directory=True) != "committed":
            return None
        if not self.on_remote():
            return None
        fragment = "" if rel == "." else f"#subdirectory={rel}"
        return f"git+{installable_git_url(self.url)}@{self.commit}{fragment}"


def open_checkout(root: Path, sources: Sequence[Local], store_root: Path) -> Checkout | None:
    """The checkout of the project at ``root`` for ``sources``; ``None`` without usable git facts.

    Starts the one ``git status`` the build needs.
    """
    found = find_repository(root)
    if isinstance(found, str):
        return None  # not in a work tree (or redirected): as outside git
    top = found.top
    store = Path(real_path(store_root))
    real_top = Path(real_path(top))
    located: dict[Path, str] = {}
    for source in sources:
        if isinstance(source, ResolvedArchive) and _relative(source.path, store) is not None:
            continue  # fetched from a remote repository into the store
        rel = _relative(source.path, real_top)
        if rel is not None:
            located[source.path] = rel
    if not located:
        return None
    why = found.unsupported()
    if why is not None:
        note(f"no provenance recorded: {why}, which sourcelift does not read")
        return None
    head = found.head()
    if head is None or head.commit is None:
        return None  # no commit yet, or refs sourcelift cannot read
    raw_url = found.remote_url(head.branch)
    if raw_url is None:
        return None
    url = normalize_remote_url(raw_url, top)
    cache = _cache_directory(url)
    if cache is not None:
        # uv builds in a checkout of its own clone, in its cache: ask that clone where it came from.
        recovered = cache_remote_url(_file_url_path(url))
        if recovered is None:
            note(
                f"no provenance recorded: the repository's remote is a copy inside the cache {cache}, "
                "which does not say where it was fetched from"
            )
            return None
        url = normalize_remote_url(recovered, top)
        head = Head(head.commit, None)  # the branch is the cache's, not one the user asked for
    problem = check_url(url, kind="git")
    if problem is not None:
        # a remote a `git+` line cannot name (`#egg=x` would swallow the commit and subdirectory, `@` in
        # the path or a space breaks the line): as without a remote.  Not quoted: its credentials may sit
        # where the redactor does not look (`user:token@host:path` is scp-like host `user`).
        note(f"no provenance recorded: the repository's remote URL {problem}")
        return None
    # uv's clone holds what it fetched from the remote; elsewhere HEAD at a remote-tracking tip (a fresh
    # clone, CI, pip's clone) is read from disk, and only a commit past them asks git
    on_remote: bool | ContainsQuery = True
    commit = head.commit
    if cache is None and commit is not None and commit not in found.remote_tracking_commits():
        on_remote = ContainsQuery(found, commit)
    return Checkout(found, head, url, located, StatusQuery(found, located.values()), root, on_remote)


def _relative(path: Path, real_top: Path) -> str | None:
    """``path`` (its symlinks resolved) relative to ``real_top`` (resolved already), posix; ``None`` outside it."""
    real = real_path(path)
    top = str(real_top)
    if real == top:
        return "."
    prefix = top if top.endswith(os.sep) else top + os.sep
    if not real.startswith(prefix):
        return None
    return real[len(prefix) :].replace(os.sep, "/")


def normalize_remote_url(url: str, base: Path) -> str:
    """A remote as a credential-free URL: scp-style becomes ``ssh://``, a local path ``file://``.

    ``base`` is where a relative local path is relative to (the work tree).

    >>> normalize_remote_url("git@github.com:org/repo.git", Path("/w"))
    'ssh://git@github.com/org/repo.git'
    >>> normalize_remote_url("https://me:tok@example.com/r.git", Path("/w"))
    'https://example.com/r.git'
    >>> normalize_remote_url("/srv/git/r.git", Path("/w"))
    'file:///srv/git/r.git'
    >>> normalize_remote_url("file://localhost/srv/git/r.git", Path("/w"))
    'file:///srv/git/r.git'
    """
    url = url.strip()
    drive = len(url) > 2 and url[0].isascii() and url[0].isalpha() and url[1] == ":" and url[2] in "\\/"
    if drive:
        url = path_to_file_url(Path(url))
    elif "://" not in url:
        # scp-like syntax, as git reads it (`[user@]host:path`), or a local path
        ssh = scp_as_ssh_url(url)
        url = ssh if ssh is not None else path_to_file_url(Path(os.path.normpath(base / os.path.expanduser(url))))
    clean, _ = redact_credentials(url)
    if clean.startswith("file://localhost/"):  # a clone of a local-mode line's repository: one spelling
        clean = "file:///" + clean[len("file://localhost/") :]
    return clean


def _file_url_path(url: str) -> Path:
    from urllib.parse import unquote, urlsplit

    return Path(unquote(urlsplit(url).path))


def _cache_directory(url: str) -> Path | None:
    """The cache directory (tagged with ``CACHEDIR.TAG``) a ``file://`` remote lies in, if any."""
    if not url.startswith("file://"):
        return None
    path = _file_url_path(url)
    for directory in (path, *path.parents):
        try:
            with open_regular(directory / "CACHEDIR.TAG") as tag:  # a FIFO there would block the build
                if tag.read(len(_CACHEDIR_SIGNATURE)) == _CACHEDIR_SIGNATURE:
                    return directory
        except OSError:
            continue
    return None


_said: set[str] | None = None
"""The notes said so far inside :func:`notes_once`, else ``None`` (every note is said)."""


@contextlib.contextmanager
def notes_once() -> Iterator[None]:
    """Say each note once while inside: `sourcelift explain` of a workspace root plans each member, and
    the members of one checkout would repeat the same words."""
    global _said
    outer, _said = _said, set() if _said is None else _said
    try:
        yield
    finally:
        _said = outer


def note(message: str) -> None:
    if _said is not None:
        if message in _said:
            return
        _said.add(message)
    from ..errors import printable

    print(printable(f"sourcelift: note: {message}"), file=sys.stderr, flush=True)
