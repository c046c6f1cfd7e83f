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
from ..gitfacts import find_repository
from ..gitstatus import parse_status

__all__ = ["RepoState", "clear", "find_repo_root", "repo_state"]

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

    def tree_of(self, directory: Path) -> str | None:
        """The tree id of ``directory`` at HEAD; for the top, HEAD's commit (a stricter key)."""
        relative = directory.relative_to(self.root).as_posix()
        return "commit:" + self.head if relative == "." else self.trees.get(relative)

    def dirty_under(self, directory: Path) -> list[str]:
        """The reported paths inside ``directory`` (the directory itself when it is untracked as a whole)."""
        relative = directory.relative_to(self.root).as_posix()
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
    with _LOCK:
        _STATES.clear()
        _HOLDS_GIT.clear()


def find_repo_root(directory: Path) -> Path | None:
    """The nearest directory at or above ``directory`` holding ``.git`` (a directory, or a worktree's file)."""
    for candidate in (directory, *directory.parents):
        holds = _HOLDS_GIT.get(candidate)
        if holds is None:
            holds = _HOLDS_GIT[candidate] = os.path.exists(os.path.join(candidate, ".git"))
        if holds:
            return candidate
    return None


def repo_state(root: Path, environ: Mapping[str, str]) -> RepoState | str:
    """The state of the repository at ``root``, or why git cannot tell (cached per process)."""
    with _LOCK:
        known = _STATES.get(root)
        if known is None:
            known = _STATES[root] = _ask_git(root, environ)
        return known


def _ask_git(root: Path, environ: Mapping[str, str]) -> RepoState | str:
    repository = find_repository(root, environ)
    if isinstance(repository, str):
        return repository
    why = repository.unsupported()
    if why is not None:
        return f"{why}, which sourcelift does not read"
    head = repository.head()
    if head is None or head.commit is None:
        return f"HEAD in {root} names no commit"
    import subprocess

    env = dict(environ)
    env["GIT_OPTIONAL_LOCKS"] = "0"  # `git status` must not write the index: nothing is written into the tree
    env["GIT_TERMINAL_PROMPT"] = "0"
    commands = {
        "trees": ["git", "ls-tree", "-r", "-d", "-z", "--full-tree", head.commit],
        "status": ["git", "status", "--porcelain=v1", "-z", "--untracked-files=normal", "--ignore-submodules=none"],
    }
    running: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            running[name] = subprocess.Popen(
                command,
                cwd=root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        outputs: dict[str, bytes] = {}
        for name, process in running.items():
            stdout, stderr = process.communicate(timeout=_TIMEOUT)
            if process.returncode != 0:
                detail = stderr.decode("utf-8", "replace").strip().splitlines()
                return f"`{' '.join(commands[name])}` failed in {root}: {detail[-1] if detail else process.returncode}"
            outputs[name] = stdout
    except FileNotFoundError:
        return "git is not installed (no `git` on PATH)"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"git could not be run in {root}: {exc}"
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    trees: dict[str, str] = {}
    for entry in outputs["trees"].split(b"\0"):
        meta, tab, path = entry.partition(b"\t")
        parts = meta.split()
        if tab and len(parts) == 3 and parts[1] == b"tree":
            trees[os.fsdecode(path)] = parts[2].decode("ascii")
    return RepoState(
        root=root,
        head=head.commit,
        tags=hashlib.sha256(repository.tag_refs()).hexdigest(),
        trees=trees,
        dirty=_status_paths(outputs["status"]),
    )


def _status_paths(output: bytes) -> dict[str, bool]:
    """Paths of ``git status --porcelain=v1 -z`` -> whether git tracks them (a rename's old path too)."""
    paths: dict[str, bool] = {}
    for entry in parse_status(output):
        paths[entry.path] = entry.code != "??"
        if entry.source:
            paths[entry.source] = True
    return paths
