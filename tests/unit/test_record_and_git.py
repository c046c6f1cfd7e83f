"""The local-mode sdist record, archives fetched from git, and the store under concurrency."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from sourcelift.artifacts.store import Store
from sourcelift.errors import ProblemsError
from sourcelift.rewrite.local_sdist import LOCAL_SOURCES_PATH, local_sources_file
from sourcelift.rewrite.plan import make_plan
from sourcelift.urls import path_to_file_url
from tests.support.wheels import wheel_bytes

from .conftest import WHEEL, write_tree

WHEEL_BYTES = wheel_bytes("prebuilt", "0.1.0")


def outside_and_directory_project(tmp_path: Path) -> Path:
    write_tree(
        tmp_path,
        {
            f"shared/{WHEEL}": WHEEL_BYTES,
            "lib/pyproject.toml": '[project]\nname = "lib"\nversion = "1"\n',
            "app/pyproject.toml": f"""
                [project]
                name = "app"
                version = "1"
                dependencies = ["prebuilt", "lib"]
                [tool.uv.sources]
                prebuilt = {{ path = "../shared/{WHEEL}" }}
                lib = {{ path = "../lib" }}
            """,
        },
    )
    return tmp_path / "app"


def unpacked_sdist(tree: Path, dest: Path, store: Store) -> Path:
    """What an sdist of ``tree`` unpacks to: its files, PKG-INFO, the record and the archives it adds."""
    plan, _ = make_plan(tree, store)
    record, archives = local_sources_file(plan.sources, tree, members={"pyproject.toml"})
    shutil.copytree(tree, dest)
    (dest / "PKG-INFO").write_text("Metadata-Version: 2.4\nName: app\nVersion: 1\n")
    (dest / LOCAL_SOURCES_PATH).parent.mkdir(parents=True)
    (dest / LOCAL_SOURCES_PATH).write_bytes(record)
    for member, source in archives.items():
        (dest / member).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest / member)
    return dest


def test_sdist_record_gives_the_wheel_the_same_lines(tmp_path: Path, store: Store) -> None:
    tree = outside_and_directory_project(tmp_path / "src")
    plan, findings = make_plan(tree, store)
    expected = {value: plan.rewrite_line(value, findings) for value in ("prebuilt", "lib")}
    sha = hashlib.sha256(WHEEL_BYTES).hexdigest()
    _, archives = local_sources_file(plan.sources, tree, members=set())
    assert list(archives) == [f".sourcelift/archives/{sha}/{WHEEL}"]  # outside the root: carried by hash

    extracted = unpacked_sdist(tree, tmp_path / "build" / "app-1", store)
    from_sdist, findings = make_plan(extracted, store)
    assert from_sdist.from_local_sdist
    assert {value: from_sdist.rewrite_line(value, findings) for value in expected} == expected
    assert expected["lib"] == [f"lib @ {path_to_file_url(tmp_path / 'src' / 'lib')}"]


def test_tampered_archive_in_sdist_is_refused(tmp_path: Path, store: Store) -> None:
    extracted = unpacked_sdist(outside_and_directory_project(tmp_path / "src"), tmp_path / "x" / "app-1", store)
    document = json.loads((extracted / LOCAL_SOURCES_PATH).read_text())
    member = document["sources"]["prebuilt"][0]["member"]
    (extracted / member).write_bytes(b"something else")
    with pytest.raises(ProblemsError, match="does not match its recorded sha256"):
        make_plan(extracted, store)


def test_missing_recorded_directory_says_the_sdist_is_for_its_machine(tmp_path: Path, store: Store) -> None:
    tree = outside_and_directory_project(tmp_path / "src")
    extracted = unpacked_sdist(tree, tmp_path / "x" / "app-1", store)
    shutil.rmtree(tmp_path / "src" / "lib")
    with pytest.raises(ProblemsError) as info:
        make_plan(extracted, store)
    (problem,) = info.value.problems
    assert problem.dependency == "lib" and "for that machine only" in problem.message


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def repository_with(root: Path, files: dict[str, str | bytes]) -> Path:
    write_tree(root, files)
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-qm", "import", cwd=root)
    return root


def project_with_source(directory: Path, requirement: str, source: str) -> Path:
    """A project at ``directory``: one dependency, ``requirement``, and one ``[tool.uv.sources]`` line, ``source``."""
    return write_tree(
        directory,
        {
            "pyproject.toml": f"""
        [project]
        name = "p"
        version = "1"
        dependencies = ["{requirement}"]
        [tool.uv.sources]
        {source}
    """
        },
    )


def test_archive_inside_a_git_repository_is_fetched_into_the_store(tmp_path: Path, store: Store) -> None:
    repository = repository_with(tmp_path / "repo", {f"dist/{WHEEL}": WHEEL_BYTES})
    git("tag", "v1", cwd=repository)
    (repository / "dist" / WHEEL).write_bytes(b"changed after the tag")
    git("commit", "-qam", "changed", cwd=repository)
    root = write_tree(
        tmp_path / "proj",
        {
            "pyproject.toml": f"""
        [project]
        name = "p"
        version = "1"
        dependencies = ["prebuilt==0.1.0"]
        [tool.uv.sources]
        prebuilt = {{ git = "{path_to_file_url(repository)}", tag = "v1", path = "dist/{WHEEL}" }}
    """
        },
    )
    plan, findings = make_plan(root, store)
    sha = hashlib.sha256(WHEEL_BYTES).hexdigest()  # the tagged content, not the later commit
    assert plan.rewrite_line("prebuilt==0.1.0", findings) == [
        f"prebuilt @ {path_to_file_url(store.path_for(sha, WHEEL))}"
    ]
    assert store.path_for(sha, WHEEL).read_bytes() == WHEEL_BYTES


def test_missing_archive_in_git_repository_is_a_problem(tmp_path: Path, store: Store) -> None:
    repository = repository_with(tmp_path / "repo", {"README": "x"})
    root = project_with_source(
        tmp_path / "proj",
        "prebuilt",
        f'prebuilt = {{ git = "{path_to_file_url(repository)}", path = "dist/{WHEEL}" }}',
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, store)
    (problem,) = info.value.problems
    assert problem.key == "tool.uv.sources.prebuilt.path" and "could not fetch the archive" in problem.message


def test_a_revision_the_repository_lacks_is_named_plainly(tmp_path: Path, store: Store) -> None:
    repository = repository_with(tmp_path / "repo", {f"dist/{WHEEL}": WHEEL_BYTES})
    rev = "deadbeef" * 5
    root = project_with_source(
        tmp_path / "proj",
        "prebuilt",
        f'prebuilt = {{ git = "{path_to_file_url(repository)}", rev = "{rev}", path = "dist/{WHEEL}" }}',
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, store)
    (problem,) = info.value.problems
    assert problem.key == "tool.uv.sources.prebuilt"
    assert f"the revision '{rev}' is not in {path_to_file_url(repository)}" in problem.message
    assert "b'" not in problem.message and "git returned" not in problem.message  # no gitpython internals
    assert "`rev`/`tag`/`branch`" in problem.fix


def test_a_git_path_naming_a_directory_points_at_subdirectory(tmp_path: Path, store: Store) -> None:
    root = project_with_source(
        tmp_path / "proj", "lib", 'lib = { git = "https://example.com/r.git", path = "packages/lib" }'
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, store)
    (problem,) = info.value.problems
    assert problem.key == "tool.uv.sources.lib.path" and "is neither a wheel" in problem.message
    assert 'for a project directory in the git repository, write `subdirectory = "packages/lib"`' in problem.fix


def _ensure(args: tuple[str, str]) -> str:
    root, source = args
    digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
    return str(Store(Path(root)).ensure(Path(source), digest, Path(source).name))


def test_concurrent_builds_share_the_store(tmp_path: Path) -> None:
    source = tmp_path / WHEEL
    source.write_bytes(WHEEL_BYTES * 50_000)
    with ProcessPoolExecutor(max_workers=4) as pool:
        paths = set(pool.map(_ensure, [(str(tmp_path / "store"), str(source))] * 16))
    (stored,) = paths
    assert Path(stored).read_bytes() == source.read_bytes()
    leftovers = [p for p in (tmp_path / "store").rglob("*") if p.is_file() and p != Path(stored)]
    assert leftovers == []


def test_record_member_outside_the_sdist_is_refused(tmp_path: Path, store: Store) -> None:
    extracted = unpacked_sdist(outside_and_directory_project(tmp_path / "src"), tmp_path / "x" / "app-1", store)
    document = json.loads((extracted / LOCAL_SOURCES_PATH).read_text())
    outside = tmp_path / "src" / "shared" / WHEEL  # right bytes, wrong place
    document["sources"]["prebuilt"][0]["member"] = str(Path("..") / ".." / ".." / outside.relative_to(tmp_path))
    (extracted / LOCAL_SOURCES_PATH).write_text(json.dumps(document))
    with pytest.raises(ProblemsError, match="stays inside the repository"):
        make_plan(extracted, store)


def test_git_errors_never_show_credentials(tmp_path: Path, store: Store) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "pyproject.toml": f"""
        [project]
        name = "p"
        version = "1"
        dependencies = ["prebuilt"]
        [tool.uv.sources]
        prebuilt = {{ git = "file://user:s3cret@localhost{tmp_path}/nowhere.git", path = "dist/{WHEEL}" }}
    """
        },
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, store)
    assert "s3cret" not in str(info.value) and "could not fetch the archive" in str(info.value)


NO_GIT_PROBE = r"""
import sys
from pathlib import Path
from sourcelift.errors import ProblemsError
from sourcelift.rewrite.plan import make_plan

plan, findings = make_plan(Path(sys.argv[1]))
print("plain build plans:", sorted(plan.sources), "git" in sys.modules)
try:
    make_plan(Path(sys.argv[2]))
except ProblemsError as error:
    print(error.render())
"""


def test_builds_work_without_git_and_git_sources_say_what_they_need(tmp_path: Path) -> None:
    import os
    import sys

    plain = write_tree(
        tmp_path / "plain",
        {
            "pyproject.toml": f'[project]\nname="p"\nversion="1"\ndependencies=["prebuilt"]\n'
            f'[tool.uv.sources]\nprebuilt={{path="{WHEEL}"}}\n',
            WHEEL: WHEEL_BYTES,
        },
    )
    needs_git = write_tree(
        tmp_path / "needs-git",
        {
            "pyproject.toml": '[project]\nname="p"\nversion="1"\ndependencies=["prebuilt"]\n'
            f'[tool.uv.sources]\nprebuilt={{git="https://example.invalid/r.git", path="{WHEEL}"}}\n',
        },
    )
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {
        **os.environ,
        "PATH": str(empty_bin),
        "SOURCELIFT_STORE_DIR": str(tmp_path / "store"),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("GIT_PYTHON_GIT_EXECUTABLE", None)
    env.pop("GIT_PYTHON_REFRESH", None)
    out = subprocess.run(
        [sys.executable, "-c", NO_GIT_PROBE, plain, needs_git], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert "plain build plans: ['prebuilt'] False" in out  # gitpython is not even imported
    assert "dependency `prebuilt` (`tool.uv.sources.prebuilt.path`)" in out and "needs git" in out


def test_a_wheel_from_the_sdist_keeps_the_lines_of_index_and_path_sources(tmp_path: Path, store: Store) -> None:
    tree = outside_and_directory_project(tmp_path / "src")
    text = (tree / "pyproject.toml").read_text()
    text = text.replace('lib = { path = "../lib" }', "")
    text = text.replace('"lib"]', "\"lib>=1; python_version >= '3.9'\"]")
    text += """
        lib = [
            { index = "internal", marker = "sys_platform != 'darwin'" },
            { path = "../lib", marker = "sys_platform == 'darwin'" },
        ]
        [[tool.uv.index]]
        name = "internal"
        url = "https://i.example/simple"
    """
    (tree / "pyproject.toml").write_text(text)
    plan, findings = make_plan(tree, store)
    written = plan.rewrite_line('lib>=1; python_version >= "3.9"', findings)
    assert written == [
        f'lib @ {path_to_file_url(tmp_path / "src" / "lib")} ; python_version >= "3.9" and sys_platform == "darwin"',
        'lib>=1; python_version >= "3.9" and sys_platform != "darwin"',
    ]
    from_sdist, findings = make_plan(unpacked_sdist(tree, tmp_path / "build" / "app-1", store), store)
    # the backend writes the final lines the sdist's pyproject.toml carries: they stay as they are
    for line in written:
        assert from_sdist.rewrite_line(line, findings) in (None, [line])
