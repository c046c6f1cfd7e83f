"""Test support for sourcelift: real frontends, isolated and offline.

Everything re-exported here uses only the standard library (``tasks.py demo``
imports it with a bare interpreter); :mod:`tests.support.metadata` needs
``packaging``.
"""

from __future__ import annotations

from .env import GIT_ENV, clean_environ, index_environ, offline_environ
from .git import (
    add_pushed_remote,
    bare_clone,
    clone,
    copy_tree,
    emitted_repository,
    file_url,
    git,
    git_url,
    init_repo,
    mark_pushed,
    repo_from_dir,
    status_porcelain,
)
from .proc import CommandError, run
from .venvs import Venv, create_venv, find_uv
from .wheelhouse import (
    REPO_ROOT,
    THIRD_PARTY,
    add_own_wheels,
    build_own_wheels,
    build_wheelhouse,
    download_third_party,
    source_environ,
)

__all__ = [
    "GIT_ENV",
    "REPO_ROOT",
    "THIRD_PARTY",
    "CommandError",
    "Venv",
    "add_own_wheels",
    "add_pushed_remote",
    "bare_clone",
    "build_own_wheels",
    "build_wheelhouse",
    "clean_environ",
    "clone",
    "copy_tree",
    "create_venv",
    "download_third_party",
    "emitted_repository",
    "file_url",
    "find_uv",
    "git",
    "git_url",
    "index_environ",
    "init_repo",
    "mark_pushed",
    "offline_environ",
    "repo_from_dir",
    "run",
    "source_environ",
    "status_porcelain",
]
