"""Environment variables for running real frontends offline and isolated.

Nothing from the caller's pip/uv configuration may leak into a test: no
``PIP_*``/``UV_*`` variables, no config files (``PIP_CONFIG_FILE=os.devnull``
and empty XDG config dirs for uv), no active virtualenv, no user git config.
Every install is served only from the given find-links directories.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

# Variables that change what pip, uv, build, git or Python do; all dropped.
_DROP_PREFIXES = ("PIP_", "UV_", "GIT_", "SOURCELIFT_", "HATCH_", "PDM_", "SETUPTOOLS_")
_DROP_NAMES = frozenset(
    {
        "VIRTUAL_ENV",
        "VIRTUAL_ENV_PROMPT",
        "CONDA_PREFIX",
        "CONDA_DEFAULT_ENV",
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONUSERBASE",
        "PYTHONNOUSERSITE",
        "PYTHONSAFEPATH",
        "PYTHONEXECUTABLE",
        "__PYVENV_LAUNCHER__",
        "XDG_CONFIG_HOME",
        "XDG_CONFIG_DIRS",
        "PYPROJECT_HOOKS_DEBUG",
        "BUILD_SDIST_OPTIONS",
        "SOURCE_DATE_EPOCH",
    }
)

# Deterministic identity and no outside configuration for git.
GIT_ENV: Mapping[str, str] = {
    "GIT_AUTHOR_NAME": "sourcelift tests",
    "GIT_AUTHOR_EMAIL": "tests@sourcelift.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_NAME": "sourcelift tests",
    "GIT_COMMITTER_EMAIL": "tests@sourcelift.invalid",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}


def clean_environ(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of ``base`` (default ``os.environ``) without tool configuration."""
    source = os.environ if base is None else base
    return {
        key: value for key, value in source.items() if key not in _DROP_NAMES and not key.startswith(_DROP_PREFIXES)
    }


def index_environ(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for the one step that may reach the public index.

    pip is still kept away from the machine's configuration files
    (``PIP_CONFIG_FILE=os.devnull`` skips the global, user and site files).
    """
    env = clean_environ(base)
    env.update(GIT_ENV)
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def offline_environ(
    *,
    find_links: Sequence[Path],
    scratch: Path,
    store: Path,
    base: Mapping[str, str] | None = None,
    path_prepend: Iterable[Path] = (),
) -> dict[str, str]:
    """Environment for pip/uv/build/git that can only install from ``find_links``.

    ``scratch`` receives the caches and the empty config directories;
    ``store`` becomes ``SOURCELIFT_STORE_DIR``.
    """
    env = clean_environ(base)
    env.update(GIT_ENV)
    links = [str(Path(p).resolve()) for p in find_links]
    config_home = scratch / "xdg-config"
    config_dirs = scratch / "xdg-config-dirs"
    for directory in (config_home, config_dirs, store):
        directory.mkdir(parents=True, exist_ok=True)
    env.update(
        {
            # pip (also inside build isolation, which inherits the environment)
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": " ".join(links),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_INPUT": "1",
            "PIP_PROGRESS_BAR": "off",
            "PIP_CACHE_DIR": str(scratch / "pip-cache"),
            # uv: offline, local links only (every uv call also passes --no-index)
            "UV_FIND_LINKS": " ".join(links),
            "UV_CACHE_DIR": str(scratch / "uv-cache"),
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_NO_PROGRESS": "1",
            "UV_OFFLINE": "1",
            "XDG_CONFIG_HOME": str(config_home),
            "XDG_CONFIG_DIRS": str(config_dirs),
            # the project under test
            "SOURCELIFT_STORE_DIR": str(store),
        }
    )
    if path_prepend:
        env["PATH"] = os.pathsep.join([*map(str, path_prepend), env.get("PATH", os.defpath)])
    return env
