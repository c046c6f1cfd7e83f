"""Each example project, built and installed by each real frontend.

(a) ``pip wheel <clone>``: the METADATA has the direct references;
(b) ``pip install <dist> @ git+file://<repo>`` into a fresh venv, then run;
(c) ``uv pip install`` of the same URL into a fresh venv, then run;
(d) ``python -m build`` (sdist, then wheel from it), the build tree (and, when
    the wheel references nothing in it, the clone) deleted, then install the
    wheel with pip and run;
(e) ``uv build`` then install the wheel with pip and run.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.helpers import (
    assert_installed_from_store,
    assert_local_sdist,
    assert_runs,
    assert_wheel_sources,
)
from tests.support import Venv, clone, git_url, run
from tests.support.examples import EXAMPLES, Example
from tests.support.metadata import find_sdist, find_wheel

pytestmark = pytest.mark.e2e

example_param = pytest.mark.parametrize("example", EXAMPLES, ids=str)


def requirement(example: Example, repo: Path) -> str:
    return f"{example.distribution} @ {git_url(repo, subdirectory=example.subdirectory or None)}"


@example_param
def test_pip_wheel_metadata(
    example: Example,
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    store_dir: Path,
    tmp_path: Path,
) -> None:
    tree = clone(example_repo(example), tmp_path / "clone")
    out = tmp_path / "wheels"
    run(
        [sys.executable, "-m", "pip", "wheel", "--wheel-dir", out, example.project_dir(tree)],
        env=offline_env,
        cwd=tmp_path,
    )
    assert_wheel_sources(example, out, tree=tree, store=store_dir)


@example_param
def test_pip_install_from_git(
    example: Example,
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    store_dir: Path,
    tmp_path: Path,
) -> None:
    venv = make_venv()
    run(
        venv.pip("install", requirement(example, example_repo(example))),
        env=offline_env,
        cwd=tmp_path,
    )
    assert_runs(example, venv, offline_env, tmp_path)
    assert_installed_from_store(example, venv, offline_env, tmp_path, store_dir)


UV_STATIC_PROJECT_ROOT = pytest.mark.xfail(
    strict=True,
    reason=(
        "uv reads the static [project] dependencies itself instead of asking the build "
        "backend, and expands pdm's ${PROJECT_ROOT} to uv's working directory (the same "
        "happens with plain pdm-backend, without sourcelift)"
    ),
)


@pytest.mark.parametrize(
    "example",
    [pytest.param(e, marks=UV_STATIC_PROJECT_ROOT) if e.name == "pdm-project-root" else e for e in EXAMPLES],
    ids=str,
)
def test_uv_pip_install_from_git(
    example: Example,
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    uv_bin: str,
    tmp_path: Path,
) -> None:
    """uv resolves [tool.uv.sources] itself; the wheel is still built by sourcelift."""
    venv = make_venv()
    spec = requirement(example, example_repo(example))
    run(venv.uv_pip("install", "--no-index", spec), env=offline_env, cwd=tmp_path)
    assert_runs(example, venv, offline_env, tmp_path)


def install_and_run(example: Example, wheel: Path, venv: Venv, env: dict[str, str], store: Path, cwd: Path) -> None:
    """pip installs the built wheel into a fresh venv; the code runs, its archives come from the store."""
    run(venv.pip("install", wheel), env=env, cwd=cwd)
    assert_runs(example, venv, env, cwd)
    assert_installed_from_store(example, venv, env, cwd, store)


@example_param
def test_build_sdist_then_wheel_outlives_tree(
    example: Example,
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    store_dir: Path,
    tmp_path: Path,
) -> None:
    tree = clone(example_repo(example), tmp_path / "clone")
    out = tmp_path / "dist"
    run(
        [sys.executable, "-m", "build", "--outdir", out, example.project_dir(tree)],
        env=offline_env,
        cwd=tmp_path,
    )
    assert_local_sdist(find_sdist(out, example.distribution))
    wheel = find_wheel(out, example.distribution)
    kept = tmp_path / "kept"
    kept.mkdir()
    shutil.copy2(wheel, kept / wheel.name)
    top = {example.distribution: example.sources.get(example.distribution, {})}
    assert_wheel_sources(example, kept, tree=tree, store=store_dir, distributions=top)
    shutil.rmtree(out)
    if example.only_archives:
        # the wheel must not need the tree it was built from
        shutil.rmtree(tree)
    install_and_run(example, kept / wheel.name, make_venv(), offline_env, store_dir, tmp_path)


@example_param
def test_uv_build_then_pip_install(
    example: Example,
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    uv_bin: str,
    store_dir: Path,
    tmp_path: Path,
) -> None:
    tree = clone(example_repo(example), tmp_path / "clone")
    out = tmp_path / "dist"
    run(
        [
            uv_bin,
            "build",
            "--no-index",
            "--python",
            sys.executable,
            "--out-dir",
            out,
            example.project_dir(tree),
        ],
        env=offline_env,
        cwd=tmp_path,
    )
    wheel = find_wheel(out, example.distribution)
    top = {example.distribution: example.sources.get(example.distribution, {})}
    assert_wheel_sources(example, out, tree=tree, store=store_dir, distributions=top)
    install_and_run(example, wheel, make_venv(), offline_env, store_dir, tmp_path)
