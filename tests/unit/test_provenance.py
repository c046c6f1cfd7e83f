"""Provenance recorded at build time, against real git repositories.

The wheel step is the wrapper's own (``_finish_wheel``) applied to a small wheel,
so what is checked is what a build writes: the document in ``.dist-info`` and its
RECORD row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sourcelift.artifacts.store import Store
from sourcelift.artifacts.wheel import rewrite_wheel
from sourcelift.backends import wrapper
from sourcelift.errors import Findings, SourceliftError
from sourcelift.provenance import SDIST_PATH, WHEEL_FILE, collect, normalize_remote_url, render
from sourcelift.provenance_document import parse_document
from sourcelift.rewrite.local_sdist import LOCAL_SOURCES_PATH, local_sources_file
from sourcelift.rewrite.plan import Plan, make_plan
from sourcelift.urls import path_to_file_url
from tests.support import add_pushed_remote, bare_clone, clone, git, init_repo
from tests.support.wheels import make_wheel, record_hash, wheel_bytes

from .conftest import WHEEL, write_tree

WHEEL_BYTES = wheel_bytes("prebuilt", "0.1.0")
SHA = hashlib.sha256(WHEEL_BYTES).hexdigest()
DIST_INFO = "app-1.dist-info"


def app_pyproject(sources: str, dependencies: str = '"prebuilt"') -> str:
    return f"""
        [project]
        name = "app"
        version = "1"
        dependencies = [{dependencies}]
        [tool.uv.sources]
        {sources}
    """


def project_repo(tmp_path: Path, *, remote: str | None = "https://example.com/org/repo.git") -> Path:
    """A committed repository whose root project vendors a wheel; ``origin`` is ``remote``."""
    root = write_tree(
        tmp_path / "repo",
        {
            "pyproject.toml": app_pyproject(f'prebuilt = {{ path = "vendor/{WHEEL}" }}'),
            f"vendor/{WHEEL}": WHEEL_BYTES,
        },
    )
    init_repo(root)
    if remote is not None:
        add_pushed_remote(root, remote)
    return root


def workspace_repo(tmp_path: Path) -> Path:
    """A repository with the building project in ``packages/app`` and a directory source ``packages/lib``."""
    root = write_tree(
        tmp_path / "ws",
        {
            ".gitignore": "__pycache__/\n",
            "packages/app/pyproject.toml": app_pyproject('lib = { path = "../lib" }', dependencies='"lib"'),
            "packages/lib/pyproject.toml": '[project]\nname = "lib"\nversion = "1"\n',
            "packages/lib/src/lib/__init__.py": "",
        },
    )
    init_repo(root)
    add_pushed_remote(root, "https://example.com/org/ws.git")
    return root


def built_lines(plan: Plan, *values: str) -> list[str]:
    findings = Findings()
    return [line for value in values for line in (plan.rewrite_line(value, findings) or [value])]


def document(project: Path, store: Store, *values: str) -> dict[str, Any] | None:
    plan, _ = make_plan(project, store)
    found = collect(plan, built_lines(plan, *(values or ("prebuilt",))))
    return None if found is None else json.loads(render(found))


def only_entry(project: Path, store: Store, *values: str) -> dict[str, Any]:
    found = document(project, store, *values)
    assert found is not None
    (entry,) = found["entries"]
    return entry


def head(repo: Path) -> str:
    return git("rev-parse", "HEAD", cwd=repo).strip()


def test_an_archive_entry_says_repository_commit_branch_path_and_hash(tmp_path: Path, store: Store) -> None:
    repo = project_repo(tmp_path)
    found = document(repo, store)
    assert found is not None
    assert found["version"] == "1" and found["generator"].startswith("sourcelift ")
    assert found["entries"] == [
        {
            "name": "prebuilt",
            "kind": "archive",
            "url": "https://example.com/org/repo.git",
            "commit_id": head(repo),
            "requested_revision": "main",
            "path": f"vendor/{WHEEL}",
            "subdirectory": None,
            "filename": WHEEL,
            "sha256": SHA,
            "state": "committed",
            "emitted": [f"prebuilt @ {path_to_file_url(store.path_for(SHA, WHEEL))}"],
        }
    ]


def test_the_remote_the_branch_tracks_wins_over_origin(tmp_path: Path, store: Store) -> None:
    repo = project_repo(tmp_path)
    git("remote", "add", "upstream", "https://upstream.example.com/org/repo.git", cwd=repo)
    git("config", "branch.main.remote", "upstream", cwd=repo)
    git("config", "branch.main.merge", "refs/heads/main", cwd=repo)
    assert only_entry(repo, store)["url"] == "https://upstream.example.com/org/repo.git"


def test_detached_head_uses_origin_and_names_no_revision(tmp_path: Path, store: Store) -> None:
    repo = project_repo(tmp_path)
    git("remote", "add", "upstream", "https://upstream.example.com/org/repo.git", cwd=repo)
    git("config", "branch.main.remote", "upstream", cwd=repo)
    git("checkout", "--quiet", "--detach", "HEAD", cwd=repo)
    entry = only_entry(repo, store)
    assert entry["url"] == "https://example.com/org/repo.git"
    assert entry["requested_revision"] is None and entry["commit_id"] == head(repo)


def test_a_repository_without_remote_or_commit_gives_no_document(tmp_path: Path, store: Store) -> None:
    assert document(project_repo(tmp_path / "a", remote=None), store) is None
    unborn = write_tree(
        tmp_path / "b",
        {"pyproject.toml": app_pyproject(f'prebuilt = {{ path = "{WHEEL}" }}'), WHEEL: WHEEL_BYTES},
    )
    git("init", "--quiet", "--initial-branch=main", unborn, cwd=tmp_path)
    git("remote", "add", "origin", "https://example.com/r.git", cwd=unborn)
    assert document(unborn, store) is None


def test_a_checkout_of_a_cached_clone_records_nothing(tmp_path: Path, store: Store) -> None:
    """uv builds git dependencies in checkouts whose origin is its own clone in its cache: not a source."""
    repo = project_repo(tmp_path)
    cache = write_tree(tmp_path / "cache", {"CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"})
    (cache / "db").mkdir()
    bare_clone(repo, cache / "db" / "abc")
    checkout = clone(cache / "db" / "abc", tmp_path / "checkout")
    assert document(checkout, store) is None
    assert document(clone(repo, tmp_path / "plain-clone"), store) is not None


def test_scp_style_remote_becomes_an_ssh_url(tmp_path: Path, store: Store) -> None:
    repo = project_repo(tmp_path, remote="git@github.com:org/repo.git")
    assert only_entry(repo, store)["url"] == "ssh://git@github.com/org/repo.git"


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("git@github.com:org/repo.git", "ssh://git@github.com/org/repo.git"),
        ("github.com:org/repo.git", "ssh://github.com/org/repo.git"),
        ("ghp_t0ken@github.com:org/repo.git", "ssh://github.com/org/repo.git"),
        ("ssh://git@host:2222/r.git", "ssh://git@host:2222/r.git"),
        ("https://x-access-token:ghp_t0ken@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://ghp_t0ken@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://u:p@ss@gitlab.example/o/r.git?private_token=S3CR3T", "https://gitlab.example/o/r.git"),
        ("file:///srv/git/r.git", "file:///srv/git/r.git"),
        ("file://localhost/srv/git/r.git", "file:///srv/git/r.git"),  # pip's clone of a local-mode line
        ("/srv/git/r.git", "file:///srv/git/r.git"),
        ("../bare.git", "file:///work/bare.git"),
        ("./sub:dir/r.git", "file:///work/tree/sub%3Adir/r.git"),
    ],
)
def test_remote_urls_are_normalized_and_credential_free(remote: str, expected: str) -> None:
    assert normalize_remote_url(remote, Path("/work/tree")) == expected


def finish(tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch, requires: list[str]) -> Path:
    """The wrapper's wheel step on a small wheel whose METADATA the backend wrote with ``requires``."""
    metadata = "Metadata-Version: 2.1\nName: app\nVersion: 1\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)
    wheel = make_wheel(tmp_path / "out", "app", "1", meta=metadata, files={"app/__init__.py": b""})
    monkeypatch.chdir(project)
    plan, _ = make_plan(project)
    wrapper._finish_wheel(plan, wheel)
    return wheel


def wheel_document(wheel: Path) -> dict[str, Any] | None:
    with zipfile.ZipFile(wheel) as archive:
        name = f"{DIST_INFO}/{WHEEL_FILE}"
        return json.loads(archive.read(name)) if name in archive.namelist() else None


@pytest.fixture
def isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(tmp_path / "store"))
    return tmp_path / "store"


def test_the_wheel_lists_the_document_in_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_store: Path
) -> None:
    repo = project_repo(tmp_path)
    wheel = finish(tmp_path, repo, monkeypatch, ["prebuilt", "other>=1"])
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[-1] == f"{DIST_INFO}/RECORD"  # RECORD stays last
        rows = {row[0]: row for row in csv.reader(io.StringIO(archive.read(f"{DIST_INFO}/RECORD").decode()))}
        assert set(rows) == set(names)
        for name in names:
            if not name.endswith("/RECORD"):
                data = archive.read(name)
                assert rows[name][1:] == [record_hash(data), str(len(data))], name
        data = archive.read(f"{DIST_INFO}/{WHEEL_FILE}")
    found = json.loads(data.decode("utf-8"))
    (entry,) = found["entries"]
    assert entry["sha256"] == SHA and entry["state"] == "committed"
    assert entry["emitted"] == [f"prebuilt @ {path_to_file_url(Store().path_for(SHA, WHEEL))}"]
    assert data == render(parse_document(data)[0])  # keys sorted, as rendered
    assert sorted(p.name for p in wheel.parent.iterdir()) == [wheel.name]  # no temporary left behind


def test_a_token_in_the_remote_url_appears_nowhere_in_the_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_store: Path
) -> None:
    token = "ghp_S3cr3tT0ken"
    repo = project_repo(tmp_path, remote=f"https://x-access-token:{token}@example.com/org/repo.git")
    wheel = finish(tmp_path, repo, monkeypatch, ["prebuilt"])
    found = wheel_document(wheel)
    assert found is not None and found["entries"][0]["url"] == "https://example.com/org/repo.git"
    assert token.encode() not in wheel.read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            assert token.encode() not in archive.read(name), name


def test_modified_untracked_and_ignored_archives_are_flagged(tmp_path: Path, store: Store) -> None:
    repo = project_repo(tmp_path)
    changed = wheel_bytes("prebuilt", "0.1.0", meta="Name: prebuilt\nVersion: 0.1.0\n\nchanged")
    (repo / "vendor" / WHEEL).write_bytes(changed)
    entry = only_entry(repo, store)
    assert entry["state"] == "modified"
    assert entry["sha256"] == hashlib.sha256(changed).hexdigest()  # the file as built

    other = write_tree(
        tmp_path / "other",
        {
            "pyproject.toml": app_pyproject(f'prebuilt = {{ path = "new/{WHEEL}" }}'),
            ".gitignore": "ignored/\n",
        },
    )
    init_repo(other)
    add_pushed_remote(other, "https://example.com/o.git")
    write_tree(other, {f"new/{WHEEL}": WHEEL_BYTES})
    assert only_entry(other, store)["state"] == "untracked"
    git("add", f"new/{WHEEL}", cwd=other)
    assert only_entry(other, store)["state"] == "untracked"  # staged, but no commit holds it

    (other / "pyproject.toml").write_text(textwrap.dedent(app_pyproject(f'prebuilt = {{ path = "ignored/{WHEEL}" }}')))
    write_tree(other, {f"ignored/{WHEEL}": WHEEL_BYTES})
    assert only_entry(other, store)["state"] == "untracked"


def test_directory_entries_and_their_state(tmp_path: Path, store: Store) -> None:
    repo = workspace_repo(tmp_path)
    app = repo / "packages" / "app"
    entry = only_entry(app, store, "lib")
    assert entry == {
        "name": "lib",
        "kind": "directory",
        "url": "https://example.com/org/ws.git",
        "commit_id": head(repo),
        "requested_revision": "main",
        "path": "packages/lib",
        "subdirectory": "packages/app",
        "filename": None,
        "sha256": None,
        "state": "committed",
        # committed and unmodified: named by its place in the repository, not by this clone's path
        "emitted": [f"lib @ git+https://example.com/org/ws.git@{head(repo)}#subdirectory=packages/lib"],
    }
    write_tree(repo, {"packages/lib/src/lib/__pycache__/x.pyc": b"ignored build leftovers"})
    assert only_entry(app, store, "lib")["state"] == "committed"
    local = [f"lib @ {path_to_file_url(repo / 'packages' / 'lib')}"]
    write_tree(repo, {"packages/lib/src/lib/new.py": ""})
    assert {k: only_entry(app, store, "lib")[k] for k in ("state", "emitted")} == {
        "state": "untracked",
        "emitted": local,
    }
    write_tree(repo, {"packages/lib/src/lib/__init__.py": "x = 1\n"})
    assert {k: only_entry(app, store, "lib")[k] for k in ("state", "emitted")} == {
        "state": "modified",
        "emitted": local,
    }


def test_the_build_output_of_a_project_inside_its_directory_source_leaves_the_source_committed(
    tmp_path: Path, store: Store
) -> None:
    """Found on prefect: each integration in src/integrations/<name> names the repository root,
    `prefect = { path = "../../../" }`.  Where the .gitignore does not name what the integration's own
    build writes (setuptools' egg-info and build/, setuptools-scm's version file), `pip install git+...`
    gave `prefect @ file:///tmp/pip-install-.../` (the clone the build ran in, deleted after the install):
    the build's output was counted as untracked files of the root source."""
    repo = write_tree(
        tmp_path / "mono",
        {
            "pyproject.toml": '[project]\nname = "core"\nversion = "1"\n',
            "src/core/__init__.py": "",
            "src/integrations/plug/pyproject.toml": app_pyproject('core = { path = "../../../" }', '"core"'),
            "src/integrations/plug/plug/__init__.py": "",
        },
    )
    init_repo(repo)
    add_pushed_remote(repo, "https://example.com/org/mono.git")
    plug = repo / "src" / "integrations" / "plug"
    write_tree(
        plug,
        {
            "plug.egg-info/PKG-INFO": "Metadata-Version: 2.1\n",
            "build/lib/plug/__init__.py": "",
            "plug/_version.py": "version = '1'\n",
        },
    )
    durable = f"core @ git+https://example.com/org/mono.git@{head(repo)}"
    assert {k: only_entry(plug, store, "core")[k] for k in ("state", "emitted")} == {
        "state": "committed",
        "emitted": [durable],
    }
    # a tracked file of the project that its build rewrites (a version file, pyproject.toml) does not count
    # either: git may report it or not, as the build runs
    write_tree(plug, {"plug/__init__.py": "x = 1\n"})
    assert {k: only_entry(plug, store, "core")[k] for k in ("state", "emitted")} == {
        "state": "committed",
        "emitted": [durable],
    }
    # anything elsewhere in the source still counts: an untracked file, or a modified one
    local = [f"core @ {path_to_file_url(repo)}"]
    write_tree(repo, {"src/core/new.py": ""})
    assert only_entry(plug, store, "core")["emitted"] == local
    (repo / "src" / "core" / "new.py").unlink()
    assert only_entry(plug, store, "core")["emitted"] == [durable]
    write_tree(repo, {"src/core/__init__.py": "y = 2\n"})
    assert {k: only_entry(plug, store, "core")[k] for k in ("state", "emitted")} == {
        "state": "modified",
        "emitted": local,
    }


def test_sources_outside_the_work_tree_get_no_entry(tmp_path: Path, store: Store) -> None:
    write_tree(tmp_path, {f"shared/{WHEEL}": WHEEL_BYTES, "lib/pyproject.toml": '[project]\nname="lib"\nversion="1"\n'})
    repo = write_tree(
        tmp_path / "repo",
        {
            "pyproject.toml": app_pyproject(
                f'prebuilt = {{ path = "../shared/{WHEEL}" }}\nlib = {{ path = "../lib" }}', '"prebuilt", "lib"'
            ),
        },
    )
    init_repo(repo)
    add_pushed_remote(repo, "https://example.com/o.git")
    assert document(repo, store, "prebuilt", "lib") is None


def test_one_status_query_per_build(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "pyproject.toml": app_pyproject(
                f'prebuilt = {{ path = "vendor/{WHEEL}" }}\na = {{ path = "libs/a" }}\nb = {{ path = "libs/b" }}',
                '"prebuilt", "a", "b"',
            ),
            f"vendor/{WHEEL}": WHEEL_BYTES,
            "libs/a/pyproject.toml": '[project]\nname="a"\nversion="1"\n',
            "libs/b/pyproject.toml": '[project]\nname="b"\nversion="1"\n',
        },
    )
    init_repo(root)
    add_pushed_remote(root, "https://example.com/o.git")
    commit = head(root)
    calls: list[tuple[str, ...]] = []
    popen = subprocess.Popen

    def counting(command: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(tuple(map(str, command)))
        return popen(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counting)
    plan, _ = make_plan(root, store)
    lines = built_lines(plan, "prebuilt", "a", "b")
    assert [line.split(" @ ")[1].split("#")[0] for line in lines[1:]] == [f"git+https://example.com/o.git@{commit}"] * 2
    found = collect(plan, lines)
    assert found is not None and [e.name for e in found] == ["a", "b", "prebuilt"]
    # HEAD, branch and remote come from the files under .git; the sources' state from one `git status`
    assert len(calls) == 1 and calls[0][:2] == ("git", "status"), calls


def test_the_status_query_never_writes_the_index(tmp_path: Path, store: Store) -> None:
    repo = project_repo(tmp_path)
    archive = repo / "vendor" / WHEEL
    stamp = archive.stat().st_mtime_ns + 5_000_000_000
    os.utime(archive, ns=(stamp, stamp))  # same content, new stat data: a plain `git status` would refresh the index
    index = repo / ".git" / "index"
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    assert only_entry(repo, store)["state"] == "committed"
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
    assert not (repo / ".git" / "index.lock").exists()


def test_publish_mode_records_nothing(tmp_path: Path, store: Store) -> None:
    plan, _ = make_plan(project_repo(tmp_path), store)
    lines = built_lines(plan, "prebuilt")
    assert collect(plan, lines) is not None
    plan.publisher = object()  # type: ignore[assignment]
    assert plan.mode == "publish"
    assert collect(plan, lines) is None


def test_a_wheel_built_from_the_sdist_has_the_same_entries(
    tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = workspace_repo(tmp_path)
    write_tree(repo, {f"packages/app/vendor/{WHEEL}": WHEEL_BYTES})
    app = repo / "packages" / "app"
    sources = f'lib = {{ path = "../lib" }}\nprebuilt = {{ path = "vendor/{WHEEL}" }}'
    (app / "pyproject.toml").write_text(textwrap.dedent(app_pyproject(sources, '"lib", "prebuilt"')))
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "-m", "vendor", cwd=repo)
    plan, _ = make_plan(app, store)
    from_tree = collect(plan, built_lines(plan, "lib", "prebuilt"))
    assert from_tree is not None and len(from_tree) == 2

    # What the sdist unpacks to: the project's files (no .git), PKG-INFO, the record and the document.
    unpacked = tmp_path / "build" / "app-1"
    shutil.copytree(app, unpacked)
    (unpacked / "PKG-INFO").write_text("Metadata-Version: 2.4\nName: app\nVersion: 1\n")
    assert plan.checkout is not None
    record, _ = local_sources_file(plan.sources, app, members=set(), locate=plan.checkout.git_target)
    write_tree(unpacked, {LOCAL_SOURCES_PATH: record, SDIST_PATH: render(from_tree)})
    from_sdist, _ = make_plan(unpacked, store)
    assert from_sdist.from_local_sdist
    assert collect(from_sdist, built_lines(from_sdist, "lib", "prebuilt")) == from_tree

    # An entry edited by hand (a path escaping the repository) is not trusted: it is skipped, with a note,
    # and the other entries are kept (the policy of sourcelift.provenance_document, for every reader).
    broken = json.loads(render(from_tree))
    broken["entries"][0]["path"] = "../../etc"
    (unpacked / SDIST_PATH).write_text(json.dumps(broken))
    assert collect(from_sdist, built_lines(from_sdist, "lib", "prebuilt")) == from_tree[1:]
    assert "path '../../etc' of entry" in capsys.readouterr().err
    broken["entries"][1]["path"] = "/etc"
    (unpacked / SDIST_PATH).write_text(json.dumps(broken))
    assert collect(from_sdist, built_lines(from_sdist, "lib", "prebuilt")) is None


def test_rewrite_wheel_adds_only_plain_dist_info_names(tmp_path: Path) -> None:
    wheel = tmp_path / "app-1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{DIST_INFO}/METADATA", "Metadata-Version: 2.1\nName: app\nVersion: 1\n")
        archive.writestr(f"{DIST_INFO}/WHEEL", "x\n")
        archive.writestr(f"{DIST_INFO}/RECORD", f"{DIST_INFO}/RECORD,,\n")
    before = wheel.read_bytes()
    for name in ("../evil", "sub/x", "RECORD"):
        with pytest.raises(SourceliftError):
            rewrite_wheel(wheel, lambda value: None, add={name: b"x"})
    assert wheel.read_bytes() == before
    assert not rewrite_wheel(wheel, lambda value: None)  # nothing to change: untouched
    assert rewrite_wheel(wheel, lambda value: None, add={WHEEL_FILE: b"{}\n"})
    with zipfile.ZipFile(wheel) as archive:
        rows = list(csv.reader(io.StringIO(archive.read(f"{DIST_INFO}/RECORD").decode())))
    assert rows == [[f"{DIST_INFO}/{WHEEL_FILE}", record_hash(b"{}\n"), "3"], [f"{DIST_INFO}/RECORD", "", ""]]


PROBE = r"""
import sys
from pathlib import Path
from sourcelift.errors import Findings
from sourcelift.provenance import collect
from sourcelift.rewrite.plan import make_plan

for root in sys.argv[1:]:
    plan, _ = make_plan(Path(root))
    lines = [line for value in ("prebuilt",) for line in (plan.rewrite_line(value, Findings()) or [value])]
    print(Path(root).name, collect(plan, lines) is not None, "git" in sys.modules)
"""


def probe(tmp_path: Path, *roots: Path, path: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": path,
        "SOURCELIFT_STORE_DIR": str(tmp_path / "store"),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    for name in ("GIT_PYTHON_GIT_EXECUTABLE", "GIT_PYTHON_REFRESH"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-c", PROBE, *roots], env=env, check=True, capture_output=True, text=True)


def test_a_build_never_imports_gitpython(tmp_path: Path) -> None:
    plain = write_tree(
        tmp_path / "plain", {"pyproject.toml": app_pyproject(f'prebuilt = {{ path = "{WHEEL}" }}'), WHEEL: WHEEL_BYTES}
    )
    git_only = write_tree(
        tmp_path / "git-only",
        {"pyproject.toml": app_pyproject('prebuilt = { git = "https://example.com/r.git", tag = "v1" }')},
    )
    init_repo(git_only)
    add_pushed_remote(git_only, "https://example.com/o.git")
    repo = project_repo(tmp_path)
    out = probe(tmp_path, plain, git_only, repo, path=os.environ.get("PATH", os.defpath)).stdout
    # a build in a repository records its provenance without gitpython, too
    assert out.splitlines() == ["plain False False", "git-only False False", "repo True False"]


def test_without_a_git_executable_a_repository_build_records_nothing_and_goes_on(tmp_path: Path) -> None:
    repo = project_repo(tmp_path)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    proc = probe(tmp_path, repo, path=str(empty_bin))
    assert proc.stdout.splitlines() == ["repo False False"]
    assert "no provenance recorded: git is not usable" in proc.stderr


def test_the_document_is_written_as_json_dumps_writes_it(tmp_path: Path, store: Store) -> None:
    repo = workspace_repo(tmp_path)
    found = collect(*(lambda plan: (plan, built_lines(plan, "lib")))(make_plan(repo / "packages" / "app", store)[0]))
    assert found is not None
    odd = found[0].replace(path='a "quoted"\\ path\n\t\u00e9\u2028\x01', emitted=[])
    for entries in ([], found, [odd]):
        written = render(entries)
        assert (
            written == (json.dumps(json.loads(written), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
        )
        assert [e["path"] for e in json.loads(written)["entries"]] == [e.path for e in entries]


def test_a_commit_the_remote_may_not_have_names_directories_by_their_path(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found running `pip install -e packages/app` in a checkout with an unpushed commit: the line
    `lib @ git+URL@HEAD` made pip clone a commit the remote did not have.  HEAD at a remote-tracking
    tip is read from disk (no process); past them, one `git for-each-ref --contains` says."""
    from tests.support import mark_pushed

    repo = workspace_repo(tmp_path)
    app = repo / "packages" / "app"
    lib = repo / "packages" / "lib"
    calls: list[tuple[str, ...]] = []
    popen = subprocess.Popen

    def counting(command: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(tuple(map(str, command))[:2])
        return popen(command, *args, **kwargs)

    def durable() -> str:
        return f"lib @ git+https://example.com/org/ws.git@{head(repo)}#subdirectory=packages/lib"

    expected = durable()
    monkeypatch.setattr(subprocess, "Popen", counting)
    plan, _ = make_plan(app, store)
    assert built_lines(plan, "lib") == [expected]
    assert calls == [("git", "status")]  # at the tip of origin/main: known from the refs on disk
    # a commit past the remote-tracking refs: the remote may not have it
    (repo / "notes.txt").write_text("x\n")
    git("add", "notes.txt", cwd=repo)
    git("commit", "-qm", "local only", cwd=repo)
    local_only = head(repo)
    calls.clear()
    capsys.readouterr()
    plan, _ = make_plan(app, store)
    assert built_lines(plan, "lib") == [f"lib @ {path_to_file_url(lib)}"]
    assert sorted(calls) == [("git", "for-each-ref"), ("git", "status")]
    note = capsys.readouterr().err
    assert f"HEAD ({local_only[:12]}) is on no remote-tracking branch of https://example.com/org/ws.git" in note
    assert note.count("sourcelift: note:") == 1
    # pushed further on: contained in a remote-tracking ref, though not at its tip
    git("commit", "-q", "--allow-empty", "-m", "after", cwd=repo)
    mark_pushed(repo)
    git("reset", "-q", "--hard", "HEAD~1", cwd=repo)
    expected = durable()
    plan, _ = make_plan(app, store)
    assert built_lines(plan, "lib") == [expected] and local_only in expected
