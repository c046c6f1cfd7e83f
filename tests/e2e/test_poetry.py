"""Poetry projects through the wrapper and real poetry-core builds.

One git repository holds a classic poetry project (``app``: no ``[project]``), a PEP 621
poetry project (``pep``), the poetry library they use through a ``path`` dependency
(``lib``), a vendored wheel, and points at a second git repository (``gitdep``).  Each
project is built by ``pip wheel``, ``python -m build`` (sdist, then the wheel from it) and
``uv build``, in local and in publish mode; the publish sdists are rebuilt by plain pip
with sourcelift on no index.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import sys
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.support import emitted_repository, git, init_repo, offline_environ, run
from tests.support.metadata import (
    find_sdist,
    find_wheel,
    requires_dist,
    sdist_pkg_info_text,
    unpack_sdist,
    wheel_metadata_text,
)

from .test_publish import build_cmd, pip_wheel_cmd, sdist_member_text, uv_build_cmd

pytestmark = pytest.mark.e2e

FRONTENDS = ("pip", "build", "uv")
MODES = ("local", "publish")
BUILD_SYSTEM = """
[build-system]
requires = ["sourcelift", "poetry-core>=2"]
build-backend = "sourcelift.build"
"""
POETRY_BACKEND = '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n'


def _wheel(name: str, version: str) -> bytes:
    """A minimal valid wheel of ``name`` ``version``."""
    import io

    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return buffer.getvalue()


def _write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def make_repos(where: Path) -> Path:
    """The monorepo (returned) and the ``gitdep`` repository beside it, tagged v1."""
    gitdep = where / "gitdep"
    _write(
        gitdep,
        {
            "pyproject.toml": '[project]\nname = "gitdep"\nversion = "1.4.0"\n'
            '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n',
            "gitdep.py": "",
        },
    )
    init_repo(gitdep)
    git("tag", "v1", cwd=gitdep)
    repo = where / "mono"
    _write(
        repo,
        {
            "lib/pyproject.toml": '[tool.poetry]\nname = "lib"\nversion = "0.3.0"\ndescription = ""\nauthors = []\n'
            '[build-system]\nrequires = ["poetry-core>=2"]\nbuild-backend = "poetry.core.masonry.api"\n',
            "lib/lib/__init__.py": "",
            "vendor/prebuilt-0.1.0-py3-none-any.whl": _wheel("prebuilt", "0.1.0"),
            "app/pyproject.toml": '[tool.poetry]\nname = "app"\nversion = "1.0.0"\ndescription = ""\nauthors = []\n'
            "[tool.poetry.dependencies]\n"
            'python = ">=3.9"\n'
            'lib = { path = "../lib", develop = true }\n'
            'prebuilt = { path = "../vendor/prebuilt-0.1.0-py3-none-any.whl", markers = "os_name != \'nt\'" }\n'
            f'gitdep = {{ git = "{gitdep.as_uri()}", tag = "v1" }}\n'
            "[tool.poetry.group.dev.dependencies]\n"
            'devtool = { path = "../devtool" }\n'
            f"{POETRY_BACKEND}"
            '[tool.sourcelift.strategies]\ngitdep = ">=1.4"\n'
            f"{BUILD_SYSTEM}",
            "app/app/__init__.py": "",
            "pep/pyproject.toml": '[project]\nname = "pep"\nversion = "2.0.0"\ndependencies = ["lib>=0.2"]\n'
            '[tool.poetry.dependencies]\nlib = { path = "../lib" }\n'
            f'{POETRY_BACKEND}strategy = "compatible"\n{BUILD_SYSTEM}',
            "pep/pep/__init__.py": "",
        },
    )
    init_repo(repo)
    return repo


EXPECTED: dict[tuple[str, str], Callable[[Path, Path], list[str]]] = {
    ("app", "local"): lambda repo, store: [
        f"lib @ {(repo / 'lib').as_uri()}",
        "prebuilt @ file://{store}/sha256/",  # the store's path, checked by prefix
        f"gitdep @ git+{emitted_repository(str(repo.parent / 'gitdep'))}@v1",  # pip 23 reads it too
    ],
    ("app", "publish"): lambda repo, store: ["lib==0.3.0", 'prebuilt==0.1.0; os_name != "nt"', "gitdep>=1.4"],
    ("pep", "local"): lambda repo, store: [f"lib @ {(repo / 'lib').as_uri()}"],
    # poetry-core's own form of `lib>=0.2,~=0.3.0` (compatible strategy and the requirement's own specifier)
    ("pep", "publish"): lambda repo, store: ["lib (>=0.3.0,<0.4.0)"],
}


def _check(lines: list[str], expected: list[str], store: Path) -> None:
    from packaging.requirements import Requirement

    by_name = {Requirement(line).name: line for line in lines}
    assert sorted(by_name) == sorted(Requirement(e.split(" @ ")[0]).name for e in expected), lines
    for line in expected:
        name = Requirement(line.split(" @ ")[0].split(";")[0]).name
        if "{store}" in line:
            got = Requirement(by_name[name])
            assert got.url is not None and got.url.startswith(f"file://{store}/sha256/"), by_name[name]
            assert str(got.marker) == 'os_name != "nt"', by_name[name]
        else:
            assert str(Requirement(by_name[name])) == str(Requirement(line)), (by_name[name], line)


@pytest.fixture(scope="module")
def poetry_builds(
    build_once: Callable[[str, Callable[[Path], None]], Path], offline_env: dict[str, str], uv_bin: str
) -> Path:
    """``app`` and ``pep`` built by every frontend in both modes: ``<dest>/<mode>/<frontend>/``."""

    def build(dest: Path) -> None:
        dest.mkdir()
        repo = make_repos(dest)
        env = dict(offline_env)
        env["SOURCELIFT_CACHE_DIR"] = str(dest / "cache")
        for mode in MODES:
            settings = (f"sourcelift-mode={mode}",)
            for project in ("app", "pep"):
                run(pip_wheel_cmd(dest / mode / "pip", [repo / project], settings), env=env, cwd=dest)
                run(build_cmd(dest / mode / "build", repo / project, settings), env=env, cwd=dest)
                run(uv_build_cmd(uv_bin, dest / mode / "uv", repo / project, settings), env=env, cwd=dest)

    return build_once("poetry-builds", build)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("project", ["app", "pep"])
def test_poetry_wheels(poetry_builds: Path, store_dir: Path, project: str, mode: str) -> None:
    """Every frontend's wheel: durable direct references in local mode, version specifiers in publish mode."""
    repo = poetry_builds / "mono"
    expected = EXPECTED[(project, mode)](repo, store_dir)
    for frontend in FRONTENDS:
        lines = requires_dist(wheel_metadata_text(find_wheel(poetry_builds / mode / frontend, project)))
        _check(lines, expected, store_dir)
        assert not any("build-via-sdist" in line or "/tmp/pip-" in line for line in lines), (frontend, lines)


def test_classic_publish_sdist_pyproject(poetry_builds: Path) -> None:
    """Path, git and archive entries become poetry version constraints; markers, groups and the rest stay."""
    text = sdist_member_text(find_sdist(poetry_builds / "publish" / "build", "app"), "pyproject.toml")
    from sourcelift._compat import tomllib

    data = tomllib.loads(text)
    assert data["tool"]["poetry"]["dependencies"] == {
        "python": ">=3.9",
        "lib": {"version": "==0.3.0"},
        "prebuilt": {"version": "==0.1.0", "markers": "os_name != 'nt'"},
        "gitdep": {"version": ">=1.4"},
    }
    assert data["tool"]["poetry"]["group"] == {"dev": {"dependencies": {"devtool": {"path": "../devtool"}}}}
    assert data["build-system"] == {"requires": ["poetry-core>=2"], "build-backend": "poetry.core.masonry.api"}


def test_pep621_publish_sdist_pyproject(poetry_builds: Path) -> None:
    text = sdist_member_text(find_sdist(poetry_builds / "publish" / "build", "pep"), "pyproject.toml")
    from sourcelift._compat import tomllib

    data = tomllib.loads(text)
    assert data["project"]["dependencies"] == ["lib (>=0.3.0,<0.4.0)"]
    assert "poetry" not in data["tool"]  # it held only the consumed source entry


def test_publish_sdists_rebuild_without_sourcelift(
    poetry_builds: Path, wheelhouse: Path, store_dir: Path, tmp_path: Path
) -> None:
    """Plain pip, sourcelift on no index: poetry-core alone writes the same Requires-Dist, byte for byte, as
    sourcelift's wheel and the sdist's PKG-INFO (publish lines are written in poetry-core's own form)."""
    links = tmp_path / "links"
    links.mkdir()
    for wheel in wheelhouse.glob("*.whl"):
        if not wheel.name.startswith(("sourcelift-", "sourcelift_hook-")):
            shutil.copy2(wheel, links / wheel.name)
    env = offline_environ(find_links=[links], scratch=tmp_path / "scratch", store=store_dir)
    out = tmp_path / "out"
    sdists = [find_sdist(poetry_builds / "publish" / "build", p) for p in ("app", "pep")]
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", out, *sdists], env=env, cwd=tmp_path)
    for project in ("app", "pep"):
        rebuilt = requires_dist(wheel_metadata_text(find_wheel(out, project)))
        by_sourcelift = requires_dist(wheel_metadata_text(find_wheel(poetry_builds / "publish" / "pip", project)))
        pkg_info = requires_dist(sdist_pkg_info_text(find_sdist(poetry_builds / "publish" / "build", project)))
        assert sorted(rebuilt) == sorted(by_sourcelift) == sorted(pkg_info), (project, rebuilt, by_sourcelift)


def test_a_local_sdist_gives_poetry_core_this_machines_paths(
    poetry_builds: Path, offline_env: dict[str, str], tmp_path: Path
) -> None:
    """Found on adriangb/python-monorepo: a local-mode sdist kept `lib = { path = "../lib" }`, which names
    nothing in the unpacked sdist, and poetry-core warned "Path ... for lib does not exist" on every wheel
    built from it.  Paths outside the project are this machine's now; the lines are as before."""
    import os

    from sourcelift._compat import tomllib

    sdist = find_sdist(poetry_builds / "local" / "build", "app")
    dependencies = tomllib.loads(sdist_member_text(sdist, "pyproject.toml"))["tool"]["poetry"]["dependencies"]
    repo = Path(os.path.realpath(poetry_builds / "mono"))
    assert dependencies["lib"] == {"path": (repo / "lib").as_posix(), "develop": True}
    assert dependencies["prebuilt"]["path"] == (repo / "vendor" / "prebuilt-0.1.0-py3-none-any.whl").as_posix()
    unpacked = unpack_sdist(sdist, tmp_path / "unpacked")
    command = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--wheel-dir", tmp_path / "out", unpacked]
    proc = run(command, env=offline_env, cwd=tmp_path)
    assert "does not exist" not in proc.stdout + proc.stderr
    lines = requires_dist(wheel_metadata_text(find_wheel(tmp_path / "out", "app")))
    _check(
        lines,
        EXPECTED[("app", "local")](repo, Path(offline_env["SOURCELIFT_STORE_DIR"])),
        Path(offline_env["SOURCELIFT_STORE_DIR"]),
    )
