"""Archives inside git repositories, fetched at a recorded commit into the archive store.

An installer that took an archive out of a repository (uv's ``vcs_info`` + ``path``, PR 1798's
``file``, or a sourcelift build whose store copy is gone) leaves an environment whose record
names the repository, the commit and the path, but no file any requirement can name.
:class:`GitArchives` reads that file out of the repository at that commit (gitpython, a bare
clone in a temporary directory, one per repository and run) into sourcelift's
content-addressed store (``<store>/sha256/<hex>/<file name>``), where a requirement can name it.

- Credentials are never added: the URL is the recorded one (credential-free by the
  specification, cleaned again here), git never prompts (``GIT_TERMINAL_PROMPT=0``) and messages
  name the URL without credentials.
- A known sha256 is verified while the file is written (a mismatch leaves nothing in the store).
- The path must stay inside the repository; the file is read as a stream, bounded by the
  store's limit; nothing from it is executed.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile

from sourcelift.urls import redact_credentials

from .errors import HookError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FetchedArchive", "GitArchives", "is_lfs_pointer"]

_COMMIT = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
_LFS_HEAD = b"version https://git-lfs.github.com/spec/"


class FetchedArchive:
    """A file read out of a repository into the store."""

    __slots__ = ("commit", "path", "repository", "sha256", "store_path")

    def __init__(self, repository: str, commit: str, path: str, sha256: str, store_path: str) -> None:
        self.repository = repository
        self.commit = commit
        self.path = path
        self.sha256 = sha256
        self.store_path = store_path

    def __repr__(self) -> str:
        return f"FetchedArchive({self.repository!r}, {self.commit[:12]!r}, {self.path!r}, {self.sha256[:12]!r})"


def is_lfs_pointer(path: str) -> bool:
    """Is the file a Git LFS pointer (committed in place of the archive)?"""
    try:
        with open(path, "rb") as stream:
            return stream.read(len(_LFS_HEAD)) == _LFS_HEAD
    except OSError:
        return False


_SCHEMES = ("https", "http", "ssh", "git", "file")
_SCP_LIKE = re.compile(r"[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\\-][^\s]*")


def _clonable(url: str) -> bool:
    """A URL git may clone without running anything: a known transport (never ``ext::``, never an option)."""
    from urllib.parse import urlsplit

    if not url or url.startswith("-") or any(c in url for c in "\x00\n\r"):
        return False
    scheme = urlsplit(url).scheme.lower()
    if scheme:
        return scheme in _SCHEMES and "::" not in url.split("://", 1)[0]
    return bool(_SCP_LIKE.fullmatch(url))


def _repository_path(path: str) -> str | None:
    """``path`` as a posix path inside the repository, or ``None`` if it would leave it."""
    cleaned = path.replace("\\", "/")
    if not cleaned or cleaned.startswith("/") or re.match(r"^[A-Za-z]:", cleaned):
        return None
    normal = posixpath.normpath(cleaned)
    if normal in (".", "..") or normal.startswith("../"):
        return None
    return normal


class GitArchives:
    """Fetch archives from repositories into a store; use as a context manager (clones are removed on exit)."""

    def __init__(self, store_root: str | None = None) -> None:
        from pathlib import Path

        from sourcelift.artifacts.store import Store

        self._store = Store(Path(store_root) if store_root is not None else None)
        self._work: str | None = None
        self._clones: dict[str, Any] = {}
        self._failed: dict[str, HookError] = {}

    def __enter__(self) -> GitArchives:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._clones.clear()
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None

    def fetch(self, repository: str, commit: str, path: str, *, sha256: str | None = None) -> FetchedArchive:
        """The file ``path`` of ``repository`` at ``commit``, in the store; :class:`HookError` if it cannot be had."""
        shown, _ = redact_credentials(repository)
        if not _clonable(repository):
            raise HookError(
                f"{shown!r} is not a repository URL sourcelift clones (https, http, ssh, git, file, user@host:path)",
                "reinstall the distribution from its repository",
            )
        inside = _repository_path(path)
        if inside is None:
            raise HookError(f"{path!r} is not a path inside {shown}; it is not fetched")
        if not _COMMIT.fullmatch(commit):
            raise HookError(f"{commit!r} is not a full commit id; {inside} of {shown} is not fetched")
        filename = posixpath.basename(inside)
        if sha256 is not None:
            try:
                known = self._store.path_for(sha256, filename)
            except Exception as exc:  # the plugin's ConfigError: not a plain name and hash
                raise HookError(str(exc)) from None
            if known.is_file():
                return FetchedArchive(shown, commit, inside, sha256, str(known))
        repo = self._clone(repository, shown)
        import git

        try:
            tree = repo.commit(commit).tree
        except (ValueError, git.BadName, git.GitCommandError):  # gitpython's text shows its internals: not passed on
            raise HookError(
                f"commit {commit} is not in {shown}, so {inside} cannot be read",
                "check that the commit is still in the repository (a force-push or a gc may have removed it)",
            ) from None
        try:
            blob = tree / inside
        except (KeyError, ValueError):
            raise HookError(
                f"{inside} is not in {shown} at commit {commit}",
                "check the recorded path: the file may have been committed later, or under another name",
            ) from None
        if blob.type != "blob":
            raise HookError(f"{inside} at commit {commit} of {shown} is not a file")
        from sourcelift.errors import SourceliftError

        try:
            if sha256 is not None:
                stored = self._store.add_stream(blob.data_stream, sha256, filename)
                digest = sha256
            else:
                digest, stored = self._store.add_unverified(blob.data_stream, filename)
        except SourceliftError as exc:
            raise HookError(
                f"{inside} at commit {commit} of {shown}: {exc}",
                f"the recorded sha256 does not describe that file; check {shown}",
            ) from None
        return FetchedArchive(shown, commit, inside, digest, str(stored))

    def _clone(self, repository: str, shown: str) -> Any:
        if repository in self._failed:
            raise self._failed[repository]
        if repository in self._clones:
            return self._clones[repository]
        try:
            import git
        except ImportError as exc:  # gitpython raises ImportError when the git executable is missing
            raise HookError(f"reading {shown} needs git: {exc}", "install git") from None
        if self._work is None:
            self._work = tempfile.mkdtemp(prefix="sourcelift-freeze-")
        target = os.path.join(self._work, f"repo-{len(self._clones) + len(self._failed)}.git")
        env = {"GIT_TERMINAL_PROMPT": "0"}  # fail rather than ask for a password
        try:
            repo = git.Repo.clone_from(repository, target, bare=True, multi_options=["--quiet"], env=env)
        except git.GitCommandError as exc:
            detail = str(exc.stderr or exc).strip().replace(repository, shown)
            error = HookError(
                f"git could not clone {shown}: {redact_credentials(detail)[0]}",
                "check that the repository is reachable from here (network, access rights)",
            )
            self._failed[repository] = error
            raise error from None
        self._clones[repository] = repo
        return repo
