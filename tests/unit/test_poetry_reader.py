"""Poetry and pdm tables read into the source model; the registry; the publish-sdist rewrite of poetry tables."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from packaging.markers import Marker

from sourcelift._compat import tomllib
from sourcelift.artifacts.store import Store
from sourcelift.errors import Findings, ProblemsError
from sourcelift.model import GitSource, PathSource, Project, UrlSource
from sourcelift.readers.poetry import poetry_constraint, python_marker
from sourcelift.readers.project import read_project
from sourcelift.readers.registry import READERS, declared_paths, owner
from sourcelift.rewrite.plan import make_plan
from sourcelift.rewrite.standards import standards_pyproject

from .test_publish_mode import publisher, wheel_bytes

CLASSIC = """
[tool.poetry]
name = "app"
version = "1.0.0"
[tool.poetry.dependencies]
python = "^3.9"
lib = { path = "../lib", develop = true }
prebuilt = { path = "vendor/prebuilt-0.1.0-py3-none-any.whl", markers = "os_name != 'nt'" }
gitdep = { git = "https://example.com/g.git", tag = "v1", subdirectory = "sub", extras = ["x"] }
urldep = { url = "https://example.com/u-1.0.tar.gz" }
plain = "^2.1"
multi = [
  { path = "../lib-linux", markers = "sys_platform == 'linux'" },
  { version = ">=1,<2", python = "<3.11" },
]
opt = { path = "../opt", optional = true, python = "~3.9" }
[tool.poetry.extras]
cli = ["opt"]
[tool.poetry.group.dev.dependencies]
devtool = { path = "../devtool", develop = true }
[tool.sourcelift]
backend = "poetry.core.masonry.api"
[build-system]
requires = ["sourcelift", "poetry-core>=2"]
build-backend = "sourcelift.build"
"""

PROJECTS = {
    # a classic poetry project: poetry-core reads `[tool.poetry] version`, and so does sourcelift
    "../lib/pyproject.toml": '[tool.poetry]\nname = "lib"\nversion = "0.3.0"\n'
    '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n',
    "../lib/lib/__init__.py": "",
    "../lib-linux/pyproject.toml": '[project]\nname = "multi"\nversion = "1.5"\n',
    "../opt/pyproject.toml": '[project]\nname = "opt"\nversion = "2.0"\n',
    "vendor/prebuilt-0.1.0-py3-none-any.whl": wheel_bytes("prebuilt", "0.1.0"),
}


def read(root: Path) -> tuple[Project, Findings]:
    findings = Findings()
    return read_project(root, tomllib.loads((root / "pyproject.toml").read_text()), findings), findings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("^1.2.3", [[">=1.2.3", "<2"]]),
        ("^0.2.3", [[">=0.2.3", "<0.3"]]),
        ("^0.0.3", [[">=0.0.3", "<0.0.4"]]),
        ("~1.2.3", [[">=1.2.3", "<1.3"]]),
        ("~1", [[">=1", "<2"]]),
        ("1.2.*", [["==1.2.*"]]),
        ("1.4", [["==1.4"]]),
        (">= 1.2, < 2", [[">=1.2", "<2"]]),
        (">=1.2 <2", [[">=1.2", "<2"]]),
        ("*", [[]]),
        ("<3.8 || >=3.10", [["<3.8"], [">=3.10"]]),
    ],
)
def test_poetry_constraints(text: str, expected: list[list[str]]) -> None:
    assert poetry_constraint(text) == expected


def test_python_markers_as_poetry_core_writes_them() -> None:
    assert python_marker("~3.9") == 'python_version >= "3.9" and python_version < "3.10"'
    assert python_marker(">=3.10") == 'python_version >= "3.10"'
    assert python_marker(">=3.8.1") == 'python_full_version >= "3.8.1"'
    assert python_marker("<3.8 || >=3.10") == '(python_version < "3.8") or (python_version >= "3.10")'


def test_classic_project(make_project) -> None:
    root = make_project(CLASSIC, PROJECTS)
    project, findings = read(root)
    assert findings.problems == [] and not project.dynamic_dependencies and not project.has_project_table
    assert project.name == "app"
    declared = {(d.key, d.extra): str(d.requirement) for d in project.requirements}
    assert declared == {
        ("tool.poetry.dependencies.lib", None): "lib",
        ("tool.poetry.dependencies.prebuilt", None): 'prebuilt; os_name != "nt"',
        ("tool.poetry.dependencies.gitdep", None): "gitdep[x]",
        ("tool.poetry.dependencies.urldep", None): "urldep",
        ("tool.poetry.dependencies.plain", None): "plain<3,>=2.1",
        ("tool.poetry.dependencies.multi[0]", None): 'multi; sys_platform == "linux"',
        ("tool.poetry.dependencies.multi[1]", None): 'multi<2,>=1; python_version < "3.11"',
        # optional: only through the extra that lists it
        ("tool.poetry.dependencies.opt", "cli"): 'opt; python_version >= "3.9" and python_version < "3.10"',
    }
    (lib,) = project.sources["lib"]
    assert isinstance(lib, PathSource) and lib.path == "../lib" and not lib.editable and lib.marker is None
    (git,) = project.sources["gitdep"]
    assert isinstance(git, GitSource) and (git.git, git.rev, git.subdirectory) == (
        "https://example.com/g.git",
        "v1",
        "sub",
    )
    assert isinstance(project.sources["urldep"][0], UrlSource)
    (multi,) = project.sources["multi"]  # the version-only entry has no source
    assert multi.binds == "tool.poetry.dependencies.multi[0]" and multi.marker == Marker("sys_platform == 'linux'")
    # groups never reach metadata: the name is used, the source is development-only
    assert "devtool" not in project.sources and "devtool" in project.other_names
    (dev,) = project.development_only
    assert dev.key == "tool.poetry.group.dev.dependencies.devtool" and dev.group == "dev"


# couchbaselabs/agent-catalog's libs: a `[project]` table (name, dynamic version, scripts) with neither
# `dependencies` nor `optional-dependencies`, the requirements in `[tool.poetry.dependencies]`, path entries
# among them, optional ones through `[tool.poetry.extras]`
PROJECT_WITHOUT_DEPENDENCIES = """
[project]
name = "app"
dynamic = ["version"]
requires-python = ">=3.11"
[project.scripts]
app = "app.__main__:main"
[tool.poetry]
name = "app"
version = "0.0.0"
[tool.poetry.dependencies]
python = ">=3.11"
plain = "^2.1"
lib = { path = "../lib", develop = true }
opt = { path = "../opt", develop = true, optional = true }
[tool.poetry.extras]
cli = ["opt"]
[tool.sourcelift]
backend = "poetry.core.masonry.api"
[build-system]
requires = ["sourcelift", "poetry-core>=2"]
build-backend = "sourcelift.build"
"""


@pytest.mark.parametrize("tables", ["", '[project.optional-dependencies]\nfast = ["plain"]\n'])
def test_a_project_table_without_dependencies_is_read_as_poetry_core_reads_it(
    make_project, store: Store, tables: str
) -> None:
    """poetry-core takes `[tool.poetry.dependencies]` for the requirements unless `[project]` declares
    `dependencies` or `optional-dependencies`; sourcelift said "no requirements" and warned that no
    requirement used the path entries, and the wheel kept poetry-core's `file://` URL of the build directory."""
    text = PROJECT_WITHOUT_DEPENDENCIES.replace("[project.scripts]", tables + "[project.scripts]")
    root = make_project(text, PROJECTS)
    project, findings = read(root)
    if tables:  # declared in [project]: a poetry entry only gives the requirement of that name a source
        assert {d.key for d in project.requirements} == {"project.optional-dependencies.fast[0]"}
        return
    assert findings.problems == [] and project.has_project_table
    declared = {(d.key, d.extra): str(d.requirement) for d in project.requirements}
    assert declared == {
        ("tool.poetry.dependencies.plain", None): "plain<3,>=2.1",
        ("tool.poetry.dependencies.lib", None): "lib",
        ("tool.poetry.dependencies.opt", "cli"): "opt",
    }
    plan, _ = make_plan(root, store)
    local = plan.declared_lines(Findings())
    assert local["tool.poetry.dependencies.lib"] == [f"lib @ {(root.parent / 'lib').as_uri()}"]
    assert local["tool.poetry.dependencies.opt"] == [f'opt @ {(root.parent / "opt").as_uri()} ; extra == "cli"']


def test_classic_lines_in_both_modes(make_project, store: Store) -> None:
    root = make_project(CLASSIC, PROJECTS)
    plan, _ = make_plan(root, store)
    local = plan.declared_lines(Findings())
    assert local["tool.poetry.dependencies.lib"] == [f"lib @ {(root.parent / 'lib').as_uri()}"]
    assert local["tool.poetry.dependencies.multi[0]"] == [
        f'multi @ {(root.parent / "lib-linux").as_uri()} ; sys_platform == "linux"'
    ]
    assert "tool.poetry.dependencies.multi[1]" not in local  # no source: as written
    assert local["tool.poetry.dependencies.gitdep"] == ["gitdep[x] @ git+https://example.com/g.git@v1#subdirectory=sub"]
    # what poetry-core writes for the multiple-constraints entries: each line gets its own entry's source
    assert plan.rewrite_line(
        f'multi @ {(root.parent / "lib-linux").as_uri()} ; sys_platform == "linux"', Findings()
    ) == [f'multi @ {(root.parent / "lib-linux").as_uri()} ; sys_platform == "linux"']
    assert plan.rewrite_line('multi (>=1,<2) ; python_version < "3.11"', Findings()) is None


def test_classic_publish_lines_and_sdist_rewrite(make_project, store: Store) -> None:
    text = CLASSIC + '[tool.sourcelift.strategies]\ngitdep = ">=1"\nurldep = ">=1"\n'
    text = text.replace("[tool.sourcelift]\n", "").replace('backend = "poetry.core.masonry.api"\n', "")
    root = make_project(text, PROJECTS)
    plan, _ = make_plan(root, store, publisher=publisher(gitdep=">=1", urldep=">=1"))
    lines = plan.declared_lines(Findings(), as_metadata=False)
    assert lines["tool.poetry.dependencies.lib"] == ["lib==0.3.0"]
    assert lines["tool.poetry.dependencies.prebuilt"] == ['prebuilt==0.1.0; os_name != "nt"']
    assert lines["tool.poetry.dependencies.multi[0]"] == ['multi==1.5; sys_platform == "linux"']
    assert lines["tool.poetry.dependencies.opt"] == ['opt==2.0; python_version >= "3.9" and python_version < "3.10"']
    consumed = {"lib", "prebuilt", "gitdep", "urldep", "multi", "opt"}
    rewritten = tomllib.loads(standards_pyproject(text, lines, consumed, "poetry.core.masonry.api"))
    deps = rewritten["tool"]["poetry"]["dependencies"]
    assert deps["lib"] == {"version": "==0.3.0"}
    assert deps["prebuilt"] == {"version": "==0.1.0", "markers": "os_name != 'nt'"}
    assert deps["gitdep"] == {"version": ">=1", "extras": ["x"]}
    assert deps["multi"] == [
        {"version": "==1.5", "markers": "sys_platform == 'linux'"},
        {"version": ">=1,<2", "python": "<3.11"},
    ]
    assert deps["opt"] == {"version": "==2.0", "optional": True, "python": "~3.9"}
    assert deps["plain"] == "^2.1" and deps["python"] == "^3.9"
    assert rewritten["tool"]["poetry"]["group"]["dev"]["dependencies"]["devtool"] == {
        "path": "../devtool",
        "develop": True,
    }
    assert rewritten["build-system"] == {"requires": ["poetry-core>=2"], "build-backend": "poetry.core.masonry.api"}


POETRY_BUILD = '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
WRAPPED_POETRY_BUILD = (
    '[build-system]\nrequires = ["poetry-core", "sourcelift"]\nbuild-backend = "sourcelift.build"\n'
    '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n'
)


@pytest.mark.parametrize(
    ("pyproject", "version"),
    [
        ('[tool.poetry]\nname = "lib"\nversion = "0.3.0"\n' + POETRY_BUILD, "0.3.0"),
        # poetry-core 2: `[project]` leaves the version to `[tool.poetry]`
        ('[project]\nname = "lib"\ndynamic = ["version"]\n[tool.poetry]\nversion = "1.2"\n' + POETRY_BUILD, "1.2"),
        # a plugin's backend computes it: not static
        (
            '[tool.poetry]\nname = "lib"\nversion = "0.0.0"\n[build-system]\n'
            'requires = ["poetry-core", "poetry-dynamic-versioning"]\n'
            'build-backend = "poetry_dynamic_versioning.backend"\n',
            None,
        ),
        # sourcelift's wrapper around poetry-core: poetry-core still reads it
        ('[tool.poetry]\nname = "lib"\nversion = "0.3.0"\n' + WRAPPED_POETRY_BUILD, "0.3.0"),
        # the wrapper around a plugin's backend, or around its default (hatchling): not static
        (
            '[tool.poetry]\nname = "lib"\nversion = "0.0.0"\n'
            + WRAPPED_POETRY_BUILD.replace("poetry.core.masonry.api", "poetry_dynamic_versioning.backend"),
            None,
        ),
        ('[tool.poetry]\nname = "lib"\nversion = "0.0.0"\n' + WRAPPED_POETRY_BUILD.split("[tool.sourcelift]")[0], None),
    ],
)
def test_a_classic_poetry_version_is_read_as_poetry_core_reads_it(
    tmp_path: Path, pyproject: str, version: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found on adriangb/python-monorepo: `[tool.poetry] version` was treated as dynamic, so publish mode ran
    poetry-core for it, and `explain` reported a problem wherever poetry-core was not installed."""
    from sourcelift.versions import directories

    project = tmp_path / "lib"
    project.mkdir()
    (project / "pyproject.toml").write_text(pyproject)
    monkeypatch.setattr(directories, "_run_backend", lambda *args: "backend ran")
    found = directories.directory_version(project, None)
    assert (found.version, found.how) == ((version, "static") if version else ("backend ran", "backend"))


def test_a_classic_poetry_directory_is_checked_and_pinned_without_its_backend(make_project, store: Store) -> None:
    root = make_project(CLASSIC, PROJECTS)
    plan, _ = make_plan(root, store)
    (lib,) = plan.sources["lib"]
    assert lib.version == "0.3.0"  # type: ignore[union-attr]  # a ResolvedDirectory
    # the name poetry-core reads is checked as `[project] name` is
    wrong = make_project(
        CLASSIC, {**PROJECTS, "../lib/pyproject.toml": '[tool.poetry]\nname = "other"\n' + POETRY_BUILD}
    )
    with pytest.raises(ProblemsError, match="holds the project 'other', not 'lib'"):
        make_plan(wrong, store)


def test_a_poetry_member_wrapped_by_sourcelift_is_read_as_poetry_core_reads_it(make_project, store: Store) -> None:
    """A member built by `sourcelift.build` around poetry-core: its `[tool.poetry]` name and version are read
    through `tool.sourcelift.backend` as for poetry-core itself (they were ignored: no name check, and the
    version came from running the backend)."""
    lib = '[tool.poetry]\nname = "lib"\nversion = "0.3.0"\n' + WRAPPED_POETRY_BUILD
    root = make_project(CLASSIC, {**PROJECTS, "../lib/pyproject.toml": lib})
    plan, _ = make_plan(root, store)
    (found,) = plan.sources["lib"]
    assert found.version == "0.3.0"  # type: ignore[union-attr]  # a ResolvedDirectory
    wrong = make_project(CLASSIC, {**PROJECTS, "../lib/pyproject.toml": lib.replace('"lib"', '"other"')})
    with pytest.raises(ProblemsError, match="holds the project 'other', not 'lib'"):
        make_plan(wrong, store)


PEP621 = """
[project]
name = "pep"
version = "2.0.0"
dependencies = ["lib>=0.2", "other"]
[tool.poetry.dependencies]
lib = [
  { path = "../lib", markers = "sys_platform == 'linux'" },
  { path = "../lib", markers = "sys_platform != 'linux'", python = ">=3.12" },
]
other = "^1"
ghost = { path = "../ghost" }
"""


def test_pep621_project_sources_are_guarded_like_uv(make_project) -> None:
    root = make_project(PEP621, PROJECTS)
    project, findings = read(root)
    assert [str(d.requirement) for d in project.requirements] == ["lib>=0.2", "other"]
    first, second = project.sources["lib"]
    assert first.marker == Marker("sys_platform == 'linux'") and first.binds is None
    assert second.marker == Marker('sys_platform != "linux" and python_version >= "3.12"')
    assert "other" not in project.sources  # a version-only entry adds nothing to [project]
    assert findings.problems == []
    assert [w.key for w in findings.warnings] == ["tool.poetry.dependencies.ghost"]


@pytest.mark.parametrize("form", ["pep621", "classic"])
def test_poetry_source_lists_with_overlapping_markers_are_refused(make_project, form: str) -> None:
    """As uv's lists: two path entries both holding on linux with Python >= 3.12 were two direct references."""
    head = (
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["lib"]\n'
        if form == "pep621"
        else '[tool.poetry]\nname = "p"\nversion = "1"\n'
    )
    root = make_project(
        head
        + """[tool.poetry.dependencies]
lib = [
  { path = "../lib", markers = "sys_platform == 'linux'" },
  { path = "../lib3", python = ">=3.12" },
  { version = "^1", python = "<3.12" },
]
"""
    )
    _, findings = read(root)
    (problem,) = findings.problems
    assert problem.key == "tool.poetry.dependencies.lib" and problem.dependency == "lib"
    assert (
        "`tool.poetry.dependencies.lib[0]`" in problem.message
        and "entries' `markers` must be disjoint" in problem.message
    )
    assert "`tool.poetry.dependencies.lib[1]`" in problem.message and "markers = '" in problem.fix


def test_pep621_rewrite_removes_consumed_entries() -> None:
    text = PEP621 + '[build-system]\nrequires = ["sourcelift", "poetry-core"]\nbuild-backend = "sourcelift.build"\n'
    out = tomllib.loads(
        standards_pyproject(text, {"project.dependencies[0]": ["lib==0.3.0"]}, {"lib"}, "poetry.core.masonry.api")
    )
    assert out["project"]["dependencies"] == ["lib==0.3.0", "other"]
    assert out["tool"]["poetry"]["dependencies"] == {"other": "^1", "ghost": {"path": "../ghost"}}


@pytest.mark.parametrize(
    ("entry", "key", "words"),
    [
        ('{ path = "a", git = "b" }', "tool.poetry.dependencies.x", "more than one kind of source"),
        ('{ git = "b", tag = "1", branch = "m" }', "tool.poetry.dependencies.x", "gives `tag` and `branch`"),
        ('{ path = "a", version = "1" }', "tool.poetry.dependencies.x.version", "takes no `version`"),
        ('{ path = "a", develop = "yes" }', "tool.poetry.dependencies.x.develop", "must be true or false"),
        ('{ path = "a", python = "^^3" }', "tool.poetry.dependencies.x.python", "not a version constraint"),
        ("3", "tool.poetry.dependencies.x", "must be a version constraint or a table"),
    ],
)
def test_malformed_poetry_entries(make_project, entry: str, key: str, words: str) -> None:
    root = make_project(f'[tool.poetry]\nname = "p"\nversion = "1"\n[tool.poetry.dependencies]\nx = {entry}\n')
    _, findings = read(root)
    assert [(p.key, words in p.message) for p in findings.problems] == [(key, True)], findings.problems


def test_pdm_dev_dependencies_are_development_only(make_project, store: Store) -> None:
    root = make_project(
        textwrap.dedent(
            """
            [project]
            name = "p"
            version = "1"
            dependencies = []
            [tool.pdm.dev-dependencies]
            test = ["pytest>=8", "-e file:///${PROJECT_ROOT}/../lib#egg=lib"]
            lint = ["-e ../tools/linter", "helper @ file:///${PROJECT_ROOT}/../helper"]
            [dependency-groups]
            dev = [
                "pytest-cov>=6.2.1",
                "-e file:///${PROJECT_ROOT}/../petal-app-manager/#egg=petal-app-manager",
                "core @ file:///${PROJECT_ROOT}/../core",
                {include-group = "docs"},
            ]
            docs = ["sphinx"]
            """
        )
    )
    project, findings = read(root)
    assert findings.problems == []
    # pdm also writes local entries into `[dependency-groups]` (DroneLeaf's petals: `-e ...#egg=petal-app-manager`)
    assert [(s.key, s.name, getattr(s, "path", None), s.group) for s in project.development_only] == [
        ("tool.pdm.dev-dependencies.test[1]", "lib", "../lib", "test"),
        ("tool.pdm.dev-dependencies.lint[0]", "linter", "../tools/linter", "lint"),
        ("tool.pdm.dev-dependencies.lint[1]", "helper", "../helper", "lint"),
        ("dependency-groups.dev[1]", "petal-app-manager", "../petal-app-manager/", "dev"),
        ("dependency-groups.dev[2]", "core", "../core", "dev"),
    ]
    assert project.sources == {}  # never emitted
    plan, _ = make_plan(root, store)
    assert plan.sources == {} and plan.declared_lines(Findings()) == {}


def test_registry_owns_keys_and_lists_paths() -> None:
    assert [r.tool for r in READERS] == ["poetry", "uv", "pdm", "sourcelift"]
    assert owner("tool.poetry.dependencies.x") is READERS[0] and owner("project.dependencies[0]") is None
    data = tomllib.loads(CLASSIC + "[tool.uv.sources]\nw = { workspace = true }\n")
    paths = {(p.key, p.path, p.workspace, p.development_only) for p in declared_paths(data)}
    assert ("tool.poetry.dependencies.lib", "../lib", False, False) in paths
    assert ("tool.poetry.dependencies.multi[0]", "../lib-linux", False, False) in paths
    assert ("tool.poetry.group.dev.dependencies.devtool", "../devtool", False, True) in paths
    assert ("tool.uv.sources.w", None, True, False) in paths


def test_two_tools_giving_one_package_a_source_compete(make_project) -> None:
    root = make_project(
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["lib"]\n'
        '[tool.poetry.dependencies]\nlib = { path = "../lib" }\n[tool.uv.sources]\nlib = { path = "../lib" }\n',
        PROJECTS,
    )
    _, findings = read(root)
    (problem,) = findings.problems
    assert problem.key == "tool.uv.sources.lib" and "tool.poetry.dependencies.lib" in problem.message


def test_emptied_poetry_tables_leave() -> None:
    text = (
        '[project]\nname = "pep"\nversion = "1"\ndependencies = ["lib"]\n'
        '[tool.poetry.dependencies]\nlib = { path = "../lib" }\n[tool.other]\nx = 1\n'
        '[build-system]\nrequires = ["sourcelift", "poetry-core"]\nbuild-backend = "sourcelift.build"\n'
    )
    out = tomllib.loads(
        standards_pyproject(text, {"project.dependencies[0]": ["lib==1"]}, {"lib"}, "poetry.core.masonry.api")
    )
    assert out["tool"] == {"other": {"x": 1}} and out["project"]["dependencies"] == ["lib==1"]


def test_a_classic_git_entry_without_version_is_told_the_fix_poetry_accepts(make_project, store: Store) -> None:
    """poetry refuses `version` beside `git` or `url` (and so does sourcelift's reader): publish mode must not
    advise giving the entry a specifier, only `[tool.sourcelift.strategies]` (poetry-plugin-mono-repo-deps's
    lib-a fixture: `dummy-poetry = {git = "..."}`)."""
    root = make_project(
        '[tool.poetry]\nname = "lib-a"\nversion = "0.0.1"\n[tool.poetry.dependencies]\npython = "^3.8"\n'
        'dummy-poetry = {git = "https://example.com/dummy_poetry.git"}\n'
        'archived = {url = "https://example.com/files/bundle.tar.gz"}\n'
        'tagged = {git = "https://example.com/tagged.git", tag = "v1.2.0"}\n'
        '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n'
        '[build-system]\nrequires = ["sourcelift", "poetry-core"]\nbuild-backend = "sourcelift.build"\n'
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, store, publisher=publisher())
    fixes = {p.dependency: p.fix for p in info.value.problems}
    assert fixes == {
        "dummy-poetry": "poetry takes no `version` beside `git`: give the versions of `dummy-poetry` an index "
        'should supply in `[tool.sourcelift.strategies]` (`dummy-poetry = ">=VERSION"`)',
        "archived": "poetry takes no `version` beside `url`: give the versions of `archived` an index "
        'should supply in `[tool.sourcelift.strategies]` (`archived = ">=VERSION"`)',
        "tagged": "poetry takes no `version` beside `git`: give the versions of `tagged` an index should supply "
        'in `[tool.sourcelift.strategies]` (`tagged = "==1.2.0"`) (the version 1.2.0 its tag names)',
    }


def test_competing_sources_are_named_by_their_keys_as_written(make_project) -> None:
    """hydrosolutions/SAPPHIRE_Forecast_Tools' preprocessing-runoff gives `iEasyHydroForecast` a pdm
    `${PROJECT_ROOT}` reference and a `[tool.uv.sources]` entry: the problem names both keys as written."""
    root = make_project(
        '[project]\nname = "preprocessing-runoff"\nversion = "0.1.0"\n'
        'dependencies = ["iEasyHydroForecast @ file:///${PROJECT_ROOT}/../iEasyHydroForecast"]\n'
        '[tool.uv.sources]\niEasyHydroForecast = { path = "../iEasyHydroForecast", editable = true }\n',
        {"../iEasyHydroForecast/pyproject.toml": '[project]\nname = "iEasyHydroForecast"\nversion = "0.1.0"\n'},
    )
    _, findings = read(root)
    (problem,) = findings.problems
    assert problem.key == "tool.uv.sources.iEasyHydroForecast"
    assert problem.message == "`project.dependencies[0]` already gives this package a source; two sources would compete"
    assert (
        problem.fix
        == "keep one of the two declarations: `project.dependencies[0]` or `tool.uv.sources.iEasyHydroForecast`"
    )


def test_an_scp_like_git_url_is_written_as_an_ssh_url(make_project, store: Store) -> None:
    """poetry documents `requests3 = { git = "git@github.com:requests/requests.git" }` and private
    repositories use that form (aesthetics-360's `a360-python-libraries = { git = "git@github.com:...",
    tag = "0.2.0" }`).  poetry-core writes `git+ssh://git@github.com/...`; sourcelift wrote
    `git+git@github.com:...`, which uv cannot parse ("Expected path ... to end in a supported file
    extension") and pip reads only by its own workaround."""
    root = make_project(
        '[tool.poetry]\nname = "app"\nversion = "1.0"\n[tool.poetry.dependencies]\npython = "^3.9"\n'
        'third = { git = "git@github.com:example/third.git", rev = "abc1234" }\n'
        'tagged = { git = "git@gitlab.example.com:group/sub/lib.git", tag = "0.2.0", subdirectory = "py" }\n'
        'https = { git = "https://example.com/h.git" }\n'
        '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n'
    )
    plan, _ = make_plan(root, store)
    local = plan.declared_lines(Findings())
    assert local["tool.poetry.dependencies.third"] == ["third @ git+ssh://git@github.com/example/third.git@abc1234"]
    assert local["tool.poetry.dependencies.tagged"] == [
        "tagged @ git+ssh://git@gitlab.example.com/group/sub/lib.git@0.2.0#subdirectory=py"
    ]
    assert local["tool.poetry.dependencies.https"] == ["https @ git+https://example.com/h.git"]


def test_an_entry_an_extra_lists_is_in_that_extra_optional_or_not(make_project, store: Store) -> None:
    """Found on watchmen (watchmen-ai-copilot): `watchmen-storage-mysql = { path = "../watchmen-storage-mysql",
    develop = true }`, not optional, is listed by the extra `mysql`.  poetry-core writes it under
    `extra == "mysql"` only; explain showed it as an unconditional requirement, unlike the wheel."""
    root = make_project(
        '[tool.poetry]\nname = "copilot"\nversion = "18.0.0"\n[tool.poetry.dependencies]\npython = "~3.12"\n'
        'watchmen-storage-mysql = { path = "../mysql", develop = true }\n'
        'attrs = "*"\n'
        '[tool.poetry.extras]\nmysql = ["Watchmen_Storage_MySQL", "cryptography"]\nboth = ["watchmen-storage-mysql"]\n'
        '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n',
        {"../mysql/pyproject.toml": '[project]\nname = "watchmen-storage-mysql"\nversion = "18.0.0"\n'},
    )
    project, findings = read(root)
    assert findings.problems == []
    declared = sorted((d.key, d.extra, str(d.requirement)) for d in project.requirements)
    assert declared == [
        ("tool.poetry.dependencies.attrs", None, "attrs"),
        ("tool.poetry.dependencies.watchmen-storage-mysql", "both", "watchmen-storage-mysql"),
        ("tool.poetry.dependencies.watchmen-storage-mysql", "mysql", "watchmen-storage-mysql"),
    ]
    plan, _ = make_plan(root, store)
    lines = plan.declared_lines(Findings())["tool.poetry.dependencies.watchmen-storage-mysql"]
    url = (root.parent / "mysql").as_uri()
    assert lines and all(line.startswith(f"watchmen-storage-mysql @ {url} ; extra == ") for line in lines), lines


def test_publish_sdist_rewrites_entries_written_as_tables_of_their_own() -> None:
    """Poetry projects whose pyproject.toml a TOML library wrote (forestadmin's agent toolkit, staircase,
    langevals) give dependencies as `[tool.poetry.dependencies.x]` tables and `[[tool.poetry.dependencies.x]]`
    arrays of tables.  With a path there, the publish-mode sdist stopped: "the sdist's pyproject.toml cannot be
    rewritten: Unsupported assignment value type: <class 'tomlkit.items.InlineTable'>"."""
    text = (
        '[tool.poetry]\nname = "app"\nversion = "1.0.0"\n'
        '[tool.poetry.dependencies]\npython = "^3.9"\nattrs = "*"\n\n'
        "[tool.poetry.dependencies.lib-c]\n"
        'path = "../libs/lib-c"\ndevelop = true\nmarkers = "sys_platform == \'linux\'"\n\n'
        "[[tool.poetry.dependencies.lib_b]]\n"
        'path = "../libs/lib_b"\npython = ">=3.10"\n\n'
        "[[tool.poetry.dependencies.lib_b]]\n"
        'version = "^0.1"\npython = "<3.10"\n\n'
        '[tool.poetry.group.dev.dependencies]\npytest = "^8"\n' + WRAPPED_POETRY_BUILD
    )
    lines = {
        "tool.poetry.dependencies.lib-c": ['lib-c==0.2.0; sys_platform == "linux"'],
        "tool.poetry.dependencies.lib_b[0]": ['lib_b==0.1.0; python_version >= "3.10"'],
    }
    written = standards_pyproject(text, lines, {"lib-c", "lib-b"}, "poetry.core.masonry.api")
    deps = tomllib.loads(written)["tool"]["poetry"]["dependencies"]
    assert deps == {
        "python": "^3.9",
        "attrs": "*",
        "lib-c": {"version": "==0.2.0", "markers": "sys_platform == 'linux'"},
        "lib_b": [{"version": "==0.1.0", "python": ">=3.10"}, {"version": "^0.1", "python": "<3.10"}],
    }
    assert "[tool.poetry.dependencies.lib-c]" in written and "[[tool.poetry.dependencies.lib_b]]" in written
    assert 'pytest = "^8"' in written  # every other byte stays


def test_a_file_entry_is_an_archive_path_as_poetry_core_reads_it(make_project, store: Store) -> None:
    # poetry-core's schema keeps `file` for an archive (its file-dependency): it wrote the build machine's
    # absolute `file://` path into the wheel, which sourcelift left alone, and kept it in a publish sdist
    text = CLASSIC.replace('prebuilt = { path = "vendor/', 'prebuilt = { file = "vendor/')
    root = make_project(text, PROJECTS)
    project, findings = read(root)
    [source] = [s for s in project.sources["prebuilt"] if isinstance(s, PathSource)]
    assert source.path == "vendor/prebuilt-0.1.0-py3-none-any.whl" and not findings.problems
    plan, _ = make_plan(root, store)
    [line] = plan.declared_lines(Findings())["tool.poetry.dependencies.prebuilt"]
    assert line.startswith("prebuilt @ file://") and str(store.root) in line and line.endswith('; os_name != "nt"')
    # what poetry-core writes for the entry is replaced by that line
    written = f'prebuilt @ {(root / "vendor/prebuilt-0.1.0-py3-none-any.whl").as_uri()} ; os_name != "nt"'
    assert plan.rewrite_line(written, Findings()) == [line]
    lines = make_plan(root, store, publisher=publisher(gitdep=">=1", urldep=">=1"))[0].declared_lines(
        Findings(), as_metadata=False
    )
    assert lines["tool.poetry.dependencies.prebuilt"] == ['prebuilt==0.1.0; os_name != "nt"']
    consumed = {"lib", "prebuilt", "gitdep", "urldep", "multi", "opt"}
    rewritten = tomllib.loads(standards_pyproject(text, lines, consumed, "poetry.core.masonry.api"))
    entry = rewritten["tool"]["poetry"]["dependencies"]["prebuilt"]
    assert entry == {"version": "==0.1.0", "markers": "os_name != 'nt'"}
    assert [p.path for p in declared_paths(tomllib.loads(text)) if p.name == "prebuilt"] == [
        "vendor/prebuilt-0.1.0-py3-none-any.whl"
    ]
