"""What git says about a repository, asked once per build process (the ``git`` CLI, no gitpython).

A build that discovers the versions of many workspace members asks git four
questions per repository, all at once, and answers every member from them: HEAD's
commit and tree, the tag refs, the tree of every directory at HEAD, and whether
anything in the work tree is modified or untracked.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from .._dataclasses import slotted_dataclass
from ..gitstatus import parse_status

__all__ = ["RepoState", "clear", "find_repo_root", "repo_state"]

_TIMEOUT = 120.0
# Variables that point git somewhere else than the directory the member is in;
# with one of them set, git's answers would not be about the member's repository.
_REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")


@slotted_dataclass
class RepoState:
    root: Path
    head: str
    head_tree: str
    tags: str
    """sha256 of every tag ref and the object it names."""
    trees: dict[str, str]
    """Tree id at HEAD of every directory, by POSIX path relative to ``root``."""
    dirty: list[str]
    """Paths (relative to ``root``) that ``git status`` reports: modified, staged, deleted or untracked."""

    def tree_of(self, directory: Path) -> str | None:
        relative = directory.relative_to(self.root).as_posix()
        return self.head_tree if relative == "." else self.trees.get(relative)


_STATES: dict[Path, RepoState | str] = {}


def clear() -> None:
    """Forget what git said (a long-lived process whose repositories change calls this)."""
    _STATES.clear()


def find_repo_root(directory: Path) -> Path | None:
    """The nearest directory at or above ``directory`` holding ``.git`` (a directory, or a worktree's file)."""
    for candidate in (directory, *directory.parents):
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
    return None


def repo_state(root: Path, environ: Mapping[str, str]) -> RepoState | str:
    """The state of the repository at ``root``, or why git cannot tell (cached per process)."""
    known = _STATES.get(root)
    if known is None:
        known = _STATES[root] = _ask_git(root, environ)
    return known


def _ask_git(root: Path, environ: Mapping[str, str]) -> RepoState | str:
    redirected = [name for name in _REDIRECTS if environ.get(name)]
    if redirected:
        return f"{', '.join(redirected)} is set, so git may describe another repository than {root}"
    import subprocess

    env = dict(environ)
    env["GIT_OPTIONAL_LOCKS"] = "0"  # `git status` must not write the index: nothing is written into the tree
    env["GIT_TERMINAL_PROMPT"] = "0"
    commands = {
        "head": ["git", "rev-parse", "HEAD^{commit}", "HEAD^{tree}"],
        "tags": ["git", "for-each-ref", "--format=%(objectname) %(refname)", "refs/tags"],
        "trees": ["git", "ls-tree", "-r", "-d", "-z", "--full-tree", "HEAD"],
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
    head_lines = outputs["head"].decode("ascii", "replace").split()
    if len(head_lines) != 2:
        return f"git rev-parse gave no commit and tree for HEAD in {root}"
    trees: dict[str, str] = {}
    for entry in outputs["trees"].split(b"\0"):
        meta, tab, path = entry.partition(b"\t")
        parts = meta.split()
        if tab and len(parts) == 3 and parts[1] == b"tree":
            trees[os.fsdecode(path)] = parts[2].decode("ascii")
    dirty = _status_paths(outputs["status"])
    return RepoState(
        root=root,
        head=head_lines[0],
        head_tree=head_lines[1],
        tags=hashlib.sha256(outputs["tags"]).hexdigest(),
        trees=trees,
        dirty=dirty,
    )


def _status_paths(output: bytes) -> list[str]:
    """Paths of ``git status --porcelain=v1 -z`` (of a rename or copy, the new one)."""
    return [entry.path for entry in parse_status(output)]
