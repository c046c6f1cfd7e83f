"""What git says about a repository, asked once per build process.

A build that discovers the versions of many workspace members answers every
member from one reading of its repository: HEAD and the tag refs from the files
under ``.git`` (:mod:`sourcelift.gitfacts`), and two ``git`` processes run side
by side: the tree of every directory at HEAD (``ls-tree``) and what is modified,
staged, deleted or untracked (``status``).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from .._dataclasses import slotted_dataclass
from ..gitfacts import GitProcess, Repository, find_repository
from ..gitstatus import parse_status

__all__ = ["RepoState", "clear", "discard_started", "find_repo_root", "prestart", "repo_state"]

_TIMEOUT = 120.0


@slotted_dataclass
class RepoState:
    root: Path
    head: str
    tags: str
    """sha256 of every tag ref and the object it names."""
    trees: dict[str, str]
    """Tree id at HEAD of every directory but the top, by POSIX path relative to ``root``."""
    dirty: dict[str, bool]
    """Paths (relative to ``root``) that ``git status`` reports -> whether git tracks them
    (modified, staged, deleted: ``True``; untracked: ``False``)."""

    def relative(self, directory: Path) -> str:
        """``directory`` (at or under :attr:`root`) as a POSIX path relative to the root, ``"."`` for the root."""
        # both are Paths, so their texts are normalized: below the root's text, the rest is the relative path
        # (pathlib's relative_to takes some 4 us, and every member's fingerprint asks)
        text, top = str(directory), str(self.root)
        prefix = top if top.endswith(os.sep) else top + os.sep
        if os.sep == "/" and text.startswith(prefix) and text != top:
            return text[len(prefix) :]
        return directory.relative_to(self.root).as_posix()

    def tree_of(self, directory: Path, relative: str | None = None) -> str | None:
        """The tree id of ``directory`` at HEAD; for the top, HEAD's commit (a stricter key).
        ``relative``: :meth:`relative` of ``directory``, when the caller has it."""
        relative = self.relative(directory) if relative is None else relative
        return "commit:" + self.head if relative == "." else self.trees.get(relative)

    def dirty_under(self, directory: Path, relative: str | None = None) -> list[str]:
        """The reported paths inside ``directory`` (the directory itself when it is untracked as a whole).
        ``relative`` as for :meth:`tree_of`."""
        relative = self.relative(directory) if relative is None else relative
        if relative == ".":
            return list(self.dirty)
        prefix = relative + "/"
        return [path for path in self.dirty if path.startswith(prefix) or prefix.startswith(path)]

    def modified_tracked(self) -> list[str]:
        return [path for path, tracked in self.dirty.items() if tracked]


_STATES: dict[Path, RepoState | str] = {}
_LOCK = threading.Lock()


_HOLDS_GIT: dict[Path, bool] = {}
"""Whether a directory holds ``.git``, as asked once per process: the members of a workspace share
their parent directories, and each member's fingerprint walks up through them."""


def clear() -> None:
    """Forget what git said (a long-lived process whose repositories change calls this)."""
    discard_started()
    with _LOCK:
        _STATES.clear()
        _HOLDS_GIT.clear()
        _ROOTS.clear()


_ROOTS: dict[Path, Path | None] = {}
""":func:`find_repo_root` of each directory asked, made of the answers of :data:`_HOLDS_GIT` (so it is
as current as they are): the members of a workspace share the walk above their parent directory."""


def find_repo_root(directory: Path) -> Path | None:
    """The nearest directory at or above ``directory`` holding ``.git`` (a directory, or a worktree's file)."""
    if directory in _ROOTS:
        return _ROOTS[directory]
    holds = _HOLDS_GIT.get(directory)
    if holds is None:
        holds = _HOLDS_GIT[directory] = os.path.exists(os.path.join(directory, ".git"))
    parent = directory.parent
    root = directory if holds else None if parent == directory else find_repo_root(parent)
    _ROOTS[directory] = root
    return root


def repo_state(root: Path, environ: Mapping[str, str]) -> RepoState | str:
    """The state of the repository at ``root``, or why git cannot tell (cached per process)."""
    with _LOCK:
        known = _STATES.get(root)
        if known is None:
            started = _STARTED.pop(root, None) or _start(root, environ)
            known = _STATES[root] = started if isinstance(started, str) else started.collect()
        return known


def prestart(root: Path, environ: Mapping[str, str]) -> None:
    """Start the ``git`` processes :func:`repo_state` needs for the repository at or above ``root`` now,
    so that they run while the build reads its project; :func:`discard_started` ends them when no
    version was asked for after all."""
    top = find_repo_root(root)
    if top is None:
        return
    with _LOCK:
        if top not in _STATES and top not in _STARTED:
            started = _start(top, environ)
            if isinstance(started, str):
                _STATES[top] = started
            else:
                _STARTED[top] = started


def discard_started() -> None:
    """Stop the processes :func:`prestart` started whose answer nobody asked for."""
    with _LOCK:
        for started in _STARTED.values():
            started.stop()
        _STARTED.clear()


class _Started:
    """The two ``git`` processes of one repository's state, running."""

    def __init__(self, root: Path, repository: Repository, head: str, running: dict[str, GitProcess]) -> None:
        self.root = root
        self.repository = repository
        self.head = head
        self.running = running

    def stop(self) -> None:
        for process in self.running.values():
            process.stop()

    def collect(self) -> RepoState | str:
        outputs: dict[str, bytes] = {}
        try:
            for name, process in self.running.items():
                output = process.output(timeout=_TIMEOUT)
                if isinstance(output, str):
                    return output
                outputs[name] = output
        finally:
            self.stop()
        trees: dict[str, str] = {}
        for entry in outputs["trees"].split(b"\0"):
            meta, tab, path = entry.partition(b"\t")
            parts = meta.split()
            if tab and len(parts) == 3 and parts[1] == b"tree":
                trees[os.fsdecode(path)] = parts[2].decode("ascii")
        return RepoState(
            root=self.root,
            head=self.head,
            tags=hashlib.sha256(self.repository.tag_refs()).hexdigest(),
            trees=trees,
            dirty=_status_paths(outputs["status"]),
        )


_STARTED: dict[Path, _Started] = {}


def _start(root: Path, environ: Mapping[str, str]) -> _Started | str:
    """Read HEAD from disk and start ``git ls-tree`` (the tree of every directory at HEAD) and
    ``git status`` side by side; or say why git cannot tell."""
    repository = find_repository(root, environ)
    if isinstance(repository, str):
        return repository
    why = repository.unsupported()
    if why is not None:
        return f"{why}, which sourcelift does not read"
    head = repository.head()
    if head is None or head.commit is None:
        return f"HEAD in {root} names no commit"
    running = {
        "trees": GitProcess(["ls-tree", "-r", "-d", "-z", "--full-tree", head.commit], root, environ),
        "status": GitProcess(
            ["status", "--porcelain=v1", "-z", "--untracked-files=normal", "--ignore-submodules=none"], root, environ
        ),
    }
    return _Started(root, repository, head.commit, running)


def _status_paths(output: bytes) -> dict[str, bool]:
    """Paths of ``git status --porcelain=v1 -z`` -> whether git tracks them (a rename's old path too)."""
    paths: dict[str, bool] = {}
    for entry in parse_status(output):
        paths[entry.path] = entry.code != "??"
        if entry.source:
            paths[entry.source] = True
    return paths
