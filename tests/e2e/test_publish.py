"""Publish mode through real frontends, a real package index and fresh venvs.

The uv-workspace example (app -> lib-a -> lib-b; lib-b versioned by hatch-vcs
from the repository's tag) is built in publish mode once per test session by
``pip wheel -C``, ``python -m build -C`` (sdist, then the wheel from it) and
``uv build -C``.  The tests then check what each frontend produced, build
wheels from the publish-mode sdists with sourcelift absent from every index,
upload everything to a pypiserver on 127.0.0.1 and install ``app`` from that
index alone with pip and with uv.  Smaller builds of edited clones check the
mode's precedence, every strategy and the failures.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import sys
import tarfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tests.support import Venv, clone, emitted_repository, git, offline_environ, run
from tests.support.examples import BY_NAME, Example
from tests.support.index_server import IndexServer, start_index_server
from tests.support.metadata import (
    find_sdist,
    find_wheel,
    parse_metadata,
    requires_dist,
    sdist_pkg_info_text,
    wheel_metadata_text,
)
from tests.support.proc import StrPath

pytestmark = pytest.mark.e2e

EXAMPLE: Example = BY_NAME["uv-workspace"]
TAG = EXAMPLE.tags[0]
LIB_B_VERSION = TAG.removeprefix("v")  # what hatch-vcs makes of the tag
MEMBERS: dict[str, str] = {"app": "packages/app", "lib-a": "packages/lib-a", "lib-b": "packages/lib-b"}
VERSIONS: dict[str, str] = {"app": "0.1.0", "lib-a": "0.1.0", "lib-b": LIB_B_VERSION}
# Requires-Dist of each member in publish mode with the default strategy (exact)
EXPECTED: dict[str, list[str]] = {
    "app": [f"lib-a=={VERSIONS['lib-a']}"],
    "lib-a": [f"lib-b=={LIB_B_VERSION}"],
    "lib-b": [],
}
FRONTENDS = ("pip wheel", "python -m build", "uv build")
PUBLISH = "sourcelift-mode=publish"


# --------------------------------------------------------------------------- helpers


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path} should contain {old!r} once; update the test"
    path.write_text(text.replace(old, new))


def commit_and_tag(tree: Path, *, tag: str | None = TAG) -> None:
    """Commit the edits of a clone and move the tag onto that commit (hatch-vcs then says exactly the tag)."""
    git("add", "--all", cwd=tree)
    git("commit", "--quiet", "--no-gpg-sign", "-m", "edit", cwd=tree)
    if tag is not None:
        git("tag", "--force", tag, cwd=tree)


def publish_environ(offline_env: Mapping[str, str], cache: Path, **extra: str) -> dict[str, str]:
    """The offline environment, with sourcelift's version cache in the test's temporary directory."""
    env = dict(offline_env)
    env["SOURCELIFT_CACHE_DIR"] = str(cache)
    env.update(extra)
    return env


def pip_wheel_cmd(out: Path, projects: Sequence[StrPath], settings: Sequence[str] = (PUBLISH,)) -> list[StrPath]:
    cmd: list[StrPath] = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", out]
    for setting in settings:
        cmd += ["-C", setting]
    return [*cmd, *projects]


def build_cmd(
    out: Path, project: StrPath, settings: Sequence[str] = (PUBLISH,), *, wheel_only: bool = False
) -> list[StrPath]:
    cmd: list[StrPath] = [sys.executable, "-m", "build", "--outdir", out]
    if wheel_only:
        cmd.append("--wheel")
    for setting in settings:
        cmd += ["-C", setting]
    return [*cmd, project]


def uv_build_cmd(uv: str, out: Path, project: StrPath, settings: Sequence[str] = (PUBLISH,)) -> list[StrPath]:
    cmd: list[StrPath] = [uv, "build", "--no-index", "--python", sys.executable, "--out-dir", out]
    for setting in settings:
        cmd += ["-C", setting]
    return [*cmd, project]


def frontend_cmd(
    frontend: str, uv: str, out: Path, project: Path, settings: Sequence[str] = (PUBLISH,)
) -> list[StrPath]:
    if frontend == "pip wheel":
        return pip_wheel_cmd(out, [project], settings)
    if frontend == "python -m build":
        return build_cmd(out, project, settings)
    assert frontend == "uv build", frontend
    return uv_build_cmd(uv, out, project, settings)


def metadata_requires(wheel: Path) -> list[str]:
    return requires_dist(wheel_metadata_text(wheel))


def one_requirement(wheel: Path, name: str) -> Requirement:
    reqs = [Requirement(line) for line in metadata_requires(wheel)]
    matching = [r for r in reqs if canonicalize_name(r.name) == canonicalize_name(name)]
    assert len(matching) == 1, f"{wheel.name}: expected one requirement on {name}: {metadata_requires(wheel)}"
    return matching[0]


def sdist_member_text(sdist: Path, member: str) -> str:
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/", 1)[0]
        data = archive.extractfile(f"{top}/{member}")
        assert data is not None, f"{sdist.name} has no {member}"
        return data.read().decode("utf-8")


def sdist_names(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        return [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]


def stderr_message(proc_output: str) -> str:
    """The text from sourcelift's first ``sourcelift:`` line on (frontends indent it)."""
    lines = [m.group(0) for m in re.finditer(r"(?m)^[\s│|]*sourcelift:.*$", proc_output)]
    assert lines, f"no line starting with 'sourcelift:' in the output:\n{proc_output}"
    return proc_output[proc_output.index(lines[0].strip()) :]


# --------------------------------------------------------------------------- the shared builds


@pytest.fixture(scope="module")
def builds(
    build_once: Callable[[str, Callable[[Path], None]], Path],
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    uv_bin: str,
) -> Path:
    """One clone of the example (``tree``) built in publish mode by each frontend.

    ``pip/``: ``pip wheel -C sourcelift-mode=publish --no-deps`` of every member;
    ``build/``: ``python -m build -C sourcelift-mode=publish`` of every member (sdist, then wheel from it);
    ``uv/``: ``uv build -C sourcelift-mode=publish --all-packages`` at the workspace root.
    The three frontends run side by side (a worker that needs these builds waits
    for them idle), each with a version cache of its own, so that no frontend's
    builds use versions another frontend discovered.
    """

    def build(dest: Path) -> None:
        dest.mkdir()
        tree = clone(example_repo(EXAMPLE), dest / "tree")
        members = [tree / path for path in MEMBERS.values()]

        def env(frontend: str) -> dict[str, str]:
            return publish_environ(offline_env, dest / f"sourcelift-cache-{frontend}")

        def with_pip() -> None:
            run(pip_wheel_cmd(dest / "pip", members), env=env("pip"), cwd=dest)

        def with_build() -> None:
            for member in members:
                run(build_cmd(dest / "build", member), env=env("build"), cwd=dest)

        def with_uv() -> None:
            run([*uv_build_cmd(uv_bin, dest / "uv", tree)[:-1], "--all-packages"], env=env("uv"), cwd=tree)

        with ThreadPoolExecutor(max_workers=3) as pool:
            for job in [pool.submit(task) for task in (with_pip, with_build, with_uv)]:
                job.result()

    return build_once("publish-builds", build)


def test_publish_wheels_have_version_specifiers(builds: Path) -> None:
    """Every frontend's wheel of every member: specifiers from the members' real versions, no URL."""
    for frontend, out in (("pip wheel", "pip"), ("python -m build", "build"), ("uv build", "uv")):
        for dist, expected in EXPECTED.items():
            wheel = find_wheel(builds / out, dist)
            text = wheel_metadata_text(wheel)
            assert parse_metadata(text)["Version"] == VERSIONS[dist], f"{frontend}: {wheel.name}"
            assert wheel.name.startswith(f"{dist.replace('-', '_')}-{VERSIONS[dist]}-"), wheel.name
            lines = requires_dist(text)
            assert lines == expected, f"{frontend}: {wheel.name}: {lines}"
            assert all(Requirement(line).url is None for line in lines), lines


def test_frontends_agree(builds: Path) -> None:
    """pip, build and uv make the same METADATA requirements, and build's and uv's sdists the same PKG-INFO ones."""
    for dist in MEMBERS:
        by_frontend = {out: metadata_requires(find_wheel(builds / out, dist)) for out in ("pip", "build", "uv")}
        by_frontend.update(
            {
                f"{out} sdist": requires_dist(sdist_pkg_info_text(find_sdist(builds / out, dist)))
                for out in ("build", "uv")
            }
        )
        assert len({json.dumps(v) for v in by_frontend.values()}) == 1, f"{dist}: {by_frontend}"


@pytest.mark.parametrize("out", ["build", "uv"])
def test_publish_sdist_is_standards_only(builds: Path, out: str) -> None:
    """PKG-INFO: static Requires-Dist, lib-b's version from the tag; no sourcelift record or archives."""
    for dist, expected in EXPECTED.items():
        sdist = find_sdist(builds / out, dist)
        assert sdist.name == f"{dist.replace('-', '_')}-{VERSIONS[dist]}.tar.gz", sdist.name
        pkg_info = parse_metadata(sdist_pkg_info_text(sdist))
        assert pkg_info["Version"] == VERSIONS[dist], sdist.name
        assert (pkg_info.get_all("Requires-Dist") or []) == expected, sdist.name
        assert "Requires-Dist" not in (pkg_info.get_all("Dynamic") or []), sdist.name
        names = sdist_names(sdist)
        assert not [n for n in names if n.startswith(".sourcelift/")], names
        assert not [n for n in names if n.endswith((".whl", ".tar.gz", ".zip"))], names


# The only differences the publish-mode sdist's pyproject.toml may have from the
# member's pyproject.toml: dependencies, consumed sources, the build-system table.
# A removed table takes exactly its own lines: the blank line before it stays.
EXPECTED_DIFFS: dict[str, str] = {
    "app": """\
@@ -2,2 +2,2 @@
-requires = ["sourcelift", "hatchling"]
-build-backend = "sourcelift.build"
+requires = ["hatchling"]
+build-backend = "hatchling.build"
@@ -9 +9 @@
-dependencies = ["lib-a"]
+dependencies = ["lib-a==0.1.0"]
@@ -11,2 +10,0 @@
-[tool.uv.sources]
-lib-a = { workspace = true }
""",
    # lib-a's source is the workspace root's: nothing to remove from lib-a's file
    "lib-a": """\
@@ -2,2 +2,2 @@
-requires = ["sourcelift", "hatchling"]
-build-backend = "sourcelift.build"
+requires = ["hatchling"]
+build-backend = "hatchling.build"
@@ -9 +9 @@
-dependencies = ["lib-b"]
+dependencies = ["lib-b==LIB_B_VERSION"]
""".replace("LIB_B_VERSION", LIB_B_VERSION),
    # no source-backed requirement: only the build-system table changes
    "lib-b": """\
@@ -2,2 +2,2 @@
-requires = ["sourcelift", "hatchling", "hatch-vcs"]
-build-backend = "sourcelift.build"
+requires = ["hatchling", "hatch-vcs"]
+build-backend = "hatchling.build"
""",
}


def pyproject_diff(original: str, rewritten: str) -> str:
    lines = difflib.unified_diff(
        original.splitlines(keepends=True), rewritten.splitlines(keepends=True), "original", "sdist", n=0
    )
    return "".join(line for line in lines if not line.startswith(("--- ", "+++ ")))


@pytest.mark.parametrize("out", ["build", "uv"])
@pytest.mark.parametrize("dist", list(MEMBERS))
def test_publish_sdist_pyproject_diff(builds: Path, out: str, dist: str) -> None:
    original = (builds / "tree" / MEMBERS[dist] / "pyproject.toml").read_text()
    rewritten = sdist_member_text(find_sdist(builds / out, dist), "pyproject.toml")
    assert pyproject_diff(original, rewritten) == EXPECTED_DIFFS[dist], rewritten


# --------------------------------------------------------------------------- wheels from the sdists, without sourcelift


@pytest.fixture(scope="module")
def env_without_sourcelift(
    wheelhouse: Path, store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """An offline environment whose only index is the wheelhouse minus sourcelift and sourcelift-hook."""
    root = tmp_path_factory.mktemp("no-sourcelift")
    links = root / "wheelhouse"
    links.mkdir()
    for wheel in wheelhouse.glob("*.whl"):
        if not wheel.name.startswith(("sourcelift-", "sourcelift_hook-")):
            shutil.copy2(wheel, links / wheel.name)
    assert not list(links.glob("sourcelift*")), sorted(p.name for p in links.iterdir())
    return offline_environ(find_links=[links], scratch=root / "scratch", store=store_dir)


@pytest.mark.parametrize("frontend", ["pip wheel", "python -m build --wheel"])
def test_wheel_from_publish_sdist_without_sourcelift(
    builds: Path, env_without_sourcelift: dict[str, str], frontend: str, tmp_path: Path
) -> None:
    """A plain frontend builds each sdist with no sourcelift anywhere: same Requires-Dist as sourcelift's wheel."""
    out = tmp_path / "wheels"
    sdists = [find_sdist(builds / "build", dist) for dist in MEMBERS]
    if frontend == "pip wheel":
        run(pip_wheel_cmd(out, sdists, settings=()), env=env_without_sourcelift, cwd=tmp_path)
    else:
        for sdist in sdists:
            run(build_cmd(out, sdist, settings=(), wheel_only=True), env=env_without_sourcelift, cwd=tmp_path)
    for dist in MEMBERS:
        from_tree = wheel_metadata_text(find_wheel(builds / "pip", dist))
        from_sdist = wheel_metadata_text(find_wheel(out, dist))
        assert requires_dist(from_sdist) == requires_dist(from_tree), dist
        assert parse_metadata(from_sdist)["Version"] == VERSIONS[dist], dist


# --------------------------------------------------------------------------- upload, then install from the index alone


@pytest.fixture(scope="module")
def index(
    builds: Path, tmp_path_factory: pytest.TempPathFactory, offline_env: dict[str, str], uv_bin: str
) -> Iterator[IndexServer]:
    """pypiserver on 127.0.0.1 holding every sdist and wheel ``python -m build`` made, uploaded by ``uv publish``."""
    root = tmp_path_factory.mktemp("index")
    server = start_index_server(root / "packages", log=root / "pypiserver.log")
    try:
        files = sorted((builds / "build").iterdir())
        assert len(files) == 2 * len(MEMBERS), files
        server.upload(files, uv=uv_bin, env=dict(offline_env, UV_CACHE_DIR=str(root / "uv-cache")))
        assert server.files() == sorted(f.name for f in files), server.log_text()
        yield server
    finally:
        server.stop()


def index_only_environ(offline_env: Mapping[str, str], scratch: Path) -> dict[str, str]:
    """``offline_env`` without its find-links and offline switches, with fresh caches: the index is all there is."""
    dropped = ("PIP_FIND_LINKS", "PIP_NO_INDEX", "UV_FIND_LINKS", "UV_OFFLINE")
    env = {k: v for k, v in offline_env.items() if k not in dropped}
    env["PIP_CACHE_DIR"] = str(scratch / "pip-cache")
    env["UV_CACHE_DIR"] = str(scratch / "uv-cache")
    return env


INSTALLED = (
    "import importlib.metadata as m, json; "
    "print(json.dumps({n: [m.version(n), m.distribution(n).read_text('direct_url.json')] for n in NAMES}))"
).replace("NAMES", repr(list(MEMBERS)))


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_install_from_index_alone(
    index: IndexServer,
    installer: str,
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    uv_bin: str,
    tmp_path: Path,
) -> None:
    venv = make_venv()
    env = index_only_environ(offline_env, tmp_path)
    if installer == "pip":
        report = tmp_path / "report.json"
        run(venv.pip("install", "--index-url", index.simple_url, "--report", report, "app"), env=env, cwd=tmp_path)
        urls = {
            item["metadata"]["name"]: item["download_info"]["url"] for item in json.loads(report.read_text())["install"]
        }
        assert sorted(urls) == sorted(MEMBERS), urls
        for name, url in urls.items():
            assert url.startswith(index.url) and url.endswith(".whl"), (name, url)
    else:
        run(
            venv.uv_pip("install", "--no-config", "--index-url", index.simple_url, "app"),
            env=env,
            cwd=tmp_path,
        )
    assert venv.run_python(EXAMPLE.code, env=env, cwd=tmp_path).strip() == EXAMPLE.output
    installed = json.loads(venv.run_python(INSTALLED, env=env, cwd=tmp_path))
    # versions as published, and no direct_url.json: nothing came from a URL or a path
    assert installed == {name: [VERSIONS[name], None] for name in MEMBERS}, installed


# --------------------------------------------------------------------------- which mode


@pytest.fixture
def tree(example_repo: Callable[[Example], Path], tmp_path: Path) -> Path:
    """A fresh clone of the tagged example, for a test to edit (then commit_and_tag)."""
    return clone(example_repo(EXAMPLE), tmp_path / "tree")


def app_lib_a_line(wheel_dir: Path) -> Requirement:
    return one_requirement(find_wheel(wheel_dir, "app"), "lib-a")


@pytest.mark.parametrize(
    ("pyproject_mode", "env_mode", "setting", "expected"),
    [
        (None, None, None, "local"),  # the default
        ("publish", None, None, "publish"),
        ("publish", "local", None, "local"),  # environment beats pyproject
        ("local", "publish", None, "publish"),
        ("publish", "local", "publish", "publish"),  # config setting beats environment
        (None, "publish", "local", "local"),
    ],
    ids=[
        "default-local",
        "pyproject-publish",
        "env-local-beats-pyproject",
        "env-publish-beats-pyproject",
        "setting-publish-beats-env",
        "setting-local-beats-env",
    ],
)
def test_mode_precedence(
    tree: Path,
    offline_env: dict[str, str],
    tmp_path: Path,
    pyproject_mode: str | None,
    env_mode: str | None,
    setting: str | None,
    expected: str,
) -> None:
    if pyproject_mode is not None:
        pyproject = tree / MEMBERS["app"] / "pyproject.toml"
        pyproject.write_text(pyproject.read_text() + f'\n[tool.sourcelift]\nmode = "{pyproject_mode}"\n')
        commit_and_tag(tree)
    extra = {} if env_mode is None else {"SOURCELIFT_MODE": env_mode}
    env = publish_environ(offline_env, tmp_path / "cache", **extra)
    settings = () if setting is None else (f"sourcelift-mode={setting}",)
    run(pip_wheel_cmd(tmp_path / "out", [tree / MEMBERS["app"]], settings), env=env, cwd=tmp_path)
    req = app_lib_a_line(tmp_path / "out")
    if expected == "local" and pyproject_mode is None:
        # a committed member of a clone with a remote: named by its place in the repository
        remote = git("remote", "get-url", "origin", cwd=tree).strip()
        commit = git("rev-parse", "HEAD", cwd=tree).strip()
        assert req.url == f"git+{emitted_repository(remote)}@{commit}#subdirectory={MEMBERS['lib-a']}", str(req)
    elif expected == "local":
        # the mode was committed in the clone only: the remote may not have HEAD, so the member is
        # named by its path
        assert req.url == (tree / MEMBERS["lib-a"]).resolve().as_uri(), str(req)
    else:
        assert req.url is None and str(req) == f"lib-a=={VERSIONS['lib-a']}", str(req)


# --------------------------------------------------------------------------- strategies


def set_lib_a_sourcelift(tree: Path, table: str, *, dependency: str = "lib-b") -> None:
    """Give lib-a a ``[tool.sourcelift]`` table (and, optionally, a specifier of its own on lib-b)."""
    pyproject = tree / MEMBERS["lib-a"] / "pyproject.toml"
    if dependency != "lib-b":
        edit(pyproject, 'dependencies = ["lib-b"]', f"dependencies = [{json.dumps(dependency)}]")
    pyproject.write_text(pyproject.read_text() + "\n" + table)


def build_lib_a(tree: Path, env: Mapping[str, str], out: Path, *, check: bool = True) -> CompletedProcess[str]:
    return run(pip_wheel_cmd(out, [tree / MEMBERS["lib-a"]]), env=env, cwd=out.parent, check=check)


# lib-b's version (its tag) -> strategy -> the specifier lib-a's wheel must carry for lib-b
STRATEGY_SPECS: dict[str, dict[str, str]] = {
    LIB_B_VERSION: {
        "exact": f"=={LIB_B_VERSION}",
        "compatible": f"~={LIB_B_VERSION}",
        "minimum": f">={LIB_B_VERSION}",
        "minor": f">={LIB_B_VERSION},<0.3",
        "major": f">={LIB_B_VERSION},<1",
        "semver": f">={LIB_B_VERSION},<0.3",  # 0.x: bounded at the next minor
    },
    # semver parts from minor at 1.x
    "1.4.2": {
        "minor": ">=1.4.2,<1.5",
        "semver": ">=1.4.2,<2",  # 1.x and later: bounded at the next major
    },
}
STRATEGY_CASES = [
    pytest.param(f'[tool.sourcelift]\nstrategy = "{name}"\n', version, spec, id=f"{name}-{version}")
    for version, specs in STRATEGY_SPECS.items()
    for name, spec in specs.items()
]


@pytest.mark.parametrize(
    ("table", "version", "expected"),
    [
        *STRATEGY_CASES,
        pytest.param(
            '[tool.sourcelift]\nstrategy = "major"\n\n[tool.sourcelift.strategies]\nlib-b = "minor"\n',
            LIB_B_VERSION,
            STRATEGY_SPECS[LIB_B_VERSION]["minor"],
            id="per-dependency-override",
        ),
        pytest.param(
            '[tool.sourcelift.strategies]\nLib_B = ">=0.1,<2"\n',
            LIB_B_VERSION,
            ">=0.1,<2",
            id="explicit-specifier-non-normalized-name",
        ),
    ],
)
def test_strategy(
    tree: Path, offline_env: dict[str, str], tmp_path: Path, table: str, version: str, expected: str
) -> None:
    set_lib_a_sourcelift(tree, table)
    commit_and_tag(tree, tag=f"v{version}")
    build_lib_a(tree, publish_environ(offline_env, tmp_path / "cache"), tmp_path / "out")
    req = one_requirement(find_wheel(tmp_path / "out", "lib-a"), "lib-b")
    assert req.url is None and req.specifier == SpecifierSet(expected), str(req)


def test_own_specifier_is_combined(tree: Path, offline_env: dict[str, str], tmp_path: Path) -> None:
    """lib-a asks for ``lib-b>=0.1``; exact adds ``==0.2.0``: both are kept."""
    set_lib_a_sourcelift(tree, "", dependency="lib-b>=0.1")
    commit_and_tag(tree)
    build_lib_a(tree, publish_environ(offline_env, tmp_path / "cache"), tmp_path / "out")
    req = one_requirement(find_wheel(tmp_path / "out", "lib-a"), "lib-b")
    assert req.specifier == SpecifierSet(f">=0.1,=={LIB_B_VERSION}"), str(req)


# --------------------------------------------------------------------------- failures


def assert_build_stops(proc: CompletedProcess[str], out: Path, *needles: str) -> str:
    """The build failed with sourcelift's message naming every needle, no traceback and no wheel."""
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "Traceback" not in output, output
    message = stderr_message(output)
    for needle in needles:
        assert needle in message, f"{needle!r} not in:\n{message}"
    wheels = sorted(p.name for p in out.glob("*.whl")) if out.exists() else []
    assert not wheels, wheels
    return message


def add_git_source(tree: Path, repo: Path) -> None:
    """app also depends on lib-b, from git (app's own source beats the workspace root's)."""
    pyproject = tree / MEMBERS["app"] / "pyproject.toml"
    edit(pyproject, 'dependencies = ["lib-a"]', 'dependencies = ["lib-a", "lib-b"]')
    edit(
        pyproject,
        "lib-a = { workspace = true }",
        f'lib-a = {{ workspace = true }}\nlib-b = {{ git = "{repo.resolve().as_uri()}", tag = "{TAG}", '
        'subdirectory = "packages/lib-b" }',
    )
    commit_and_tag(tree)


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_git_source_needs_explicit_specifier(
    tree: Path,
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    uv_bin: str,
    tmp_path: Path,
    frontend: str,
) -> None:
    add_git_source(tree, example_repo(EXAMPLE))
    env = publish_environ(offline_env, tmp_path / "cache")
    out = tmp_path / "out"
    proc = run(frontend_cmd(frontend, uv_bin, out, tree / MEMBERS["app"]), env=env, cwd=tmp_path, check=False)
    # where the source is, and how to give a specifier
    assert_build_stops(proc, out, "tool.uv.sources.lib-b", "[tool.sourcelift.strategies]", 'lib-b = "')


def test_git_source_with_explicit_specifier(
    tree: Path, example_repo: Callable[[Example], Path], offline_env: dict[str, str], tmp_path: Path
) -> None:
    pyproject = tree / MEMBERS["app"] / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.sourcelift.strategies]\nlib-b = ">=0.2,<1"\n')
    add_git_source(tree, example_repo(EXAMPLE))
    run(
        pip_wheel_cmd(tmp_path / "out", [tree / MEMBERS["app"]]),
        env=publish_environ(offline_env, tmp_path / "c"),
        cwd=tmp_path,
    )
    wheel = find_wheel(tmp_path / "out", "app")
    assert one_requirement(wheel, "lib-a").specifier == SpecifierSet("==0.1.0")
    req = one_requirement(wheel, "lib-b")
    assert req.url is None and req.specifier == SpecifierSet(">=0.2,<1"), metadata_requires(wheel)


def test_local_version_is_refused(tree: Path, offline_env: dict[str, str], tmp_path: Path) -> None:
    """A commit after the tag: hatch-vcs gives lib-b a local version (``0.2.1.devN+g...``), which PyPI rejects."""
    (tree / MEMBERS["lib-b"] / "NOTES.txt").write_text("after the release\n")
    commit_and_tag(tree, tag=None)
    out = tmp_path / "out"
    proc = build_lib_a(tree, publish_environ(offline_env, tmp_path / "cache"), out, check=False)
    message = assert_build_stops(proc, out, "lib-b", "local version", "tool.sourcelift.strategies")
    assert re.search(r"0\.2\.1\.dev1\+g[0-9a-f]+", message), message


def test_own_specifier_excluding_the_version_is_refused(
    tree: Path, offline_env: dict[str, str], tmp_path: Path
) -> None:
    """lib-a asks for ``lib-b>=1``; the workspace's lib-b is 0.2.0."""
    set_lib_a_sourcelift(tree, "", dependency="lib-b>=1")
    commit_and_tag(tree)
    out = tmp_path / "out"
    proc = build_lib_a(tree, publish_environ(offline_env, tmp_path / "cache"), out, check=False)
    assert_build_stops(proc, out, "lib-b", LIB_B_VERSION, "lib-b>=1")


def test_empty_combination_is_refused(tree: Path, offline_env: dict[str, str], tmp_path: Path) -> None:
    """lib-a asks for ``lib-b<0.5`` and gives the explicit specifier ``>=1``: nothing satisfies both."""
    set_lib_a_sourcelift(tree, '[tool.sourcelift.strategies]\nlib-b = ">=1"\n', dependency="lib-b<0.5")
    commit_and_tag(tree)
    out = tmp_path / "out"
    proc = build_lib_a(tree, publish_environ(offline_env, tmp_path / "cache"), out, check=False)
    assert_build_stops(proc, out, "tool.sourcelift.strategies.lib-b", "lib-b<0.5", "no version")


# --------------------------------------------------------------------------- backends that rewrite pyproject.toml


def test_pdm_publish_sdist_keeps_the_original_bytes(
    example_repo: Callable[[Example], Path], offline_env: dict[str, str], tmp_path: Path
) -> None:
    """pdm-backend re-serializes pyproject.toml into its sdists (comments gone, `${PROJECT_ROOT}` expanded);
    the publish-mode sdist is still the tree's own file with only the three kinds of change."""
    tree = clone(example_repo(BY_NAME["pdm-project-root"]), tmp_path / "tree")
    out = tmp_path / "out"
    run(build_cmd(out, tree), env=publish_environ(offline_env, tmp_path / "cache"), cwd=tmp_path)
    original = (tree / "pyproject.toml").read_text()
    rewritten = sdist_member_text(find_sdist(out, "pdm-project-root"), "pyproject.toml")
    assert pyproject_diff(original, rewritten) == (
        "@@ -2,2 +2,2 @@\n"
        '-requires = ["sourcelift", "pdm-backend"]\n'
        '-build-backend = "sourcelift.build"\n'
        '+requires = ["pdm-backend"]\n'
        '+build-backend = "pdm.backend"\n'
        "@@ -10 +10 @@\n"
        '-  "prebuilt @ file:///${PROJECT_ROOT}/vendor/prebuilt-0.1.0-py3-none-any.whl",\n'
        '+  "prebuilt==0.1.0",\n'
    )
    assert metadata_requires(find_wheel(out, "pdm-project-root")) == ["prebuilt==0.1.0"]
