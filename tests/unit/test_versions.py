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
    for name in ("SL_TEST_DELAY", "SL_TEST_FAIL", "SL_TEST_NO_PREPARE", "SL_TEST_LIKE_HATCHLING", "PIP_BUILD_TRACKER"):
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


@pytest.mark.parametrize("where", ["packages/counted/notes.txt", "elsewhere.txt", "packages/counted/VERSION"])
def test_a_dirty_work_tree_is_always_recomputed(
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


def test_fingerprint_follows_commits_and_tags(repo: Path) -> None:
    first = fingerprint(member(repo))
    assert first is not None and fingerprint(member(repo)) == first
    (repo / "README").write_text("a commit elsewhere in the repository\n")
    commit(repo)
    second = fingerprint(member(repo))
    assert second not in (None, first)
    git("tag", "v1.0.0", cwd=repo)
    tagged = fingerprint(member(repo))
    assert tagged not in (None, second)
    git("tag", "-f", "v1.0.0", "HEAD~1", cwd=repo)  # the same tag moved
    assert fingerprint(member(repo)) not in (None, tagged)


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
