"""Planning a build in local mode: resolution, every failure case, and the lines emitted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from sourcelift.artifacts.store import Store
from sourcelift.errors import Findings, ProblemsError
from sourcelift.rewrite.plan import make_plan
from sourcelift.urls import path_to_file_url
from tests.support.wheels import wheel_bytes

from .conftest import WHEEL, sdist_bytes

WHEEL_BYTES = wheel_bytes("prebuilt", "0.1.0")
SHA = hashlib.sha256(WHEEL_BYTES).hexdigest()


def project(deps: str, sources: str, extra: str = "") -> str:
    return f"""
        [project]
        name = "p"
        version = "1"
        dependencies = {deps}
        {extra}
        [tool.uv.sources]
        {sources}
    """


def problems_of(root: Path, store: Store) -> ProblemsError:
    with pytest.raises(ProblemsError) as info:
        make_plan(root, store)
    return info.value


def test_vendored_wheel_points_into_the_store(make_project, store: Store) -> None:
    root = make_project(
        project('["prebuilt>=0.1"]', f'prebuilt = {{ path = "vendor/{WHEEL}" }}'), {f"vendor/{WHEEL}": WHEEL_BYTES}
    )
    plan, findings = make_plan(root, store)
    url = path_to_file_url(store.path_for(SHA, WHEEL))
    assert plan.rewrite_line("prebuilt>=0.1", findings) == [f"prebuilt @ {url}"]
    assert plan.location_dependent
    plan.populate_store()
    assert store.path_for(SHA, WHEEL).read_bytes() == WHEEL_BYTES


def test_extras_and_markers_of_requirement_and_source_are_kept(make_project, store: Store) -> None:
    root = make_project(
        project(
            "[\"lib[cli,fast]; python_version >= '3.9'\"]",
            'lib = { path = "../lib", marker = "sys_platform == \'linux\'" }',
        ),
        {"../lib/pyproject.toml": "[project]\nname='lib'\nversion='1'\n"},
    )
    plan, findings = make_plan(root, store)
    lines = plan.rewrite_line('lib[cli,fast]; python_version >= "3.9"', findings)
    lib = path_to_file_url(root.parent / "lib")
    assert lines == [
        f'lib[cli,fast] @ {lib} ; python_version >= "3.9" and sys_platform == "linux"',
        'lib[cli,fast]; python_version >= "3.9" and sys_platform != "linux"',
    ]
    for line in lines:
        Requirement(line)  # every emitted line is valid PEP 508


def test_marker_branches_become_one_line_each_plus_the_uncovered_rest(make_project, store: Store) -> None:
    root = make_project(
        project(
            '["x>=1"]',
            """x = [
            { git = "https://example.com/x.git", tag = "v1", marker = "sys_platform == 'linux'" },
            { url = "https://example.com/x-1.tar.gz", marker = "sys_platform == 'darwin' or sys_platform == 'win32'" },
        ]""",
        ),
    )
    plan, findings = make_plan(root, store)
    assert plan.rewrite_line("x>=1", findings) == [
        'x @ git+https://example.com/x.git@v1 ; sys_platform == "linux"',
        'x @ https://example.com/x-1.tar.gz ; sys_platform == "darwin" or sys_platform == "win32"',
        'x>=1; sys_platform != "linux" and (sys_platform != "darwin" and sys_platform != "win32")',
    ]
    assert not plan.location_dependent


def test_optional_dependency_lines_keep_their_extra(make_project, store: Store) -> None:
    root = make_project(
        project(
            "[]", f'prebuilt = {{ path = "vendor/{WHEEL}" }}', extra='optional-dependencies = { speed = ["prebuilt"] }'
        ),
        {f"vendor/{WHEEL}": WHEEL_BYTES},
    )
    plan, findings = make_plan(root, store)
    lines = plan.declared_lines(findings)
    assert lines["project.optional-dependencies.speed[0]"][0].endswith(' ; extra == "speed"')
    assert plan.rewrite_line('prebuilt; extra == "speed"', findings)[0].endswith(' ; extra == "speed"')


@pytest.mark.parametrize("publish", [False, True])
def test_a_source_marker_on_an_extra_goes_before_the_extra(make_project, store: Store, publish: bool) -> None:
    """Found with hatchling and setuptools in publish mode: the tree's build wrote `extra == "fast" and
    sys_platform == "linux"`, the wheel built from the publish sdist (whose pyproject holds the line) wrote
    `(sys_platform == 'linux') and extra == 'fast'`, and `sourcelift check` said the two disagree (SL201)."""
    from sourcelift.rewrite.publish import Publisher

    root = make_project(
        project(
            "[]",
            f'prebuilt = {{ path = "vendor/{WHEEL}", marker = "sys_platform == \'linux\'" }}',
            extra='optional-dependencies = { fast = ["prebuilt"] }',
        ),
        {f"vendor/{WHEEL}": WHEEL_BYTES},
    )
    plan, findings = make_plan(root, store, publisher=Publisher("exact", {}, None) if publish else None)
    head = "prebuilt==0.1.0" if publish else f"prebuilt @ {path_to_file_url(store.path_for(SHA, WHEEL))} "
    expected = [
        f'{head}; sys_platform == "linux" and extra == "fast"',
        'prebuilt; sys_platform != "linux" and extra == "fast"',
    ]
    assert plan.declared_lines(findings)["project.optional-dependencies.fast[0]"] == expected
    for written in ('prebuilt; extra == "fast"', "prebuilt; extra == 'fast'"):  # packaging's and hatchling's
        assert plan.rewrite_line(written, findings) == expected
    # hatchling's rendering of those lines from a pyproject.toml that holds them (a publish sdist's): the same
    hatchling = [
        f"{head}; (sys_platform == 'linux') and extra == 'fast'",
        "prebuilt; (sys_platform != 'linux') and extra == 'fast'",
    ]
    assert [str(Requirement(line)) for line in hatchling] == [str(Requirement(line)) for line in expected]


def test_an_extras_requirement_with_its_own_marker_keeps_the_extra_last(make_project, store: Store) -> None:
    root = make_project(
        project(
            "[]",
            f'prebuilt = {{ path = "vendor/{WHEEL}", marker = "sys_platform == \'linux\'" }}',
            extra="optional-dependencies = { fast = [\"prebuilt; os_name == 'posix'\"] }",
        ),
        {f"vendor/{WHEEL}": WHEEL_BYTES},
    )
    plan, findings = make_plan(root, store)
    url = path_to_file_url(store.path_for(SHA, WHEEL))
    expected = [
        f'prebuilt @ {url} ; (os_name == "posix" and sys_platform == "linux") and extra == "fast"',
        'prebuilt; (os_name == "posix" and sys_platform != "linux") and extra == "fast"',
    ]
    assert plan.declared_lines(findings)["project.optional-dependencies.fast[0]"] == expected
    assert plan.rewrite_line("prebuilt; os_name == 'posix' and extra == 'fast'", findings) == expected


def test_git_source_with_subdirectory_and_credentials_removed(make_project, store: Store) -> None:
    root = make_project(
        project('["x"]', 'x = { git = "https://me:s3cret@example.com/x.git", rev = "abc123", subdirectory = "py" }')
    )
    plan, findings = make_plan(root, store)
    lines = plan.rewrite_line("x", findings)
    assert lines == ["x @ git+https://example.com/x.git@abc123#subdirectory=py"]
    assert "s3cret" not in repr(plan.sources) and "me:" not in lines[0]
    assert any("credentials" in w.message for w in findings.warnings)


def test_a_git_subdirectory_no_fragment_carries_to_every_installer_is_an_error(make_project, store: Store) -> None:
    root = make_project(project('["g1"]', 'g1 = { git = "file:///tmp/gitdep2", subdirectory = "pyé" }'))
    (problem,) = problems_of(root, store).problems
    assert problem.key == "tool.uv.sources.g1.subdirectory" and problem.dependency == "g1"
    assert "outside ASCII letters, digits and `-._~/+`" in problem.message and "uv" in problem.message
    assert problem.fix.startswith("rename the directory in the repository to ASCII letters")


def test_index_source_keeps_the_bare_requirement_with_a_warning(make_project, store: Store) -> None:
    root = make_project(
        project(
            '["x>=2"]',
            'x = { index = "internal" }\n[[tool.uv.index]]\nname = "internal"\nurl = "https://i.example/simple"',
        )
    )
    plan, findings = make_plan(root, store)
    assert plan.rewrite_line("x>=2", Findings()) == ["x>=2"]
    assert "cannot name an index" in findings.warnings[0].message and "`x>=2`" in findings.warnings[0].message


TORCH_INDEXES = """torch = [
            { index = "pytorch-cu128", marker = "sys_platform != 'darwin'" },
            { index = "pypi", marker = "sys_platform == 'darwin'" },
        ]
        [[tool.uv.index]]
        name = "pytorch-cu128"
        url = "https://download.pytorch.org/whl/cu128"
        [[tool.uv.index]]
        name = "pypi"
        url = "https://pypi.org/simple"
"""


def test_index_sources_told_apart_by_markers_keep_the_one_line_as_written(make_project, store: Store) -> None:
    # NVIDIA NeMo-RL's shape: an index per platform changes where torch comes from, not the requirement
    root = make_project(project("[\"torch>=2.7; python_version >= '3.10'\"]", TORCH_INDEXES))
    plan, findings = make_plan(root, store)
    assert plan.declared_lines(Findings()) == {"project.dependencies[0]": ['torch>=2.7; python_version >= "3.10"']}
    assert plan.rewrite_line('torch>=2.7; python_version >= "3.10"', Findings()) == [
        'torch>=2.7; python_version >= "3.10"'
    ]
    assert [w.key for w in findings.warnings] == ["tool.uv.sources.torch[0]", "tool.uv.sources.torch[1]"]


def test_index_sources_of_other_extras_are_not_reported_for_an_extras_requirement(make_project, store: Store) -> None:
    """uv's `torch = [{ extra = "cpu", index = ... }, { extra = "cu128", index = ... }]` (astral-sh/uv#16685):
    the requirement of extra cu128 is warned about its own index only, not told it is "not on torch-cpu"."""
    root = make_project(
        project(
            "[]",
            """torch = [
            { extra = "cpu", index = "torch-cpu" },
            { extra = "cu128", index = "torch-cu128" },
        ]
        [[tool.uv.index]]
        name = "torch-cpu"
        url = "https://download.pytorch.org/whl/cpu"
        explicit = true
        [[tool.uv.index]]
        name = "torch-cu128"
        url = "https://download.pytorch.org/whl/cu128"
        explicit = true
""",
            '[project.optional-dependencies]\ncpu = ["torch"]\ncu128 = ["torch"]\ndocs = ["torch>=2.6"]\n',
        )
    )
    plan, findings = make_plan(root, store)
    assert plan.declared_lines(Findings()) == {
        "project.optional-dependencies.cpu[0]": ['torch; extra == "cpu"'],
        "project.optional-dependencies.cu128[0]": ['torch; extra == "cu128"'],
        # an extra no source is for keeps its requirement as written, with no index named
        "project.optional-dependencies.docs[0]": ['torch>=2.6; extra == "docs"'],
    }
    assert plan.rewrite_line('torch>=2.6; extra == "docs"', Findings()) == ['torch>=2.6; extra == "docs"']
    told = [(w.key, w.message.split("emitted ")[1]) for w in findings.warnings]
    assert told == [
        (
            "tool.uv.sources.torch[0]",
            '`torch; extra == "cpu"` and installers will look for it on their own configured index, not on `torch-cpu`',
        ),
        (
            "tool.uv.sources.torch[1]",
            '`torch; extra == "cu128"` and installers will look for it on their own '
            "configured index, not on `torch-cu128`",
        ),
    ]


@pytest.mark.parametrize("mode", ["local", "publish"])
def test_a_requirement_whose_only_index_source_cannot_apply_keeps_its_line(
    make_project, store: Store, mode: str
) -> None:
    """`foo>=1; sys_platform == "win32"` with an index only for linux: the line stays, in both modes."""
    from sourcelift.rewrite.publish import Publisher

    root = make_project(
        project(
            "[\"foo>=1; sys_platform == 'win32'\"]",
            """foo = [{ index = "x", marker = "sys_platform == 'linux'" }]
        [[tool.uv.index]]
        name = "x"
        url = "https://x.example/simple"
""",
        )
    )
    publisher = Publisher("exact", {}, None) if mode == "publish" else None
    plan, findings = make_plan(root, store, publisher=publisher)
    assert plan.declared_lines(findings) == {"project.dependencies[0]": ['foo>=1; sys_platform == "win32"']}
    assert findings.warnings == []


# uv's per-extra sources: a vendored wheel of `lib` for extra cpu, another for extra gpu
PER_EXTRA_SOURCES = """lib = [
    { extra = "cpu", path = "vendor/lib-1.0-py3-none-any.whl" },
    { extra = "gpu", path = "vendor/lib-2.0-py3-none-any.whl" },
]"""
PER_EXTRA_WHEELS: dict[str, str | bytes] = {
    "vendor/lib-1.0-py3-none-any.whl": wheel_bytes("lib", "1.0"),
    "vendor/lib-2.0-py3-none-any.whl": wheel_bytes("lib", "2.0"),
}
PER_EXTRA_SPECIFIERS = '[project.optional-dependencies]\ncpu = ["lib>=1"]\ngpu = ["lib>=2"]\n'


def test_an_archive_of_another_extra_is_not_checked_against_this_extras_specifier(make_project, store: Store) -> None:
    """cpu wants lib>=1 from its wheel 1.0, gpu lib>=2 from its wheel 2.0: gpu's requirement is not
    held against the cpu wheel (a source that cannot apply there), and the build goes on."""
    root = make_project(project("[]", PER_EXTRA_SOURCES, PER_EXTRA_SPECIFIERS), PER_EXTRA_WHEELS)
    plan, findings = make_plan(root, store)
    lines = plan.declared_lines(findings)
    assert [line.split(" @ ")[0] for line in lines["project.optional-dependencies.gpu[0]"]] == ["lib"]
    assert lines["project.optional-dependencies.gpu[0]"][0].endswith('lib-2.0-py3-none-any.whl ; extra == "gpu"')
    assert lines["project.optional-dependencies.cpu[0]"][0].endswith('lib-1.0-py3-none-any.whl ; extra == "cpu"')
    assert findings.problems == [] and findings.warnings == []


def test_index_and_git_sources_split_without_an_impossible_line(make_project, store: Store) -> None:
    root = make_project(
        project(
            '["x>=1"]',
            """x = [
            { index = "internal", marker = "sys_platform != 'darwin'" },
            { git = "https://example.com/x.git", tag = "v1", marker = "sys_platform == 'darwin'" },
        ]
        [[tool.uv.index]]
        name = "internal"
        url = "https://i.example/simple"
""",
        )
    )
    plan, _ = make_plan(root, store)
    assert plan.rewrite_line("x>=1", Findings()) == [
        'x @ git+https://example.com/x.git@v1 ; sys_platform == "darwin"',
        'x>=1; sys_platform != "darwin"',
    ]


def test_sources_covering_every_environment_have_no_fallback_line(make_project, store: Store) -> None:
    root = make_project(
        project(
            "[\"x>=1; sys_platform == 'linux'\"]",
            """x = [
            { git = "https://example.com/x.git", tag = "v1", marker = "python_version < '3.10'" },
            { url = "https://ex.com/x-1.tar.gz", marker = "python_version >= '3.10' and sys_platform != 'darwin'" },
            { url = "https://ex.com/x-mac.tar.gz", marker = "python_version >= '3.10' and sys_platform == 'darwin'" },
        ]""",
        )
    )
    plan, _ = make_plan(root, store)
    # the darwin source cannot apply under the requirement's own marker, and nothing is left uncovered
    assert plan.rewrite_line('x>=1; sys_platform == "linux"', Findings()) == [
        'x @ git+https://example.com/x.git@v1 ; sys_platform == "linux" and python_version < "3.10"',
        'x @ https://ex.com/x-1.tar.gz ; sys_platform == "linux" and (python_version >= "3.10" and '
        'sys_platform != "darwin")',
    ]


def test_editable_directory_says_what_is_emitted(make_project, store: Store) -> None:
    root = make_project(
        project('["lib"]', 'lib = { path = "lib", editable = true }'),
        {"lib/setup.py": "from setuptools import setup; setup()"},
    )
    plan, findings = make_plan(root, store)
    (warning,) = findings.warnings
    assert warning.key == "tool.uv.sources.lib.editable"
    assert plan.rewrite_line("lib", Findings()) == [f"lib @ {path_to_file_url(root / 'lib')}"]
    assert f"a direct reference to {path_to_file_url(root / 'lib')}," in warning.message
    assert "cannot carry `editable = true`; its metadata names `lib` as a regular, non-editable" in warning.message
    # the same words in publish mode, where the line is a version specifier (found on langgraph)
    assert "publish mode: a version specifier" in warning.message


def test_workspace_member_becomes_its_directory(tmp_path: Path, store: Store) -> None:
    from .test_readers import WORKSPACE, write_tree

    write_tree(
        tmp_path,
        {
            **WORKSPACE,
            "vendor/shared-1.0-py3-none-any.whl": wheel_bytes("shared", "1.0"),
            "own/shared-2.0-py3-none-any.whl": wheel_bytes("shared", "2.0"),
        },
    )
    plan, findings = make_plan(tmp_path / "packages" / "app", store)
    assert plan.rewrite_line("lib-a", findings) == [f"lib-a @ {path_to_file_url(tmp_path / 'packages' / 'lib-a')}"]
    assert plan.rewrite_line("lib-b", findings) == [f"lib-b @ {path_to_file_url(tmp_path / 'packages' / 'lib-b')}"]


# Every failure of issue point 4, each asserting the message a user sees.


def test_missing_path(make_project, store: Store) -> None:
    root = make_project(project('["prebuilt"]', 'prebuilt = { path = "vendor/missing.whl" }'))
    error = problems_of(root, store)
    (problem,) = error.problems
    assert problem.key == "tool.uv.sources.prebuilt.path" and problem.dependency == "prebuilt"
    assert f"'vendor/missing.whl' does not exist (looked for {root / 'vendor/missing.whl'})" in problem.message
    rendered = error.render()
    assert rendered.startswith("sourcelift: the build stops: 1 problem in ")
    assert "dependency `prebuilt` (`tool.uv.sources.prebuilt.path`)" in rendered and "fix: " in rendered


def test_missing_path_out_of_the_repository_says_no_clone_holds_it(tmp_path: Path, make_project, store: Store) -> None:
    root = make_project(project('["olib"]', 'olib = { path = "../../outside/olib" }'), where="c6/app")
    (tmp_path / "c6" / ".git").mkdir()  # a clone of the repository c6, the project in its directory app
    (problem,) = problems_of(root, store).problems
    assert problem.key == "tool.uv.sources.olib.path" and problem.dependency == "olib"
    assert f"it leads out of the repository {tmp_path / 'c6'}, and no clone" in problem.message
    assert problem.fix.startswith("vendor the file or project inside the repository") and "`git`" in problem.fix


def test_a_path_source_naming_the_project_itself(make_project, store: Store) -> None:
    root = make_project(project('["lib"]', 'lib = { path = "." }'))
    (problem,) = problems_of(root, store).problems
    assert problem.key == "tool.uv.sources.lib.path" and problem.dependency == "lib"
    assert problem.message == (
        "path '.' is the directory of the project being built, 'p': "
        "a project cannot depend on itself through a path source"
    )
    assert "declare" not in problem.fix


def test_file_that_is_not_a_wheel_or_sdist(make_project, store: Store) -> None:
    root = make_project(
        project('["prebuilt"]', 'prebuilt = { path = "vendor/prebuilt.egg" }'), {"vendor/prebuilt.egg": "x"}
    )
    (problem,) = problems_of(root, store).problems
    assert "is neither a wheel" in problem.message and "standard file name" in problem.fix


def test_invalid_wheel_name(make_project, store: Store) -> None:
    root = make_project(project('["prebuilt"]', 'prebuilt = { path = "prebuilt-0.1.whl" }'), {"prebuilt-0.1.whl": "x"})
    (problem,) = problems_of(root, store).problems
    assert "prebuilt-0.1.whl" in problem.message and problem.key == "tool.uv.sources.prebuilt.path"


def test_archive_of_another_project(make_project, store: Store) -> None:
    root = make_project(project('["prebuilt"]', 'prebuilt = { path = "other-1.0.tar.gz" }'), {"other-1.0.tar.gz": "x"})
    (problem,) = problems_of(root, store).problems
    assert "is a release of 'other', not of 'prebuilt'" in problem.message


def test_archive_version_violates_the_specifier(make_project, store: Store) -> None:
    root = make_project(project('["prebuilt>=1.0"]', f'prebuilt = {{ path = "{WHEEL}" }}'), {WHEEL: WHEEL_BYTES})
    (problem,) = problems_of(root, store).problems
    assert "holds version 0.1.0, which does not satisfy `prebuilt>=1.0` (project.dependencies[0])" in problem.message
    assert problem.key == "tool.uv.sources.prebuilt.path"


def test_workspace_source_without_workspace(make_project, store: Store) -> None:
    root = make_project(project('["lib"]', "lib = { workspace = true }"))
    (problem,) = problems_of(root, store).problems
    assert "no uv workspace above" in problem.message and "[tool.uv.workspace] members" in problem.fix


def test_workspace_source_with_no_such_member(tmp_path: Path, store: Store) -> None:
    from .test_readers import write_tree

    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["m/*"]\n',
            "m/app/pyproject.toml": (
                '[project]\nname="app"\nversion="1"\ndependencies=["nope"]\n[tool.uv.sources]\nnope={workspace=true}\n'
            ),
        },
    )
    (problem,) = problems_of(tmp_path / "m" / "app", store).problems
    assert "has no member named 'nope' (members: app)" in problem.message


def test_directory_that_is_not_a_project(make_project, store: Store) -> None:
    root = make_project(project('["lib"]', 'lib = { path = "lib" }'), {"lib/README": "x"})
    (problem,) = problems_of(root, store).problems
    assert "is not a Python project" in problem.message


def clone_without_submodules(tmp_path: Path, files: dict[str, str]) -> Path:
    """A clone (without ``--recurse-submodules``) of a repository holding ``files`` and the project `lib`
    as the git submodule ``third_party/lib``: its directory is there, empty."""
    from tests.support.git import clone, git, init_repo
    from tests.support.trees import write_tree

    write_tree(tmp_path / "lib", {"pyproject.toml": '[project]\nname = "lib"\nversion = "1"\n'})
    init_repo(tmp_path / "lib")
    write_tree(tmp_path / "origin", files)
    init_repo(tmp_path / "origin")
    git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "--quiet",
        "add",
        tmp_path / "lib",
        "third_party/lib",
        cwd=tmp_path / "origin",
    )
    git("commit", "--quiet", "--no-gpg-sign", "-m", "lib as a submodule", cwd=tmp_path / "origin")
    checkout = clone(tmp_path / "origin", tmp_path / "clone")
    assert (checkout / "third_party/lib").is_dir() and not any((checkout / "third_party/lib").iterdir())
    return checkout


@pytest.mark.parametrize("path", ["third_party/lib", "third_party/lib/python"])
def test_path_in_a_submodule_not_checked_out_says_to_initialise_it(tmp_path: Path, store: Store, path: str) -> None:
    root = clone_without_submodules(tmp_path, {"pyproject.toml": project('["lib"]', f'lib = {{ path = "{path}" }}')})
    (problem,) = problems_of(root, store).problems
    assert (problem.dependency, problem.key) == ("lib", "tool.uv.sources.lib.path")
    assert "the git submodule 'third_party/lib', which is not checked out" in problem.message
    assert "git submodule update --init third_party/lib" in problem.fix
    assert "--recurse-submodules" in problem.fix and "point the source" not in problem.fix


def test_workspace_member_in_a_submodule_not_checked_out_says_to_initialise_it(tmp_path: Path, store: Store) -> None:
    root = clone_without_submodules(
        tmp_path,
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["apps/*", "third_party/*"]\n',
            "apps/app/pyproject.toml": project('["lib"]', "lib = { workspace = true }"),
        },
    )
    (problem,) = problems_of(root / "apps" / "app", store).problems
    assert (problem.dependency, problem.key) == ("lib", "tool.uv.sources.lib")
    assert "members` name the git submodule(s) 'third_party/lib', which are not checked out" in problem.message
    assert f"git submodule update --init third_party/lib` in {root}," in problem.fix


def test_malformed_table_stops_the_build_and_all_problems_are_listed(make_project, store: Store) -> None:
    root = make_project(
        project(
            '["a", "b", "c"]',
            """
        a = { git = "https://e/a.git", rev = "1", tag = "v1" }
        b = { git = "https://e/b.git", url = "https://e/b.whl" }
        c = { path = "missing" }
    """,
        )
    )
    error = problems_of(root, store)
    assert [p.dependency for p in error.problems] == ["a", "b", "c"]
    assert "3 problems" in error.render()


def test_git_archive_path_must_stay_inside_the_repository(make_project, store: Store) -> None:
    root = make_project(project('["x"]', 'x = { git = "https://e/x.git", path = "../../etc/x-1.0.tar.gz" }'))
    (problem,) = problems_of(root, store).problems
    assert "must stay inside the repository" in problem.message


def test_sourcelift_config_is_checked(make_project) -> None:
    from sourcelift.config import read_config

    findings = Findings()
    config = read_config(
        {"tool": {"sourcelift": {"backend": "sourcelift.build", "colour": 1, "mode": "pub"}}}, findings
    )
    keys = sorted(p.key for p in findings.problems)
    assert keys == ["tool.sourcelift.backend", "tool.sourcelift.colour", "tool.sourcelift.mode"]
    assert config.backend == "sourcelift.build"


def test_dynamic_dependencies_are_rewritten_by_name(make_project, store: Store) -> None:
    """Without a [project] table (setup.py) or with dynamic dependencies, the built lines are matched by name."""
    for pyproject in (
        f'[tool.uv.sources]\nprebuilt = {{ path = "vendor/{WHEEL}" }}\n',
        '[project]\nname = "p"\nversion = "1"\ndynamic = ["dependencies"]\n'
        f'[tool.uv.sources]\nprebuilt = {{ path = "vendor/{WHEEL}" }}\n',
    ):
        root = make_project(pyproject, {f"vendor/{WHEEL}": WHEEL_BYTES}, where=f"p{len(pyproject)}")
        plan, findings = make_plan(root, store)
        assert findings.warnings == []  # no "unused source" warning: the requirements are not known yet
        url = path_to_file_url(store.path_for(SHA, WHEEL))
        assert plan.rewrite_line('prebuilt>=0.1; extra == "fast"', findings) == [f'prebuilt @ {url} ; extra == "fast"']
        with pytest.raises(ProblemsError, match="does not satisfy"):
            lines = Findings()
            plan.rewrite_line("prebuilt>=2", lines)
            lines.raise_if_any()


def test_wrapper_reports_every_bad_built_line_at_once(make_project, store: Store, monkeypatch) -> None:
    from sourcelift.backends import wrapper

    root = make_project(
        '[project]\nname = "p"\nversion = "1"\ndynamic = ["dependencies"]\n'
        f'[tool.uv.sources]\nprebuilt = {{ path = "vendor/{WHEEL}" }}\nother = {{ path = "other-1.0.tar.gz" }}\n',
        {f"vendor/{WHEEL}": WHEEL_BYTES, "other-1.0.tar.gz": sdist_bytes("other", "1.0")},
    )
    monkeypatch.chdir(root)
    plan, _ = make_plan(root, store)
    metadata = "Metadata-Version: 2.4\nName: p\nVersion: 1\nRequires-Dist: prebuilt>=1\nRequires-Dist: other<1\n"
    with pytest.raises(ProblemsError) as info:
        wrapper._transform(plan, metadata)
    assert [p.dependency for p in info.value.problems] == ["prebuilt", "other"]


REAL_WHEEL = Path(__file__).parents[2] / "example-projects" / "project-in-git" / "vendor" / WHEEL
AIRFLOW_STYLE = f"""
    [build-system]
    requires = ["sourcelift", "setuptools"]
    build-backend = "sourcelift.build"

    [project]
    name = "App"
    version = "1.0"
    dependencies = []

    [project.optional-dependencies]
    lib = ["prebuilt"]
    all = ["app[lib]"]

    [tool.uv.sources]
    app = {{ workspace = true }}
    prebuilt = {{ path = "vendor/{WHEEL}" }}

    [tool.uv.workspace]
    members = []

    [tool.sourcelift]
    backend = "setuptools.build_meta"
"""


@pytest.mark.parametrize("publish", [False, True])
def test_a_self_reference_stays_plain(make_project, store: Store, publish: bool) -> None:
    """Issue 9 point 11: `all = ["app[lib]"]` with `app = { workspace = true }` names the project being
    built; as a direct reference pip refuses the wheel (`Cannot install app[all] and app[lib]`)."""
    from sourcelift.config import Config
    from sourcelift.rewrite.publish import Publisher

    root = make_project(AIRFLOW_STYLE, {f"vendor/{WHEEL}": REAL_WHEEL.read_bytes()})
    sha = hashlib.sha256(REAL_WHEEL.read_bytes()).hexdigest()
    publisher = Publisher.from_config(Config(), None) if publish else None
    plan, findings = make_plan(root, store, publisher=publisher)
    assert plan.rewrite_line('app[lib]; extra == "all"', findings) is None
    assert plan.rewrite_line('App[lib]; extra == "all"', findings) is None
    lines = plan.declared_lines(findings)
    assert "project.optional-dependencies.all[0]" not in lines
    expected = (
        'prebuilt==0.1.0; extra == "lib"'
        if publish
        else f'prebuilt @ {path_to_file_url(store.path_for(sha, WHEEL))} ; extra == "lib"'
    )
    assert lines["project.optional-dependencies.lib[0]"] == [expected]
    assert not findings.problems


def test_explain_shows_a_self_reference_as_built(make_project, store: Store) -> None:
    from sourcelift.explain import explain, format_report

    root = make_project(AIRFLOW_STYLE, {f"vendor/{WHEEL}": REAL_WHEEL.read_bytes()})
    report = explain(root, store)
    (item,) = [r for r in report["requirements"] if r["key"] == "project.optional-dependencies.all[0]"]
    assert item["sources"] == [] and item["local"] == item["publish"] == ['app[lib]; extra == "all"']
    text = format_report(report)
    assert "app[lib]  [project.optional-dependencies.all[0]]\n  the project itself" in text, text
    assert not report["problems"]


def test_the_local_sdist_note_says_what_its_lines_point_at() -> None:
    """Found on livekit/agents: the note named the project's own directory as the paths the dependencies
    point at, although in a clean checkout they are `git+` URLs of commits."""
    from sourcelift.backends.wrapper import _local_sdist_note

    store = "file:///home/u/.local/share/sourcelift/store/sha256/ab/x-1.0-py3-none-any.whl"
    note = _local_sdist_note("app-1.0.tar.gz", ["plain>=1", f"x @ {store}", "y @ file:///src/y ; os_name == 'nt'"])
    assert f"point at files on this machine ({store} and 1 more); it is for this machine only" in note
    git = "lib @ git+https://example.com/r.git@" + "a" * 40 + "#subdirectory=packages/lib"
    note = _local_sdist_note("app-1.0.tar.gz", [git, "plain>=1"])
    assert "direct references to commits" in note and "indexes such as PyPI reject" in note
    assert "this machine" not in note


def test_the_same_problem_met_twice_is_listed_once() -> None:
    """Found on paper-qa: a source two requirements share (a dependency and an extra) had its version
    problem listed twice, word for word."""
    findings = Findings()
    for _ in range(2):
        findings.error("tool.uv.sources.lib", "cannot tell which version the source holds", "install it", "lib")
        findings.warning("tool.uv.sources.lib", "is editable", "drop it", "lib")
    findings.error("tool.uv.sources.other", "cannot tell which version the source holds", "install it", "other")
    assert [p.key for p in findings.problems] == ["tool.uv.sources.lib", "tool.uv.sources.other"]
    assert len(findings.warnings) == 1


def test_a_member_whose_inherited_workspace_source_misses_its_specifier_is_told_how_to_opt_out(
    tmp_path: Path, store: Store
) -> None:
    # microsoft/autogen: the root's `autogen-agentchat = { workspace = true }` applies to every member,
    # and magentic-one-cli asks `autogen-agentchat>=0.4.4,<0.5` of the 0.7.5 member (uv lets the source
    # win).  Changing the root's entry would change it for every member: the fix names the member's own
    # entry that takes the dependency from an index instead, and following it builds.
    from .test_publish_mode import publisher
    from .test_readers import write_tree

    app = '[project]\nname = "app"\nversion = "1"\ndependencies = ["lib>=0.4.4,<0.5"]\n'
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["m/*"]\n[tool.uv.sources]\nlib = { workspace = true }\n',
            "m/lib/pyproject.toml": '[project]\nname = "lib"\nversion = "0.7.5"\n',
            "m/app/pyproject.toml": app,
        },
    )
    root = tmp_path / "m" / "app"
    for make in (lambda: make_plan(root, store), lambda: make_plan(root, store, publisher=publisher())):
        with pytest.raises(ProblemsError) as info:
            make()
        (problem,) = info.value.problems
        assert "version 0.7.5, which does not satisfy `lib<0.5,>=0.4.4`" in problem.message
        assert f"inherited from the workspace root ({tmp_path / 'pyproject.toml'})" in problem.fix
        assert '`[tool.uv.sources] lib = { index = "pypi" }`' in problem.fix
        assert '`[[tool.uv.index]] name = "pypi"`, `url = "https://pypi.org/simple"`' in problem.fix
    (root / "pyproject.toml").write_text(
        app + '[tool.uv.sources]\nlib = { index = "pypi" }\n'
        '[[tool.uv.index]]\nname = "pypi"\nurl = "https://pypi.org/simple"\nexplicit = true\n'
    )
    plan, findings = make_plan(root, store)
    assert plan.rewrite_line("lib>=0.4.4,<0.5", findings) == ["lib<0.5,>=0.4.4"]


def test_a_source_of_the_project_itself_that_misses_its_specifier_gets_no_workspace_hint(
    make_project, store: Store
) -> None:
    root = make_project(
        project('["lib>=2"]', 'lib = { path = "lib" }'),
        {"lib/pyproject.toml": '[project]\nname = "lib"\nversion = "1"\n'},
    )
    (problem,) = problems_of(root, store).problems
    assert "which does not satisfy `lib>=2`" in problem.message and "inherited" not in problem.fix


@pytest.mark.parametrize("publish", [False, True])
@pytest.mark.parametrize(
    "line",
    [
        "prebuilt @ file:./vendor/prebuilt-0.1.0-py3-none-any.whl",
        "prebuilt@file:vendor/prebuilt-0.1.0-py3-none-any.whl",
    ],
)
def test_a_relative_file_reference_no_source_backs_stops_the_build(
    make_project, store: Store, line: str, publish: bool
) -> None:
    """Found with hatch-requirements-txt (and setuptools' `dependencies = { file = [...] }`): a requirements.txt
    line `prebuilt @ file:./vendor/x.whl` reached the wheel as it was, in both modes, and no installer could
    follow it (uv: "relative path without a working directory")."""
    from sourcelift.rewrite.publish import Publisher

    root = make_project(
        '[project]\nname = "p"\nversion = "1"\ndynamic = ["dependencies"]\n', {f"vendor/{WHEEL}": WHEEL_BYTES}
    )
    plan, findings = make_plan(root, store, publisher=Publisher("exact", {}, None) if publish else None)
    assert plan.rewrite_line(line, findings) is None
    (problem,) = findings.problems
    assert problem.dependency == "prebuilt" and problem.key == f"Requires-Dist: {line}"
    assert "relative path `" in problem.message and "installs nowhere" in problem.message
    assert f'prebuilt = {{ path = "vendor/{WHEEL}" }}' in problem.fix and "bare name `prebuilt`" in problem.fix
    assert plan.rewrite_line("other @ file:///abs/other-1.0-py3-none-any.whl", Findings()) is None  # absolute: kept


def test_a_declared_relative_file_reference_is_reported_at_its_key(make_project, store: Store) -> None:
    root = make_project(project(f'["prebuilt @ file:./vendor/{WHEEL}"]', ""), {f"vendor/{WHEEL}": WHEEL_BYTES})
    plan, findings = make_plan(root, store)
    plan.rewrite_line(f"prebuilt @ file:./vendor/{WHEEL}", findings)
    (problem,) = findings.problems
    assert problem.key == "project.dependencies[0]"
    # publish mode: the same error, and no warning before it that the reference would stay as written
    from sourcelift.rewrite.publish import Publisher

    plan, findings = make_plan(root, store, publisher=Publisher("exact", {}, None))
    assert findings.warnings == []
    plan.rewrite_line(f"prebuilt @ file:./vendor/{WHEEL}", findings)
    assert [p.key for p in findings.problems] == ["project.dependencies[0]"]
