"""``sourcelift freeze``: requirements lines and PEP 751 pylock.toml from installed metadata."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from sourcelift_hook import environment
from sourcelift_hook.errors import HookError
from sourcelift_hook.freeze import freeze
from sourcelift_hook.gitarchive import GitArchives
from sourcelift_hook.indexlookup import IndexConfig
from tests.support import init_repo

from .hook_builders import COMMIT, REPO, archive_entry, document, install_dist, make_wheel, sha256_of
from .test_hook_origin import MEMBER_URL, Scene

NO_INDEX = IndexConfig([], source="the test")

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    scene = Scene(tmp_path)
    scene.install()
    return scene


INSTALLABLE_REPO = REPO.replace("file:///", "file://localhost/")  # pip 23 refuses git+file:///


def test_requirements(scene: Scene) -> None:
    text, problems = freeze(scene.env())
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == [
        f"app @ git+{INSTALLABLE_REPO}@{COMMIT}#subdirectory=packages/app",
        f"lib-a @ git+{INSTALLABLE_REPO}@{COMMIT}#subdirectory=packages/lib-a",
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


def test_a_missing_store_copy_is_fetched_again_and_a_repository_out_of_reach_is_a_problem(scene: Scene) -> None:
    scene.wheel.unlink()
    text, problems = freeze(scene.env())
    [problem] = problems
    assert problem.distribution == "prebuilt" and "could not be fetched" in problem.message
    assert "srv/git/project.git" in problem.message and "prebuilt @" not in text


def test_pylock(scene: Scene, tmp_path: Path) -> None:
    links = tmp_path / "links"
    make_wheel(links, "other", "2.0")
    text, problems = freeze(scene.env(), output_format="pylock", find_links=[str(links)], index_config=NO_INDEX)
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
    text, problems = freeze(scene.env(), output_format="pylock", find_links=[str(links)], index_config=NO_INDEX)
    assert [p.distribution for p in problems] == ["other"]
    assert "no wheel of other 2.0 with the installed tags (py3-none-any) and no sdist of it was found" in (
        problems[0].message
    )
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
    lock, problems = freeze(scene.env(), output_format="pylock", index_config=NO_INDEX)
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


class UvScene:
    """``app`` and ``native`` as uv installs them from a plain-hatchling repository with a wheel inside it."""

    def __init__(self, tmp_path: Path, *, body: str = "") -> None:
        self.repo = tmp_path / "app"
        self.wheel = make_wheel(self.repo / "third_party", "native", "2.3.1")
        (self.repo / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0.1.0"\n')
        self.commit = init_repo(self.repo)
        self.url = self.repo.as_uri()
        self.sha = sha256_of(self.wheel)
        self.site = tmp_path / "site"
        self.store = tmp_path / "store"
        vcs = {"vcs": "git", "commit_id": self.commit}
        install_dist(self.site, "app", "0.1.0", direct_url={"url": self.url, "vcs_info": vcs}, installer="uv")
        native = {"url": self.url, "vcs_info": vcs, "path": "third_party/native-2.3.1-py3-none-any.whl"}
        install_dist(self.site, "native", "2.3.1", direct_url=native, installer="uv", body=body)

    def env(self) -> environment.Environment:
        return environment.from_paths([str(self.site)])

    @property
    def stored(self) -> Path:
        return self.store / "sha256" / self.sha / self.wheel.name


def test_an_archive_uv_took_from_a_repository_is_fetched_at_its_commit_into_the_store(tmp_path: Path) -> None:
    scene = UvScene(tmp_path)
    text, problems = freeze(scene.env(), store=str(scene.store))
    assert problems == []
    assert f"native @ {scene.stored.as_uri()}#sha256={scene.sha}" in text.splitlines()
    assert f"app @ git+{scene.url.replace('file:///', 'file://localhost/')}@{scene.commit}" in text.splitlines()
    assert scene.stored.read_bytes() == scene.wheel.read_bytes()
    lock, problems = freeze(scene.env(), output_format="pylock", store=str(scene.store), index_config=NO_INDEX)
    assert problems == []
    packages = {p["name"]: p for p in tomllib.loads(lock)["packages"]}
    assert packages["native"]["archive"] == {
        "path": str(scene.stored),
        "size": scene.wheel.stat().st_size,
        "hashes": {"sha256": scene.sha},
    }
    tool = packages["native"]["tool"]["sourcelift"]
    assert (tool["repository"], tool["commit-id"], tool["path"]) == (
        scene.url,
        scene.commit,
        "third_party/native-2.3.1-py3-none-any.whl",
    )
    assert tool["recorded-by"] == "uv" and tool["fetched-from-repository"] is True
    assert packages["app"]["vcs"] == {"type": "git", "url": scene.url, "commit-id": scene.commit}


def test_a_commit_or_file_the_repository_lacks_is_named_plainly(tmp_path: Path) -> None:
    scene = UvScene(tmp_path)
    with GitArchives(str(scene.store)) as archives:
        with pytest.raises(HookError) as info:
            archives.fetch(scene.url, "deadbeef" * 5, "third_party/native-2.3.1-py3-none-any.whl")
        assert info.value.message == (
            f"commit {'deadbeef' * 5} is not in {scene.url}, so third_party/native-2.3.1-py3-none-any.whl "
            "cannot be read"
        )
        with pytest.raises(HookError) as info:
            archives.fetch(scene.url, scene.commit, "third_party/missing-1.0-py3-none-any.whl")
        assert info.value.message == (
            f"third_party/missing-1.0-py3-none-any.whl is not in {scene.url} at commit {scene.commit}"
        )


def test_a_fetched_wheel_that_does_not_hold_the_installed_files_is_left_out(tmp_path: Path) -> None:
    scene = UvScene(tmp_path, body="# changed after install\n")
    text, problems = freeze(scene.env(), store=str(scene.store))
    [problem] = problems
    assert problem.distribution == "native" and "does not hold the installed files" in problem.message
    assert not any(line.startswith("native") for line in text.splitlines())


def test_a_git_lfs_pointer_in_place_of_the_wheel_is_named(tmp_path: Path) -> None:
    repo = tmp_path / "app"
    pointer = repo / "third_party" / "native-2.3.1-py3-none-any.whl"
    pointer.parent.mkdir(parents=True)
    pointer.write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\nsize 10\n")
    commit = init_repo(repo)
    vcs = {"vcs": "git", "commit_id": commit}
    site = tmp_path / "site"
    native = {"url": repo.as_uri(), "vcs_info": vcs, "path": "third_party/native-2.3.1-py3-none-any.whl"}
    install_dist(site, "native", "2.3.1", direct_url=native, installer="uv")
    _, problems = freeze(environment.from_paths([str(site)]), store=str(tmp_path / "store"))
    assert ["Git LFS pointer" in p.message for p in problems] == [True]


def test_a_path_leaving_the_repository_is_refused(tmp_path: Path) -> None:
    scene = UvScene(tmp_path)
    bad = {"url": scene.url, "vcs_info": {"vcs": "git", "commit_id": scene.commit}, "path": "../../etc/passwd"}
    (scene.site / "native-2.3.1.dist-info" / "direct_url.json").write_text(json.dumps(bad))
    _, problems = freeze(scene.env(), store=str(scene.store))
    assert ["is not a path inside" in p.message for p in problems] == [True]
    assert not scene.store.exists()


def test_a_provenance_entry_whose_store_copy_is_gone_is_fetched_and_checked_against_its_sha256(
    tmp_path: Path,
) -> None:
    scene = UvScene(tmp_path)
    gone = tmp_path / "elsewhere" / "sha256" / scene.sha / scene.wheel.name
    entry = archive_entry(
        "native", scene.wheel, gone.as_uri(), path="third_party/native-2.3.1-py3-none-any.whl", url=scene.url
    )
    entry["commit_id"] = scene.commit
    install_dist(
        scene.site,
        "app",
        "0.1.0",
        direct_url={"url": scene.url, "vcs_info": {"vcs": "git", "commit_id": scene.commit}},
        provenance=document(entry),
        requires=(f"native @ {gone.as_uri()}",),
    )
    pip_record = {"url": gone.as_uri(), "archive_info": {"hashes": {"sha256": scene.sha}}}
    (scene.site / "native-2.3.1.dist-info" / "direct_url.json").write_text(json.dumps(pip_record))
    text, problems = freeze(scene.env(), store=str(scene.store))
    assert problems == []
    assert f"native @ {scene.stored.as_uri()}#sha256={scene.sha}" in text.splitlines()
    entry["sha256"] = "0" * 64  # a recorded hash the repository's file does not have
    install_dist(
        scene.site,
        "app",
        "0.1.0",
        direct_url={"url": scene.url, "vcs_info": {"vcs": "git", "commit_id": scene.commit}},
        provenance=document(entry),
    )
    pip_record["archive_info"] = {"hashes": {"sha256": "0" * 64}}
    (scene.site / "native-2.3.1.dist-info" / "direct_url.json").write_text(json.dumps(pip_record))
    _, problems = freeze(scene.env(), store=str(tmp_path / "other-store"))
    assert ["could not be fetched" in p.message and "differs from the expected" in p.message for p in problems] == [
        True
    ]
    assert not list((tmp_path / "other-store").glob("sha256/*/*"))


def test_wheelhouse_requirements_and_pylock_name_copies_relative_to_the_output(tmp_path: Path) -> None:
    scene = UvScene(tmp_path)
    out = tmp_path / "export"
    out.mkdir()
    text, problems = freeze(
        scene.env(), store=str(scene.store), wheelhouse=str(out / "wheels"), output=str(out / "requirements.txt")
    )
    assert problems == []
    lines = text.splitlines()
    assert "--find-links wheels" in lines
    # app comes from git: pip cannot hash it, and one --hash would make pip demand hashes everywhere
    assert f"native==2.3.1  # sha256:{scene.sha}" in lines
    assert (out / "wheels" / scene.wheel.name).read_bytes() == scene.wheel.read_bytes()
    lock, problems = freeze(
        scene.env(),
        output_format="pylock",
        store=str(scene.store),
        wheelhouse=str(out / "wheels"),
        output=str(out / "pylock.toml"),
        index_config=NO_INDEX,
    )
    assert problems == []
    packages = {p["name"]: p for p in tomllib.loads(lock)["packages"]}
    assert packages["native"]["archive"]["path"] == f"wheels/{scene.wheel.name}"
    # with archives only, every line gets its hash
    shutil.rmtree(scene.site / "app-0.1.0.dist-info")
    text, _ = freeze(scene.env(), store=str(scene.store), wheelhouse=str(out / "wheels"), output=str(out / "r.txt"))
    assert f"native==2.3.1 --hash=sha256:{scene.sha}" in text.splitlines()


def test_wheelhouse_never_replaces_a_different_file(tmp_path: Path) -> None:
    scene = UvScene(tmp_path)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / scene.wheel.name).write_bytes(b"something else")
    text, problems = freeze(scene.env(), store=str(scene.store), wheelhouse=str(wheels))
    assert ["exists with other content" in p.message for p in problems] == [True]
    assert (wheels / scene.wheel.name).read_bytes() == b"something else"
    assert f"native @ {scene.stored.as_uri()}#sha256={scene.sha}" in text.splitlines()


def test_an_index_install_is_looked_up_on_the_configured_index(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_dist(site, "other", "2.0")
    wheel = make_wheel(tmp_path / "files", "other", "2.0")
    make_wheel(tmp_path / "files" / "elsewhere", "other", "2.0").rename(
        tmp_path / "files" / "other-2.0-cp399-cp399-win_amd64.whl"
    )
    page = tmp_path / "simple" / "other" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        "<html><body>"
        f'<a href="../../files/{wheel.name}#sha256={sha256_of(wheel)}">{wheel.name}</a>'
        '<a href="../../files/other-2.0-cp399-cp399-win_amd64.whl#sha256=' + "1" * 64 + '">x</a>'
        "</body></html>"
    )
    index = (tmp_path / "simple").as_uri() + "/"
    lock, problems = freeze(
        environment.from_paths([str(site)]), output_format="pylock", index_config=IndexConfig([index])
    )
    assert problems == []
    [package] = tomllib.loads(lock)["packages"]
    assert package["index"] == index and package["version"] == "2.0"
    assert package["wheels"] == [{"name": wheel.name, "url": wheel.as_uri(), "hashes": {"sha256": sha256_of(wheel)}}]


@pytest.mark.parametrize("url", ["ext::sh -c touch% /tmp/sourcelift-pwned", "--upload-pack=touch /tmp/x", "fd::17"])
def test_a_repository_url_git_would_run_something_for_is_refused(tmp_path: Path, url: str) -> None:
    scene = UvScene(tmp_path)
    bad = {"url": url, "vcs_info": {"vcs": "git", "commit_id": scene.commit}, "path": "native.whl"}
    (scene.site / "native-2.3.1.dist-info" / "direct_url.json").write_text(json.dumps(bad))
    _, problems = freeze(scene.env(), store=str(scene.store))
    assert ["is not a repository URL sourcelift clones" in p.message for p in problems] == [True]
    assert not Path("/tmp/sourcelift-pwned").exists() and not scene.store.exists()


def test_the_lock_is_valid_for_packaging_pylock_and_an_invalid_one_is_never_written(
    scene: Scene, tmp_path: Path
) -> None:
    from packaging.pylock import Package, PackageDirectory, Pylock, PylockValidationError
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from sourcelift_hook.freeze import _render_pylock

    text, _ = freeze(scene.env(), output_format="pylock", index_config=NO_INDEX)
    assert Pylock.from_dict(tomllib.loads(text)).created_by == "sourcelift-hook"
    bad = Package(name=NormalizedName("Not_Normalized"), version=Version("1"), directory=PackageDirectory(path="/d"))
    with pytest.raises(PylockValidationError):
        _render_pylock([bad])


def test_an_export_that_cannot_be_written_copies_nothing_into_the_wheelhouse(tmp_path: Path) -> None:
    from sourcelift_hook.errors import HookError

    scene = UvScene(tmp_path)
    with pytest.raises(HookError, match="is not a directory"):
        freeze(scene.env(), wheelhouse=str(tmp_path / "wheels"), output=str(tmp_path / "missing" / "r.txt"))
    assert not (tmp_path / "wheels").exists() and not scene.store.exists()


def test_the_pr1798_file_key_is_fetched_like_uvs_path(tmp_path: Path) -> None:
    scene = UvScene(tmp_path)
    record = {
        "url": scene.url,
        "vcs_info": {"vcs": "git", "commit_id": scene.commit},
        "file": f"third_party/{scene.wheel.name}",
    }
    (scene.site / "native-2.3.1.dist-info" / "direct_url.json").write_text(json.dumps(record))
    text, problems = freeze(scene.env(), store=str(scene.store))
    assert problems == [] and f"native @ {scene.stored.as_uri()}#sha256={scene.sha}" in text.splitlines()


def test_pylock_names_the_index_sdist_of_an_install_no_index_wheel_matches(scene: Scene, tmp_path: Path) -> None:
    digest = "f" * 64
    page = tmp_path / "simple" / "other" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<a href="other-2.0.tar.gz#sha256={digest}">other-2.0.tar.gz</a>')
    index = f"{tmp_path.as_uri()}/simple/"
    text, problems = freeze(scene.env(), output_format="pylock", index_config=IndexConfig([index]))
    assert problems == []
    [other] = [p for p in tomllib.loads(text)["packages"] if p["name"] == "other"]
    assert other == {
        "name": "other",
        "version": "2.0",
        "index": index,
        "sdist": {"name": "other-2.0.tar.gz", "url": f"{index}other/other-2.0.tar.gz", "hashes": {"sha256": digest}},
    }
