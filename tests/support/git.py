"""Git repositories made from example directories."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from .env import GIT_ENV, clean_environ
from .proc import run

# Never copied from an example: build/test leftovers of whoever worked in it.
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "__pycache__",
    "*.pyc",
    "build",
    "dist",
    "*.egg-info",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
)


def git_environ(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment with a deterministic git identity and no user config."""
    env = clean_environ(base)
    env.update(GIT_ENV)
    return env


def git(*args: str | Path, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    return run(["git", *args], cwd=cwd, env=git_environ(env)).stdout


def _git_visible_files(source: Path) -> list[Path] | None:
    """Files under ``source`` that git would commit (tracked, or untracked and
    not ignored), if ``source`` lies in a git work tree; else None."""
    proc = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
        cwd=source,
        env=git_environ(),
        check=False,
    )
    if proc.returncode != 0:
        return None
    files = [source / name for name in proc.stdout.split("\0") if name]
    return [f for f in files if f.is_file() or f.is_symlink()]


def copy_tree(source: Path, dest: Path) -> Path:
    """Copy an example directory as git would see it.

    Inside a git work tree only what git would commit is copied (so build or
    test leftovers that the examples' .gitignore files exclude stay behind);
    elsewhere everything but the usual leftovers (:data:`COPY_IGNORE`).
    """
    files = _git_visible_files(source)
    if files is None:
        shutil.copytree(source, dest, ignore=COPY_IGNORE, symlinks=True)
        return dest
    dest.mkdir(parents=True)
    for file in files:
        target = dest / file.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target, follow_symlinks=False)
    return dest


def init_repo(path: Path, *, message: str = "import", env: Mapping[str, str] | None = None) -> str:
    """Turn directory ``path`` into a git repository with one commit of everything.

    Returns the commit id.
    """
    git("init", "--quiet", "--initial-branch=main", path, cwd=path.parent, env=env)
    git("add", "--all", "--force", cwd=path, env=env)
    git("commit", "--quiet", "--no-gpg-sign", "-m", message, cwd=path, env=env)
    return git("rev-parse", "HEAD", cwd=path, env=env).strip()


def add_pushed_remote(repo: Path, url: str, *, name: str = "origin") -> None:
    """Add the remote ``name`` at ``url`` and a remote-tracking ref of it at HEAD, as after a push: a
    local-mode build then names committed directories ``git+URL@COMMIT`` (HEAD is on the remote)."""
    git("remote", "add", name, url, cwd=repo)
    mark_pushed(repo, name=name)


def mark_pushed(repo: Path, *, name: str = "origin", branch: str = "main") -> None:
    """Point ``refs/remotes/<name>/<branch>`` at HEAD, as a push and a fetch would."""
    git("update-ref", f"refs/remotes/{name}/{branch}", "HEAD", cwd=repo)


def repo_from_dir(source: Path, dest: Path, *, message: str = "import", env: Mapping[str, str] | None = None) -> Path:
    """Copy ``source`` to ``dest`` and commit it there as the only commit."""
    copy_tree(source, dest)
    init_repo(dest, message=message, env=env)
    return dest


def bare_clone(repo: Path, dest: Path, *, env: Mapping[str, str] | None = None) -> Path:
    """A bare clone of ``repo`` at ``dest`` (what a user would install from)."""
    git("clone", "--quiet", "--bare", repo, dest, cwd=dest.parent, env=env)
    return dest


def clone(repo: Path, dest: Path, *, env: Mapping[str, str] | None = None) -> Path:
    """A fresh working clone of ``repo`` at ``dest``."""
    git("clone", "--quiet", repo, dest, cwd=dest.parent, env=env)
    return dest


def status_porcelain(path: Path, *, env: Mapping[str, str] | None = None) -> str:
    """``git status --porcelain --ignored``: empty when nothing changed or appeared."""
    return git("status", "--porcelain", "--ignored", "--untracked-files=all", cwd=path, env=env)


def file_url(path: Path) -> str:
    """``file:///abs/path`` of a local path (no trailing slash)."""
    return path.resolve().as_uri()


def emitted_repository(remote: str) -> str:
    """The repository part of the ``git+`` lines sourcelift writes for ``remote`` (a URL or a local path):
    a local repository as ``file://localhost/abs/repo``, which pip 23's packaging accepts too."""
    url = remote if "://" in remote else Path(remote).resolve().as_uri()
    return "file://localhost/" + url[len("file:///") :] if url.startswith("file:///") else url


def git_url(repo: Path, *, subdirectory: str | None = None) -> str:
    """``git+file:///abs/repo`` (optionally with ``#subdirectory=``)."""
    url = "git+" + file_url(repo)
    if subdirectory:
        url += f"#subdirectory={subdirectory}"
    return url
