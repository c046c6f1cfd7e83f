"""Session-wide fixtures: the local wheelhouse, the offline environment, git repos.

Under pytest-xdist every worker runs session fixtures itself; what is costly
(the wheelhouse) is built once per test session by whichever worker gets the
file lock first, in a directory all workers of the session share.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import (
    Venv,
    create_venv,
    find_uv,
    git,
    offline_environ,
    repo_from_dir,
)
from tests.support.examples import EXAMPLES_DIR, PREBUILT_WHEEL, Example
from tests.support.wheelhouse import (
    COMPLETE_MARKER,
    OWN_DISTRIBUTIONS,
    add_own_wheels,
    build_wheelhouse,
    download_third_party,
)

PY39_CANDIDATES = (
    os.environ.get("SOURCELIFT_TEST_PY39", ""),
    "/root/.pyenv/versions/3.9.18/bin/python",
    shutil.which("python3.9") or "",
)


def _session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory unique to this test session and shared by its xdist workers."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _build_once(root: Path, name: str, builder: Callable[[Path], None]) -> Path:
    """Run ``builder(dest)`` once per session across workers; reuse its result."""
    from filelock import FileLock

    dest = root / name
    failed = root / f"{name}.failed"
    with FileLock(str(root / f"{name}.lock")):
        if failed.exists():
            pytest.fail(f"building {name} failed in another worker:\n{failed.read_text()}")
        if not (dest / COMPLETE_MARKER).exists():
            try:
                builder(dest)
            except BaseException as exc:
                failed.write_text("".join(traceback.format_exception_only(type(exc), exc)))
                raise
            if not (dest / COMPLETE_MARKER).exists():
                (dest / COMPLETE_MARKER).write_text("")
    return dest


@pytest.fixture(scope="session")
def session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _session_root(tmp_path_factory)


@pytest.fixture(scope="session")
def build_once(session_root: Path) -> Callable[[str, Callable[[Path], None]], Path]:
    """``build_once(name, builder)``: ``builder(dest)`` runs once per test session, across
    xdist workers (the others wait for it); every caller gets ``dest``, to read only."""

    def get(name: str, builder: Callable[[Path], None]) -> Path:
        return _build_once(session_root, name, builder)

    return get


@pytest.fixture(scope="session")
def wheelhouse(session_root: Path) -> Path:
    """Wheels of sourcelift, sourcelift-hook and all third-party build deps."""

    def build(dest: Path) -> None:
        start = time.monotonic()
        build_wheelhouse(dest, scratch=session_root / "wheelhouse-scratch")
        (session_root / "wheelhouse.time").write_text(f"{time.monotonic() - start:.1f}")

    return _build_once(session_root, "wheelhouse", build)


@pytest.fixture(scope="session")
def plain_wheelhouse(session_root: Path, wheelhouse: Path) -> Path:
    """The wheelhouse without sourcelift's own distributions, plus the examples' vendored wheel
    (``prebuilt``): an index that publish-mode sdists must build and install from."""
    own = tuple(dist.replace("-", "_") + "-" for dist in OWN_DISTRIBUTIONS)

    def build(dest: Path) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        for wheel in wheelhouse.glob("*.whl"):
            if not wheel.name.startswith(own):
                (dest / wheel.name).symlink_to(wheel)
        shutil.copy2(EXAMPLES_DIR / "project-in-git" / PREBUILT_WHEEL, dest)

    return _build_once(session_root, "plain-wheelhouse", build)


@pytest.fixture(scope="session")
def store_dir(session_root: Path) -> Path:
    """SOURCELIFT_STORE_DIR of every build in this session."""
    path = session_root / "sourcelift-store"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def worker_scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scratch")


@pytest.fixture(scope="session")
def offline_env(wheelhouse: Path, store_dir: Path, worker_scratch: Path) -> dict[str, str]:
    """Environment in which pip/uv/build install only from the wheelhouse."""
    return offline_environ(find_links=[wheelhouse], scratch=worker_scratch, store=store_dir)


@pytest.fixture(scope="session")
def uv_bin() -> str:
    uv = find_uv()
    if uv is None:
        pytest.fail("uv is not installed (it is part of the dev dependency group)")
    return uv


@pytest.fixture
def make_venv(tmp_path: Path, offline_env: dict[str, str], uv_bin: str) -> Callable[..., Venv]:
    """Factory for fresh venvs (pip seeded from the wheelhouse unless ``seed=False``) under tmp_path."""
    counter = iter(range(1000))

    def factory(name: str | None = None, *, python: str = sys.executable, seed: bool = True) -> Venv:
        path = tmp_path / (name or f"venv{next(counter)}")
        return create_venv(path, env=offline_env, python=python, uv=uv_bin, seed=seed)

    return factory


@pytest.fixture(scope="session")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Example], Path]:
    """Factory: the git repository made from an example (one per example and worker),
    its one commit tagged with ``example.tags``.

    Tests must not modify it; clone it (``tests.support.clone``) to build in it.
    """
    cache: dict[str, Path] = {}

    def get(example: Example) -> Path:
        if example.name not in cache:
            parent = tmp_path_factory.mktemp(f"repo-{example.name}")
            repo = repo_from_dir(example.path, parent / example.name)
            for tag in example.tags:
                git("tag", tag, cwd=repo)
            cache[example.name] = repo
        return cache[example.name]

    return get


@pytest.fixture(scope="session")
def python39() -> str:
    for candidate in PY39_CANDIDATES:
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip(
        "no Python 3.9 interpreter found (set SOURCELIFT_TEST_PY39, or install "
        "/root/.pyenv/versions/3.9.18/bin/python or python3.9 on PATH)"
    )


def _newest_python() -> str | None:
    """The newest CPython here that is newer than the one running the tests (``SOURCELIFT_TEST_PY_NEWEST``,
    ``python3.X`` on PATH, pyenv's versions), or ``None``."""
    given = os.environ.get("SOURCELIFT_TEST_PY_NEWEST", "")
    if given:
        return given
    found: dict[tuple[int, int], str] = {}
    for minor in range(sys.version_info[1] + 1, 20):
        on_path = shutil.which(f"python3.{minor}")
        if on_path and "shims" not in Path(on_path).parts:  # a pyenv shim runs only the version pyenv selects
            found[(3, minor)] = on_path
    for candidate in sorted(Path("/root/.pyenv/versions").glob("3.*/bin/python")):
        parts = candidate.parts[-3].split(".")
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) > sys.version_info[1]:
            found.setdefault((3, int(parts[1])), str(candidate))
    return found[max(found)] if found else None


@pytest.fixture(scope="session")
def newest_python() -> str:
    found = _newest_python()
    if found is None:
        pytest.skip("no CPython newer than the test runner's here (set SOURCELIFT_TEST_PY_NEWEST)")
    return found


@pytest.fixture(scope="session")
def wheelhouse39(session_root: Path, wheelhouse: Path, python39: str) -> Path:
    """A wheelhouse resolved by Python 3.9's own pip, plus this repo's wheels."""

    def build(dest: Path) -> None:
        download_third_party(dest, python=python39)
        add_own_wheels(dest, wheelhouse)

    return _build_once(session_root, "wheelhouse-py39", build)


@pytest.fixture(scope="session")
def offline_env39(wheelhouse39: Path, store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return offline_environ(find_links=[wheelhouse39], scratch=tmp_path_factory.mktemp("scratch39"), store=store_dir)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report how long the shared wheelhouse took to build."""
    factory = getattr(terminalreporter.config, "_tmp_path_factory", None)
    basetemp = getattr(factory, "_basetemp", None)
    if basetemp is None:  # nothing used tmp_path: no wheelhouse either
        return
    timing = Path(basetemp) / "wheelhouse.time"
    if timing.exists():
        terminalreporter.write_line(f"sourcelift: wheelhouse built in {timing.read_text()}s")
