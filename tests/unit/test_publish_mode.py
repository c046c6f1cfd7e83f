"""Publish mode: strategies, specifier combination, every failure case, mode choice, the sdist pyproject."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from sourcelift.artifacts.store import Store
from sourcelift.config import Config, choose_cache, choose_mode, read_config
from sourcelift.errors import ConfigError, Findings, ProblemsError, SourceliftError
from sourcelift.rewrite.plan import Plan, make_plan
from sourcelift.rewrite.publish import Publisher, derive_specifier
from sourcelift.rewrite.standards import standards_pyproject
from tests.support.wheels import wheel_bytes

from .test_local_mode import PER_EXTRA_SOURCES, PER_EXTRA_SPECIFIERS, PER_EXTRA_WHEELS, TORCH_INDEXES
from .test_local_mode import project as local_project


def publisher(strategy: str = "exact", **overrides: str) -> Publisher:
    return Publisher(strategy, overrides, None)


def publish_plan(root: Path, store: Store, strategy: str = "exact", **overrides: str) -> tuple[Plan, Findings]:
    return make_plan(root, store, publisher=publisher(strategy, **overrides))


def lines_of(root: Path, store: Store, strategy: str = "exact", **overrides: str) -> dict[str, list[str]]:
    plan, _ = publish_plan(root, store, strategy, **overrides)
    return plan.declared_lines(Findings())


def problems_of(root: Path, store: Store, strategy: str = "exact", **overrides: str) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        publish_plan(root, store, strategy, **overrides)
    return [p.render() for p in info.value.problems]


@pytest.mark.parametrize(
    ("version", "strategy", "expected"),
    [
        ("1.4.2", "exact", "==1.4.2"),
        ("1.4.2", "compatible", "~=1.4.2"),
        ("2", "compatible", "<3,>=2"),
        ("1.4.2", "minimum", ">=1.4.2"),
        ("1.4.2", "minor", "<1.5,>=1.4.2"),
        ("1", "minor", "<1.1,>=1"),
        ("1.4.2", "major", "<2,>=1.4.2"),
        ("0.3.1", "semver", "<0.4,>=0.3.1"),
        ("2.3.1", "semver", "<3,>=2.3.1"),
        ("1!2.0", "major", "<1!3,>=1!2.0"),
        ("1.0rc1", "minor", "<1.1,>=1.0rc1"),
        ("0.2.0.post1", "exact", "==0.2.0.post1"),
    ],
)
def test_strategies(version: str, strategy: str, expected: str) -> None:
    derived = derive_specifier(version, strategy)
    assert derived == SpecifierSet(expected)
    assert derived.contains(version, prereleases=True)


def test_local_version_has_no_specifier() -> None:
    with pytest.raises(ValueError, match="local version"):
        derive_specifier("1.0+g1234", "exact")


def project(deps: str, sources: str, files: dict[str, str | bytes] | None = None) -> tuple[str, dict[str, str | bytes]]:
    text = f"""
        [project]
        name = "p"
        version = "1"
        dependencies = {deps}
        [tool.uv.sources]
        {sources}
    """
    return text, files or {}


def lib(version: str, dynamic: bool = False) -> str:
    return f"[project]\nname = 'lib'\nversion = '{version}'\n"


@pytest.fixture
def archive_project(make_project):
    def make(deps: str = '["prebuilt"]', version: str = "0.1.0") -> Path:
        wheel = f"prebuilt-{version}-py3-none-any.whl"
        return make_project(
            *project(
                deps, f'prebuilt = {{ path = "vendor/{wheel}" }}', {f"vendor/{wheel}": wheel_bytes("prebuilt", version)}
            )
        )

    return make


@pytest.mark.parametrize("strategy", ["exact", "compatible", "minimum", "minor", "major", "semver"])
def test_archive_version_through_each_strategy(archive_project, store: Store, strategy: str) -> None:
    root = archive_project(version="1.4.2")
    expected = str(Requirement(f"prebuilt{derive_specifier('1.4.2', strategy)}"))
    assert lines_of(root, store, strategy) == {"project.dependencies[0]": [expected]}


def test_directory_static_version_and_own_specifier_combined(make_project, store: Store) -> None:
    root = make_project(
        *project(
            "[\"lib[fast]>=0.5; python_version >= '3.9'\"]",
            'lib = { path = "../lib" }',
            {"../lib/pyproject.toml": lib("1.4.2")},
        )
    )
    assert lines_of(root, store, "minor") == {
        "project.dependencies[0]": ['lib[fast]<1.5,>=0.5,>=1.4.2; python_version >= "3.9"']
    }


def test_per_dependency_overrides_by_normalized_name(make_project, store: Store) -> None:
    root = make_project(
        *project(
            '["Lib_One", "lib-two", "prebuilt"]',
            'Lib_One = { path = "../one" }\nlib-two = { path = "../two" }\n'
            'prebuilt = { path = "vendor/prebuilt-0.3.1-py3-none-any.whl" }',
            {
                "../one/pyproject.toml": "[project]\nname='lib-one'\nversion='2.0.1'\n",
                "../two/pyproject.toml": "[project]\nname='lib-two'\nversion='0.9'\n",
                "vendor/prebuilt-0.3.1-py3-none-any.whl": wheel_bytes("prebuilt", "0.3.1"),
            },
        )
    )
    lines = lines_of(root, store, "exact", **{"lib-one": "major", "lib-two": ">=0.8,<1"})
    assert lines == {
        "project.dependencies[0]": ["Lib_One<3,>=2.0.1"],
        "project.dependencies[1]": ["lib-two<1,>=0.8"],
        "project.dependencies[2]": ["prebuilt==0.3.1"],
    }


def test_index_source_gives_the_bare_requirement(make_project, store: Store) -> None:
    root = make_project(
        *project(
            '["torch>=2"]',
            'torch = { index = "pytorch" }\n[[tool.uv.index]]\nname = "pytorch"\nurl = "https://t.example/"',
        )
    )
    assert lines_of(root, store) == {"project.dependencies[0]": ["torch>=2"]}


def test_index_sources_told_apart_by_markers_keep_the_one_line_as_written(make_project, store: Store) -> None:
    root = make_project(
        *project(
            "[\"torch[cuda]>=2.7; python_version >= '3.10'\"]",
            TORCH_INDEXES,
        )
    )
    assert lines_of(root, store) == {"project.dependencies[0]": ['torch[cuda]>=2.7; python_version >= "3.10"']}


def test_git_and_url_sources_need_an_explicit_specifier(make_project, store: Store) -> None:
    root = make_project(
        *project(
            '["g", "u"]',
            'g = { git = "https://example.com/g.git", tag = "v1" }\nu = { url = "https://example.com/u-1.0.tar.gz" }',
        )
    )
    problems = problems_of(root, store)
    assert len(problems) == 2
    # no example version where the source names none (the tag `v1` may be any release)
    assert "a git repository source has no version" in problems[0] and '`g = ">=VERSION"`' in problems[0]
    assert "a URL source has no version" in problems[1] and '`u = "==1.0"`' in problems[1]
    assert "e.g. `u==1.0` for the version 1.0 its file name names" in problems[1]
    assert lines_of(root, store, g=">=1,<2", u="==1.0") == {
        "project.dependencies[0]": ["g<2,>=1"],
        "project.dependencies[1]": ["u==1.0"],
    }
    # a strategy name cannot stand in for the version a git source does not tell
    assert "has no version" in problems_of(root, store, g="minor", u="==1.0")[0]


def test_a_url_archive_of_another_project_or_in_a_subdirectory_suggests_no_version(make_project, store: Store) -> None:
    root = make_project(
        *project(
            '["urldep2", "other"]',
            'urldep2 = { url = "https://example.com/bundle-1.0.tar.gz", subdirectory = "sub/urldep2" }\n'
            'other = { url = "https://example.com/bundle-1.0.tar.gz" }',
        )
    )
    problems = problems_of(root, store)
    assert len(problems) == 2
    for name, problem in zip(("urldep2", "other"), problems):
        assert f"dependency `{name}`" in problem and "its file name names" not in problem
        assert f'`{name} = ">=VERSION"`' in problem


def test_marker_branches_and_the_fallback(make_project, store: Store) -> None:
    root = make_project(
        *project(
            '["lib"]',
            "lib = [\n"
            '  { path = "../lin", marker = "sys_platform == \'linux\'" },\n'
            '  { path = "../win", marker = "sys_platform == \'win32\'" },\n'
            "]",
            {"../lin/pyproject.toml": lib("1.0"), "../win/pyproject.toml": lib("1.1")},
        )
    )
    assert lines_of(root, store) == {
        "project.dependencies[0]": [
            'lib==1.0; sys_platform == "linux"',
            'lib==1.1; sys_platform == "win32"',
            'lib; sys_platform != "linux" and sys_platform != "win32"',
        ]
    }


@pytest.mark.parametrize(
    ("deps", "override", "message"),
    [
        ('["lib>=2"]', None, "holds version 1.4.2, which does not satisfy `lib>=2`"),
        ('["lib<1"]', ">=3", "admit no version together"),
        ('["lib>=2,<3"]', "!=2.*", "admit no version together"),  # the hand-written test called it satisfiable
        ('["lib~=1.4"]', "==1.*,>=2", "admit no version together"),
        ('["lib"]', ">=2", "excludes version 1.4.2"),
        ('["lib"]', "==1.4.2+local", "names a local version"),
    ],
)
def test_specifier_failures(make_project, store: Store, deps: str, override: str | None, message: str) -> None:
    root = make_project(*project(deps, 'lib = { path = "../lib" }', {"../lib/pyproject.toml": lib("1.4.2")}))
    overrides = {"lib": override} if override else {}
    (problem,) = problems_of(root, store, **overrides)
    assert message in problem and "fix:" in problem


def test_local_version_of_a_source_is_refused(make_project, store: Store) -> None:
    root = make_project(*project('["lib"]', 'lib = { path = "../lib" }', {"../lib/pyproject.toml": lib("1.0+g1a2b3c")}))
    (problem,) = problems_of(root, store)
    assert "local version 1.0+g1a2b3c" in problem and "PyPI rejects" in problem and "tagged, clean checkout" in problem


def test_a_pin_to_the_local_version_itself_is_told_it_is_local(make_project, store: Store) -> None:
    """Found on modelcontextprotocol/python-sdk: a hook pinned `mcp-types=={{ version }}` at an untagged commit,
    and the message said the version did not satisfy the pin that names it."""
    root = make_project(
        *project(
            '["lib==1.0.dev3+g1a2b3c"]', 'lib = { path = "../lib" }', {"../lib/pyproject.toml": lib("1.0.dev3+g1a2b3c")}
        )
    )
    (problem,) = problems_of(root, store)
    assert "local version 1.0.dev3+g1a2b3c" in problem and "tagged, clean checkout" in problem
    assert "does not satisfy" not in problem
    # the pins the fix suggests are ones an index accepts: the public part of the version
    fix = problem.split("fix:", 1)[1]
    assert "+g" not in fix and "`lib==1.0.dev3` (project.dependencies[0])" in fix and '`lib = "==1.0.dev3"`' in fix


def test_a_pin_a_backend_made_of_a_local_version_is_told_to_build_from_a_release(make_project, store: Store) -> None:
    root = make_project(
        "[project]\nname = 'p'\nversion = '1'\ndynamic = ['dependencies']\n"
        "[tool.uv.sources]\nlib = { path = '../lib' }\n",
        {"../lib/pyproject.toml": lib("1.0.dev3+g1a2b3c")},
    )
    plan, _ = publish_plan(root, store)
    findings = Findings()
    assert plan.rewrite_line("lib==1.0.dev3+g1a2b3c", findings) == []
    (problem,) = findings.problems
    assert (
        problem.fix
        == "build from a tagged, clean checkout so the version, and the pin made of it, have no `+local` part"
    )


def test_unknowable_version_is_an_error(archive_project, make_project, store: Store) -> None:
    root = make_project(
        *project(
            '["prebuilt"]',
            'prebuilt = { path = "vendor/prebuilt-0.1.0-py3-none-any.whl" }',
            {"vendor/prebuilt-0.1.0-py3-none-any.whl": b"not a zip"},
        )
    )
    (problem,) = problems_of(root, store)
    assert "not a zip archive" in problem


def test_every_problem_at_once(make_project, store: Store) -> None:
    root = make_project(
        *project(
            '["g", "lib>=9", "other"]',
            'g = { git = "https://example.com/g.git" }\nlib = { path = "../lib" }\nother = { path = "../other" }',
            {"../lib/pyproject.toml": lib("1.0"), "../other/pyproject.toml": lib("2.0+dirty")},
        )
    )
    assert len(problems_of(root, store)) == 3


def test_unused_override_warns(archive_project, store: Store) -> None:
    _, findings = publish_plan(archive_project(), store, nothing="minor")
    assert [w.key for w in findings.warnings] == ["tool.sourcelift.strategies.nothing"]


def test_rewrite_line_of_backend_metadata(archive_project, store: Store) -> None:
    plan, findings = publish_plan(archive_project(), store, "compatible")
    assert plan.rewrite_line('prebuilt; extra == "cli"', findings) == ['prebuilt~=0.1.0; extra == "cli"']
    assert plan.rewrite_line("prebuilt @ file:///somewhere/prebuilt-0.1.0-py3-none-any.whl", findings) == [
        "prebuilt~=0.1.0"
    ]
    assert plan.rewrite_line("other @ https://example.com/other.whl", findings) is None
    plan.warn_unbacked_written("other @ https://example.com/other.whl", findings)
    assert "wrote and no source backs, so publish mode leaves it as written" in findings.warnings[-1].message


def test_extras_in_pyproject_form_and_metadata_form(make_project, store: Store) -> None:
    root = make_project(
        """
        [project]
        name = "p"
        version = "1"
        [project.optional-dependencies]
        cli = ["lib"]
        [tool.uv.sources]
        lib = { path = "../lib", extra = "cli" }
        """,
        {"../lib/pyproject.toml": lib("1.0")},
    )
    plan, _ = publish_plan(root, store)
    assert plan.declared_lines(Findings()) == {"project.optional-dependencies.cli[0]": ['lib==1.0; extra == "cli"']}
    assert plan.declared_lines(Findings(), as_metadata=False) == {"project.optional-dependencies.cli[0]": ["lib==1.0"]}


# --- mode and configuration


def test_mode_precedence() -> None:
    config = Config(mode="publish")
    assert choose_mode(Config(), None, {}) == "local"
    assert choose_mode(config, None, {}) == "publish"
    assert choose_mode(config, None, {"SOURCELIFT_MODE": "local"}) == "local"
    assert choose_mode(config, {"sourcelift-mode": "publish"}, {"SOURCELIFT_MODE": "local"}) == "publish"
    assert choose_mode(Config(), {"sourcelift-mode": ["local", "publish"]}, {}) == "publish"
    with pytest.raises(ConfigError, match=r'SOURCELIFT_MODE is .pub.; it must be "local" or "publish"'):
        choose_mode(Config(), None, {"SOURCELIFT_MODE": "pub"})
    with pytest.raises(ConfigError, match="-C sourcelift-mode=publish"):
        choose_mode(Config(), {"sourcelift-mode": "x"}, {})


def test_cache_switch() -> None:
    assert choose_cache(Config(), None) and not choose_cache(Config(cache=False), None)
    assert not choose_cache(Config(), {"sourcelift-cache": "off"})
    with pytest.raises(ConfigError):
        choose_cache(Config(), {"sourcelift-cache": "maybe"})


def test_git_and_url_sources_whose_requirement_has_a_specifier_keep_it(make_project, store: Store) -> None:
    root = make_project(
        *project(
            '["foo[cli]==0.6.0; python_version >= \'3.9\'", "baz>=2,<3"]',
            'foo = { git = "https://example.com/foo.git", tag = "v0.6.0" }\n'
            'baz = { url = "https://example.com/baz-2.1.tar.gz" }',
        )
    )
    assert lines_of(root, store) == {
        "project.dependencies[0]": ['foo[cli]==0.6.0; python_version >= "3.9"'],
        "project.dependencies[1]": ["baz<3,>=2"],
    }


def test_the_example_specifier_of_a_git_source_is_the_version_its_tag_names(make_project, store: Store) -> None:
    root = make_project(*project('["bar"]', 'bar = { git = "https://example.com/bar.git", tag = "v1.4.2" }'))
    (problem,) = problems_of(root, store, "minor")
    assert "e.g. `bar<1.5,>=1.4.2` for the version 1.4.2 its tag names" in problem
    assert '`bar = "<1.5,>=1.4.2"`' in problem and "1.2,<2" not in problem


def test_a_bare_version_as_a_strategy_is_told_its_specifier() -> None:
    findings = Findings()
    read_config({"tool": {"sourcelift": {"strategies": {"foo": "0.6.0"}}}}, findings)
    (problem,) = findings.problems
    assert problem.fix == 'write the version as a specifier, e.g. `foo = "==0.6.0"` or `foo = ">=0.6.0"`'


def test_config_errors_are_collected() -> None:
    findings = Findings()
    read_config(
        {
            "tool": {
                "sourcelift": {
                    "mode": "pub",
                    "strategy": "loose",
                    "cache": "no",
                    "cache-keys": "x",
                    "strategies": {"a": "fuzzy", "b": 1, "A": "minor"},
                }
            }
        },
        findings,
    )
    keys = [p.key for p in findings.problems]
    assert keys == [
        "tool.sourcelift.mode",
        "tool.sourcelift.strategy",
        "tool.sourcelift.cache",
        "tool.sourcelift.cache-keys",
        "tool.sourcelift.strategies.a",
        "tool.sourcelift.strategies.b",
        "tool.sourcelift.strategies.A",
    ]
    config = read_config({"tool": {"sourcelift": {"mode": "publish", "strategies": {"Lib_A": ">=1"}}}}, Findings())
    assert config.mode == "publish" and config.strategies == {"lib-a": ">=1"}


# --- the standards-only pyproject.toml


ORIGINAL = textwrap.dedent(
    """\
    [build-system]
    requires = ["sourcelift>=0.1", "hatchling"]  # keep this comment
    build-backend = "sourcelift.build"

    [project]
    name = "app"
    version = "1"
    dependencies = [
      "lib-a",  # from the workspace
      "requests>=2",
      "lib-b; sys_platform == 'linux'",
    ]

    [project.optional-dependencies]
    cli = ["tool"]

    [tool.uv.sources]
    lib-a = { workspace = true }
    Lib_B = { workspace = true }
    tool = { path = "../tool" }
    unused = { path = "../unused" }

    [tool.sourcelift]
    backend = "hatchling.build"
    """
)


def test_standards_pyproject_changes_only_what_it_must() -> None:
    lines = {
        "project.dependencies[0]": ["lib-a==0.1.0"],
        "project.dependencies[2]": ['lib-b==2.0; sys_platform == "linux"', 'lib-b; sys_platform != "linux"'],
        "project.optional-dependencies.cli[0]": ["tool~=1.0"],
    }
    new = standards_pyproject(ORIGINAL, lines, {"lib-a", "lib-b", "tool"}, "hatchling.build")
    expected = ORIGINAL.replace('"sourcelift>=0.1", "hatchling"', '"hatchling"')
    expected = expected.replace('build-backend = "sourcelift.build"', 'build-backend = "hatchling.build"')
    expected = expected.replace('"lib-a",  # from', '"lib-a==0.1.0",  # from')
    expected = expected.replace(
        "\"lib-b; sys_platform == 'linux'\",",
        '"lib-b==2.0; sys_platform == \\"linux\\"",\n  "lib-b; sys_platform != \\"linux\\"",',
    )
    expected = expected.replace('cli = ["tool"]', 'cli = ["tool~=1.0"]')
    expected = expected.replace(
        'lib-a = { workspace = true }\nLib_B = { workspace = true }\ntool = { path = "../tool" }\n', ""
    )
    assert new == expected


@pytest.mark.parametrize("packed", ['dependencies = ["dep"]', 'dependencies = ["other", "dep"]'])
def test_an_sdist_whose_pyproject_is_not_the_trees_is_named_so(packed: str) -> None:
    """Found with meson-python, which packs the committed pyproject.toml: the tree's arrays (`["dep", "vend"]`)
    are not the sdist's, and the message was "no requirement at `1` of None"; a requirement at the same
    place under another name must not be overwritten either."""
    text = f'[build-system]\nrequires = ["sourcelift"]\n[project]\nname = "a"\n{packed}\n'
    with pytest.raises(SourceliftError) as caught:
        standards_pyproject(text, {"project.dependencies[1]": ["vend==1.0"]}, {"vend"}, "mesonpy")
    message = str(caught.value)
    assert "is not the tree's: `project.dependencies[1]` is `vend==1.0` in the tree" in message
    assert "fix: commit pyproject.toml" in message and "None" not in message


def test_standards_pyproject_drops_emptied_tables() -> None:
    text = textwrap.dedent(
        """\
        [build-system]
        requires = ["sourcelift"]
        build-backend = "sourcelift.build"

        [project]
        name = "a"
        dependencies = ["x"]

        [tool.uv.sources]
        x = { path = "x.whl" }
        """
    )
    new = standards_pyproject(text, {"project.dependencies[0]": ["x==1"]}, {"x"}, "setuptools.build_meta")
    assert new == text.replace('["sourcelift"]', "[]").replace('"sourcelift.build"', '"setuptools.build_meta"').replace(
        '["x"]', '["x==1"]'
    ).replace('[tool.uv.sources]\nx = { path = "x.whl" }\n', "")


@pytest.mark.parametrize(
    "tables",
    [
        '[tool.uv.sources]\n# x = { path = "../x" }  (for local work)\n',
        "[tool.uv]\n[tool.uv.sources]\n",
        "[tool.sourcelift.variants]\n# none yet\n",
        '[tool.poetry]\npackage-mode = false\n[tool.poetry.dependencies]\n# "x" is declared in [project]\n',
        "[tool]\n",
    ],
)
def test_standards_pyproject_keeps_empty_tables_it_consumed_nothing_from(tables: str) -> None:
    """Found on a project with a comments-only `[tool.uv.sources]`: the publish sdist dropped it (with the
    `[tool]` it was in), though sourcelift consumed nothing from it.  Only what it consumed leaves the file,
    and only a table that it emptied goes (test_standards_pyproject_drops_emptied_tables)."""
    text = (
        '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n\n'
        f'[project]\nname = "a"\nversion = "1"\ndependencies = ["x"]\n\n{tables}'
    )
    new = standards_pyproject(text, {}, set(), "hatchling.build")
    assert new == text.replace('"sourcelift", ', "").replace('"sourcelift.build"', '"hatchling.build"')


def test_an_archive_of_another_extra_is_neither_checked_nor_pinned_for_this_extra(make_project, store: Store) -> None:
    """cpu wants lib>=1 from its wheel 1.0, gpu lib>=2 from its wheel 2.0: each extra is pinned to its own
    wheel, and gpu's specifier is not held against the cpu wheel."""
    root = make_project(local_project("[]", PER_EXTRA_SOURCES, PER_EXTRA_SPECIFIERS), PER_EXTRA_WHEELS)
    plan, findings = publish_plan(root, store)
    assert plan.declared_lines(findings) == {
        "project.optional-dependencies.cpu[0]": ['lib==1.0,>=1; extra == "cpu"'],
        "project.optional-dependencies.gpu[0]": ['lib==2.0,>=2; extra == "gpu"'],
    }
    assert findings.problems == [] and findings.warnings == []


@pytest.mark.parametrize(
    "text",
    [
        ">=1,<2",
        ">=2,<1",
        ">=2,<=2",
        ">2,<=2",
        ">=2,<2",
        "==1.0,==2.0",
        "==1.0,!=1.0",
        "==1.0,>=2",
        "==1.0,>=1",
        "~=1.4,>=2",
        "~=1.4,<1.9",
        "==1.*,>=2",
        "==1.*,<1",
        "==1.*,>=1.5",
        "===1.0",
        ">=2,<=2,!=2",
        "==1.0+cpu,==1.0",
        "==1.0,==1.0+cpu",
        "==1.0+cpu,==1.0+cu128",
        "",
    ],
)
def test_the_bounds_decide_as_packaging_does_without_its_method(text: str) -> None:
    """The test a build environment with packaging older than 26.1 uses agrees with packaging's own."""
    from sourcelift.rewrite.publish import is_unsatisfiable, unsatisfiable_on_bounds

    specifiers = SpecifierSet(text)
    assert unsatisfiable_on_bounds(specifiers) == specifiers.is_unsatisfiable() == is_unsatisfiable(specifiers)


def test_a_direct_reference_no_source_backs_is_warned_about_in_publish_mode(make_project, store: Store) -> None:
    """hydrosolutions/SAPPHIRE_Forecast_Tools' preprocessing-runoff requires `ieasyhydro-sdk @ git+...` in
    `[project]`: no source backs it, so publish mode leaves it and PyPI would reject the upload; the build
    says so (a warning: a private index may accept it), and local mode says nothing."""
    root = make_project(
        '[project]\nname = "runoff"\nversion = "0.1.0"\ndependencies = [\n'
        '  "ieasyhydro-sdk @ git+https://example.com/ieasyhydro-python-sdk@master",\n  "lib",\n]\n'
        '[tool.uv.sources]\nlib = { path = "../lib" }\n',
        {"../lib/pyproject.toml": '[project]\nname = "lib"\nversion = "0.3.0"\n'},
    )
    plan, findings = publish_plan(root, store)
    assert plan.declared_lines(Findings()) == {"project.dependencies[1]": ["lib==0.3.0"]}
    (warning,) = findings.warnings
    assert (warning.key, warning.dependency) == ("project.dependencies[0]", "ieasyhydro-sdk")
    assert "(`git+https://example.com/ieasyhydro-python-sdk@master`) that no source backs" in warning.message
    assert "Can't have direct dependency" in warning.message and "`ieasyhydro-sdk>=X.Y`" in warning.fix
    assert "`ieasyhydro-sdk = { git = ... }`" in warning.fix  # the kind of source its reference is
    root.joinpath("pyproject.toml").write_text(
        root.joinpath("pyproject.toml").read_text().replace("git+https://example.com/", "file:///srv/")
    )
    _, findings = publish_plan(root, store)
    assert "`ieasyhydro-sdk = { path = ... }`" in findings.warnings[0].fix
    _, local_findings = make_plan(root, store)
    assert local_findings.warnings == []


def test_a_direct_reference_a_build_hook_wrote_is_warned_about_once_in_publish_mode(
    make_project, store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hatchling metadata hook (or any backend) may write a direct reference the project never declares:
    the plan cannot see it, so the rewrite of the written lines warns about it; a declared one is warned
    about once, by the plan, and local mode says nothing."""
    from sourcelift.backends import wrapper

    root = make_project(
        '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["lib", "pinned @ https://example.com/p.whl"]\n'
        '[tool.uv.sources]\nlib = { path = "../lib" }\n',
        {"../lib/pyproject.toml": '[project]\nname = "lib"\nversion = "0.3.0"\n'},
    )
    monkeypatch.chdir(root)
    metadata = (
        "Metadata-Version: 2.4\nName: app\nVersion: 0.1.0\nRequires-Dist: lib\n"
        "Requires-Dist: pinned@ https://example.com/p.whl\n"  # declared: the plan's warning, not this one's
        "Requires-Dist: hooked @ git+https://example.com/hooked@main\n"
        "Requires-Dist: lib @ file:///elsewhere/lib\n"  # backed by a source: rewritten, not warned about
    )
    plan, _ = publish_plan(root, store)
    transform = wrapper._transform(plan, metadata)
    assert transform("hooked @ git+https://example.com/hooked@main") is None  # kept as written
    assert transform("lib") == ["lib==0.3.0"]
    err = capsys.readouterr().err
    assert err.count("sourcelift: warning:") == 1, err
    assert "dependency `hooked` (`Requires-Dist: hooked @ git+https://example.com/hooked@main`)" in err
    assert "the build backend (or one of its hooks) wrote and no source backs" in err
    assert "Can't have direct dependency" in err and "`hooked>=X.Y`" in err
    local, _ = make_plan(root, store)
    wrapper._transform(local, metadata)
    assert capsys.readouterr().err == ""


# --- index sources in the sdist (found on huggingface/lerobot)

INDEX_SOURCES_PROJECT = """\
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "1.0"
dependencies = [
    "torch>=2.7,<2.12.0",
    "prebuilt",
]

[tool.hatch.build.targets.wheel]
bypass-selection = true

[[tool.uv.index]]
name = "pytorch-cu128"
url = "https://download.pytorch.org/whl/cu128"
explicit = true

[tool.uv.sources]
torch = [{ index = "pytorch-cu128", marker = "sys_platform == 'linux'" }]
prebuilt = { path = "prebuilt-0.1.0-py3-none-any.whl" }
"""

SDIST_CHILD = """
import os, sys
os.chdir(sys.argv[1])
import sourcelift.build as backend
print(backend.build_sdist(sys.argv[2], {"sourcelift-mode": sys.argv[3]}))
"""


def build_sdist_in_a_child(project: Path, dist: Path, mode: str) -> subprocess.CompletedProcess[str]:
    """``build_sdist`` of ``project`` into ``dist`` in a fresh process importing sourcelift from this checkout."""
    from tests.support import source_environ

    return subprocess.run(
        [sys.executable, "-c", SDIST_CHILD, str(project), str(dist), mode],
        env=source_environ(dist.parent),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("mode", ["local", "publish"])
def test_an_index_source_and_its_line_stay_as_written_in_the_sdist(tmp_path: Path, mode: str) -> None:
    """lerobot takes torch from a CUDA index on Linux (`[tool.uv.sources] torch = [{ index = ..., marker = ... }]`):
    its line names no index, so the sdist's pyproject.toml kept the line, but re-spelled (`torch<2.12.0,>=2.7`),
    and dropped the source entry, which uv in the unpacked sdist needs; a consumed source still leaves."""
    import tarfile

    from tests.support.wheels import wheel_bytes

    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(INDEX_SOURCES_PROJECT)
    (project / "prebuilt-0.1.0-py3-none-any.whl").write_bytes(wheel_bytes("prebuilt", "0.1.0"))
    (tmp_path / "dist").mkdir()
    child = build_sdist_in_a_child(project, tmp_path / "dist", mode)
    assert child.returncode == 0, child.stderr
    with tarfile.open(tmp_path / "dist" / child.stdout.split()[-1]) as archive:
        stream = archive.extractfile("app-1.0/pyproject.toml")
        assert stream is not None
        text = stream.read().decode()
    assert '    "torch>=2.7,<2.12.0",\n' in text
    assert 'torch = [{ index = "pytorch-cu128", marker = "sys_platform == \'linux\'" }]\n' in text
    assert "prebuilt = { path" not in text


# --- dynamic dependencies a setuptools plugin computes (found on NVIDIA/NeMo-Agent-Toolkit)

COMPUTED_DEPENDENCIES_PROJECT = """\
[build-system]
requires = ["sourcelift", "setuptools>=64"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "0.3.0"
dynamic = ["dependencies"]

[tool.sourcelift]
backend = "setuptools.build_meta"

[tool.setuptools]
packages = []

[tool.uv.sources]
lib = { path = "../lib", editable = true }
"""


def _publish_sdist_of_computed_dependencies(
    tmp_path: Path, computed: str, extras: str = ""
) -> subprocess.CompletedProcess[str]:
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(COMPUTED_DEPENDENCIES_PROJECT + extras)
    (project / "setup.py").write_text(f"from setuptools import setup\nsetup(install_requires=[{computed!r}])\n")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "pyproject.toml").write_text('[project]\nname = "lib"\nversion = "0.3.0"\n')
    (tmp_path / "dist").mkdir()
    return build_sdist_in_a_child(project, tmp_path / "dist", "publish")


def test_a_publish_sdist_of_dependencies_the_backend_computes_as_the_final_lines_builds(tmp_path: Path) -> None:
    """NeMo-Agent-Toolkit's members list `nvidia-nat-core == {version}` in `[tool.setuptools_dynamic_dependencies]`
    (dependencies dynamic, a setuptools plugin fills them) beside a path source: the backend's own lines are the
    publish lines already, and the wheel built from the sdist computes them again, yet the publish sdist stopped
    ("`project.dynamic` lists the dependencies, so they cannot be written there"), where plain setuptools builds it."""
    import tarfile

    child = _publish_sdist_of_computed_dependencies(tmp_path, "lib==0.3.0")
    assert child.returncode == 0, child.stderr
    with tarfile.open(tmp_path / "dist" / child.stdout.split()[-1]) as archive:
        names = archive.getnames()
        stream = archive.extractfile("app-0.3.0/pyproject.toml")
        assert stream is not None
        pyproject = stream.read().decode()
        info = archive.extractfile("app-0.3.0/PKG-INFO")
        assert info is not None
        pkg_info = info.read().decode()
    assert "app-0.3.0/setup.py" in names
    assert (
        'build-backend = "setuptools.build_meta"' in pyproject and "sourcelift" not in pyproject.split("[project]")[0]
    )
    assert "lib = {" not in pyproject  # the source is spent: the unpacked sdist is no member of the tree
    assert "Requires-Dist: lib==0.3.0" in pkg_info


def test_a_publish_sdist_of_computed_dependencies_that_need_a_rewrite_still_stops(tmp_path: Path) -> None:
    """A computed line the publish mode would change (`lib` -> `lib==0.3.0`) has nowhere to go: the build stops,
    naming the line, and leaves no sdist."""
    child = _publish_sdist_of_computed_dependencies(tmp_path, "lib")
    assert child.returncode != 0
    assert "`project.dynamic` lists the dependencies" in child.stderr
    assert "`lib` -> `lib==0.3.0`" in child.stderr
    assert list((tmp_path / "dist").iterdir()) == []


HOOK_DEPENDENCIES_STATIC_EXTRAS = """\
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "1.0"
dynamic = ["dependencies"]

[project.optional-dependencies]
test = ["lib"]

[tool.hatch.metadata.hooks.custom]

[tool.hatch.build.targets.wheel]
bypass-selection = true

[tool.uv.sources]
lib = { path = "../lib" }
"""

DEPENDENCIES_HOOK = """\
from hatchling.metadata.plugin.interface import MetadataHookInterface

class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata):
        metadata["dependencies"] = ["lib"]
"""


@pytest.mark.parametrize("mode", ["local", "publish"])
def test_static_extras_beside_hook_dependencies_get_their_lines_in_the_sdist(tmp_path: Path, mode: str) -> None:
    """Dependencies from a hatchling metadata hook (dynamic, PKG-INFO carries them) beside static
    `[project.optional-dependencies]` whose requirement has a source: the sdist's pyproject.toml kept
    `test = ["lib"]` while PKG-INFO said `lib==0.3.0; extra == "test"` and the source was dropped, so the wheel
    built from the publish sdist (hatchling reads static fields from pyproject.toml) said `lib; extra == 'test'`:
    no version bound, and not what the sdist promised."""
    import tarfile

    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(HOOK_DEPENDENCIES_STATIC_EXTRAS)
    (project / "hatch_build.py").write_text(DEPENDENCIES_HOOK)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "pyproject.toml").write_text('[project]\nname = "lib"\nversion = "0.3.0"\n')
    (tmp_path / "dist").mkdir()
    child = build_sdist_in_a_child(project, tmp_path / "dist", mode)
    assert child.returncode == 0, child.stderr
    with tarfile.open(tmp_path / "dist" / child.stdout.split()[-1]) as archive:
        stream = archive.extractfile("app-1.0/pyproject.toml")
        assert stream is not None
        pyproject = stream.read().decode()
    expected = "lib==0.3.0" if mode == "publish" else f"lib @ {(tmp_path / 'lib').as_uri()}"
    assert f'test = ["{expected}"]' in pyproject, pyproject


MARKER_LIST_OF_URLS = """\
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "1.0"

[project.optional-dependencies]
mlx = ["mlx==0.32.0"]

[tool.hatch.build.targets.wheel]
bypass-selection = true

[tool.uv.sources]
mlx = [
  { url = "https://example.com/mlx-0.32.0-cp313-cp313-manylinux_2_35_aarch64.whl", \
marker = "sys_platform == 'linux' and platform_machine == 'aarch64'" },
  { url = "https://example.com/mlx-0.32.0-cp313-cp313-manylinux_2_35_x86_64.whl", \
marker = "sys_platform == 'linux' and platform_machine != 'aarch64'" },
]
"""


def test_the_wheel_from_a_local_sdist_writes_the_trees_lines_whatever_order_the_backend_gives_markers(
    tmp_path: Path,
) -> None:
    """exo-explore/exo (uv_build, mlx from a wheel URL per platform): uv_build writes the local sdist's lines
    with its markers reordered and simplified (`platform_machine == "aarch64" and sys_platform == "linux"`,
    the fallback's negations merged), and the wheel built from the sdist kept that order and conjoined the
    fallback's marker with itself: the same environments, not the tree's lines."""
    import tarfile

    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(MARKER_LIST_OF_URLS)
    (tmp_path / "dist").mkdir()
    child = build_sdist_in_a_child(project, tmp_path / "dist", "local")
    assert child.returncode == 0, child.stderr
    with tarfile.open(tmp_path / "dist" / child.stdout.split()[-1]) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    unpacked = tmp_path / "unpacked" / "app-1.0"
    from sourcelift.core_metadata import requires_dist

    final = requires_dist((unpacked / "PKG-INFO").read_text())
    aarch64, x86_64, fallback = final
    assert aarch64.endswith('; (sys_platform == "linux" and platform_machine == "aarch64") and extra == "mlx"')
    plan, _ = make_plan(unpacked, Store(tmp_path / "store"))
    assert plan.from_local_sdist
    findings = Findings()
    linux = ' and sys_platform == "linux" and extra == "mlx"'
    as_uv_build_writes = {
        aarch64: aarch64.split(" ; ")[0] + ' ; platform_machine == "aarch64"' + linux,
        x86_64: x86_64.split(" ; ")[0] + ' ; platform_machine != "aarch64"' + linux,
        fallback: 'mlx==0.32.0 ; sys_platform != "linux" and extra == "mlx"',
    }
    for line, written in as_uv_build_writes.items():
        assert plan.rewrite_line(written, findings) == [line]
        assert plan.rewrite_line(line, findings) is None
    # a line that holds elsewhere is not taken for a final line
    other = aarch64.split(" ; ")[0] + ' ; platform_machine == "aarch64" and extra == "mlx"'
    assert plan.rewrite_line(other, findings) != [aarch64]
    assert findings.problems == []


def test_a_publish_sdist_of_computed_dependencies_writes_the_static_extras_beside_them(tmp_path: Path) -> None:
    """Computed dependencies that are final already, beside a static extra whose line publish mode rewrites
    (`test = ["lib"]`): that line goes into the sdist's pyproject.toml, which the wheel built from it reads,
    so the sdist builds instead of stopping on it."""
    import tarfile

    child = _publish_sdist_of_computed_dependencies(
        tmp_path, "lib==0.3.0", '[project.optional-dependencies]\ntest = ["lib"]\n'
    )
    assert child.returncode == 0, child.stderr
    with tarfile.open(tmp_path / "dist" / child.stdout.split()[-1]) as archive:
        stream = archive.extractfile("app-0.3.0/pyproject.toml")
        assert stream is not None
        pyproject = stream.read().decode()
    assert 'test = ["lib==0.3.0"]' in pyproject, pyproject
