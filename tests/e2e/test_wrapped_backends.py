"""What the wrapper does to each backend's artifacts, and what each backend gets (issue 9).

Sdists of a tiny project (tests/e2e/wrapped_projects.py) made by hatchling,
setuptools, pdm-backend, flit-core, poetry-core and uv_build through
``sourcelift.build`` with ``python -m build``, in local and publish mode, once
per session; the tests read them back with ``tarfile`` and GNU ``tar``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from sourcelift_hook.check import read_archive, run_checks
from tests.e2e.wrapped_projects import (
    HOOK,
    LONG_DIRECTORY,
    LONG_FILE,
    PREBUILT,
    write_project,
    write_strict_backend,
)
from tests.support import Venv, file_url, offline_environ, run
from tests.support.metadata import (
    find_sdist,
    find_wheel,
    parse_metadata,
    requires_dist,
    sdist_pkg_info_text,
    unpack_sdist,
    wheel_metadata_text,
)
from tests.support.trees import write_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.e2e

MODES = ("local", "publish")
SIX = ["hatchling", "setuptools", "pdm-backend", "flit-core", "poetry-core", "uv_build"]


@pytest.fixture(scope="session")
def backends_env(
    build_once: Callable[[str, Callable[[Path], None]], Path], offline_env: dict[str, str]
) -> dict[str, str]:
    """``offline_env`` whose find-links also serve the strict test backend's wheel."""

    def build(dest: Path) -> None:
        project = write_strict_backend(dest.parent / "strict-backend-project")
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dest, project], env=offline_env)

    links = build_once("strict-backend-wheel", build)
    env = dict(offline_env)
    env["PIP_FIND_LINKS"] = f"{env['PIP_FIND_LINKS']} {links}"
    env["UV_FIND_LINKS"] = f"{env['UV_FIND_LINKS']},{links}"  # uv splits this variable on commas
    return env


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
            for done in [pool.submit(one, b, m, dest) for b in SIX for m in MODES]:
                done.result()

    return build_once("wrapped-sdists", build)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("backend", SIX)
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
    # point 7: no member repeats what the rewrite changed
    assert not [name for name in names if name.endswith(".egg-info/requires.txt")]  # setuptools
    if "app-1.0/pyproject.toml.orig" in names:  # uv_build
        assert (tmp_path / "app-1.0" / "pyproject.toml.orig").read_text() == pyproject
    # point 5: what pyproject.toml says statically is what PKG-INFO (and so the wheel) says
    data = tomllib.loads(pyproject)
    assert data["project"]["dependencies"] == metadata.get_all("Requires-Dist")
    assert "sources" not in data.get("tool", {}).get("uv", {})
    if mode == "publish":
        assert "sourcelift" not in str(data["build-system"])
    elif backend == "hatchling":  # hatchling (also underneath a custom backend) copies PKG-INFO's direct references
        assert data["tool"]["hatch"]["metadata"]["allow-direct-references"] is True
    else:  # only hatchling reads `[tool.hatch.metadata]`
        assert "hatch" not in data.get("tool", {})


INNER_FRONTENDS = ("pip wheel", "uv pip install", "python -m build")


@pytest.mark.parametrize("frontend", INNER_FRONTENDS)
@pytest.mark.parametrize("backend", ["uv_build", "strict"])
def test_the_wrapped_backend_gets_its_own_metadata_and_settings(
    backend: str,
    frontend: str,
    backends_env: dict[str, str],
    uv_bin: str,
    make_venv: Callable[..., Venv],
    store_dir: Path,
    tmp_path: Path,
) -> None:
    """Point 3: the backend's own prepared metadata (uv_build and the strict backend compare it with
    what they build) and no `sourcelift-*` config setting (the strict backend rejects unknown ones,
    uv_build warns about any)."""
    tree = write_project(tmp_path / "app", backend, long_names=False)
    settings = ["-C", "sourcelift-mode=local"] + (["-C", "strict-ok=1"] if backend == "strict" else [])
    out = tmp_path / "out"
    if frontend == "pip wheel":
        proc = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, *settings, tree], env=backends_env)
    elif frontend == "python -m build":
        proc = run([sys.executable, "-m", "build", "-o", out, *settings, tree], env=backends_env)
    else:
        venv = make_venv()
        proc = run(
            [uv_bin, "pip", "install", "--no-index", "--python", venv.python, "-v", *settings, tree], env=backends_env
        )
        assert venv.run_python("import app; print(app.VALUE)", env=backends_env).strip() == "hello from prebuilt 0.1.0"
    output = proc.stdout + proc.stderr
    assert "Config settings are not supported" not in output
    assert "Unrecognized options" not in output
    if frontend != "uv pip install":
        (line,) = requires_dist(wheel_metadata_text(find_wheel(out, "app")))
        assert line.startswith(f"prebuilt @ {file_url(store_dir)}/sha256/"), line


FAILING = {
    "sdist (python -m build)": ["build", "--sdist"],
    "wheel (python -m build)": ["build", "--wheel"],
    "publish sdist (python -m build)": ["build", "--sdist", "-C", "sourcelift-mode=publish"],
    "wheel (uv build)": ["uv", "--wheel"],
    "sdist (uv build)": ["uv", "--sdist"],
    "editable (pyproject-hooks)": ["editable"],
}
EDITABLE = """
import sys
from pyproject_hooks import BuildBackendHookCaller, BackendUnavailable
caller = BuildBackendHookCaller(sys.argv[1], "sourcelift.build")
caller.build_editable(sys.argv[2])
"""


@pytest.mark.parametrize("what", list(FAILING))
def test_nothing_is_left_in_the_output_directory_when_sourcelift_fails(
    what: str,
    offline_env: dict[str, str],
    uv_bin: str,
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    """Point 6: the backend built the artifact, then sourcelift failed (a hook-produced requirement the
    vendored archive does not satisfy; in publish mode, dynamic dependencies): the output directory
    holds nothing, so a later `twine upload dist/*` finds nothing unrewritten."""
    tree = write_project(tmp_path / "app", "hatchling", long_names=False, hook_dependencies=["prebuilt>=2"])
    out = tmp_path / "out"
    out.mkdir()
    command = FAILING[what]
    if command[0] == "build":
        proc = run([sys.executable, "-m", *command, "-o", out, tree], env=offline_env, check=False)
    elif command[0] == "uv":
        proc = run([uv_bin, "build", "--no-index", *command[1:], "-o", out, tree], env=offline_env, check=False)
    else:
        venv = make_venv()
        run([*venv.pip("install", "sourcelift", "hatchling", "editables", "pyproject-hooks")], env=offline_env)
        proc = run([venv.python, "-c", EDITABLE, tree, out], env=offline_env, cwd=tmp_path, check=False)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert "sourcelift" in output and ("prebuilt" in output or "project.dynamic" in output), output
    assert [p.name for p in out.iterdir() if p.name != ".gitignore"] == [], output  # uv build adds .gitignore


@pytest.mark.parametrize("backend", SIX)
def test_local_sdists_install_and_build_with_uv_and_pip(
    backend: str,
    wrapped_sdists: Path,
    offline_env: dict[str, str],
    uv_bin: str,
    make_venv: Callable[..., Venv],
    store_dir: Path,
    tmp_path: Path,
) -> None:
    """Point 5: `uv pip install SDIST` (which reads the sdist's static pyproject.toml), `pip install SDIST`
    and `uv build --wheel SDIST` all give the dependency from the store; the tree's pyproject.toml is
    as it was written."""
    built = wrapped_sdists / f"{backend}-local"
    sdist = find_sdist(built / "dist", "app")
    assert (built / "app" / "pyproject.toml").read_text() == write_project(tmp_path / "fresh", backend).joinpath(
        "pyproject.toml"
    ).read_text()
    uv_venv = make_venv()
    run([uv_bin, "pip", "install", "--no-index", "--python", uv_venv.python, sdist], env=offline_env)
    pip_venv = make_venv()
    run([*pip_venv.pip("install", sdist)], env=offline_env)
    for venv in (uv_venv, pip_venv):
        assert venv.run_python("import app; print(app.VALUE)", env=offline_env).strip() == "hello from prebuilt 0.1.0"
    run([uv_bin, "build", "--no-index", "--wheel", "-o", tmp_path / "out", sdist], env=offline_env)
    (line,) = requires_dist(wheel_metadata_text(find_wheel(tmp_path / "out", "app")))
    assert line.startswith(f"prebuilt @ {file_url(store_dir)}/sha256/"), line


HOOK_FRONTENDS = ("python -m build", "uv build", "pip wheel", "pip wheel of the sdist")


def test_hook_produced_dependencies_build_the_same_wheel_from_tree_and_sdist(
    offline_env: dict[str, str], uv_bin: str, store_dir: Path, tmp_path: Path
) -> None:
    """Point 4: `dependencies` dynamic and filled by a hatchling metadata hook (as in mcp, pydantic-ai,
    griffe): hatchling copies them from the local-mode sdist's PKG-INFO, where they are direct
    references; the wheel built from the sdist says what the one built from the tree says."""
    tree = write_project(tmp_path / "app", "hatchling", long_names=False, hook_dependencies=["prebuilt>=0.1"])
    outs = {frontend: tmp_path / frontend.replace(" ", "-") for frontend in HOOK_FRONTENDS}
    run([sys.executable, "-m", "build", "-o", outs["python -m build"], tree], env=offline_env)
    run([uv_bin, "build", "--no-index", "-o", outs["uv build"], tree], env=offline_env)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", outs["pip wheel"], tree], env=offline_env)
    sdist = find_sdist(outs["python -m build"], "app")
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", outs["pip wheel of the sdist"], sdist],
        env=offline_env,
    )
    lines = {frontend: requires_dist(wheel_metadata_text(find_wheel(out, "app"))) for frontend, out in outs.items()}
    (line,) = lines["pip wheel"]
    assert line.startswith(f"prebuilt>=0.1 @ {file_url(store_dir)}/sha256/") or line.startswith(
        f"prebuilt @ {file_url(store_dir)}/sha256/"
    ), line
    assert all(found == [line] for found in lines.values()), lines


@pytest.mark.parametrize("mode", MODES)
def test_a_relative_file_reference_from_a_metadata_hook_stops_the_build(
    mode: str, offline_env: dict[str, str], tmp_path: Path
) -> None:
    """Found with hatch-requirements-txt, whose hook reads `dependencies` from requirements.txt: a line
    `prebuilt @ file:./vendor/x.whl` (a pip requirements idiom) went into the wheel as it was, in both modes,
    and uv refused the wheel ("relative path without a working directory"); the build now stops and says
    to declare the path as a source."""
    relative = f"prebuilt @ file:./vendor/{PREBUILT.name}"
    tree = write_project(
        tmp_path / "app",
        "hatchling",
        long_names=False,
        hook_dependencies=[relative],
        extra_toml="\n[tool.hatch.metadata]\nallow-direct-references = true\n",
    )
    pyproject = tree / "pyproject.toml"
    source = f'prebuilt = {{ path = "vendor/{PREBUILT.name}" }}\n'
    pyproject.write_text(pyproject.read_text().replace(source, ""))  # no source backs the reference
    out = tmp_path / "out"
    proc = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", out, "-C", f"sourcelift-mode={mode}", tree],
        env=offline_env,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert f"dependency `prebuilt` (`Requires-Dist: {relative}`)" in output, output
    assert "relative path `./vendor/" in output and "Traceback" not in output, output
    assert f'`prebuilt = {{ path = "vendor/{PREBUILT.name}" }}`' in output, output
    assert not out.exists() or not list(out.glob("*.whl"))


HOOKED_MEMBER = """[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "1.0"
dynamic = ["dependencies"]

[tool.hatch.metadata.hooks.custom]

[tool.hatch.build.targets.wheel]
packages = ["app"]

[tool.uv.sources]
lib = { workspace = true }
"""


def test_sdists_with_hook_produced_dependencies_drop_the_sources_they_spent(
    offline_env: dict[str, str], uv_bin: str, make_venv: Callable[..., Venv], tmp_path: Path
) -> None:
    """Found on pydantic-ai: a workspace member whose dependencies a hatchling metadata hook fills.  The
    sdist's PKG-INFO carries the final lines, so its pyproject.toml keeps no `lib = { workspace = true }`,
    which stops uv at the unpacked sdist ("references a workspace ..., but is not a workspace member")."""
    root = tmp_path / "ws"
    (root / "packages" / "lib" / "lib").mkdir(parents=True)
    (root / "packages" / "app" / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    (root / "packages" / "lib" / "lib" / "__init__.py").write_text("")
    (root / "packages" / "lib" / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "lib"\nversion = "0.3.0"\n'
    )
    app = root / "packages" / "app"
    (app / "app" / "__init__.py").write_text("")
    # a source only a dependency group uses stays (found on modelcontextprotocol/python-sdk, whose sdist
    # dropped them all, and `uv lock` in it failed): the sdist keeps the group
    # dropped, though: outside the workspace uv stops at a group's `workspace = true` entry
    group = '[dependency-groups]\ndev = ["tools", "helper"]\n'
    for name in ("tools", "helper"):
        (root / "packages" / name).mkdir()
        (root / "packages" / name / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "2.0"\n')
    extra_sources = 'tools = { path = "../tools" }\nhelper = { workspace = true }\n'
    (app / "pyproject.toml").write_text(group + HOOKED_MEMBER + extra_sources)
    (app / "hatch_build.py").write_text(HOOK.format(dependencies=["lib>=0.1"]))
    expected = {"publish": "lib==0.3.0,>=0.1", "local": f"lib @ {file_url(root / 'packages' / 'lib')}"}
    for mode, line in expected.items():
        out = tmp_path / mode
        run(
            [sys.executable, "-m", "build", "--sdist", "-o", out, "-C", f"sourcelift-mode={mode}", app], env=offline_env
        )
        sdist = find_sdist(out, "app")
        assert requires_dist(sdist_pkg_info_text(sdist)) == [line]
        unpacked = unpack_sdist(sdist, out / "unpacked")
        assert unpacked.name == "app-1.0"
        written = tomllib.loads((unpacked / "pyproject.toml").read_text())
        assert written["tool"]["uv"]["sources"] == {"tools": {"path": "../tools"}}, written
        venv = make_venv()
        run([uv_bin, "pip", "install", "--no-index", "--no-deps", "--python", venv.python, unpacked], env=offline_env)
        shown = venv.run_python("import importlib.metadata as m; print(m.requires('app'))", env=offline_env)
        assert shown.strip() == repr([line]), shown


WORKSPACE_ROOT = {
    "pyproject.toml": """\
        [build-system]
        requires = ["sourcelift", "hatchling"]
        build-backend = "sourcelift.build"

        [project]
        name = "mcp"
        version = "1.0"
        dependencies = ["mcp-types==0.3.0"]

        [tool.hatch.build.targets.wheel]
        packages = ["src/mcp"]

        [tool.hatch.build.targets.sdist]
        exclude = ["examples"]

        [tool.uv.workspace]
        members = ["src/mcp-types", "examples/*"]

        [tool.uv.sources]
        mcp-types = { workspace = true }
        mcp-example-stories = { workspace = true }
    """,
    "src/mcp/__init__.py": "",
    "src/mcp-types/pyproject.toml": """\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "mcp-types"
        version = "0.3.0"
    """,
    "src/mcp-types/mcp_types/__init__.py": "",
    "examples/stories/pyproject.toml": '[project]\nname = "mcp-example-stories"\nversion = "0.1"\n',
}


def test_a_workspace_roots_sdist_keeps_the_sources_of_the_members_it_ships(
    offline_env: dict[str, str], uv_bin: str, tmp_path: Path
) -> None:
    """Found on modelcontextprotocol/python-sdk: the root `mcp` requires its member `mcp-types`, which its
    sdist ships under src/mcp-types; the sdist dropped `mcp-types = { workspace = true }` and kept
    `[tool.uv.workspace]`, so uv stopped in the unpacked sdist ("`mcp-types` is included as a workspace member,
    but is missing an entry in `tool.uv.sources`").  The entries of the members the sdist holds stay, in both
    modes; one whose member the sdist leaves out (examples/) goes, as uv cannot resolve it there."""
    root = write_tree(tmp_path / "mcp", WORKSPACE_ROOT)
    for mode in MODES:
        out = tmp_path / mode
        run(
            [sys.executable, "-m", "build", "--sdist", "-o", out, "-C", f"sourcelift-mode={mode}", root],
            env=offline_env,
        )
        sdist = find_sdist(out, "mcp")
        # `sourcelift check` agrees: no workspace entry without its member, no member without its entry
        findings, _ = run_checks([read_archive(sdist)])
        assert [f for f in findings if f.id.startswith("SL5")] == [], findings
        unpacked = unpack_sdist(sdist, out / "unpacked")
        assert unpacked.name == "mcp-1.0"
        written = tomllib.loads((unpacked / "pyproject.toml").read_text())
        assert written["tool"]["uv"] == {
            "workspace": {"members": ["src/mcp-types", "examples/*"]},
            "sources": {"mcp-types": {"workspace": True}},
        }, (mode, written)
        run([uv_bin, "lock", "--offline"], env=offline_env, cwd=unpacked)
        run([uv_bin, "build", "--no-index", "--wheel", "-o", out / "wheel", unpacked], env=offline_env)
        assert find_wheel(out / "wheel", "mcp").is_file()


SELF_REFERENCE = """
[project.optional-dependencies]
lib = ["prebuilt"]
all = ["app[lib]"]

[tool.uv.workspace]
members = []
"""


@pytest.mark.parametrize("backend", ["setuptools", "hatchling", "uv_build"])
def test_a_self_reference_stays_plain_and_installs(
    backend: str,
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    """Point 11: an airflow-style `all = ["app[lib]"]` with `app = { workspace = true }`; the wheel says
    `app[lib]; extra == "all"` in both modes, and pip installs `app[all]` from it."""
    tree = write_project(
        tmp_path / "app",
        backend,
        dependencies="",
        long_names=False,
        extra_sources="app = { workspace = true }\n",
        extra_toml=SELF_REFERENCE,
    )
    for mode in ("local", "publish"):
        out = tmp_path / mode
        run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, "-C", f"sourcelift-mode={mode}", tree],
            env=offline_env,
        )
        lines = requires_dist(wheel_metadata_text(find_wheel(out, "app")))
        # a plain self-reference, or none where the backend folds it into the extra's own lines
        # (hatchling does so in some builds), as it does without sourcelift
        for itself in [Requirement(line) for line in lines if Requirement(line).name == "app"]:
            assert itself.url is None and itself.extras == {"lib"}, lines
            assert itself.marker == Marker('extra == "all"'), lines
        assert any(Requirement(line).name == "prebuilt" for line in lines), lines
    wheel = find_wheel(tmp_path / "local", "app")
    venv = make_venv()
    run([*venv.pip("install", f"app[all] @ {file_url(wheel)}")], env=offline_env)
    assert venv.run_python("import app; print(app.VALUE)", env=offline_env).strip() == "hello from prebuilt 0.1.0"


def test_pkg_info_without_requires_dist_gets_the_final_lines(
    offline_env: dict[str, str], store_dir: Path, tmp_path: Path
) -> None:
    """Point 7: pdm-pep517 writes no Requires-Dist into PKG-INFO; the sdist lists the final lines.  The
    local-mode sdist's note names them too (it said "direct references to commits (`git+URL@COMMIT`)" of an
    sdist whose one line named the store: the note read the lines the backend wrote, none)."""
    tree = write_project(tmp_path / "app", "pdm-pep517", long_names=False)
    expected = {"local": f"prebuilt @ {file_url(store_dir)}/sha256/", "publish": "prebuilt==0.1.0"}
    for mode, line in expected.items():
        out = tmp_path / mode
        proc = run(
            [sys.executable, "-m", "build", "--sdist", "-o", out, "-C", f"sourcelift-mode={mode}", tree],
            env=offline_env,
        )
        (found,) = requires_dist(sdist_pkg_info_text(find_sdist(out, "app")))
        assert found.startswith(line), found
        if mode == "local":
            output = proc.stdout + proc.stderr
            assert f"its dependencies point at files on this machine ({file_url(store_dir)}/sha256/" in output, output
            assert "commits" not in output, output


LEGACY_SETUP = """\
from setuptools import setup

setup(name="app", version="1.0", packages=["app"], install_requires=["dep"])
"""
DEP_PROJECT = '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
DEP_PROJECT += '[project]\nname = "dep"\nversion = "0.5"\n'
IN_TREE_BACKEND = """\
from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403


def get_requires_for_build_wheel(config_settings=None):
    return _setuptools.get_requires_for_build_wheel(config_settings)
"""


def test_an_in_tree_backend_is_wrapped_through_a_module_in_its_backend_path(
    offline_env: dict[str, str], tmp_path: Path
) -> None:
    """Frontends load `build-backend` only from `backend-path` (pip: "Backend was not loaded from
    backend-path"): a two-line module there re-exports the wrapper, which wraps the in-tree backend
    named in `tool.sourcelift.backend`.  The publish sdist names the in-tree backend again."""
    root = write_tree(
        tmp_path / "app",
        {
            "_build/backend.py": IN_TREE_BACKEND,
            "_build/sourcelift_backend.py": "from sourcelift.build import *  # noqa: F403\n"
            "from sourcelift.build import __getattr__  # noqa: F401\n",
            "MANIFEST.in": "graft _build\n",
            "src/app/__init__.py": "",
            "libs/dep/src/dep/__init__.py": "",
            "libs/dep/pyproject.toml": DEP_PROJECT,
            "pyproject.toml": '[build-system]\nrequires = ["sourcelift", "setuptools>=61"]\n'
            'build-backend = "sourcelift_backend"\nbackend-path = ["_build"]\n'
            '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["dep"]\n'
            '[tool.uv.sources]\ndep = { path = "libs/dep" }\n'
            '[tool.sourcelift]\nbackend = "backend"\n',
        },
    )
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "local", root], env=offline_env)
    assert requires_dist(wheel_metadata_text(find_wheel(tmp_path / "local", "app"))) == [
        f"dep @ {file_url(root / 'libs' / 'dep')}"
    ]

    out = tmp_path / "publish"
    run([sys.executable, "-m", "build", "--sdist", "-o", out, "-C", "sourcelift-mode=publish", root], env=offline_env)
    sdist = find_sdist(out, "app")
    unpacked = unpack_sdist(sdist, out / "unpacked")
    assert unpacked.name == "app-1.0"
    written = tomllib.loads((unpacked / "pyproject.toml").read_text())
    assert written["build-system"] == {
        "requires": ["setuptools>=61"],
        "build-backend": "backend",
        "backend-path": ["_build"],
    }
    # the standards-only sdist builds with the in-tree backend alone: sourcelift is not a build requirement
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out / "wheel", unpacked], env=offline_env)
    assert requires_dist(wheel_metadata_text(find_wheel(out / "wheel", "app"))) == ["dep==0.5"]


@pytest.mark.parametrize("declared", ["setup.py", "project.dynamic"])
def test_a_publish_sdist_without_static_dependencies_stops_before_the_backend_runs(
    declared: str, offline_env: dict[str, str], tmp_path: Path
) -> None:
    """Found with setuptools' legacy backend and pbr: the refusal came after the backend had built the sdist,
    and named `project.dynamic` for a project that has no `[project]` table.  Dependencies setup.py computes
    beside `[project]` are judged by the lines the backend computes (NeMo-Agent-Toolkit's are final already, and
    build): that needs the backend to run, and the refusal names the line that would change."""
    root = write_tree(tmp_path / "app", {"app/__init__.py": "", "libs/dep/pyproject.toml": DEP_PROJECT})
    build_system = '[build-system]\nrequires = ["sourcelift", "setuptools>=61"]\nbuild-backend = "sourcelift.build"\n'
    tool = '[tool.sourcelift]\nbackend = "setuptools.build_meta"\n[tool.uv.sources]\ndep = { path = "libs/dep" }\n'
    if declared == "setup.py":
        (root / "setup.py").write_text(LEGACY_SETUP)
        (root / "pyproject.toml").write_text(build_system + tool)
        expected = "the dependencies are declared in setup.py/setup.cfg (no `[project]` table)"
    else:  # setup.py gives the dynamic dependencies (from files, see the test below, they are written there)
        (root / "setup.py").write_text('from setuptools import setup\n\nsetup(install_requires=["dep"])\n')
        (root / "pyproject.toml").write_text(
            build_system + '[project]\nname = "app"\nversion = "1.0"\ndynamic = ["dependencies"]\n'
            '[tool.setuptools]\npackages = ["app"]\n' + tool
        )
        expected = "`project.dynamic` lists the dependencies"
    out = tmp_path / "out"
    command = [sys.executable, "-m", "build", "--sdist", "-o", out, "-C", "sourcelift-mode=publish", root]
    proc = run(command, env=offline_env, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and expected in output and "(`dep`)" in output, output
    assert "Traceback" not in output, output
    if declared == "setup.py":
        assert "running sdist" not in output, output  # setuptools never ran
    else:
        assert "`dep` -> `dep==0.5`" in output, output
    assert not out.exists() or not list(out.iterdir()), output


SETUPTOOLS_FROM_FILES = """[project]
name = "app"
version = "1.0"
requires-python = ">=3.9"
dynamic = ["dependencies", "optional-dependencies"]

[tool.setuptools]
packages = ["app"]

[tool.setuptools.dynamic]
dependencies = { file = ["requirements.txt"] }
optional-dependencies.fast = { file = ["requirements-fast.txt"] }

[tool.sourcelift]
backend = "setuptools.build_meta"

[tool.uv.sources]
prebuilt = { path = "vendor/prebuilt-0.1.0-py3-none-any.whl" }
dep = { path = "libs/dep", marker = "sys_platform == 'linux'" }
"""


def test_a_publish_sdist_writes_the_final_lines_into_the_files_setuptools_reads_them_from(
    offline_env: dict[str, str], plain_wheelhouse: Path, store_dir: Path, tmp_path: Path
) -> None:
    """Found with setuptools' `[tool.setuptools.dynamic] dependencies = { file = ["requirements.txt"] }` (and
    pbr-style requirements files): a publish-mode sdist stopped ("`project.dynamic` lists the dependencies"),
    although setuptools ships the files in the sdist and reads them again for the wheel.  The files now get
    the final lines, and a plain frontend builds the same wheel from the sdist as sourcelift from the tree."""
    root = write_tree(
        tmp_path / "app",
        {
            "app/__init__.py": "",
            "libs/dep/pyproject.toml": DEP_PROJECT,
            "requirements.txt": "# what the app needs\nprebuilt>=0.1  # vendored\npackaging\n",
            "requirements-fast.txt": "dep>=0.1\n",
            "MANIFEST.in": "include requirements*.txt\n",
            "pyproject.toml": '[build-system]\nrequires = ["sourcelift", "setuptools>=64"]\n'
            'build-backend = "sourcelift.build"\n\n' + SETUPTOOLS_FROM_FILES,
        },
    )
    (root / "vendor").mkdir()
    shutil.copy2(PREBUILT, root / "vendor" / PREBUILT.name)
    out = tmp_path / "out"
    settings = ["-C", "sourcelift-mode=publish"]
    run([sys.executable, "-m", "build", "--sdist", "-o", out, *settings, root], env=offline_env)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out / "tree", *settings, root], env=offline_env)
    sdist = find_sdist(out, "app")
    unpacked = unpack_sdist(sdist, out / "unpacked")
    assert (unpacked / "requirements.txt").read_text() == (
        "# what the app needs\nprebuilt==0.1.0,>=0.1  # vendored\npackaging\n"
    )
    assert (unpacked / "requirements-fast.txt").read_text() == (
        'dep==0.5,>=0.1; sys_platform == "linux"\ndep>=0.1; sys_platform != "linux"\n'
    )
    written = tomllib.loads((unpacked / "pyproject.toml").read_text())
    assert written["build-system"]["build-backend"] == "setuptools.build_meta", written
    assert "sources" not in written.get("tool", {}).get("uv", {}), written
    plain = offline_environ(find_links=[plain_wheelhouse], scratch=tmp_path / "plain", store=store_dir)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out / "from-sdist", sdist], env=plain)
    promised = _normalized_requires(sdist_pkg_info_text(sdist))
    assert "prebuilt==0.1.0,>=0.1" in promised and 'dep==0.5,>=0.1; sys_platform == "linux" and extra == "fast"' in (
        promised
    ), promised
    assert _normalized_requires(wheel_metadata_text(find_wheel(out / "from-sdist", "app"))) == promised
    assert _normalized_requires(wheel_metadata_text(find_wheel(out / "tree", "app"))) == promised
    # `sourcelift check`: no direct reference, the wheel keeps the sdist's promise, no source file left behind
    wheel = read_archive(find_wheel(out / "from-sdist", "app"))
    findings, _ = run_checks([read_archive(sdist)], companions=[wheel])
    assert [f for f in findings if f.id.startswith(("SL101", "SL2", "SL5"))] == [], findings


PBR_SETUP_CFG = """[metadata]
name = app
summary = An app whose dependencies pbr reads from requirements.txt
author = Someone
author_email = someone@example.org
python_requires = >=3.9

[files]
packages = app
"""


def test_a_publish_sdist_of_a_pbr_project_writes_the_final_lines_into_requirements_txt(
    offline_env: dict[str, str], plain_wheelhouse: Path, store_dir: Path, tmp_path: Path
) -> None:
    """Found with pbr (OpenStack's setup.cfg-only projects): a publish-mode sdist stopped ("the dependencies
    are declared in setup.py/setup.cfg (no `[project]` table)"), although pbr reads them from
    requirements.txt, which the sdist carries.  requirements.txt now gets the final lines there."""
    root = write_tree(
        tmp_path / "app",
        {
            "app/__init__.py": "",
            "libs/dep/pyproject.toml": DEP_PROJECT,
            "setup.cfg": PBR_SETUP_CFG,
            "setup.py": "import setuptools\n\nsetuptools.setup(setup_requires=['pbr'], pbr=True)\n",
            "requirements.txt": "prebuilt>=0.1\ndep  # the library beside it\n",
            "MANIFEST.in": "include setup.py requirements.txt\n",  # pbr lists a git repository's files itself
            "pyproject.toml": '[build-system]\nrequires = ["sourcelift", "pbr>=6", "setuptools>=64"]\n'
            'build-backend = "sourcelift.build"\n\n[tool.sourcelift]\nbackend = "pbr.build"\n\n'
            f'[tool.uv.sources]\nprebuilt = {{ path = "vendor/{PREBUILT.name}" }}\ndep = {{ path = "libs/dep" }}\n',
        },
    )
    (root / "vendor").mkdir()
    shutil.copy2(PREBUILT, root / "vendor" / PREBUILT.name)
    env = {**offline_env, "PBR_VERSION": "1.0"}  # no git repository: pbr takes the version from here
    out = tmp_path / "out"
    run([sys.executable, "-m", "build", "--sdist", "-o", out, "-C", "sourcelift-mode=publish", root], env=env)
    sdist = find_sdist(out, "app")
    unpacked = unpack_sdist(sdist, out / "unpacked")
    assert (unpacked / "requirements.txt").read_text() == ("prebuilt==0.1.0,>=0.1\ndep==0.5  # the library beside it\n")
    assert "sourcelift" not in (unpacked / "pyproject.toml").read_text().split("[tool.sourcelift]")[0]
    plain = offline_environ(find_links=[plain_wheelhouse], scratch=tmp_path / "plain", store=store_dir)
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out / "from-sdist", sdist],
        env={**plain, "PBR_VERSION": "1.0"},
    )
    promised = _normalized_requires(sdist_pkg_info_text(sdist))
    assert promised == ["dep==0.5", "prebuilt==0.1.0,>=0.1"], promised
    assert _normalized_requires(wheel_metadata_text(find_wheel(out / "from-sdist", "app"))) == promised


def test_the_wheel_from_a_local_sdist_has_the_trees_lines_byte_for_byte(
    offline_env: dict[str, str], tmp_path: Path
) -> None:
    """Found on crewAI and autogen: from the local sdist, hatchling wrote `extra == 'tools'` where the wheel
    from the tree says `extra == "tools"`.  The same requirement, but not the same bytes."""
    root = write_tree(
        tmp_path / "app",
        {
            "app/__init__.py": "",
            "libs/lib/lib/__init__.py": "",
            "libs/lib/pyproject.toml": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
            '[project]\nname = "lib"\nversion = "0.5"\n',
            "pyproject.toml": '[build-system]\nrequires = ["sourcelift", "hatchling"]\n'
            'build-backend = "sourcelift.build"\n[project]\nname = "app"\nversion = "1.0"\n'
            "dependencies = [\"lib; os_name != 'nt'\"]\n"
            '[project.optional-dependencies]\ntools = ["lib[x]>=0.1"]\n'
            '[tool.uv.sources]\nlib = { path = "libs/lib" }\n',
        },
    )
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "tree", root], env=offline_env)
    run([sys.executable, "-m", "build", "-o", tmp_path / "sdist", root], env=offline_env)  # the wheel from the sdist
    from_tree = requires_dist(wheel_metadata_text(find_wheel(tmp_path / "tree", "app")))
    from_sdist = requires_dist(wheel_metadata_text(find_wheel(tmp_path / "sdist", "app")))
    assert from_sdist == from_tree and len(from_tree) == 2 and all('"' in line for line in from_tree), from_sdist


def _normalized_requires(metadata: str) -> list[str]:
    """``Requires-Dist`` values as `sourcelift check` compares them (SL201): re-serialized by packaging."""
    return sorted(str(Requirement(value)) for value in requires_dist(metadata))


@pytest.mark.parametrize("backend", [*SIX, "flit-core underneath"])
def test_a_source_marker_on_an_extra_reads_alike_in_the_publish_sdist_and_every_wheel(
    backend: str, offline_env: dict[str, str], tmp_path: Path
) -> None:
    """Found with hatchling and setuptools: publish mode wrote `extra == "fast" and sys_platform == "linux"`
    into PKG-INFO and the tree's wheel, the backend wrote `(sys_platform == 'linux') and extra == 'fast'` from
    the publish sdist's pyproject.toml, and `sourcelift check` refused sourcelift's own artifacts (SL201).
    Then with a backend built on flit-core (flit_scm's shape): flit-core's form was applied only to a backend
    named `flit_core.*`, and the publish sdist promised the marker first."""
    tree = write_project(tmp_path / "app", backend, long_names=False)
    pyproject = tree / "pyproject.toml"
    text = pyproject.read_text()
    source = 'prebuilt = { path = "vendor/prebuilt-0.1.0-py3-none-any.whl" }'
    assert source in text
    text = text.replace(source, source[:-2] + ", marker = \"sys_platform == 'linux'\" }")
    text = text.replace(
        "[tool.sourcelift]", '[project.optional-dependencies]\nfast = ["prebuilt>=0.1"]\n\n[tool.sourcelift]'
    )
    pyproject.write_text(text)
    out = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--sdist", "-o", out, "-C", "sourcelift-mode=publish", tree], env=offline_env)
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out / "tree", "-C", "sourcelift-mode=publish", tree],
        env=offline_env,
    )
    sdist = find_sdist(out, "app")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out / "from-sdist", sdist], env=offline_env)
    promised = _normalized_requires(sdist_pkg_info_text(sdist))
    assert any(line.endswith('sys_platform == "linux" and extra == "fast"') for line in promised) or any(
        line.endswith('extra == "fast" and sys_platform == "linux"')
        for line in promised  # flit-core's order
    ), promised
    assert _normalized_requires(wheel_metadata_text(find_wheel(out / "from-sdist", "app"))) == promised
    assert _normalized_requires(wheel_metadata_text(find_wheel(out / "tree", "app"))) == promised


def test_a_build_environment_pinning_the_oldest_packaging_builds_the_same_requirements(
    offline_env: dict[str, str], store_dir: Path, tmp_path: Path
) -> None:
    """A project whose `build-system.requires` pins `packaging==24.2` (hatchling's floor, and sourcelift's;
    airflow pins packaging so) builds in both modes; packaging before 26 writes `name@ url`, the same
    requirement."""
    tree = write_project(tmp_path / "app", "hatchling", long_names=False)
    pyproject = tree / "pyproject.toml"
    pinned = pyproject.read_text().replace(
        'requires = ["sourcelift", "hatchling"]', 'requires = ["sourcelift", "hatchling", "packaging==24.2"]'
    )
    assert pinned != pyproject.read_text()
    pyproject.write_text(pinned)
    for mode in MODES:
        out = tmp_path / mode
        done = run(
            [sys.executable, "-m", "build", "-o", out, tree],
            env=dict(offline_env, SOURCELIFT_MODE=mode),
            cwd=tmp_path,
        )
        output = done.stdout + done.stderr
        assert "  - packaging==24.2\n" in output, output  # what the isolated environment installed
        (line,) = requires_dist(wheel_metadata_text(find_wheel(out, "app")))
        requirement = Requirement(line)
        if mode == "local":
            assert requirement.name == "prebuilt" and requirement.url is not None, line
            assert requirement.url.startswith(f"{file_url(store_dir)}/sha256/"), line
        else:
            assert line == "prebuilt==0.1.0"
            findings, _ = run_checks([read_archive(find_sdist(out, "app")), read_archive(find_wheel(out, "app"))])
            assert [f for f in findings if f.level == "error"] == [], findings
