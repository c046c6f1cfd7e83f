"""What the wrapper does to each backend's artifacts, and what each backend gets (issue 9).

Sdists of a tiny project (tests/e2e/wrapped_projects.py) made by hatchling,
setuptools, pdm-backend, flit-core, poetry-core and uv_build through
``sourcelift.build`` with ``python -m build``, in local and publish mode, once
per session; the tests read them back with ``tarfile`` and GNU ``tar``.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e.wrapped_projects import BACKENDS, LONG_DIRECTORY, LONG_FILE, write_project
from tests.support import run
from tests.support.metadata import find_sdist, parse_metadata

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.e2e

MODES = ("local", "publish")


@pytest.fixture(scope="session")
def wrapped_sdists(build_once: Callable[[str, Callable[[Path], None]], Path], offline_env: dict[str, str]) -> Path:
    """``<dest>/<backend>-<mode>/``: the project and ``dist/`` with its sdist, for every backend and mode."""

    def one(backend: str, mode: str, dest: Path) -> None:
        tree = write_project(dest / f"{backend}-{mode}" / "app", backend)
        settings = ["-C", "sourcelift-mode=publish"] if mode == "publish" else []
        run(
            [sys.executable, "-m", "build", "--sdist", "-o", tree.parent / "dist", *settings, tree],
            env=offline_env,
            cwd=tree.parent,
        )

    def build(dest: Path) -> None:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for done in [pool.submit(one, b, m, dest) for b in BACKENDS for m in MODES]:
                done.result()

    return build_once("wrapped-sdists", build)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("backend", list(BACKENDS))
def test_every_member_reads_back(backend: str, mode: str, wrapped_sdists: Path, tmp_path: Path) -> None:
    """Every member of the rewritten sdist reads back whole with tarfile and GNU tar; PKG-INFO and
    pyproject.toml parse, and their PAX size records (uv_build writes one per member) match."""
    sdist = find_sdist(wrapped_sdists / f"{backend}-{mode}" / "dist", "app")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        for member in archive.getmembers():
            if "size" in member.pax_headers:
                assert int(member.pax_headers["size"]) == member.size, member.name
            if member.isfile():
                data = archive.extractfile(member).read()  # type: ignore[union-attr]
                assert len(data) == member.size, member.name
        pkg_info = archive.extractfile("app-1.0/PKG-INFO").read().decode()  # type: ignore[union-attr]
        pyproject = archive.extractfile("app-1.0/pyproject.toml").read().decode()  # type: ignore[union-attr]
    assert any(name.endswith(f"{LONG_DIRECTORY}{LONG_FILE}") for name in names), names
    metadata = parse_metadata(pkg_info)
    assert metadata["Name"] == "app" and metadata.get_all("Requires-Dist"), pkg_info
    assert "\0" not in pyproject
    tomllib.loads(pyproject)
    listed = subprocess.run(["tar", "-tzf", str(sdist)], capture_output=True, text=True, check=False)
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr
    assert [name.rstrip("/") for name in listed.stdout.splitlines()] == [name.rstrip("/") for name in names]
    extracted = subprocess.run(
        ["tar", "-xzf", str(sdist), "-C", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert extracted.returncode == 0 and extracted.stderr == "", extracted.stderr
    assert (tmp_path / "app-1.0" / "PKG-INFO").read_text() == pkg_info
    assert (tmp_path / "app-1.0" / "pyproject.toml").read_text() == pyproject
