"""Reading a file out of a git repository (gitpython, imported only here and only when needed)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, TypeVar

from .errors import ConfigError, MissingDependency
from .urls import redact_credentials

__all__ = ["RevisionNotFound", "with_git_blob"]

T = TypeVar("T")


class RevisionNotFound(ConfigError):
    """The revision a git source names is no commit, tag or branch of the repository."""


_SYMLINK_MODE = 0o120000
"""The mode git gives a symbolic link in a tree."""


def with_git_blob(url: str, rev: str | None, path: str, use: Callable[[BinaryIO], T]) -> T:
    """Clone ``url`` (bare, into a temporary directory), and call ``use`` with a
    binary stream of the file ``path`` at ``rev`` (default: the remote HEAD).

    Error messages name the URL without its credentials, even where git's own do.
    """
    shown, _ = redact_credentials(url)
    try:
        import git
    except ImportError as exc:  # gitpython raises ImportError when the git executable is missing
        missing = MissingDependency.recognise(exc)  # gitpython itself is (a build without isolation)
        if missing is not None:
            raise missing from None
        raise ConfigError(f"reading {path!r} from {shown} needs git (the `git` command): {exc}") from None
    workdir = Path(tempfile.mkdtemp(prefix="sourcelift-git-"))
    try:
        try:
            repo = git.Repo.clone_from(url, workdir / "repo.git", bare=True, multi_options=["--quiet"])
        except git.GitCommandError as exc:
            detail = str(exc.stderr or exc).strip().replace(url, shown)
            raise ConfigError(f"git could not read {shown}: {detail}") from None
        try:
            commit = repo.commit(rev or "HEAD")
        except (ValueError, git.BadName, git.GitCommandError):  # gitpython's text shows its internals: not passed on
            if rev is None:
                raise RevisionNotFound(f"{shown} has no commit on its default branch") from None
            raise RevisionNotFound(
                f"the revision {rev!r} is not in {shown} (no commit, tag or branch of that name)"
            ) from None
        try:
            blob = commit.tree / path
        except (KeyError, ValueError):
            raise ConfigError(f"{path!r} is not in {shown} at {rev or 'HEAD'}") from None
        if blob.type != "blob":
            raise ConfigError(f"{path!r} is a directory in {shown} at {rev or 'HEAD'}, not an archive")
        if blob.mode == _SYMLINK_MODE:  # its content is the link's target, not the archive (git never follows it)
            target = blob.data_stream.read(4096).decode("utf-8", "replace")
            raise ConfigError(
                f"{path!r} is a symbolic link in {shown} at {rev or 'HEAD'} (to {target!r}), not the archive: "
                "name the file it points to"
            )
        return use(blob.data_stream)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
