"""``sourcelift freeze``: requirements lines and PEP 751 pylock.toml from installed metadata."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sourcelift_hook import environment
from sourcelift_hook.freeze import freeze

from .hook_builders import COMMIT, REPO, install_dist, make_wheel, sha256_of
from .test_hook_origin import MEMBER_URL, Scene

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    scene = Scene(tmp_path)
    scene.install()
    return scene


def test_requirements(scene: Scene) -> None:
    text, problems = freeze(scene.env())
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == [
        f"app @ git+{REPO}@{COMMIT}#subdirectory=packages/app",
        f"lib-a @ git+{REPO}@{COMMIT}#subdirectory=packages/lib-a",
        "other==2.0",
        f"prebuilt @ {scene.store_url}",  # as app requires it: no hash fragment
    ]
    assert f"# prebuilt: archive vendor/prebuilt-0.1.0-py3-none-any.whl of {REPO} at {COMMIT}" in text
    assert "pip install --no-deps -r" in text
    assert problems == []


def test_a_plain_archive_gets_its_hash_unless_a_dependent_names_it_without(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_dist(
        site, "a", "1", direct_url={"url": "https://h/a-1.whl", "archive_info": {"hashes": {"sha256": "ab" * 32}}}
    )
    install_dist(
        site, "b", "1", direct_url={"url": "https://h/b-1.whl", "archive_info": {"hashes": {"sha256": "cd" * 32}}}
    )
    install_dist(site, "c", "1", requires=("b @ https://h/b-1.whl",))
    text, _ = freeze(environment.from_paths([str(site)]))
    assert f"a @ https://h/a-1.whl#sha256={'ab' * 32}" in text.splitlines()
    assert "b @ https://h/b-1.whl" in text.splitlines()


def test_a_missing_store_file_is_a_problem(scene: Scene) -> None:
    scene.wheel.unlink()
    _, problems = freeze(scene.env())
    assert ["no longer exists" in p.message for p in problems] == [True]


def test_pylock(scene: Scene, tmp_path: Path) -> None:
    links = tmp_path / "links"
    make_wheel(links, "other", "2.0")
    text, problems = freeze(scene.env(), output_format="pylock", find_links=[str(links)])
    assert problems == []
    lock = tomllib.loads(text)
    assert lock["lock-version"] == "1.0" and lock["created-by"] == "sourcelift-hook"
    packages = {p["name"]: p for p in lock["packages"]}
    assert packages["prebuilt"]["archive"] == {
        "path": str(scene.wheel),
        "size": scene.wheel.stat().st_size,
        "hashes": {"sha256": scene.sha},
    }
    assert packages["prebuilt"]["tool"]["sourcelift"]["commit-id"] == COMMIT
    assert packages["lib-a"]["vcs"]["subdirectory"] == "packages/lib-a" and "version" not in packages["lib-a"]
    assert packages["app"]["vcs"] == {"type": "git", "url": REPO, "commit-id": COMMIT, "subdirectory": "packages/app"}
    [wheel] = packages["other"]["wheels"]
    assert wheel["hashes"]["sha256"] == sha256_of(links / "other-2.0-py3-none-any.whl")
    for package in lock["packages"]:  # exactly one source each, as PEP 751 requires
        assert sum(key in package for key in ("vcs", "directory", "archive", "wheels", "sdist")) == 1, package


def test_pylock_needs_the_wheel_of_an_index_install(scene: Scene, tmp_path: Path) -> None:
    links = tmp_path / "links"
    make_wheel(links, "other", "2.0", body="# not the installed one\n")
    text, problems = freeze(scene.env(), output_format="pylock", find_links=[str(links)])
    assert [p.distribution for p in problems] == ["other"]
    assert "other" not in {p["name"] for p in tomllib.loads(text)["packages"]}


def test_an_archive_uv_recorded_in_a_repository_is_given_by_the_copy_a_dependent_names(scene: Scene) -> None:
    uv_record = {"url": REPO, "vcs_info": {"vcs": "git", "commit_id": COMMIT}, "path": "vendor/prebuilt.whl"}
    install_dist(
        scene.site,
        "app",
        "1.0",
        direct_url={"url": REPO, "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
        requires=(f"prebuilt @ {scene.store_url}", f"lib-a @ {MEMBER_URL}"),
    )  # no provenance document
    install_dist(scene.site, "prebuilt", "0.1.0", direct_url=uv_record)
    text, problems = freeze(scene.env())
    assert f"prebuilt @ {scene.store_url}" in text.splitlines() and problems == []
    lock, problems = freeze(scene.env(), output_format="pylock", find_links=[])
    packages = {p["name"]: p for p in tomllib.loads(lock)["packages"]}
    assert packages["prebuilt"]["archive"]["hashes"]["sha256"] == scene.sha
    assert packages["prebuilt"]["tool"]["sourcelift"]["recorded-by"] == "pip"


def test_pip_is_left_out_like_pip_freeze_does(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    for name in ("pip", "setuptools", "requests"):
        install_dist(site, name, "1")
    text, _ = freeze(environment.from_paths([str(site)]))
    assert [line for line in text.splitlines() if not line.startswith("#")] == ["requests==1"]
    text, _ = freeze(environment.from_paths([str(site)]), include_all=True)
    assert "pip==1" in text.splitlines()


def test_the_lock_is_valid_for_packaging_pylock_and_an_invalid_one_is_never_written(
    scene: Scene, tmp_path: Path
) -> None:
    from packaging.pylock import Pylock, PylockValidationError

    from sourcelift_hook.freeze import _render_pylock

    scene.install()
    text, _ = freeze(scene.env(), output_format="pylock", find_links=[])
    assert Pylock.from_dict(tomllib.loads(text)).created_by == "sourcelift-hook"
    with pytest.raises(PylockValidationError):
        _render_pylock([{"name": "Not_Normalized", "version": "1", "directory": {"path": "/d"}}])
