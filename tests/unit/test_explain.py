"""`sourcelift explain`: problems that break a clone or a mode, hook-produced dependencies, workspace roots, --mode.

Each case runs through the CLI (``main([...])``) and, where the shape matters, the library.
Git repositories and backends are real (git, hatchling); nothing is faked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from sourcelift._compat import tomllib
from sourcelift.errors import Findings
from sourcelift.explain import REPORT_VERSION, explain
from sourcelift.model import ResolvedDirectory
from sourcelift.rewrite.publish import render_publish
from sourcelift.versions import VersionCache
from sourcelift.versions.fingerprint import member_fingerprint
from sourcelift_hook.cli import main
from tests.support import git, init_repo

from .conftest import WHEEL, write_tree
from .test_local_mode import PER_EXTRA_SOURCES, PER_EXTRA_WHEELS
from .test_publish_mode import wheel_bytes

WRAPPER = '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n'
VENDORED = (
    '[project]\nname = "app"\nversion = "1"\ndependencies = ["prebuilt"]\n'
    f'[tool.uv.sources]\nprebuilt = {{ path = "vendor/{WHEEL}" }}\n'
)


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("SOURCELIFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SOURCELIFT_MODE", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["explain", *args])
    return code, capsys.readouterr().out


def problems(root: Path, **kwargs: str) -> list[tuple[str, str]]:
    return [(p["key"], p["message"]) for p in explain(root, **kwargs)["problems"]]  # type: ignore[arg-type]


def test_sourcelift_not_in_build_requires(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(
        VENDORED + '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "sourcelift.build"\n',
        {f"vendor/{WHEEL}": wheel_bytes("prebuilt", "0.1.0")},
    )
    code, out = run(capsys, str(root))
    assert code == 1
    assert "(`build-system.requires`): does not list sourcelift" in out
    assert 'fix: add "sourcelift" to `build-system.requires`' in out


def test_sourcelift_not_switched_on(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(
        VENDORED + '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
        {f"vendor/{WHEEL}": wheel_bytes("prebuilt", "0.1.0")},
    )
    code, out = run(capsys, str(root))
    assert code == 1
    assert "(`build-system.build-backend`): is hatchling.build: sourcelift is not switched on" in out
    assert '`build-backend = "sourcelift.build"`' in out and "[tool.hatch.metadata.hooks.sourcelift]" in out


def test_wrapped_backend_must_be_a_build_requirement(make_project) -> None:
    root = make_project(
        VENDORED + '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n' + WRAPPER,
        {f"vendor/{WHEEL}": wheel_bytes("prebuilt", "0.1.0")},
    )
    (problem,) = explain(root)["problems"]
    assert problem["key"] == "build-system.requires" and "does not list poetry-core" in problem["message"]


@pytest.mark.parametrize(
    ("backend", "requires"),
    [
        ("pdm.pep517.api", "pdm-pep517>=1.0.0"),  # adriangb/python-monorepo's pdm members
        ("poetry.masonry.api", "poetry>=0.12"),  # poetry's own backend before poetry-core
        ("pdm.backend", "pdm-backend"),
        ("poetry.core.masonry.api", "poetry-core>=1"),
    ],
)
def test_a_backend_is_provided_by_the_distribution_of_its_module(make_project, backend: str, requires: str) -> None:
    """`pdm.pep517.api` comes from pdm-pep517 and `poetry.masonry.api` from poetry, not from pdm-backend and
    poetry-core, the distributions of their packages' newer backends."""
    root = make_project(
        VENDORED + f'[tool.sourcelift]\nbackend = "{backend}"\n'
        f'[build-system]\nrequires = ["sourcelift", "{requires}"]\nbuild-backend = "sourcelift.build"\n',
        {f"vendor/{WHEEL}": wheel_bytes("prebuilt", "0.1.0")},
    )
    assert [p for p in explain(root)["problems"] if p["key"] == "build-system.requires"] == []


IN_TREE = '[tool.sourcelift]\nbackend = "backend"\n[build-system]\nrequires = ["sourcelift", "setuptools"]\n'
SHIM = "from sourcelift.build import *  # noqa: F403\nfrom sourcelift.build import __getattr__  # noqa: F401\n"


def test_an_in_tree_backend_needs_the_wrapper_in_its_backend_path(make_project) -> None:
    """Frontends load `build-backend` only from `backend-path`: `sourcelift.build` there fails every build."""
    files: dict[str, str | bytes] = {f"vendor/{WHEEL}": wheel_bytes("prebuilt", "0.1.0"), "_build/backend.py": ""}
    root = make_project(
        VENDORED + IN_TREE + 'build-backend = "sourcelift.build"\nbackend-path = ["_build"]\n', files, where="direct"
    )
    (problem,) = explain(root)["problems"]
    assert problem["key"] == "build-system.backend-path"
    assert "Backend was not loaded from backend-path" in problem["message"]
    assert (
        "create _build/sourcelift_backend.py" in problem["fix"]
        and '`build-backend = "sourcelift_backend"`' in (problem["fix"])
    )

    # the module the fix names re-exports the wrapper: sourcelift is switched on, nothing to fix
    shimmed = make_project(
        VENDORED + IN_TREE + 'build-backend = "sourcelift_backend"\nbackend-path = ["_build"]\n',
        {**files, "_build/sourcelift_backend.py": SHIM},
        where="shim",
    )
    assert explain(shimmed)["problems"] == []

    # an in-tree backend of the project's own, not switched on: the fix keeps it in the backend path
    own = make_project(
        VENDORED
        + '[build-system]\nrequires = ["sourcelift", "setuptools"]\n'
        + 'build-backend = "backend"\nbackend-path = ["_build"]\n',
        files,
        where="own",
    )
    (problem,) = explain(own)["problems"]
    assert problem["key"] == "build-system.build-backend" and "not switched on" in problem["message"]
    assert (
        '`[tool.sourcelift] backend = "backend"`' in problem["fix"]
        and "_build/sourcelift_backend.py" in (problem["fix"])
    )


def test_an_extras_requirement_without_a_source_keeps_its_extra_marker(make_project) -> None:
    """Found on adriangb/python-monorepo: explain showed `pytest` where the wheel says `pytest; extra == "test"`
    (poetry's `[tool.poetry.extras]`; `[project.optional-dependencies]` alike)."""
    poetry = make_project(
        '[tool.poetry]\nname = "lib"\nversion = "0.1.0"\n[tool.poetry.dependencies]\n'
        'pytest = { version = "^8", optional = true }\n[tool.poetry.extras]\ntest = ["pytest"]\n'
        '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n' + WRAPPER.replace("hatchling", "poetry-core"),
        where="poetry",
    )
    (pytest_line,) = explain(poetry)["requirements"]
    assert pytest_line["local"] == pytest_line["publish"] == ['pytest<9,>=8; extra == "test"']
    pep621 = make_project('[project]\nname = "app"\nversion = "1"\n[project.optional-dependencies]\ncli = ["rich"]\n')
    (rich,) = explain(pep621)["requirements"]
    assert rich["requirement"] == "rich" and rich["local"] == rich["publish"] == ['rich; extra == "cli"']


def test_an_unreadable_pyproject_is_a_problem_and_no_claim_about_dependencies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_tree(tmp_path / "bad", {"pyproject.toml": '[project\nname = "x"\n'})
    code, out = run(capsys, str(project))
    assert code == 1
    assert "not valid TOML" in out and "fix: correct the file" in out
    assert "declares no dependencies" not in out
    report = explain(project)
    assert report["kind"] == "unreadable" and report["requirements"] == [] and report["problems"]


def test_gitignored_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": VENDORED + WRAPPER, ".gitignore": "*.whl\n"})
    init_repo(repo)
    write_tree(repo, {f"vendor/{WHEEL}": wheel_bytes("prebuilt", "0.1.0")})  # there, but ignored
    code, out = run(capsys, str(repo))
    assert code == 1
    assert (
        "(`tool.uv.sources.prebuilt.path`): the archive 'vendor/prebuilt-0.1.0-py3-none-any.whl' is ignored by git"
        in out
    )
    assert f"fix: commit it: `git add -f vendor/{WHEEL}`" in out


def test_untracked_directory_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "app/pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["lib"]\n'
            '[tool.uv.sources]\nlib = { path = "../lib" }\n' + WRAPPER,
        },
    )
    init_repo(repo)
    write_tree(repo, {"lib/pyproject.toml": '[project]\nname = "lib"\nversion = "1"\n'})  # after the commit
    code, out = run(capsys, str(repo / "app"))
    assert code == 1
    assert "the project directory of 'lib' is not committed to the git repository" in out
    assert "fix: commit it: `git add lib` and `git commit`" in out
    git("add", "lib", cwd=repo)
    assert run(capsys, str(repo / "app"))[0] == 0  # staged is enough: the next commit has it


def test_lfs_pointer_and_invalid_archive(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\nsize 1234\n"
    root = make_project(
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["prebuilt", "other"]\n'
        f'[tool.uv.sources]\nprebuilt = {{ path = "vendor/{WHEEL}" }}\n'
        'other = { path = "vendor/other-2.0-py3-none-any.whl" }\n' + WRAPPER,
        {f"vendor/{WHEEL}": pointer, "vendor/other-2.0-py3-none-any.whl": b"not a zip file"},
    )
    code, out = run(capsys, str(root))
    assert code == 1
    assert f"dependency `prebuilt` (`tool.uv.sources.prebuilt.path`): {WHEEL} is a Git LFS pointer" in out
    assert "fix: run `git lfs pull`" in out
    assert "dependency `other` (`tool.uv.sources.other.path`): other-2.0-py3-none-any.whl is not a valid archive" in out


HOOKED = """
[project]
name = "app"
version = "0.1.0"
dynamic = ["dependencies"]
[tool.hatch.metadata.hooks.custom]
[tool.uv.sources]
lib-a = { path = "../lib-a" }
[tool.sourcelift]
backend = "hatchling.build"
"""
HOOK_CODE = """
from hatchling.metadata.plugin.interface import MetadataHookInterface

class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata):
        metadata["dependencies"] = ["lib-a>=1", "requests"]
"""
LIB_A = '[project]\nname = "lib-a"\nversion = "1.2.0"\n'
SETUP_PY = 'from setuptools import setup\nsetup(packages=["app"], install_requires=["{}", "requests"])\n'


def test_hook_produced_dependencies(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    """A hatchling metadata hook makes the dependencies; explain runs it and shows both modes."""
    root = make_project(
        HOOKED + WRAPPER, {"hatch_build.py": HOOK_CODE, "app/__init__.py": "", "../lib-a/pyproject.toml": LIB_A}
    )
    report = explain(root)
    assert report["hook"] == {"ran": True, "where": "here", "message": None, "fix": None}
    lib_a, requests = report["requirements"]
    assert lib_a["origin"] == "hook" and lib_a["requirement"] == "lib-a>=1"
    assert lib_a["local"] == [f"lib-a @ {(root.parent / 'lib-a').as_uri()}"]
    assert lib_a["publish"] == ["lib-a==1.2.0,>=1"]
    assert requests["origin"] == "hook" and requests["sources"] == [] and requests["local"] == ["requests"]
    # hatchling builds the wheel from the lines PKG-INFO carries: publish mode has no problem (found on
    # modelcontextprotocol/python-sdk, where explain reported one and the publish build succeeded)
    assert report["publish_problems"] == []
    code, out = run(capsys, str(root))
    assert code == 0 and "lib-a>=1 [hook]" in out and "publish: lib-a==1.2.0,>=1" in out
    code, out = run(capsys, str(root), "--mode", "publish")
    assert code == 0 and "local  :" not in out and "problem" not in out
    # another backend computes them again from the sdist's pyproject.toml: there they cannot be written
    other = make_project(
        HOOKED.replace('"hatchling.build"', '"setuptools.build_meta"') + WRAPPER.replace("hatchling", "setuptools"),
        {"setup.py": SETUP_PY.format("lib-a>=1"), "app/__init__.py": "", "../lib-a/pyproject.toml": LIB_A},
        where="other",
    )
    assert "project.dynamic" in [p["key"] for p in explain(other)["publish_problems"]]


def test_dependencies_a_backend_computes_as_the_publish_lines_are_no_publish_problem(make_project) -> None:
    """NeMo-Agent-Toolkit's shape: a setuptools plugin computes `nvidia-nat-core == {version}` beside a path
    source; publish mode keeps that line as it is, and the wheel built from the sdist computes it again, so
    dynamic dependencies are no publish problem there (explain reported one, as the build did)."""
    root = make_project(
        HOOKED.replace('"hatchling.build"', '"setuptools.build_meta"') + WRAPPER.replace("hatchling", "setuptools"),
        {"setup.py": SETUP_PY.format("lib-a==1.2.0"), "app/__init__.py": "", "../lib-a/pyproject.toml": LIB_A},
    )
    report = explain(root)
    assert report["hook"]["ran"] is True
    assert [r["publish"] for r in report["requirements"]] == [["lib-a==1.2.0"], ["requests"]]
    assert report["publish_problems"] == []


def test_static_extras_are_listed_once_beside_hook_dependencies(make_project) -> None:
    """modelcontextprotocol/python-sdk's shape: dependencies from a hook, static extras, and an extra that
    names the project's own (`all = ["mcp[cli,rich]"]`, which hatchling writes as their requirements)."""
    root = make_project(
        HOOKED.replace('name = "app"', 'name = "mcp"')
        + '[project.optional-dependencies]\nrich = ["rich>=13"]\ncli = ["typer>=0.16", "lib-a"]\n'
        + 'all = ["mcp[cli,rich]"]\n'
        + '[tool.hatch.build.targets.wheel]\npackages = ["app"]\n'
        + WRAPPER,
        {"hatch_build.py": HOOK_CODE, "app/__init__.py": "", "../lib-a/pyproject.toml": LIB_A},
    )
    report = explain(root)
    assert report["hook"] is not None and report["hook"]["ran"]
    assert [(r["requirement"], r["origin"]) for r in report["requirements"]] == [
        ("rich>=13", "pyproject"),
        ("typer>=0.16", "pyproject"),
        ("lib-a", "pyproject"),
        ("mcp[cli,rich]", "pyproject"),
        ("lib-a>=1", "hook"),
        ("requests", "hook"),
    ]


def test_an_extras_requirement_lists_only_the_sources_that_can_apply_to_it(make_project) -> None:
    """uv's per-extra sources (`lib = [{ extra = "cpu", ... }, { extra = "gpu", ... }]`): the requirement of
    extra gpu is shown with gpu's source, not cpu's; a base requirement may take either."""
    root = make_project(
        """[project]
name = "app"
version = "1.0"
dependencies = ["lib"]
[project.optional-dependencies]
cpu = ["lib"]
gpu = ["lib"]
[tool.uv.sources]
"""
        + PER_EXTRA_SOURCES,
        PER_EXTRA_WHEELS,
    )
    shown = {r["key"]: [s["key"] for s in r["sources"]] for r in explain(root)["requirements"]}
    assert shown == {
        "project.dependencies[0]": ["tool.uv.sources.lib[0]", "tool.uv.sources.lib[1]"],
        "project.optional-dependencies.cpu[0]": ["tool.uv.sources.lib[0]"],
        "project.optional-dependencies.gpu[0]": ["tool.uv.sources.lib[1]"],
    }


def test_backend_that_cannot_run_here(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    """Never "add hatchling to build-system.requires" when it is there: say what to do instead."""
    wrapper = WRAPPER.replace('"hatchling"]', '"hatchling", "sourcelift-missing-plugin"]')
    root = make_project(
        HOOKED + wrapper, {"hatch_build.py": HOOK_CODE, "app/__init__.py": "", "../lib-a/pyproject.toml": LIB_A}
    )
    report = explain(root)
    hook = report["hook"]
    assert hook is not None and not hook["ran"]
    assert 'lacks "sourcelift-missing-plugin"' in str(hook["message"]) and "hatchling.build" in str(hook["message"])
    assert "`sourcelift explain --isolated`" in str(hook["fix"])
    assert "python -m pip install sourcelift-missing-plugin" in str(hook["fix"])
    assert "add" not in str(hook["fix"]).split("install")[0]
    code, out = run(capsys, str(root))
    assert code == 0 and "the backend's metadata hook did not run" in out


def test_same_answer_with_a_warm_version_cache(make_project, tmp_path: Path) -> None:
    """The version of a source whose backend cannot run here: the same answer, cached or not."""
    dynamic_member = (
        '[project]\nname = "dyn"\ndynamic = ["version"]\n'
        '[build-system]\nrequires = ["hatchling", "sourcelift-missing-plugin"]\nbuild-backend = "hatchling.build"\n'
    )
    root = make_project(
        '[project]\nname = "user"\nversion = "1"\ndependencies = ["dyn>=3"]\n'
        '[tool.uv.sources]\ndyn = { path = "../dyn" }\n' + WRAPPER,
        {"../dyn/pyproject.toml": dynamic_member},
    )
    init_repo(tmp_path)  # the fingerprint of a member is taken in its git repository
    cold = explain(root)
    member = (root.parent / "dyn").resolve()
    digest = member_fingerprint(member, tomllib.loads(dynamic_member)).digest
    assert digest is not None
    VersionCache(tmp_path / "cache").put(digest, member, "3.1.0")  # as an earlier build would have
    warm = explain(root)
    assert warm == cold
    (problem,) = warm["publish_problems"]
    assert "cannot run where `sourcelift explain` runs" in problem["message"]
    assert "--isolated" in problem["fix"] and "build-system.requires`" not in problem["fix"]


ASKING_MEMBER = (
    '[project]\nname = "dyn"\ndynamic = ["version"]\n'
    '[build-system]\nrequires = ["sourcelift"]\nbuild-backend = "sourcelift_backend"\nbackend-path = ["_build"]\n'
    '[tool.sourcelift]\nbackend = "asking"\n'
)
ASKING = (  # like hatchling.ouroboros: what it needs comes from get_requires_for_build_wheel
    "def get_requires_for_build_wheel(config_settings=None):\n    return ['sl-surely-not-installed-dep>=1']\n"
    "def prepare_metadata_for_build_wheel(directory, config_settings=None):\n    import sl_surely_not_installed_dep\n"
    "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n    raise SystemExit(1)\n"
    "def build_sdist(sdist_directory, config_settings=None):\n    raise SystemExit(1)\n"
)


def test_requirements_a_sources_backend_asks_for_are_installed_or_named(
    make_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found on pypa/hatch (in-tree `hatchling.ouroboros`, switched on by a `sourcelift_backend` shim in its
    `backend-path`): explain said "No module named 'pathspec'" and "make the project build on its own";
    `--isolated` installed neither what the backend asks for by `get_requires_for_build_wheel` nor sourcelift,
    which the shim imports."""
    import sourcelift

    monkeypatch.setenv("PYTHONPATH", str(Path(sourcelift.__file__).parents[1]))  # the shim imports it
    root = make_project(
        '[project]\nname = "user"\nversion = "1"\ndependencies = ["dyn"]\n'
        '[tool.uv.sources]\ndyn = { path = "../dyn" }\n' + WRAPPER,
        {
            "../dyn/pyproject.toml": ASKING_MEMBER,
            "../dyn/_build/sourcelift_backend.py": SHIM,
            "../dyn/_build/asking.py": ASKING,
        },
    )
    (problem,) = explain(root, mode="publish")["problems"]
    assert "cannot run where `sourcelift explain` runs" in problem["message"]
    assert '"sl-surely-not-installed-dep>=1"' in problem["message"]
    assert "get_requires_for_build_wheel" in problem["message"] and "--isolated" in problem["fix"]

    environments: list[list[str]] = []

    def isolated(requirements: list[str]) -> str:
        environments.append(requirements)
        import sys

        return sys.executable

    explain(root, mode="publish", isolated=isolated)
    assert environments == [["sourcelift", "sl-surely-not-installed-dep>=1"]]


def test_suggested_specifier_satisfies_the_requirement() -> None:
    """An untagged checkout at 3.6.24.dev3+g...: never suggest `>=3.6.24` for a requirement of `>=3.7.0`."""
    source = ResolvedDirectory(
        name="prefect", key="tool.uv.sources.prefect", marker=None, extra=None, binds=None, path=Path("/p")
    )

    def problems_for(requirement: str) -> list[str]:
        findings = Findings()
        render_publish(
            Requirement(requirement), [source], lambda _: "3.6.24.dev3+g1a2b3c", None, "exact", findings, "k"
        )
        return [f"{p.message}\nfix: {p.fix}" for p in findings.problems]

    (refused,) = problems_for("prefect>=3.7.0")
    assert "does not satisfy `prefect>=3.7.0`" in refused and "even without its local part" in refused
    assert ">=3.6" not in refused.split("fix:")[1]
    (suggested,) = problems_for("prefect>=3.6")
    suggestion = suggested.split('prefect = "')[1].split('"')[0]
    from packaging.specifiers import SpecifierSet

    assert SpecifierSet(suggestion) == SpecifierSet(">=3.6,>=3.6.24.dev3")


def test_virtual_workspace_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(
        tmp_path / "ws",
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
            "packages/app/pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["lib"]\n'
            "[tool.uv.sources]\nlib = { workspace = true }\n" + WRAPPER,
            "packages/lib/pyproject.toml": '[project]\nname = "lib"\nversion = "2"\n',
        },
    )
    report = explain(root)
    assert report["kind"] == "workspace-root" and report["problems"] == []
    assert [m["project"] for m in report["members"]] == ["app", "lib"]
    assert report["members"][0]["requirements"][0]["publish"] == ["lib==2"]
    code, out = run(capsys, str(root))
    assert code == 0 and "is a uv workspace root without [project]; its members:" in out
    assert "  - app (" in out and "publish: lib==2" in out
    assert "no uv workspace above" not in out


@pytest.mark.parametrize("uv_table", ["", "[tool.uv]\npackage = false\n" + WRAPPER])
def test_a_workspace_root_uv_does_not_build_explains_its_members(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], uv_table: str
) -> None:
    """Kiln's root (`[project]` without `[build-system]`) and graphrag's (`[tool.uv] package = false`) are
    virtual: uv never builds them, it only syncs the members. explain reported Kiln's root as a build
    ("does not list sourcelift", "sourcelift is not switched on", a stale `kiln-ai==0.5.3` no artifact
    carries; exit 1), and graphrag's as "no requirements" without a word about its members."""
    root = write_tree(
        tmp_path / "ws",
        {
            "pyproject.toml": '[project]\nname = "ws-root"\nversion = "1"\ndependencies = ["lib==0.5"]\n'
            '[tool.uv.workspace]\nmembers = ["packages/*"]\n[tool.uv.sources]\nlib = { workspace = true }\n' + uv_table,
            "packages/app/pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["lib"]\n' + WRAPPER,
            "packages/lib/pyproject.toml": '[project]\nname = "lib"\nversion = "2"\n',
        },
    )
    report = explain(root)
    assert report["kind"] == "workspace-root" and report["problems"] == []
    assert [m["project"] for m in report["members"]] == ["app", "lib"]
    assert report["members"][0]["requirements"][0]["publish"] == ["lib==2"]
    code, out = run(capsys, str(root))
    assert code == 0 and "is a uv workspace root that uv does not build (ws-root is virtual" in out
    assert "publish: lib==2" in out and "build-system.requires" not in out and "problem" not in out


def test_a_virtual_root_named_through_a_symlink_is_no_member_of_itself(tmp_path: Path) -> None:
    # a root whose `members` include "." is a member too; named through a link, it was listed among its members
    root = write_tree(
        tmp_path / "ws",
        {
            "pyproject.toml": '[project]\nname = "ws-root"\nversion = "1"\n[tool.uv]\npackage = false\n'
            '[tool.uv.workspace]\nmembers = ["packages/*", "."]\n',
            "packages/lib/pyproject.toml": '[project]\nname = "lib"\nversion = "2"\n',
        },
    )
    (tmp_path / "link").symlink_to(root)
    for named in (root, tmp_path / "link"):
        report = explain(named)
        assert report["kind"] == "workspace-root" and [m["project"] for m in report["members"]] == ["lib"]


def test_a_note_about_the_checkout_is_said_once_for_a_whole_workspace(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Kiln's root, explained with an unpushed commit: "directories of this checkout are named by their path"
    came once per member with a directory source, the same words each time (thirty times in a workspace
    of thirty members)."""
    from tests.support import add_pushed_remote

    member = '[project]\nname = "{}"\nversion = "1"\ndependencies = ["lib"]\n' + WRAPPER
    root = write_tree(
        tmp_path / "ws",
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
            "[tool.uv.sources]\nlib = { workspace = true }\n",
            "packages/app/pyproject.toml": member.format("app"),
            "packages/cli/pyproject.toml": member.format("cli"),
            "packages/lib/pyproject.toml": '[project]\nname = "lib"\nversion = "2"\n',
        },
    )
    init_repo(root)
    add_pushed_remote(root, "https://example.com/org/ws.git")
    git("commit", "-q", "--allow-empty", "-m", "local only", cwd=root)
    assert main(["explain", str(root)]) == 0
    err = capfd.readouterr().err
    assert err.count("directories of this checkout are named by their path") == 1, err


def test_directory_without_project(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project("[tool.ruff]\nline-length = 100\n")
    code, out = run(capsys, str(root))
    assert code == 1 and "(`project`): pyproject.toml has no `[project]` table" in out


def test_json_schema(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(VENDORED + WRAPPER, {f"vendor/{WHEEL}": wheel_bytes("prebuilt", "0.1.0")})
    code, out = run(capsys, str(root), "--json", "--mode", "local")
    report = json.loads(out)
    assert code == 0 and report["version"] == REPORT_VERSION == "3"
    assert set(report) == {
        "version", "kind", "project", "pyproject", "mode", "focus", "requirements", "hook",
        "development_only", "problems", "warnings", "publish_problems", "members",
    }  # fmt: skip
    assert report["focus"] == "local" and report["kind"] == "project" and report["hook"] is None
    assert set(report["requirements"][0]) == {"requirement", "key", "origin", "sources", "local", "publish"}


def test_poetry_project_and_development_only_sources(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(
        '[tool.poetry]\nname = "app"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.9"\n'
        'lib = { path = "../lib", develop = true }\n[tool.poetry.group.dev.dependencies]\ntool = { path = "../tool" }\n'
        '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n'
        '[build-system]\nrequires = ["sourcelift", "poetry-core"]\nbuild-backend = "sourcelift.build"\n',
        {"../lib/pyproject.toml": '[project]\nname = "lib"\nversion = "0.3.0"\n'},
    )
    report = explain(root)
    assert report["project"] == "app" and report["problems"] == [] and report["publish_problems"] == []
    (lib,) = report["requirements"]
    assert lib["key"] == "tool.poetry.dependencies.lib" and lib["publish"] == ["lib==0.3.0"]
    assert lib["local"] == [f"lib @ {(root.parent / 'lib').as_uri()}"]
    assert report["development_only"] == [
        {"key": "tool.poetry.group.dev.dependencies.tool", "dependency": "tool", "group": "dev", "location": "../tool"}
    ]
    code, out = run(capsys, str(root))
    assert code == 0 and "development only (never in built metadata, never rewritten):" in out
    assert "  tool: ../tool (group dev)  [tool.poetry.group.dev.dependencies.tool]" in out


def test_isolated_retries_a_hook_that_fails_here_with_its_requirements_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found with setuptools' legacy backend: the venv's old setuptools satisfied `build-system.requires` but
    asked for `wheel`, so the hook failed here, and `--isolated` ran it here again.  Now it retries isolated;
    and the message speaks of the dependencies it was to list, not of a version."""
    from sourcelift.explain.backends import hook_metadata
    from sourcelift.versions import VersionError, directories

    environments: list[list[str]] = []

    def backend_metadata(root: Path, python: str | None = None) -> dict[str, object]:
        if python is None:
            raise VersionError("the build backend could not list its dependencies: invalid command", "fix it")
        return {"hook": "prepare_metadata_for_build_wheel", "version": "1.0", "requires_dist": ["dep"]}

    monkeypatch.setattr(directories, "missing_build_requirements", lambda root: ("setuptools.build_meta", []))
    monkeypatch.setattr(directories, "build_requirements", lambda root: ["sourcelift", "setuptools>=61"])
    monkeypatch.setattr(directories, "backend_metadata", backend_metadata)

    def isolated(requirements: list[str]) -> str:
        environments.append(requirements)
        return "/isolated/bin/python"

    result, where, failure = hook_metadata(tmp_path, isolated)
    assert where == "isolated" and failure is None and result is not None and result["requires_dist"] == ["dep"]
    assert environments == [["setuptools>=61"]]
    result, where, failure = hook_metadata(tmp_path, None)  # without --isolated: the failure, as it was
    assert (
        result is None
        and where == "here"
        and failure == "the build backend could not list its dependencies: invalid command\nfix it"
    )


def test_a_failed_metadata_hook_is_about_the_dependencies(tmp_path: Path) -> None:
    from sourcelift.versions import VersionError
    from sourcelift.versions.directories import backend_metadata

    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "broken_backend"\nbackend-path = ["."]\n'
        '[project]\nname = "app"\nversion = "1"\ndynamic = ["dependencies"]\n'
    )
    (tmp_path / "broken_backend.py").write_text(
        "def prepare_metadata_for_build_wheel(directory, config_settings=None):\n    raise SystemExit('no wheel')\n"
        "def build_wheel(directory, config_settings=None, metadata_directory=None):\n    raise SystemExit(1)\n"
        "def build_sdist(directory, config_settings=None):\n    raise SystemExit(1)\n"
    )
    with pytest.raises(VersionError) as caught:
        backend_metadata(tmp_path)
    assert "could not list its dependencies" in caught.value.message and "version" not in caught.value.fix


def test_a_project_without_dependencies_is_said_to_have_nothing_to_rewrite(
    make_project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(WRAPPER + '[project]\nname = "app"\nversion = "1"\n')
    code, out = run(capsys, str(root))
    assert code == 0
    assert "no requirements: the project declares no dependencies, so sourcelift has nothing to rewrite" in out


def test_poetry_optional_source_in_two_extras_shows_each_extras_line(make_project) -> None:
    """An optional poetry entry listed by two `[tool.poetry.extras]` is one requirement per extra, all under
    one pyproject key (Terminal-Research/aion-python-sdk's aion-sdk): each gets its own extra's line."""
    root = make_project(
        '[tool.poetry]\nname = "app"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.9"\n'
        'lib = { path = "../lib", optional = true }\n'
        '[tool.poetry.extras]\nlib = ["lib"]\nall = ["lib"]\n'
        '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n'
        '[build-system]\nrequires = ["sourcelift", "poetry-core"]\nbuild-backend = "sourcelift.build"\n',
        {"../lib/pyproject.toml": '[project]\nname = "lib"\nversion = "0.3.0"\n'},
    )
    report = explain(root)
    assert report["problems"] == [] and report["publish_problems"] == []
    uri = (root.parent / "lib").as_uri()
    assert [(r["key"], r["local"], r["publish"]) for r in report["requirements"]] == [
        ("tool.poetry.dependencies.lib", [f'lib @ {uri} ; extra == "lib"'], ['lib==0.3.0; extra == "lib"']),
        ("tool.poetry.dependencies.lib", [f'lib @ {uri} ; extra == "all"'], ['lib==0.3.0; extra == "all"']),
    ]
