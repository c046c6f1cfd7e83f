"""Version discovery: archives read in place, directory versions, the fingerprint and the version cache.

Directory versions with a dynamic version run a real backend in a child process:
a tiny in-tree backend (``backend-path``) that takes its version from a VERSION
file and appends a line to a counter file outside the project each time it runs,
so the tests count backend runs.  Git is the real ``git`` CLI.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from sourcelift._compat import tomllib
from sourcelift.versions import (
    DirectoryVersion,
    VersionCache,
    VersionError,
    _gitstate,
    archive_version,
    archives,
    default_cache_dir,
    directories,
    directory_version,
    dynamic_build_requires,
)
from sourcelift.versions.fingerprint import member_fingerprint, parse_cache_keys
from tests.support import REPO_ROOT, git, init_repo, status_porcelain
from tests.support.wheels import write_zip

EXAMPLE_WHEEL = REPO_ROOT / "example-projects" / "project-in-git" / "vendor" / "prebuilt-0.1.0-py3-none-any.whl"


@pytest.fixture(autouse=True)
def _fresh_process_state():
    """What the module caches per process (git answers, parsed requires) must not leak between tests."""
    _gitstate.clear()
    directories._dynamic_build_requires.cache_clear()
    yield
    _gitstate.clear()
    directories._dynamic_build_requires.cache_clear()


# ---------------------------------------------------------------- archives


def metadata_text(name: str, version: str, extra: str = "") -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{extra}\nA description.\n"


def make_wheel(directory: Path, filename: str, members: dict[str, str | bytes]) -> Path:
    """A zip of exactly ``members`` (often not a valid wheel, on purpose)."""
    return write_zip(directory / filename, members)


def make_sdist_tar(directory: Path, filename: str, members: dict[str, str | bytes]) -> Path:
    path = directory / filename
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_wheel_version_comes_from_its_metadata(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path,
        "Foo_Bar-1.0-py3-none-any.whl",
        {
            "foo_bar/__init__.py": "",
            "foo_bar-1.0.dist-info/METADATA": metadata_text("Foo.Bar", "1.0.0"),
            "foo_bar-1.0.dist-info/RECORD": "",
        },
    )
    # names and versions are compared normalized; the normalized version is returned
    assert archive_version(wheel) == "1.0.0"


def test_the_vendored_example_wheel() -> None:
    assert archive_version(EXAMPLE_WHEEL) == "0.1.0"


def test_sdist_tar_gz_reads_the_top_level_pkg_info(tmp_path: Path) -> None:
    sdist = make_sdist_tar(
        tmp_path,
        "lib_a-2.3.tar.gz",
        {
            "lib_a-2.3/pyproject.toml": "",
            # a nested PKG-INFO (setuptools' egg-info) is not the sdist's
            "lib_a-2.3/src/lib_a.egg-info/PKG-INFO": metadata_text("lib-a", "9.9"),
            "lib_a-2.3/PKG-INFO": metadata_text("lib-a", "2.3"),
        },
    )
    assert archive_version(sdist) == "2.3"


def test_sdist_zip(tmp_path: Path) -> None:
    sdist = make_wheel(tmp_path, "lib-a-2.3rc1.zip", {"lib-a-2.3rc1/PKG-INFO": metadata_text("lib_a", "2.3rc1")})
    assert archive_version(sdist) == "2.3rc1"


@pytest.mark.parametrize(
    ("name", "version", "says"),
    [("other", "0.1.0", "other 0.1.0"), ("prebuilt", "0.2.0", "prebuilt 0.2.0")],
)
def test_metadata_must_agree_with_the_file_name(tmp_path: Path, name: str, version: str, says: str) -> None:
    wheel = make_wheel(
        tmp_path, "prebuilt-0.1.0-py3-none-any.whl", {"prebuilt-0.1.0.dist-info/METADATA": metadata_text(name, version)}
    )
    with pytest.raises(VersionError) as caught:
        archive_version(wheel)
    assert "the file name says prebuilt 0.1.0" in caught.value.message and says in caught.value.message
    assert "rename the file" in caught.value.fix


def test_sdist_metadata_must_agree_with_the_file_name(tmp_path: Path) -> None:
    sdist = make_sdist_tar(tmp_path, "lib_a-2.3.tar.gz", {"lib_a-2.3/PKG-INFO": metadata_text("lib-a", "2.4")})
    with pytest.raises(VersionError, match=r"PKG-INFO says lib-a 2\.4"):
        archive_version(sdist)


@pytest.mark.parametrize(
    ("filename", "members", "message"),
    [
        ("a-1.0-py3-none-any.whl", {"a/__init__.py": ""}, r"has no \*\.dist-info/METADATA"),
        (
            "a-1.0-py3-none-any.whl",
            {"a-1.0.dist-info/METADATA": metadata_text("a", "1.0"), "b-1.0.dist-info/METADATA": ""},
            "more than one",
        ),
        ("a-1.0-py3-none-any.whl", {"a-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: a\n"}, "no `Version`"),
        ("a-1.0-py3-none-any.whl", {"a-1.0.dist-info/METADATA": metadata_text("a", "one")}, "not a valid version"),
        ("a-1.0.zip", {"a-1.0/setup.py": ""}, "has no <top directory>/PKG-INFO"),
    ],
)
def test_missing_or_broken_metadata(tmp_path: Path, filename: str, members: dict[str, str], message: str) -> None:
    with pytest.raises(VersionError, match=message) as caught:
        archive_version(make_wheel(tmp_path, filename, members))
    assert str(tmp_path / filename) in caught.value.message


def test_missing_pkg_info_in_tar(tmp_path: Path) -> None:
    sdist = make_sdist_tar(tmp_path, "a-1.0.tar.gz", {"a-1.0/setup.py": "", "a-1.0/x/PKG-INFO": ""})
    with pytest.raises(VersionError, match="has no <top directory>/PKG-INFO"):
        archive_version(sdist)


def test_not_an_archive(tmp_path: Path) -> None:
    for filename in ("a-1.0-py3-none-any.whl", "a-1.0.tar.gz", "a-1.0.zip"):
        (tmp_path / filename).write_bytes(b"this is not an archive" * 10)
        with pytest.raises(VersionError, match="not a"):
            archive_version(tmp_path / filename)


def test_bad_file_name(tmp_path: Path) -> None:
    with pytest.raises(VersionError, match="neither a wheel") as caught:
        archive_version(tmp_path / "whatever.egg")
    assert "standard file name" in caught.value.fix


def test_oversized_metadata_is_refused(tmp_path: Path) -> None:
    padding = "Keywords: " + "x" * (archives.MAX_METADATA_BYTES + 1) + "\n"
    wheel = make_wheel(
        tmp_path, "a-1.0-py3-none-any.whl", {"a-1.0.dist-info/METADATA": metadata_text("a", "1.0", padding)}
    )
    sdist = make_sdist_tar(tmp_path, "a-1.0.tar.gz", {"a-1.0/PKG-INFO": metadata_text("a", "1.0", padding)})
    for archive in (wheel, sdist):
        with pytest.raises(VersionError, match="larger than 1048576 bytes"):
            archive_version(archive)


def test_too_many_members_are_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    members: dict[str, str | bytes] = {f"a/m{i}.py": "" for i in range(10)}
    wheel = make_wheel(
        tmp_path, "a-1.0-py3-none-any.whl", {**members, "a-1.0.dist-info/METADATA": metadata_text("a", "1.0")}
    )
    sdist = make_sdist_tar(
        tmp_path,
        "a-1.0.tar.gz",
        {**{f"a-1.0/{k}": v for k, v in members.items()}, "a-1.0/PKG-INFO": metadata_text("a", "1.0")},
    )
    assert archive_version(wheel) == archive_version(sdist) == "1.0"
    monkeypatch.setattr(archives, "MAX_MEMBERS", 5)
    for archive in (wheel, sdist):
        with pytest.raises(VersionError, match="more than 5 members"):
            archive_version(archive)


def test_zip_entry_count_read_from_the_end_record(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "a-1.0-py3-none-any.whl", {f"f{i}": "" for i in range(7)})
    with wheel.open("rb") as stream:
        assert archives._zip_entry_count(stream, wheel) == 7
    # a trailing comment does not hide the record
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.comment = b"PK\x05\x06 fake signature in a comment"
    with wheel.open("rb") as stream:
        assert archives._zip_entry_count(stream, wheel) == 7


def test_pkg_info_that_is_a_link_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("a-1.0/PKG-INFO")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        archive.addfile(info)
    with pytest.raises(VersionError, match="not a regular file"):
        archive_version(path)


# ---------------------------------------------------------------- projects

COUNTING_BACKEND = '''
"""A tiny PEP 517 backend: version from ./VERSION; each run appends a line to $SL_TEST_COUNTER."""
import os
import sys
import time
import zipfile


def _run(hook):
    counter = os.environ.get("SL_TEST_COUNTER")
    if counter:
        with open(counter, "a") as stream:
            stream.write(hook + " " + os.getcwd() + "\\n")
    time.sleep(float(os.environ.get("SL_TEST_DELAY") or 0))
    barrier = os.environ.get("SL_TEST_BARRIER")
    if barrier:  # wait for SL_TEST_BARRIER_COUNT runs to be under way at once: they must run concurrently
        open(os.path.join(barrier, str(os.getpid())), "w").close()
        deadline = time.monotonic() + 30
        while len(os.listdir(barrier)) < int(os.environ["SL_TEST_BARRIER_COUNT"]):
            if time.monotonic() > deadline:
                raise RuntimeError("the other backend runs never started: not run concurrently")
            time.sleep(0.01)
    if os.environ.get("SL_TEST_FAIL"):
        print("counting backend: the version file is unreadable", file=sys.stderr)
        raise RuntimeError("broken on purpose")
    with open("VERSION") as stream:
        version = stream.read().strip()
    return "counted-%s.dist-info" % version, "Metadata-Version: 2.1\\nName: counted\\nVersion: %s\\n" % version


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist_info, metadata = _run("build_wheel")
    name = dist_info.replace(".dist-info", "-py3-none-any.whl")
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
        archive.writestr(dist_info + "/METADATA", metadata)
    return name


def _prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info, metadata = _run("prepare_metadata_for_build_wheel")
    os.makedirs(os.path.join(metadata_directory, dist_info))
    with open(os.path.join(metadata_directory, dist_info, "METADATA"), "w") as stream:
        stream.write(metadata)
    return dist_info


# like hatchling: no prepare_metadata_for_build_wheel under pip's build tracker
if not os.environ.get("SL_TEST_NO_PREPARE") and not (
    os.environ.get("SL_TEST_LIKE_HATCHLING") and "PIP_BUILD_TRACKER" in os.environ
):
    prepare_metadata_for_build_wheel = _prepare_metadata_for_build_wheel
'''


def counted_pyproject(extra: str = "", backend: str = "counting_backend") -> str:
    return textwrap.dedent(
        f"""\
        [build-system]
        requires = []
        build-backend = "{backend}"
        backend-path = ["_backend"]

        [project]
        name = "counted"
        dynamic = ["version"]
        """
    ) + textwrap.dedent(extra)


def write_counted(root: Path, version: str = "1.0.0", pyproject: str | None = None) -> Path:
    (root / "_backend").mkdir(parents=True, exist_ok=True)
    (root / "_backend" / "counting_backend.py").write_text(COUNTING_BACKEND)
    (root / "VERSION").write_text(version + "\n")
    (root / "pyproject.toml").write_text(pyproject if pyproject is not None else counted_pyproject())
    return root


@pytest.fixture
def counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file the counting backend appends to: outside every project."""
    path = tmp_path / "backend-runs.txt"
    monkeypatch.setenv("SL_TEST_COUNTER", str(path))
    for name in (
        "SL_TEST_DELAY",
        "SL_TEST_FAIL",
        "SL_TEST_NO_PREPARE",
        "SL_TEST_LIKE_HATCHLING",
        "PIP_BUILD_TRACKER",
        "SL_TEST_BARRIER",
    ):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith(("SOURCELIFT_", "GIT_")):
            monkeypatch.delenv(name)
    return path


def runs(counter: Path) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed git repository holding a dynamic member at ``packages/counted``."""
    root = tmp_path / "repo"
    write_counted(root / "packages" / "counted")
    (root / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    (root / ".gitignore").write_text("ignored/\n")
    init_repo(root)
    return root


def member(repo: Path) -> Path:
    return repo / "packages" / "counted"


@pytest.fixture
def version_cache(tmp_path: Path) -> VersionCache:
    return VersionCache(tmp_path / "cache")


def fingerprint(path: Path) -> str | None:
    _gitstate.clear()
    return member_fingerprint(path, directories._load(path), os.environ).digest


def commit(root: Path, message: str = "change") -> None:
    git("add", "--all", cwd=root)
    git("commit", "--quiet", "--no-gpg-sign", "-m", message, cwd=root)


def test_static_version_needs_no_backend_git_or_cache(tmp_path: Path, version_cache: VersionCache) -> None:
    project = tmp_path / "static"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "s"\nversion = "01.2"\n')
    assert directory_version(project, version_cache) == DirectoryVersion("1.2", "static")
    assert not version_cache.directory.exists()
    assert dynamic_build_requires(project) == []


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ('[project]\nname = "s"\n', "`project.version` is missing"),
        ('[project]\nname = "s"\nversion = "one"\n', "not a valid version"),
        ('[project]\nname = "s"\nversion = 1\n', "must be a string"),
        ("[project\n", "not valid TOML"),
    ],
)
def test_bad_static_versions(tmp_path: Path, pyproject: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    with pytest.raises(VersionError, match=message):
        directory_version(tmp_path, None)


MATURIN_PYPROJECT = """\
[build-system]
requires = ["sourcelift", "maturin>=1,<2"]
build-backend = "sourcelift.build"

[tool.sourcelift]
backend = "maturin"

[project]
name = "native_core"
dynamic = ["version"]
"""


@pytest.mark.parametrize("wrapped", [True, False])
def test_a_maturin_version_is_read_from_cargo_toml(tmp_path: Path, version_cache: VersionCache, wrapped: bool) -> None:
    # pydantic's pydantic-core: a maturin workspace member whose version is `[package] version` of its
    # Cargo.toml; maturin's own hook runs `cargo metadata`, which needs crates.io (no network: no version)
    pyproject = MATURIN_PYPROJECT
    if not wrapped:
        pyproject = pyproject.replace('"sourcelift.build"', '"maturin"').replace(
            '[tool.sourcelift]\nbackend = "maturin"\n', ""
        )
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "native-core"\nversion = "2.48.0"\nedition = "2021"\n')
    assert directory_version(tmp_path, version_cache) == DirectoryVersion("2.48.0", "static")
    assert dynamic_build_requires(tmp_path) == []
    assert not version_cache.directory.exists()


def test_a_maturin_manifest_path_is_followed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        MATURIN_PYPROJECT + '\n[tool.maturin]\nmanifest-path = "rust/Cargo.toml"\n'
    )
    (tmp_path / "rust").mkdir()
    (tmp_path / "rust" / "Cargo.toml").write_text('[package]\nname = "native-core"\nversion = "0.3.1"\n')
    assert directory_version(tmp_path, None) == DirectoryVersion("0.3.1", "static")


@pytest.mark.parametrize(
    "cargo",
    [
        '[package]\nname = "c"\nversion.workspace = true\n',  # inherited: cargo metadata knows it
        '[package]\nname = "c"\nversion = "1.0.0-beta.1"\n',  # maturin converts a pre-release
        '[package]\nname = "c"\n',
        "[package\n",
        "x = " + "[" * 3000 + "]" * 3000 + "\n",  # nested deeper than the parser follows
        None,
    ],
)
def test_other_maturin_versions_are_left_to_maturin(tmp_path: Path, cargo: str | None) -> None:
    (tmp_path / "pyproject.toml").write_text(MATURIN_PYPROJECT)
    if cargo is not None:
        (tmp_path / "Cargo.toml").write_text(cargo)
    assert directories._static_version(tmp_path, directories._load(tmp_path)) is None


def test_a_backend_run_in_another_environment_finds_its_commands(tmp_path: Path, counter: Path) -> None:
    # `sourcelift explain --isolated` on pydantic: maturin's hook runs the `maturin` command its requirement
    # installed into the isolated environment, whose scripts directory a frontend puts on PATH
    scripts = tmp_path / "env" / "bin"
    scripts.mkdir(parents=True)
    python = scripts / "python"
    python.symlink_to(sys.executable)
    tool = scripts / "print-version"
    tool.write_text("#!/bin/sh\necho 4.5.6\n")
    tool.chmod(0o755)
    project = write_counted(tmp_path / "project")
    backend = project / "_backend" / "counting_backend.py"
    backend.write_text(
        backend.read_text().replace(
            'with open("VERSION") as stream:\n        version = stream.read().strip()',
            'import subprocess\n    version = subprocess.check_output(["print-version"], text=True).strip()',
        )
    )
    assert directory_version(project, None, python=str(python)) == DirectoryVersion("4.5.6", "backend")


def test_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(VersionError, match="not a Python project") as caught:
        directory_version(tmp_path, None)
    assert "root directory" in caught.value.fix


def test_dynamic_version_is_cached_in_a_clean_repository(
    repo: Path, counter: Path, version_cache: VersionCache
) -> None:
    assert directory_version(member(repo), version_cache) == DirectoryVersion("1.0.0", "backend")
    assert directory_version(member(repo), version_cache) == DirectoryVersion("1.0.0", "cache")
    assert runs(counter) == 1
    entries = list((version_cache.directory / "versions" / "v1").glob("*/*.json"))
    assert len(entries) == 1 and entries[0].parent.name == entries[0].name[:2]
    assert json.loads(entries[0].read_text()) == {"format": 1, "member": str(member(repo)), "version": "1.0.0"}
    # nothing was written into the source tree: no output, no __pycache__ of the in-tree backend
    assert status_porcelain(repo) == ""


def test_without_a_cache_the_backend_runs_every_time(repo: Path, counter: Path) -> None:
    assert directory_version(member(repo), None).how == "backend"
    assert directory_version(member(repo), None).how == "backend"
    assert runs(counter) == 2


def test_a_project_outside_git_is_always_recomputed(tmp_path: Path, counter: Path, version_cache: VersionCache) -> None:
    project = write_counted(tmp_path / "plain")
    assert member_fingerprint(project, directories._load(project)).digest is None
    assert directory_version(project, version_cache).how == "backend"
    (project / "VERSION").write_text("2.0\n")
    assert directory_version(project, version_cache) == DirectoryVersion("2.0", "backend")
    assert runs(counter) == 2


@pytest.mark.parametrize("where", ["packages/counted/notes.txt", "packages/counted/VERSION"])
def test_a_change_inside_the_member_is_always_recomputed(
    repo: Path, counter: Path, version_cache: VersionCache, where: str
) -> None:
    assert directory_version(member(repo), version_cache).how == "backend"
    (repo / where).write_text("2.0\n")  # untracked, or a modified tracked file (VERSION)
    _gitstate.clear()
    result = member_fingerprint(member(repo), directories._load(member(repo)))
    assert result.digest is None and "uncommitted or untracked" in (result.reason or "")
    expected = "2.0" if where.endswith("VERSION") else "1.0.0"
    assert directory_version(member(repo), version_cache) == DirectoryVersion(expected, "backend")
    assert directory_version(member(repo), version_cache) == DirectoryVersion(expected, "backend")
    assert runs(counter) == 3


def test_untracked_and_modified_files_outside_the_member_leave_it_warm(
    repo: Path, counter: Path, version_cache: VersionCache
) -> None:
    (repo / "README").write_text("tracked\n")
    commit(repo)
    before = fingerprint(member(repo))
    assert directory_version(member(repo), version_cache).how == "backend"
    (repo / "elsewhere.txt").write_text("untracked\n")
    (repo / "README").write_text("modified\n")
    (repo / "packages" / "other").mkdir()
    (repo / "packages" / "other" / "new.py").write_text("")
    assert fingerprint(member(repo)) == before
    _gitstate.clear()
    assert directory_version(member(repo), version_cache) == DirectoryVersion("1.0.0", "cache")
    assert runs(counter) == 1


def test_a_commit_elsewhere_leaves_the_member_warm_and_one_inside_does_not(repo: Path) -> None:
    first = fingerprint(member(repo))
    assert first is not None and fingerprint(member(repo)) == first
    (repo / "README").write_text("a commit elsewhere in the repository\n")
    commit(repo)
    assert fingerprint(member(repo)) == first  # its version cannot have changed: its files did not
    (member(repo) / "notes.txt").write_text("a commit inside the member\n")
    commit(repo)
    assert fingerprint(member(repo)) not in (None, first)


def git_member(repo: Path, keys: str) -> None:
    """Make the counted member declare that its version reads git, and commit."""
    (member(repo) / "pyproject.toml").write_text(counted_pyproject(f"[tool.uv]\ncache-keys = [{keys}]\n"))
    commit(repo)


def test_a_new_or_moved_tag_makes_a_version_from_git_cold(repo: Path) -> None:
    plain = fingerprint(member(repo))
    git("tag", "v0.9", cwd=repo)
    assert fingerprint(member(repo)) == plain  # the counted backend reads no tags
    git_member(repo, "{ git = { tags = true } }")
    first = fingerprint(member(repo))
    assert first not in (None, plain)  # the changed cache key
    git("tag", "v1.0.0", cwd=repo)
    tagged = fingerprint(member(repo))
    assert tagged not in (None, first)
    git("tag", "-f", "v1.0.0", "HEAD~1", cwd=repo)  # the same tag moved
    moved = fingerprint(member(repo))
    assert moved not in (None, tagged)
    git("pack-refs", "--all", cwd=repo)  # tags read from packed-refs give the same answer
    assert fingerprint(member(repo)) == moved
    git("tag", "-a", "-m", "annotated", "v2", cwd=repo)
    assert fingerprint(member(repo)) not in (None, moved)


def test_a_commit_anywhere_makes_a_version_from_git_commits_cold(repo: Path) -> None:
    git_member(repo, "{ git = { commit = true } }")
    first = fingerprint(member(repo))
    git("tag", "v1", cwd=repo)
    assert fingerprint(member(repo)) == first  # tags were not declared
    (repo / "README").write_text("elsewhere\n")
    commit(repo)
    assert fingerprint(member(repo)) not in (None, first)


@pytest.mark.parametrize(
    "declaration",
    [
        '[build-system]\nrequires = ["hatchling", "hatch-vcs>=0.4"]\nbuild-backend = "hatchling.build"\n',
        '[tool.hatch.version]\nsource = "vcs"\n',
        '[tool.pdm.version]\nsource = "scm"\n',
        "[tool.setuptools_scm]\n",
    ],
)
def test_a_version_from_git_is_recomputed_while_a_tracked_file_is_modified(repo: Path, declaration: str) -> None:
    data = tomllib.loads('[project]\nname = "x"\ndynamic = ["version"]\n' + declaration)
    assert member_fingerprint(member(repo), data).digest is not None
    (repo / "elsewhere.txt").write_text("untracked: setuptools-scm ignores it\n")
    _gitstate.clear()
    assert member_fingerprint(member(repo), data).digest is not None
    (repo / "pyproject.toml").write_text("# modified: setuptools-scm's version says dirty\n", encoding="utf-8")
    _gitstate.clear()
    result = member_fingerprint(member(repo), data)
    assert result.digest is None and "comes from git" in (result.reason or "")


def test_a_version_file_outside_the_member_is_an_input(repo: Path) -> None:
    (repo / "VERSION.txt").write_text("3.0\n")
    (member(repo) / "pyproject.toml").write_text(
        counted_pyproject('[tool.hatch.version]\npath = "../../VERSION.txt"\n')
    )
    commit(repo)
    before = fingerprint(member(repo))
    (repo / "VERSION.txt").write_text("3.1\n")  # modified, outside the member
    assert fingerprint(member(repo)) not in (None, before)


def test_a_member_not_in_head_is_always_recomputed(repo: Path, counter: Path, version_cache: VersionCache) -> None:
    other = write_counted(repo / "ignored" / "new")  # git-ignored: the tree is clean, but HEAD lacks it
    _gitstate.clear()
    result = member_fingerprint(other, directories._load(other))
    assert result.digest is None and "not in the tree of HEAD" in (result.reason or "")
    directory_version(other, version_cache)
    directory_version(other, version_cache)
    assert runs(counter) == 2


def test_git_unavailable_means_no_fingerprint(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-such-bin"))
    result = member_fingerprint(member(repo), directories._load(member(repo)))
    assert result.digest is None and "git is not installed" in (result.reason or "")


def test_git_redirected_means_no_fingerprint(repo: Path) -> None:
    result = member_fingerprint(member(repo), directories._load(member(repo)), {"GIT_DIR": "/elsewhere/.git"})
    assert result.digest is None and "GIT_DIR" in (result.reason or "")


def test_fingerprint_covers_the_build_files_bytes(repo: Path) -> None:
    before = fingerprint(member(repo))
    # hide the change from git (status stays clean, HEAD is the same): only the bytes differ
    git("update-index", "--assume-unchanged", "packages/counted/pyproject.toml", cwd=repo)
    pyproject = member(repo) / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# changed\n")
    assert status_porcelain(repo).strip() == ""
    assert fingerprint(member(repo)) not in (None, before)


def test_fingerprint_covers_cache_keys(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = """
        [tool.uv]
        cache-keys = [
            "gen/*.txt",
            { file = "other/{a,b}.cfg" },
            { env = "SL_TEST_BUILD_NUMBER" },
            { git = { commit = true, tags = true } },
        ]

        [tool.sourcelift]
        cache-keys = [{ dir = "gen" }]
        """
    (member(repo) / "pyproject.toml").write_text(counted_pyproject(extra))
    (repo / ".gitignore").write_text("ignored/\ngen/\nother/\n")
    commit(repo)
    gen, other = member(repo) / "gen", member(repo) / "other"
    gen.mkdir()
    other.mkdir()
    (gen / "one.txt").write_text("1")
    (other / "b.cfg").write_text("b")
    monkeypatch.delenv("SL_TEST_BUILD_NUMBER", raising=False)
    seen = [fingerprint(member(repo))]
    (gen / "one.txt").write_text("2")  # a glob's file changes
    seen.append(fingerprint(member(repo)))
    (other / "b.cfg").write_text("c")  # a brace-expanded { file } changes
    seen.append(fingerprint(member(repo)))
    (gen / "sub").mkdir()  # the { dir } listing changes (no matching file appears)
    seen.append(fingerprint(member(repo)))
    monkeypatch.setenv("SL_TEST_BUILD_NUMBER", "7")  # the { env } key
    seen.append(fingerprint(member(repo)))
    monkeypatch.setenv("SETUPTOOLS_SCM_PRETEND_VERSION", "9.9")  # what version plugins read
    seen.append(fingerprint(member(repo)))
    assert None not in seen and len(set(seen)) == len(seen)
    assert fingerprint(member(repo)) == seen[-1]
    assert "??" not in status_porcelain(repo)  # the key files are ignored: the tree stayed clean throughout


def test_cache_keys_formats() -> None:
    assert parse_cache_keys(
        ["a.txt", {"file": "**/*.py"}, {"dir": "src"}, {"env": "X"}, {"git": True}, {"git": {"commit": True}}],
        "tool.uv.cache-keys",
    ) == [
        ("file", "a.txt"),
        ("file", "**/*.py"),
        ("dir", "src"),
        ("env", "X"),
        ("git", (True, True)),
        ("git", (True, False)),
    ]


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ("a.txt", "tool.uv.cache-keys"),
        ([{"file": "a", "env": "X"}], "tool.uv.cache-keys[0]"),
        (["ok", {"git": {"branch": True}}], "tool.uv.cache-keys[1]"),
        ([{"env": 3}], "tool.uv.cache-keys[0]"),
        ([""], "tool.uv.cache-keys[0]"),
    ],
)
def test_malformed_cache_keys(value: object, where: str) -> None:
    with pytest.raises(VersionError) as caught:
        parse_cache_keys(value, "tool.uv.cache-keys")
    assert f"`{where}`" in caught.value.message and "cache-keys = [" in caught.value.fix


def test_malformed_cache_keys_stop_a_cached_lookup(repo: Path, version_cache: VersionCache) -> None:
    (member(repo) / "pyproject.toml").write_text(
        counted_pyproject('[tool.sourcelift]\ncache-keys = [{ nope = "x" }]\n')
    )
    with pytest.raises(VersionError, match=r"tool\.sourcelift\.cache-keys\[0\]"):
        directory_version(member(repo), version_cache)


def test_corrupt_cache_entries_are_ignored_and_replaced(repo: Path, counter: Path, version_cache: VersionCache) -> None:
    digest = fingerprint(member(repo))
    assert digest is not None
    entry = version_cache.entry_path(digest)
    entry.parent.mkdir(parents=True)
    for garbage in (b"{not json", b'{"format": 1, "member": "/elsewhere", "version": "6.6"}', b'["1.0"]', b"\xff\xfe"):
        entry.write_bytes(garbage)
        assert directory_version(member(repo), version_cache) == DirectoryVersion("1.0.0", "backend")
    assert runs(counter) == 4
    assert directory_version(member(repo), version_cache).how == "cache"


def test_an_unwritable_cache_warns_once_and_still_answers(
    repo: Path, counter: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    broken = VersionCache(blocker / "cache")  # its parent is a file: nothing can be created there
    assert directory_version(member(repo), broken) == DirectoryVersion("1.0.0", "backend")
    assert directory_version(member(repo), broken) == DirectoryVersion("1.0.0", "backend")
    err = capsys.readouterr().err
    assert err.count("cannot be written") == 1 and "SOURCELIFT_CACHE_DIR" in err


CONCURRENT_CALLER = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from sourcelift.versions import VersionCache, directory_version
barrier, count, me, project, cache_dir = Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
(barrier / me).touch()
deadline = time.monotonic() + 60
while len(list(barrier.iterdir())) < count and time.monotonic() < deadline:
    time.sleep(0.002)
result = directory_version(Path(project), VersionCache(Path(cache_dir)))
print(json.dumps([result.version, result.how]))
"""


def test_concurrent_builds_compute_a_version_once(repo: Path, counter: Path, tmp_path: Path) -> None:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    cache_dir = tmp_path / "shared-cache"
    env = dict(os.environ, SL_TEST_DELAY="0.5")  # long enough for every caller to ask while the first computes
    count = 4
    fixed = [str(REPO_ROOT / "plugin" / "src"), str(barrier), str(count)]
    callers = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_CALLER, *fixed, str(i), str(member(repo)), str(cache_dir)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(count)
    ]
    results = []
    for caller in callers:
        out, err = caller.communicate(timeout=120)
        assert caller.returncode == 0, err
        results.append(json.loads(out))
    assert runs(counter) == 1, counter.read_text()
    assert sorted(results) == [["1.0.0", "backend"]] + [["1.0.0", "cache"]] * (count - 1)


def three_members(repo: Path) -> list[Path]:
    paths = [write_counted(repo / "packages" / name, version) for name, version in (("a", "1"), ("b", "2"), ("c", "3"))]
    commit(repo)
    return paths


def test_the_backends_that_must_run_run_concurrently(
    repo: Path, counter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = three_members(repo)
    (tmp_path / "barrier").mkdir()
    monkeypatch.setenv("SL_TEST_BARRIER", str(tmp_path / "barrier"))
    monkeypatch.setenv("SL_TEST_BARRIER_COUNT", "3")  # each run waits for the other two to start
    found = directories.directory_versions(members, VersionCache(tmp_path / "cache"), jobs=3)
    assert found == {path: DirectoryVersion(v, "backend") for path, v in zip(members, ("1", "2", "3"))}
    monkeypatch.delenv("SL_TEST_BARRIER")
    found = directories.directory_versions([*members, member(repo)], VersionCache(tmp_path / "cache"), jobs=3)
    assert [(v.version, v.how) for v in found.values() if isinstance(v, DirectoryVersion)] == [
        ("1", "cache"),
        ("2", "cache"),
        ("3", "cache"),
        ("1.0.0", "backend"),
    ]
    assert runs(counter) == 4


def test_one_failing_backend_is_reported_and_the_others_answer(
    repo: Path, counter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = three_members(repo)
    (members[1] / "pyproject.toml").write_text(counted_pyproject(backend="no_such_backend"))
    commit(repo)
    found = directories.directory_versions(members, VersionCache(tmp_path / "cache"), jobs=3)
    assert isinstance(found[members[1]], VersionError) and "no_such_backend" in str(found[members[1]])
    assert found[members[0]] == DirectoryVersion("1", "backend") and found[members[2]] == DirectoryVersion(
        "3", "backend"
    )


BATCH_CALLER = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from sourcelift.versions import VersionCache, directory_versions
found = directory_versions([Path(p) for p in sys.argv[3:]], VersionCache(Path(sys.argv[2])), jobs=3)
print(json.dumps([[v.version, v.how] for v in found.values()]))
"""


def test_concurrent_builds_run_each_backend_once_across_them(repo: Path, counter: Path, tmp_path: Path) -> None:
    members = three_members(repo)
    (tmp_path / "barrier").mkdir()
    env = dict(os.environ, SL_TEST_BARRIER=str(tmp_path / "barrier"), SL_TEST_BARRIER_COUNT="3", SL_TEST_DELAY="0.3")
    argv = [sys.executable, "-c", BATCH_CALLER, str(REPO_ROOT / "plugin" / "src"), str(tmp_path / "cache")]
    builds = [
        subprocess.Popen(
            [*argv, *map(str, members)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    results = []
    for build in builds:
        out, err = build.communicate(timeout=120)
        assert build.returncode == 0, err
        results.append(json.loads(out))
    assert runs(counter) == 3, counter.read_text()  # one run per member, whichever build made it
    for index, version in enumerate(("1", "2", "3")):
        assert sorted(result[index][1] for result in results) == ["backend", "cache", "cache"]
        assert {result[index][0] for result in results} == {version}


def test_cache_location_from_the_environment(tmp_path: Path) -> None:
    chosen = VersionCache.from_environment({"SOURCELIFT_CACHE_DIR": str(tmp_path / "c")})
    assert chosen is not None and chosen.directory == tmp_path / "c"
    for value in ("1", "true", "YES"):
        assert VersionCache.from_environment({"SOURCELIFT_NO_CACHE": value, "SOURCELIFT_CACHE_DIR": "/x"}) is None
    default = VersionCache.from_environment({"SOURCELIFT_NO_CACHE": "0", "XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert default is not None
    if sys.platform.startswith("linux"):
        assert default.directory == tmp_path / "xdg" / "sourcelift"


def test_cache_dir_environment_variable_is_used_for_entries(repo: Path, counter: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "moved"
    found = VersionCache.from_environment({"SOURCELIFT_CACHE_DIR": str(cache_dir)})
    directory_version(member(repo), found)
    assert len(list(cache_dir.glob("versions/v1/*/*.json"))) == 1


@pytest.mark.parametrize(
    ("platform", "environ", "expected"),
    [
        ("linux", {}, "/home/u/.cache/sourcelift"),
        ("linux", {"XDG_CACHE_HOME": "/xdg"}, "/xdg/sourcelift"),
        ("linux", {"XDG_CACHE_HOME": "relative/ignored"}, "/home/u/.cache/sourcelift"),
        ("freebsd14", {"XDG_CACHE_HOME": "/xdg"}, "/xdg/sourcelift"),
        ("darwin", {"XDG_CACHE_HOME": "/xdg"}, "/home/u/Library/Caches/sourcelift"),
        ("win32", {"LOCALAPPDATA": "C:/Users/u/AppData/Local"}, "C:/Users/u/AppData/Local/sourcelift/Cache"),
        ("win32", {}, "/home/u/AppData/Local/sourcelift/Cache"),
    ],
)
def test_default_cache_dir(platform: str, environ: dict[str, str], expected: str) -> None:
    assert default_cache_dir(platform, environ, Path("/home/u")).as_posix() == expected


def test_entry_paths_stay_in_the_cache(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        VersionCache(tmp_path).entry_path("../../etc/passwd")


# ---------------------------------------------------------------- the backend run


def test_a_failing_backend_is_reported_with_its_output(
    tmp_path: Path, counter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_counted(tmp_path / "broken")
    monkeypatch.setenv("SL_TEST_FAIL", "1")
    with pytest.raises(VersionError) as caught:
        directory_version(project, None)
    message = caught.value.message
    assert str(project) in message and "`counting_backend`" in message
    assert "RuntimeError: broken on purpose" in message
    assert "| counting backend: the version file is unreadable" in message  # the child's stderr
    assert "static `project.version`" in caught.value.fix


def test_missing_build_requirements_are_named(tmp_path: Path, counter: Path) -> None:
    pyproject = counted_pyproject().replace(
        "requires = []", 'requires = ["sl-surely-not-installed>=1", "packaging>=999"]'
    )
    project = write_counted(tmp_path / "needs", pyproject=pyproject)
    with pytest.raises(VersionError) as caught:
        directory_version(project, None)
    assert '"sl-surely-not-installed>=1"' in caught.value.message
    assert '"packaging>=999 (found packaging ' in caught.value.message
    assert "to `build-system.requires`" in caught.value.fix
    assert runs(counter) == 0
    assert dynamic_build_requires(project) == ["sl-surely-not-installed>=1", "packaging>=999"]


ASKING_BACKEND = """\
import os

def get_requires_for_build_wheel(config_settings=None):
    return os.environ["SL_TEST_ASKS"].split()

def prepare_metadata_for_build_wheel(directory, config_settings=None):
    import sl_surely_not_installed_dep  # what it asked for

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise SystemExit(1)
"""


@pytest.mark.parametrize(
    ("asks", "named"),
    [
        ("sl-surely-not-installed-dep>=1 packaging", ("sl-surely-not-installed-dep>=1", "packaging")),
        ("packaging", ()),  # all it asks for is here: the failure is the backend's own
    ],
)
def test_requirements_the_backend_asks_for_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asks: str, named: tuple[str, ...]
) -> None:
    """Found on pypa/hatch: hatchling builds itself with an in-tree backend (`hatchling.ouroboros`) whose
    `build-system.requires` is empty and whose `get_requires_for_build_wheel` names its dependencies (PEP 517).
    A project with a path source to it stopped a publish build with "No module named 'pathspec'" and the fix
    "make the project build on its own", which it does."""
    monkeypatch.setenv("SL_TEST_ASKS", asks)
    (tmp_path / "_backend").mkdir()
    (tmp_path / "_backend" / "asking_backend.py").write_text(ASKING_BACKEND)
    (tmp_path / "pyproject.toml").write_text(counted_pyproject(backend="asking_backend"))
    with pytest.raises(VersionError) as caught:
        directory_version(tmp_path, None)
    assert caught.value.backend_requires == named
    if named:
        assert '"sl-surely-not-installed-dep>=1"' in caught.value.message
        assert "get_requires_for_build_wheel" in caught.value.message and '"packaging"' not in caught.value.message
        assert 'add "sl-surely-not-installed-dep>=1" to `build-system.requires`' in caught.value.fix
        # the backend's own error stays in the message: the missing requirement may not be why it failed
        assert "No module named 'sl_surely_not_installed_dep'" in caught.value.message
    else:
        assert "No module named 'sl_surely_not_installed_dep'" in caught.value.message
        assert "static `project.version`" in caught.value.fix


def test_default_build_system_requires(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndynamic = ["version"]\n')
    assert dynamic_build_requires(tmp_path) == ["setuptools>=40.8.0"]
    (tmp_path / "pyproject.toml").unlink()
    directories._dynamic_build_requires.cache_clear()
    (tmp_path / "setup.py").write_text("")
    assert dynamic_build_requires(tmp_path) == ["setuptools>=40.8.0"]


def test_build_wheel_when_the_backend_has_no_prepare_hook(
    tmp_path: Path, counter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SL_TEST_NO_PREPARE", "1")
    project = write_counted(tmp_path / "p", version="3.1")
    assert directory_version(project, None) == DirectoryVersion("3.1", "backend")
    assert counter.read_text().split()[0] == "build_wheel"
    assert not any(project.rglob("*.whl"))


def test_pip_build_tracker_is_dropped_for_the_child(
    tmp_path: Path, counter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the backend hides prepare_metadata_for_build_wheel under pip's build tracker, as hatchling does
    monkeypatch.setenv("SL_TEST_LIKE_HATCHLING", "1")
    monkeypatch.setenv("PIP_BUILD_TRACKER", str(tmp_path / "tracker"))
    project = write_counted(tmp_path / "p")
    directory_version(project, None)
    assert counter.read_text().split()[0] == "prepare_metadata_for_build_wheel"


def test_sourcelift_wrapper_is_unwrapped(tmp_path: Path, counter: Path) -> None:
    extra = '[tool.sourcelift]\nbackend = "counting_backend"\n'
    project = write_counted(
        tmp_path / "w", version="4.0", pyproject=counted_pyproject(extra, backend="sourcelift.build")
    )
    assert directory_version(project, None) == DirectoryVersion("4.0", "backend")
    assert runs(counter) == 1


def test_backend_path_must_stay_in_the_project(tmp_path: Path) -> None:
    pyproject = counted_pyproject().replace('backend-path = ["_backend"]', 'backend-path = ["../elsewhere"]')
    project = write_counted(tmp_path / "p", pyproject=pyproject)
    with pytest.raises(VersionError, match="outside the project"):
        directory_version(project, None)


def test_a_hanging_backend_times_out(tmp_path: Path, counter: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directories, "BACKEND_TIMEOUT", 1.0)
    monkeypatch.setenv("SL_TEST_DELAY", "30")
    project = write_counted(tmp_path / "slow")
    with pytest.raises(VersionError, match="did not compute its version within 1 s"):
        directory_version(project, None)


def test_a_timeout_kills_the_backends_whole_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The backend starts a process of its own and hangs: after the timeout both are gone."""
    project = tmp_path / "spawning"
    (project / "_backend").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "spawning"\ndynamic = ["version"]\n'
        '[build-system]\nrequires = []\nbuild-backend = "spawning_backend"\nbackend-path = ["_backend"]\n'
    )
    pid_file = tmp_path / "grandchild.pid"
    (project / "_backend" / "spawning_backend.py").write_text(
        "import os, subprocess, sys, time\n"
        "def prepare_metadata_for_build_wheel(directory, config_settings=None):\n"
        "    quiet = subprocess.DEVNULL  # the grandchild holds no pipe: nothing waits for it\n"
        "    sleeper = [sys.executable, '-c', 'import time; time.sleep(120)']\n"
        "    child = subprocess.Popen(sleeper, stdout=quiet, stderr=quiet)\n"
        f"    open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "    time.sleep(120)\n"
    )
    monkeypatch.setattr(directories, "BACKEND_TIMEOUT", 3.0)
    with pytest.raises(VersionError, match="did not compute its version within 3 s"):
        directory_version(project, None)
    grandchild = int(pid_file.read_text())
    try:
        deadline = time.monotonic() + 10
        while _alive(grandchild) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(grandchild), "the backend's own child survived the timeout"
    finally:
        if _alive(grandchild):
            os.kill(grandchild, signal.SIGKILL)


def hatchling_member(root: Path, name: str, version_file: str = "v.py") -> Path:
    (root / name.replace("-", "_")).mkdir(parents=True)
    (root / name.replace("-", "_") / "__init__.py").write_text("")
    (root / "v.py").write_text(f'__version__ = "{len(name)}.0"\n')
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        f'[project]\nname = "{name}"\ndynamic = ["version"]\n[tool.hatch.version]\npath = "{version_file}"\n'
    )
    return root


def test_projects_of_one_backend_share_a_process_and_a_failure_is_reported_on_its_own(repo: Path) -> None:
    members = [hatchling_member(repo / "packages" / name, name) for name in ("one", "three", "fifty")]
    broken = hatchling_member(repo / "packages" / "broken", "broken", version_file="missing.py")
    commit(repo)
    found = directories.directory_versions([*members, broken], None, jobs=2)
    assert [found[m] for m in members] == [DirectoryVersion(v, "backend") for v in ("3.0", "5.0", "5.0")]
    error = found[broken]
    assert isinstance(error, VersionError) and "missing.py" in str(error)  # the message of its own run


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for init to reap it does not count)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


# -------------------------------------------------------- local mode: a cached version is checked, never computed

MISSES = (
    "has version 1.0.0 (its dynamic version, as the version cache holds it), which does not satisfy `counted>=2` "
    "(project.dependencies[0])"
)


def app(repo: Path, requirement: str, source: str = "{ workspace = true }", extra: str = "", name: str = "app") -> Path:
    """A workspace member `packages/<name>` (not committed: its own changes never touch `counted`'s
    fingerprint) whose dependency `counted` has the given source.  A build process reads a project's
    pyproject.toml once: each variant gets a directory of its own."""
    root = repo / "packages" / name
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n'
        f'[project]\nname = "{name}"\nversion = "1.0"\ndependencies = ["{requirement}"]\n'
        f"[tool.uv.sources]\ncounted = {source}\n{extra}"
    )
    return root


@pytest.fixture
def local_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counter: Path) -> VersionCache:
    """The environment of a local-mode build whose version cache is ``tmp_path / "cache"`` (returned)."""
    monkeypatch.setenv("SOURCELIFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(tmp_path / "store"))
    return VersionCache(tmp_path / "cache")


def wrapper_plan(
    root: Path, monkeypatch: pytest.MonkeyPatch, settings: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """The wrapper backend's plan of a build of ``root`` (its declared lines); SystemExit on problems."""
    from sourcelift.backends import wrapper
    from sourcelift.errors import Findings

    monkeypatch.chdir(root)
    _gitstate.clear()
    return wrapper._plan(settings).declared_lines(Findings())


@pytest.mark.parametrize("source", ["{ workspace = true }", '{ path = "../counted" }'])
def test_local_mode_checks_the_version_the_cache_holds_without_running_the_backend(
    repo: Path,
    counter: Path,
    local_build: VersionCache,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: str,
) -> None:
    assert directory_version(member(repo), local_build) == DirectoryVersion("1.0.0", "backend")  # e.g. publish mode
    root = app(repo, "counted>=2", source)
    with pytest.raises(SystemExit) as stopped:
        wrapper_plan(root, monkeypatch)
    assert stopped.value.code == 1
    message = capsys.readouterr().err
    assert "dependency `counted` (`tool.uv.sources.counted`)" in message, message
    assert f"the project in {member(repo)} {MISSES}" in message, message
    assert "fix: change the requirement's specifier to admit 1.0.0, or give the project a version" in message

    # the hatchling hook and explain say the same
    from sourcelift.backends import hatch
    from sourcelift.explain import explain

    with pytest.raises(SystemExit):
        hatch._update(root, {"dependencies": ["counted>=2"]})
    assert MISSES in capsys.readouterr().err
    _gitstate.clear()
    report = explain(root, mode="local")
    assert [(p["key"], p["dependency"]) for p in report["problems"] if MISSES in p["message"]] == [
        ("tool.uv.sources.counted", "counted")
    ], report["problems"]
    assert runs(counter) == 1  # the one run that filled the cache: local mode looked the version up

    # a member with uncommitted files has no fingerprint: its version is unknown, and nothing is said
    (member(repo) / "notes.txt").write_text("untracked\n")
    assert wrapper_plan(root, monkeypatch)["project.dependencies[0]"] == [f"counted @ {member(repo).as_uri()}"]
    assert runs(counter) == 1


def test_a_cached_version_that_satisfies_the_specifier_passes(
    repo: Path, counter: Path, local_build: VersionCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory_version(member(repo), local_build)
    lines = wrapper_plan(app(repo, "counted>=1,<2"), monkeypatch)
    assert lines == {"project.dependencies[0]": [f"counted @ {member(repo).as_uri()}"]}
    assert runs(counter) == 1
    # every version the cache ever held for the member satisfies the specifier: no fingerprint was needed
    assert local_build.versions_seen(member(repo).resolve()) == ["1.0.0"]
    assert not _gitstate._STATES


def test_the_fingerprint_decides_when_a_version_the_cache_held_once_misses(
    repo: Path, counter: Path, local_build: VersionCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The member's index lists an old version that misses; the current fingerprint's entry decides."""
    directory_version(member(repo), local_build)  # 1.0.0, the current inputs
    local_build.put("1" * 64, member(repo).resolve(), "0.5")  # an entry of other (older) inputs
    assert sorted(local_build.versions_seen(member(repo).resolve())) == ["0.5", "1.0.0"]
    lines = wrapper_plan(app(repo, "counted>=1"), monkeypatch)
    assert lines == {"project.dependencies[0]": [f"counted @ {member(repo).as_uri()}"]}
    assert repo in _gitstate._STATES  # the fingerprint was computed: its entry (1.0.0) satisfies >=1
    assert runs(counter) == 1


@pytest.mark.parametrize(
    ("environ", "settings", "extra"),
    [
        ({"SOURCELIFT_NO_CACHE": "1"}, None, ""),
        ({}, {"sourcelift-cache": "off"}, ""),
        ({}, None, "[tool.sourcelift]\ncache = false\n"),
    ],
    ids=["SOURCELIFT_NO_CACHE", "config-setting", "pyproject"],
)
def test_a_bypassed_cache_is_not_even_looked_up(
    repo: Path,
    counter: Path,
    local_build: VersionCache,
    monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str],
    settings: dict[str, str] | None,
    extra: str,
) -> None:
    directory_version(member(repo), local_build)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    root = app(repo, "counted>=2", extra=extra)
    assert wrapper_plan(root, monkeypatch, settings)["project.dependencies[0]"] == [
        f"counted @ {member(repo).as_uri()}"
    ]
    assert not _gitstate._STATES  # no fingerprint was computed: git was not asked
    assert runs(counter) == 1


def test_without_an_entry_nothing_is_said_and_no_backend_runs(
    repo: Path, counter: Path, local_build: VersionCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = app(repo, "counted>=2")
    expected = {"project.dependencies[0]": [f"counted @ {member(repo).as_uri()}"]}
    # a cache without entries: not even a fingerprint
    assert wrapper_plan(root, monkeypatch) == expected
    assert not _gitstate._STATES and not local_build.directory.exists()
    # entries, but none for this member: the member's index is empty, so no fingerprint either
    local_build.put("0" * 64, repo, "9.9")
    assert wrapper_plan(root, monkeypatch) == expected
    assert not _gitstate._STATES
    # a requirement without a specifier has nothing to check: no lookup
    assert wrapper_plan(app(repo, "counted", '{ path = "../counted" }', name="plain"), monkeypatch) == expected
    assert not _gitstate._STATES
    assert runs(counter) == 0


def test_a_fingerprinted_file_is_fed_whole_whatever_its_size(tmp_path: Path) -> None:
    import hashlib

    from sourcelift.versions import fingerprint

    fed: list[tuple[str | bytes, ...]] = []
    (tmp_path / "small.py").write_bytes(b"__version__ = '1'\n")
    big = os.urandom(3 * fingerprint._CHUNK + 7)  # more than one read
    (tmp_path / "big.bin").write_bytes(big)
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    for name in ("small.py", "big.bin", "empty", "folder", "absent"):
        fingerprint._feed_file(lambda *parts: fed.append(parts), tmp_path, name)
    assert fed == [
        ("file", "small.py", hashlib.sha256(b"__version__ = '1'\n").hexdigest()),
        ("file", "big.bin", hashlib.sha256(big).hexdigest()),
        ("file", "empty", hashlib.sha256(b"").hexdigest()),
        ("not-a-file", "folder"),
        ("missing", "absent"),
    ]
