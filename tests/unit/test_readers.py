"""Readers: every uv source form, hatch/pdm placeholders, workspaces; malformed tables."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from packaging.markers import Marker

from sourcelift.errors import Findings
from sourcelift.model import (
    GitArchiveSource,
    GitSource,
    IndexSource,
    PathSource,
    UrlSource,
    WorkspaceSource,
)
from sourcelift.readers.direct_refs import parse_requirement
from sourcelift.readers.project import read_project
from sourcelift.readers.uv import read_uv_sources
from sourcelift.readers.workspace import find_workspace

from .conftest import write_tree

PYPROJECT = Path("/p/pyproject.toml")


def read(table: object) -> tuple[dict, Findings]:
    findings = Findings()
    return read_uv_sources(table, PYPROJECT, findings), findings


def test_every_uv_source_form() -> None:
    sources, findings = read(
        {
            "a": {"path": "vendor/a-1.0-py3-none-any.whl"},
            "b": {"path": "../b", "editable": True},
            "c": {"workspace": True},
            "d": {"git": "https://example.com/d.git", "tag": "v1", "subdirectory": "pkg"},
            "e": {"git": "https://example.com/e.git", "path": "dist/e-1.0.tar.gz", "rev": "abc"},
            "f": {"url": "https://example.com/f-1.0.tar.gz"},
            "g": {"index": "internal"},
            "H_Name": {"path": "h", "marker": "sys_platform == 'linux'"},
        }
    )
    assert findings.problems == []
    assert isinstance(sources["a"][0], PathSource) and sources["a"][0].path == "vendor/a-1.0-py3-none-any.whl"
    assert isinstance(sources["b"][0], PathSource) and sources["b"][0].editable
    assert isinstance(sources["c"][0], WorkspaceSource)
    d = sources["d"][0]
    assert isinstance(d, GitSource) and (d.rev, d.subdirectory) == ("v1", "pkg")
    e = sources["e"][0]
    assert isinstance(e, GitArchiveSource) and (e.path, e.rev) == ("dist/e-1.0.tar.gz", "abc")
    assert isinstance(sources["f"][0], UrlSource)
    assert isinstance(sources["g"][0], IndexSource) and sources["g"][0].index == "internal"
    h = sources["h-name"][0]  # names are normalized
    assert h.marker == Marker("sys_platform == 'linux'") and h.key == "tool.uv.sources.H_Name"


def test_list_of_sources_told_apart_by_markers() -> None:
    sources, findings = read(
        {
            "x": [
                {"path": "x-linux", "marker": "sys_platform == 'linux'"},
                {"index": "y", "marker": "sys_platform == 'win32'"},
            ]
        }
    )
    assert findings.problems == []
    assert [s.key for s in sources["x"]] == ["tool.uv.sources.x[0]", "tool.uv.sources.x[1]"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("sys_platform == 'darwin'", "sys_platform != 'darwin'"),
        ("platform_machine == 'x86_64'", "platform_machine == 'aarch64'"),
        ("python_version < '3.12'", "python_version >= '3.12'"),
        ("sys_platform == 'linux' and python_version < '3.9'", "sys_platform == 'linux' and python_version >= '3.9'"),
        # extras: several may be requested at once, so `extra == 'a'` and `extra == 'b'` may both hold, but an
        # extra one marker requires and the other excludes parts them (exo's torch index per mlx backend extra)
        ("extra == 'a'", "extra != 'a'"),
        ("extra == 'cpu' and extra != 'cuda12'", "extra == 'cuda12'"),
        (
            "sys_platform == 'linux' and extra == 'mlx-cpu' and extra != 'mlx-cuda13' and extra != 'mlx-cuda12'",
            "sys_platform == 'linux' and extra == 'mlx-cuda12' and extra != 'mlx-cuda13' ",
        ),
        ("sys_platform == 'linux' and extra == 'mlx_cuda12' and extra != 'mlx-cuda13'", "extra == 'MLX-CUDA13'"),
    ],
)
def test_disjoint_source_markers_are_accepted(first: str, second: str) -> None:
    """exo-explore/exo picks torch's index by the extra asked for (`extra == 'mlx-cpu' and extra != 'mlx-cuda12'`
    beside `extra == 'mlx-cuda12'`), which uv accepts; sourcelift took any marker naming an extra for one that
    overlaps every other, and stopped the build ("overlap: both hold in some environment")."""
    _, findings = read({"lib": [{"path": "../lib", "marker": first}, {"path": "../lib3", "marker": second}]})
    assert findings.problems == []
    assert findings.warnings == []


@pytest.mark.parametrize(
    ("first", "second", "example"),
    [
        ("sys_platform == 'linux'", "sys_platform == 'linux'", None),
        ("sys_platform == 'linux'", "python_version >= '3.8'", 'python_version >= "3.8" and sys_platform != "linux"'),
        ("extra == 'a'", "extra == 'b'", 'extra == "b" and extra != "a"'),  # both extras may be requested
    ],
)
def test_overlapping_source_markers_are_refused(first: str, second: str, example: str | None) -> None:
    """uv: "Source markers must be disjoint"; sourcelift wrote both direct references, one for each marker,
    and pip could not install the wheel."""
    _, findings = read({"lib": [{"path": "../lib", "marker": first}, {"path": "../lib3", "marker": second}]})
    (problem,) = findings.problems
    assert problem.key == "tool.uv.sources.lib" and problem.dependency == "lib"
    assert "`tool.uv.sources.lib[0]`" in problem.message and "`tool.uv.sources.lib[1]`" in problem.message
    assert "overlap" in problem.message and "must be disjoint" in problem.message
    if example is not None:
        assert f"marker = '{example}'" in problem.fix
    assert "remove one of the entries" in problem.fix


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("'linux' in sys_platform", "sys_platform == 'win32'"),  # `in` is beyond sourcelift
        ("sys_platform == 'linux'", "os_name == 'nt'"),  # disjoint for uv, which links the two
        ("python_version < '3.12'", "python_full_version >= '3.12.0'"),
    ],
)
def test_source_markers_sourcelift_cannot_decide_are_a_warning(first: str, second: str) -> None:
    """uv accepts what it knows to be disjoint (`sys_platform == 'linux'` excludes `os_name == 'nt'`);
    sourcelift does not refuse a list that uv accepts, it says what to check."""
    _, findings = read({"lib": [{"path": "../lib", "marker": first}, {"path": "../lib3", "marker": second}]})
    assert findings.problems == []
    (warning,) = findings.warnings
    assert warning.key == "tool.uv.sources.lib" and "cannot tell" in warning.message
    assert "`tool.uv.sources.lib[0]`" in warning.message and "`tool.uv.sources.lib[1]`" in warning.message


def test_source_markers_only_compete_for_the_same_extra_and_group() -> None:
    linux = "sys_platform == 'linux'"
    _, findings = read(
        {
            "lib": [
                {"path": "a", "marker": linux, "extra": "cli"},
                {"path": "b", "marker": linux, "extra": "gui"},
                {"path": "c", "marker": linux, "group": "dev"},
                {"path": "d", "marker": linux},
            ],
            "other": [{"path": "a", "extra": "Cli"}, {"path": "b", "extra": "cli"}],
        }
    )
    assert [p.key for p in findings.problems] == ["tool.uv.sources.other"]
    assert "no `marker`" in findings.problems[0].message


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        ({"x": {"path": 3}}, "tool.uv.sources.x.path", "must be a string, not int 3"),
        ({"x": {"git": "https://e/x.git", "lfs": "yes"}}, "tool.uv.sources.x.lfs", "must be a boolean"),
        ({"x": {"path": "p", "colour": "red"}}, "tool.uv.sources.x.colour", "unknown key `colour`"),
        ({"x": {"pth": "p"}}, "tool.uv.sources.x.pth", "unknown key `pth`; did you mean `path`?"),
        ({"x": {"git": "https://e/x.git", "rev": "a", "tag": "b"}}, "tool.uv.sources.x", "gives `rev` and `tag`"),
        (
            {"x": {"git": "https://e/x.git", "url": "https://e/x.whl"}},
            "tool.uv.sources.x",
            "more than one kind of source: `git` with `url`",
        ),
        ({"x": {"editable": True}}, "tool.uv.sources.x", "names no kind of source"),
        ({"x": "vendor/x.whl"}, "tool.uv.sources.x", "must be a table"),
        ({"x": {"workspace": False}}, "tool.uv.sources.x", "`workspace` must be `true`"),
        ({"x": {"path": "p", "marker": "os_name ="}}, "tool.uv.sources.x.marker", "not a valid PEP 508 marker"),
        ({"x": [{"path": "a"}, {"path": "b"}]}, "tool.uv.sources.x", "must tell its entries apart"),
        ({"x": []}, "tool.uv.sources.x", "empty list of sources"),
        (
            {"x": {"git": "https://e/x.git", "path": "a.whl", "subdirectory": "s"}},
            "tool.uv.sources.x",
            "cannot also take `subdirectory`",
        ),
        ({"x": {"url": "https://e/u.whl", "tag": "v1"}}, "tool.uv.sources.x", "a `url` source does not take: `tag`"),
    ],
)
def test_malformed_source_tables(table: dict, key: str, words: str) -> None:
    _, findings = read(table)
    assert [p.key for p in findings.problems] == [key]
    problem = findings.problems[0]
    assert words in problem.message
    assert problem.dependency == "x" and problem.fix


def test_every_problem_is_collected() -> None:
    _, findings = read({"a": {"path": 1}, "b": {"git": "https://e/x.git", "rev": "1", "branch": "m"}, "c": 5})
    assert len(findings.problems) == 3


@pytest.mark.parametrize(
    ("text", "path", "name", "marker"),
    [
        ("x @ {root:uri}/vendor/x-1-py3-none-any.whl", "vendor/x-1-py3-none-any.whl", "x", None),
        ("x @ {root:parent:uri}/libs/x", "../libs/x", "x", None),
        ("x[cli] @ {root:parent:parent:uri}/x ; python_version >= '3.9'", "../../x", "x", 'python_version >= "3.9"'),
        ("x @ {root:real:uri}/x", "x", "x", None),
        ("Y @ file:///${PROJECT_ROOT}/vendor/y-2.0.tar.gz", "vendor/y-2.0.tar.gz", "y", None),
        ("y @ file:///${PROJECT_ROOT}/../y", "../y", "y", None),
    ],
)
def test_placeholder_direct_references(text: str, path: str, name: str, marker: str | None) -> None:
    requirement, source = parse_requirement(text, "project.dependencies[0]", PYPROJECT)
    assert source is not None and source.path == path and source.name == name
    assert requirement.url is None
    assert (str(requirement.marker) if requirement.marker else None) == marker


def test_plain_requirements_have_no_source() -> None:
    requirement, source = parse_requirement("x>=1 @ https://e/x.whl".replace(">=1 ", " "), "k", PYPROJECT)
    assert source is None and requirement.url == "https://e/x.whl"


WORKSPACE = {
    "pyproject.toml": """
        [tool.uv.workspace]
        members = ["packages/*"]
        exclude = ["packages/skip"]
        [tool.uv.sources]
        lib-b = { workspace = true }
        shared = { path = "vendor/shared-1.0-py3-none-any.whl" }
    """,
    "packages/app/pyproject.toml": """
        [project]
        name = "app"
        version = "1"
        dependencies = ["lib-a", "lib-b", "shared"]
        [tool.uv.sources]
        lib-a = { workspace = true }
        shared = { path = "../../own/shared-2.0-py3-none-any.whl" }
    """,
    "packages/lib-a/pyproject.toml": '[project]\nname = "Lib_A"\nversion = "1"\n',
    "packages/lib-b/pyproject.toml": '[project]\nname = "lib-b"\nversion = "1"\n',
    "packages/skip/pyproject.toml": '[project]\nname = "skip"\nversion = "1"\n',
}


def test_workspace_members_and_inherited_sources(tmp_path: Path) -> None:
    write_tree(tmp_path, WORKSPACE)
    app = tmp_path / "packages" / "app"
    workspace = find_workspace(app)
    assert workspace is not None and workspace.root == tmp_path
    findings = Findings()
    assert set(workspace.members(findings)) == {"app", "lib-a", "lib-b"}  # `skip` is excluded
    from sourcelift._compat import tomllib

    project = read_project(app, tomllib.loads((app / "pyproject.toml").read_text()), findings)
    assert findings.problems == []
    # own sources win over inherited ones; the root's apply where the member has none
    assert project.sources["shared"][0].key == "tool.uv.sources.shared"
    assert project.sources["lib-b"][0].key == f"{tmp_path / 'pyproject.toml'}:tool.uv.sources.lib-b"
    assert project.sources["lib-b"][0].base == tmp_path


def test_excluded_member_is_not_in_the_workspace(tmp_path: Path) -> None:
    write_tree(tmp_path, WORKSPACE)
    assert find_workspace(tmp_path / "packages" / "skip") is None


def test_unused_source_is_a_warning(make_project) -> None:
    root = make_project(
        """
        [project]
        name = "p"
        version = "1"
        dependencies = ["a"]
        [dependency-groups]
        dev = ["devtool"]
        [tool.uv.sources]
        a = { path = "a" }
        devtool = { path = "d" }
        ghost = { path = "g" }
        """
    )
    from sourcelift._compat import tomllib

    findings = Findings()
    read_project(root, tomllib.loads((root / "pyproject.toml").read_text()), findings)
    assert findings.problems == []
    assert [w.key for w in findings.warnings] == ["tool.uv.sources.ghost"]
    assert "no requirement" in findings.warnings[0].message


def test_a_source_for_an_undefined_group_or_extra_is_a_problem(make_project) -> None:
    """As uv: "Source entry for 'libe' only applies to dependency group 'nosuch', but the 'nosuch' group
    does not exist"; the group was not checked, the extra was."""
    root = make_project(
        """
        [project]
        name = "p"
        version = "1"
        dependencies = ["a"]
        [project.optional-dependencies]
        cli = ["b"]
        [dependency-groups]
        Lint_Tools = ["c"]
        [tool.uv]
        dev-dependencies = ["d"]
        [tool.uv.sources]
        a = { path = "a", group = "nosuch" }
        b = { path = "b", extra = "nosuch" }
        c = { path = "c", group = "lint-tools" }
        d = { path = "d", group = "dev" }
        """
    )
    from sourcelift._compat import tomllib

    findings = Findings()
    read_project(root, tomllib.loads((root / "pyproject.toml").read_text()), findings)
    assert [(p.key, p.dependency) for p in findings.problems] == [
        ("tool.uv.sources.a.group", "a"),
        ("tool.uv.sources.b.extra", "b"),
    ]
    group = findings.problems[0]
    assert "dependency group `nosuch`" in group.message and "`Lint_Tools`" in group.message
    assert "[dependency-groups]" in group.fix


def test_a_workspace_roots_sources_are_for_its_members_too(tmp_path: Path) -> None:
    """Found on konstin/uv-workspace-example-cable: a root project's source that only its members use
    was reported unused on every build of the root, with a fix (remove it) that breaks the members."""
    from sourcelift._compat import tomllib

    tree = dict(WORKSPACE)
    tree["pyproject.toml"] = '[project]\nname = "root"\nversion = "1"\n' + textwrap.dedent(WORKSPACE["pyproject.toml"])
    write_tree(tmp_path, tree)
    findings = Findings()
    read_project(tmp_path, tomllib.loads((tmp_path / "pyproject.toml").read_text()), findings)
    assert findings.problems == [] and findings.warnings == []
    # a project that is not a workspace root is still told
    app = tmp_path / "packages" / "app"
    (app / "pyproject.toml").write_text((app / "pyproject.toml").read_text() + 'ghost = { path = "g" }\n')
    read_project(app, tomllib.loads((app / "pyproject.toml").read_text()), findings)
    assert [w.key for w in findings.warnings] == ["tool.uv.sources.ghost"]


def test_the_members_a_workspace_roots_sdist_ships(tmp_path: Path) -> None:
    """The members whose pyproject.toml the root's sdist holds at the same place, and the root itself: their
    `workspace = true` entries are what uv needs in the unpacked sdist."""
    tree = dict(WORKSPACE)
    tree["pyproject.toml"] = '[project]\nname = "root"\nversion = "1"\n' + textwrap.dedent(WORKSPACE["pyproject.toml"])
    write_tree(tmp_path, tree)
    workspace = find_workspace(tmp_path)
    assert workspace is not None
    files = {
        "pyproject.toml",
        "packages/lib-a/pyproject.toml",
        "packages/lib-b/README.md",
        "packages/skip/pyproject.toml",
    }
    assert workspace.members_within(files, Findings()) == {"root", "lib-a"}


def test_pdm_placeholder_warns_about_uv_and_names_the_portable_form(make_project) -> None:
    root = make_project(
        """
        [project]
        name = "p"
        version = "1"
        dependencies = ["prebuilt @ file:///${PROJECT_ROOT}/vendor/prebuilt-0.1.0-py3-none-any.whl"]
        """
    )
    from sourcelift._compat import tomllib

    findings = Findings()
    project = read_project(root, tomllib.loads((root / "pyproject.toml").read_text()), findings)
    assert project.sources["prebuilt"][0].path == "vendor/prebuilt-0.1.0-py3-none-any.whl"
    (warning,) = findings.warnings
    assert warning.key == "project.dependencies[0]" and "`uv pip install`" in warning.message
    assert 'prebuilt = { path = "vendor/prebuilt-0.1.0-py3-none-any.whl" }' in warning.fix
    # found on pdm's own monorepo fixture: the fix must not send a pdm user to a table pdm never reads
    assert "pdm does not read `[tool.uv.sources]`, so a project pdm locks keeps this form" in warning.fix


@pytest.mark.parametrize(
    "text",
    [
        '[project]\nname = "plain"\nversion = "1"\n',
        "[project]\nversion = '1'\nname = 'single' # comment\n",
        '[tool.x]\nname = "not this"\n[project]\nname="after"\n',
        '[project]\ndescription = """\n[project]\nname = "inside a string"\n"""\nname = "real"\n',
        '[project]\nname = "esc\\u00e9"\n',
        '[project.urls]\nname = "no"\n[project]\nname = "yes"\n',
    ],
)
def test_a_member_name_read_plainly_is_the_parsed_one(text: str) -> None:
    from sourcelift._compat import tomllib
    from sourcelift.readers.workspace import _plain_project_name

    quick = _plain_project_name(text.encode())
    assert quick in (None, tomllib.loads(text)["project"]["name"])


# The plain-TOML fast path (sourcelift.readers._simple_toml): what it reads is what tomllib reads, and
# anything else it leaves to tomllib (None), valid or not.


def _in_order(value: object) -> object:
    """``value`` with the order of every table's keys and the type of every scalar, for comparison."""
    if isinstance(value, dict):
        return [(key, _in_order(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_in_order(item) for item in value]
    return (type(value).__name__, value)


def _agrees_with_tomllib(text: str) -> bool:
    """Whether the fast path reads ``text`` as tomllib does; ``True`` when it leaves it to tomllib."""
    from sourcelift._compat import tomllib
    from sourcelift.readers._simple_toml import parse_simple

    got = parse_simple(text)
    if got is None:
        return True
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False  # it read what tomllib rejects
    return _in_order(got) == _in_order(expected)


_SIMPLE = [
    "",
    "\n\n# a comment only\n",
    '[project]\nname = "a"\nversion = "1.0"\n',
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "a-b"\n'
    'dynamic = ["version"]\ndependencies = ["b>=1", \'c @ file:///x\']\n\n[tool.hatch.version]\npath = "a/v.py"\n',
    '[project]\r\nname = "crlf"\r\n',
    "[tool.x]\nflag = true\nother = false\ncount = 10\nneg = -3\nbig = 1_000\nzero = +0\n",
    '[project]\ndependencies = [\n  "a",  # first\n  # between\n  "b#c",\n]\nname = "x" # after\n',
    "[a.b.c]\nx = 'C:\\\\path'\n[a]\ny = \"\"\n[a.d]\n",
    'k = "tab\there"\nempty = []\ncomment_only = [ # nothing\n]\n',
    '[project]\nname = "\u00e9t\u00e9"\n',
    # a workspace root's sources: inline tables of scalars
    '[tool.uv.sources]\na = { workspace = true }\nb = {path="../b", editable = false}\nc = { }\n'
    "d = { n = -1_0, s = 'x, y = 1' }  # c\n",
]
_LEFT_TO_TOMLLIB = [
    '[project]\nname = "a"\nname = "b"\n',  # a key twice
    "[a]\n[a]\n",  # a table twice
    '[a]\nb = "x"\n[a.b]\n',  # a value, then a table of that name
    "[a.b]\n[a]\nb = 1\n",
    'a = "x"\n[a]\n',
    '[project]\nname = "a\\"b"\n',  # an escape
    '[project]\nversion = """1.0"""\n',  # a multi-line string
    "x = 1.5\n",
    "x = 1979-05-27\n",
    "x = 0x10\n",
    "x = 01\n",
    "x = inf\n",
    "x = { a = { b = 1 } }\n",  # a nested inline table
    "x = { a = [1] }\n",
    "x = [{ a = 1 }]\n",  # an array of inline tables
    "x = { a.b = 1 }\n",
    "x = { a = 1, }\n",  # a trailing comma
    "x = { a = 1, a = 2 }\n",
    "x = {\n a = 1 }\n",
    "x = { a = 1 }\n[x]\n",  # a header that extends an inline table
    "[t]\nx = {}\n[t.x.y]\n",
    "tool.uv.package = true\n",  # a dotted key
    '"quoted" = 1\n',
    "[[tool.x]]\ny = 1\n",  # an array of tables
    '[ project ]\nname = "a"\n',  # spaces in a header
    'x = ["a", 1]\n',
    'x = ["a" "b"]\n',
    "x = [,]\n",
    'x = [["a"]]\n',
    "x = \n",
    'x = "a" "b"\n',
    "x = truex\n",
    'x = "a\x01"\n',
    "# \x7f\n",
    "x = 'a'\rb = 1\n",
    '\ufeffx = "bom"\n',
    '[project]\nname = "a\n',
]


@pytest.mark.parametrize("text", _SIMPLE)
def test_the_plain_toml_fast_path_reads_its_subset_as_tomllib_does(text: str) -> None:
    from sourcelift.readers._simple_toml import parse_simple

    assert parse_simple(text) is not None
    assert _agrees_with_tomllib(text)


@pytest.mark.parametrize("text", _LEFT_TO_TOMLLIB)
def test_the_plain_toml_fast_path_leaves_everything_else_to_tomllib(text: str) -> None:
    from sourcelift.readers._simple_toml import parse_simple

    assert parse_simple(text) is None


def test_the_plain_toml_fast_path_agrees_with_tomllib_on_every_toml_file_of_the_repository() -> None:
    from sourcelift.readers._simple_toml import parse_simple
    from tests.support import REPO_ROOT

    read = 0
    paths = [*REPO_ROOT.glob("*.toml")]
    for folder in ("example-projects", "tests", "plugin", "frontend_hook"):
        paths.extend((REPO_ROOT / folder).glob("**/*.toml"))
    for path in sorted(paths):
        text = path.read_bytes().decode("utf-8", "replace")
        assert _agrees_with_tomllib(text), path
        read += parse_simple(text) is not None
    assert read >= 10  # the subset is what many real files are written in


def test_the_plain_toml_fast_path_agrees_with_tomllib_on_generated_texts() -> None:
    import random

    pieces = [
        "[project]", "[a.b]", "[a]", "[tool.uv]", "[[x]]", "[a.b.c]", "x = 1", "x = 2", "name = \"n\"",
        "name = 'n'", "y = true", "z = [\"a\", 'b',]", "z = [", "\"q\",", "]", "# c", "", "  w = -5  # c",
        "b = \"x\"", "b = 1.0", "c = [\"a\"]  ", "d = []", "[ d ]", "e = { }", "a = \"x\"", "f = \"\\n\"",
        "g = '''x'''", "h = 1_0", "i = 0", "j = +1", "k = 00",
        "e = { a = 1 }", "[e]", "[e.f]", "l = {a='x',b=true}", "l = { a = 1, }", "[l]",
    ]  # fmt: skip
    chooser = random.Random(14)
    for _ in range(3000):
        text = "\n".join(chooser.choice(pieces) for _ in range(chooser.randint(1, 8)))
        assert _agrees_with_tomllib(text), text


def test_a_project_file_outside_the_plain_subset_is_still_read_and_checked(tmp_path: Path) -> None:
    from sourcelift.readers._toml import TomlError, _parse

    assert _parse(b"[tool.uv.sources]\nx = { workspace = true }\n", True) == {
        "tool": {"uv": {"sources": {"x": {"workspace": True}}}}
    }
    with pytest.raises(TomlError, match="not valid TOML"):
        _parse(b'[project]\nname = "a"\nname = "b"\n', True)
    with pytest.raises(TomlError, match="not UTF-8"):
        _parse(b'name = "\xff"\n', True)


def test_a_workspace_members_entry_is_read_as_the_general_reader_reads_it() -> None:
    """`x = { workspace = true }` (dozens of them in a workspace root) skips the checks it passes: the
    source is the one the general path makes, and `workspace = 1` is still refused."""
    from sourcelift.readers import uv

    pyproject = Path("/w/pyproject.toml")

    class Entry(dict):  # type: ignore[type-arg]  # not the plain entry: takes the general path
        def __eq__(self, other: object) -> bool:
            return False

        __hash__ = None  # type: ignore[assignment]

    findings = Findings()
    fast = uv._read_entry("lib", {"workspace": True}, "tool.uv.sources.lib", pyproject, findings)
    general = uv._read_entry("lib", Entry(workspace=True), "tool.uv.sources.lib", pyproject, findings)
    assert fast == general == WorkspaceSource(name="lib", key="tool.uv.sources.lib", pyproject=pyproject)
    assert not findings.problems and not findings.warnings
    assert uv._read_entry("lib", {"workspace": 1}, "tool.uv.sources.lib", pyproject, findings) is None
    assert "must be a boolean" in findings.problems[0].message


def test_the_variants_reader_is_asked_only_where_its_key_is() -> None:
    """`[tool.sourcelift]` naming only the backend (every wrapped project) does not load the variants
    reader; a `variants` key, or a `tool.sourcelift` that is no table (its reader reports it), does."""
    from sourcelift.readers.registry import VARIANTS

    absent = VARIANTS._absent  # type: ignore[attr-defined]
    assert absent({})
    assert absent({"tool": {"uv": {}}})
    assert absent({"tool": {"sourcelift": {"backend": "hatchling.build"}}})
    assert not absent({"tool": {"sourcelift": {"variants": {}}}})
    assert not absent({"tool": {"sourcelift": {"variants": "x"}}})
    assert not absent({"tool": {"sourcelift": "variants"}})
