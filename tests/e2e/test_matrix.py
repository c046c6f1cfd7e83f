"""The interoperability matrix: every backend through every frontend path (issue 9).

One test per cell of ``tests.support.matrix``: BACKENDS (hatchling, setuptools,
pdm-backend, flit-core, poetry-core, uv_build and a strict test backend) x COLUMNS
(pip wheel, pip install git+file://, python -m build, uv build, uv pip install
git+file://, uv pip install of the local-mode sdist, pypa/installer, pip install -e,
uv pip install -e, publish mode).  Every cell checks the ``Requires-Dist`` lines of
what it built and of what got installed, and imports the dependency from a fresh
environment by running the installed project.

Artifacts two cells share (the ``pip wheel`` wheel, the ``python -m build`` sdist
and wheel) are built once per session per backend (``build_once``); cells are
ordered column by column so that xdist workers rarely wait for each other.
"""

from __future__ import annotations

import json
import shutil
import sys
import tarfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from packaging.requirements import Requirement

from tests.e2e.helpers import assert_local_sdist
from tests.support import Venv, clone, file_url, git_url, init_repo, offline_environ, run
from tests.support.matrix import (
    BACKENDS,
    EXTRA_LINE,
    PREBUILT,
    PREBUILT_VERSION,
    Backend,
    Column,
    cells,
    expected_output,
    known_failure,
    write_project,
)
from tests.support.metadata import (
    find_sdist,
    find_wheel,
    requires_dist,
    sdist_pkg_info_text,
    sha256_file,
    wheel_metadata_text,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = [pytest.mark.e2e, pytest.mark.matrix]

PUBLISH = "sourcelift-mode=publish"
BuildOnce = Callable[[str, Callable[[Path], None]], Path]


def normalized(lines: list[str]) -> list[str]:
    return sorted(str(Requirement(line)) for line in lines)


def local_lines(store: Path) -> list[str]:
    url = f"{file_url(store)}/sha256/{sha256_file(PREBUILT)}/{PREBUILT.name}"
    return normalized([f"prebuilt @ {url}", EXTRA_LINE])


PUBLISH_LINES = normalized([f"prebuilt=={PREBUILT_VERSION}", EXTRA_LINE])


# --------------------------------------------------------------------------- shared fixtures


@pytest.fixture(scope="session")
def matrix_repo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Backend], Path]:
    """The git repository of each backend's matrix project (one per backend and worker; read only)."""
    cache: dict[str, Path] = {}

    def get(backend: Backend) -> Path:
        if backend.id not in cache:
            repo = write_project(backend, tmp_path_factory.mktemp(f"matrix-{backend.id}") / backend.distribution)
            init_repo(repo)
            cache[backend.id] = repo
        return cache[backend.id]

    return get


@dataclass
class Cell:
    backend: Backend
    column: Column
    env: dict[str, str]
    store: Path
    tmp: Path
    uv: str
    repo: Path
    make_venv: Callable[..., Venv]
    artifacts: Callable[[str], Path]

    def clone(self) -> Path:
        return clone(self.repo, self.tmp / "clone")

    def requirement(self) -> str:
        return f"{self.backend.distribution} @ {git_url(self.repo)}"

    def uv_pip(self, venv: Venv, *args: str | Path, env: Mapping[str, str] | None = None) -> None:
        run(
            [self.uv, "pip", "install", "--no-index", "--python", venv.python, *args],
            env=self.env if env is None else env,
            cwd=self.tmp,
        )

    def assert_installed(self, venv: Venv, expected: list[str], env: Mapping[str, str] | None = None) -> None:
        """The installed project's Requires-Dist, and its code running on its installed dependency."""
        dist, module = self.backend.distribution, self.backend.module
        code = (
            f"import importlib.metadata as m, json, {module}\n"
            f"print(json.dumps({{'requires': m.requires({dist!r}) or [], 'out': {module}.greet()}}))"
        )
        result = json.loads(venv.run_python(code, env=self.env if env is None else env, cwd=self.tmp))
        assert normalized(result["requires"]) == expected, f"installed {dist}: {result['requires']}"
        assert result["out"] == expected_output(self.backend)


def wheel_lines(wheel: Path) -> list[str]:
    return normalized(requires_dist(wheel_metadata_text(wheel)))


# --------------------------------------------------------------------------- artifacts built once per session


def _artifacts(
    kind: str,
    backend: Backend,
    *,
    build_once: BuildOnce,
    repo: Path,
    env: dict[str, str],
    plain: Path,
) -> Path:
    def pip_wheel(dest: Path) -> None:
        tree = clone(repo, dest / "tree")
        run([sys.executable, "-m", "pip", "wheel", "--wheel-dir", dest / "out", tree], env=env, cwd=dest)
        shutil.rmtree(tree)

    def build(dest: Path) -> None:
        # the clone (the build tree) is gone before any cell installs what was built from it
        tree = clone(repo, dest / "tree")
        run([sys.executable, "-m", "build", "--outdir", dest / "out", tree], env=env, cwd=dest)
        shutil.rmtree(tree)

    def publish(dest: Path) -> None:
        tree = clone(repo, dest / "tree")
        publish_env = {**env, "SOURCELIFT_CACHE_DIR": str(dest / "sourcelift-cache")}
        sdist_only = ["--sdist"] if backend.rejects_unknown_settings else []
        run(
            [sys.executable, "-m", "build", *sdist_only, "-C", PUBLISH, "--outdir", dest / "out", tree],
            env=publish_env,
            cwd=dest,
        )
        shutil.rmtree(tree)
        # a plain frontend, with sourcelift in no wheelhouse, builds the wheel from the publish sdist
        plain_env = offline_environ(find_links=[plain], scratch=dest / "plain-scratch", store=dest / "no-store")
        sdist = find_sdist(dest / "out", backend.distribution)
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", dest / "plain", sdist], env=plain_env)

    builders = {"pip-wheel": pip_wheel, "build": build, "publish": publish}

    def builder(dest: Path) -> None:
        dest.mkdir()
        builders[kind](dest)

    return build_once(f"matrix-{backend.id}-{kind}", builder)


@pytest.fixture
def cell(
    request: pytest.FixtureRequest,
    build_once: BuildOnce,
    matrix_repo: Callable[[Backend], Path],
    plain_wheelhouse: Path,
    offline_env: dict[str, str],
    store_dir: Path,
    uv_bin: str,
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> Cell:
    backend, column = request.param
    repo = matrix_repo(backend)

    def artifacts(kind: str) -> Path:
        return _artifacts(kind, backend, build_once=build_once, repo=repo, env=offline_env, plain=plain_wheelhouse)

    return Cell(backend, column, offline_env, store_dir, tmp_path, uv_bin, repo, make_venv, artifacts)


# --------------------------------------------------------------------------- the columns


def pip_wheel(cell: Cell) -> None:
    wheel = find_wheel(cell.artifacts("pip-wheel") / "out", cell.backend.distribution)
    assert wheel_lines(wheel) == local_lines(cell.store), wheel.name
    venv = cell.make_venv(seed=False)
    cell.uv_pip(venv, wheel)  # pip built it; who installs it is the installer columns' business
    cell.assert_installed(venv, local_lines(cell.store))


def pip_git(cell: Cell) -> None:
    venv = cell.make_venv()
    run(venv.pip("install", cell.requirement()), env=cell.env, cwd=cell.tmp)
    cell.assert_installed(venv, local_lines(cell.store))


def build(cell: Cell) -> None:
    out = cell.artifacts("build") / "out"
    assert not (out.parent / "tree").exists()
    wheel = find_wheel(out, cell.backend.distribution)
    assert wheel_lines(wheel) == local_lines(cell.store), wheel.name
    venv = cell.make_venv(seed=False)
    cell.uv_pip(venv, wheel)
    cell.assert_installed(venv, local_lines(cell.store))


def uv_build(cell: Cell) -> None:
    tree = cell.clone()
    out = cell.tmp / "dist"
    run(
        [cell.uv, "build", "--no-index", "--python", sys.executable, "--out-dir", out, tree],
        env=cell.env,
        cwd=cell.tmp,
    )
    wheel = find_wheel(out, cell.backend.distribution)
    assert wheel_lines(wheel) == local_lines(cell.store), wheel.name
    venv = cell.make_venv(seed=False)
    cell.uv_pip(venv, wheel)
    cell.assert_installed(venv, local_lines(cell.store))


def uv_git(cell: Cell) -> None:
    venv = cell.make_venv(seed=False)
    cell.uv_pip(venv, cell.requirement())
    cell.assert_installed(venv, local_lines(cell.store))


def uv_sdist(cell: Cell) -> None:
    sdist = find_sdist(cell.artifacts("build") / "out", cell.backend.distribution)
    assert_local_sdist(sdist)
    venv = cell.make_venv(seed=False)
    cell.uv_pip(venv, sdist)
    cell.assert_installed(venv, local_lines(cell.store))


def installer(cell: Cell) -> None:
    """pypa/installer resolves nothing: it installs the wheel, then the archive its Requires-Dist names."""
    wheel = find_wheel(cell.artifacts("pip-wheel") / "out", cell.backend.distribution)
    venv = cell.make_venv(seed=False)
    cell.uv_pip(venv, "installer")
    run([venv.python, "-m", "installer", wheel], env=cell.env, cwd=cell.tmp)
    urls = [Requirement(line).url for line in requires_dist(wheel_metadata_text(wheel))]
    (url,) = [u for u in urls if u]
    run([venv.python, "-m", "installer", unquote(urlsplit(url).path)], env=cell.env, cwd=cell.tmp)
    cell.assert_installed(venv, local_lines(cell.store))


def pip_editable(cell: Cell) -> None:
    tree = cell.clone()
    venv = cell.make_venv()
    run(venv.pip("install", "-e", tree), env=cell.env, cwd=cell.tmp)
    cell.assert_installed(venv, local_lines(cell.store))


def uv_editable(cell: Cell) -> None:
    tree = cell.clone()
    venv = cell.make_venv(seed=False)
    cell.uv_pip(venv, "-e", tree)
    cell.assert_installed(venv, local_lines(cell.store))


def publish(cell: Cell, plain: Path) -> None:
    built = cell.artifacts("publish")
    dist = cell.backend.distribution
    sdist = find_sdist(built / "out", dist)
    assert normalized(requires_dist(sdist_pkg_info_text(sdist))) == PUBLISH_LINES, sdist.name
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/", 1)[0]
        member = archive.extractfile(f"{top}/pyproject.toml")
        assert member is not None
        pyproject = tomllib.loads(member.read().decode("utf-8"))
    build_system = pyproject["build-system"]
    assert build_system["build-backend"] == cell.backend.inner, build_system
    assert [Requirement(r).name for r in build_system["requires"]] == [Requirement(cell.backend.requires).name]
    assert "sources" not in pyproject.get("tool", {}).get("uv", {}), pyproject
    # as packaging reads it: poetry-core's own spelling (`prebuilt (==0.1.0)`) is the same requirement
    assert [str(Requirement(r)) for r in pyproject["project"]["dependencies"]] == [f"prebuilt=={PREBUILT_VERSION}"]
    if not cell.backend.rejects_unknown_settings:
        assert wheel_lines(find_wheel(built / "out", dist)) == PUBLISH_LINES
    wheel = find_wheel(built / "plain", dist)
    assert wheel_lines(wheel) == PUBLISH_LINES, wheel.name
    plain_env = offline_environ(find_links=[plain], scratch=cell.tmp / "plain-scratch", store=cell.tmp / "no-store")
    venv = cell.make_venv(seed=False)
    cell.uv_pip(venv, wheel, env=plain_env)  # prebuilt==0.1.0 from the find-links, as from an index
    cell.assert_installed(venv, PUBLISH_LINES, env=plain_env)


COLUMN_TESTS: dict[str, Callable[[Cell], None]] = {
    "pip-wheel": pip_wheel,
    "pip-git": pip_git,
    "build": build,
    "uv-build": uv_build,
    "uv-git": uv_git,
    "uv-sdist": uv_sdist,
    "installer": installer,
    "pip-editable": pip_editable,
    "uv-editable": uv_editable,
}


def _param(backend: Backend, column: Column) -> object:
    reason = known_failure(backend.id, column.id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param((backend, column), id=f"{column.id}-{backend.id}", marks=marks)


@pytest.mark.parametrize("cell", [_param(b, c) for b, c in cells()], indirect=True)
def test_matrix(cell: Cell, plain_wheelhouse: Path) -> None:
    if cell.column.id == "publish":
        publish(cell, plain_wheelhouse)
    else:
        COLUMN_TESTS[cell.column.id](cell)


def test_matrix_covers_every_backend_and_column() -> None:
    from tests.support.matrix import COLUMNS

    assert {c.id for c in COLUMNS} == {*COLUMN_TESTS, "publish"}
    assert len(cells()) == len(BACKENDS) * len(COLUMNS)
