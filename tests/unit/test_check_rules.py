"""Every check of `sourcelift check`: a known-bad artifact that triggers it, and a clean twin with no finding at all.

The artifacts are made in the test (zipfile/tarfile); the checks run on them
through ``run_checks`` exactly as the command runs them on files, minus the
build of SL301, which needs a real frontend (tests/e2e/test_check_e2e.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sourcelift_hook.check import CHECKS, Finding, read_archive, run_checks
from sourcelift_hook.check.plain import declares_sourcelift

from .check_builders import make_sdist, make_wheel, metadata, pyproject, record_hash

Make = Callable[[Path], list[Path]]


def findings_for(paths: list[Path]) -> list[Finding]:
    archives = [read_archive(path, display=path.name) for path in paths]
    extra = [f for a in archives if a.kind == "sdist" for f in declares_sourcelift(a)]
    findings, _ = run_checks(archives, extra=extra)
    return findings


@dataclass(frozen=True)
class Case:
    bad: Make
    good: Make


def wheel(**kwargs: object) -> Make:
    return lambda d: [make_wheel(d, **kwargs)]  # type: ignore[arg-type]


def wheel_meta(*fields: tuple[str, str], **kwargs: object) -> Make:
    return wheel(meta=metadata(fields=fields, **kwargs))  # type: ignore[arg-type]


def sdist(**kwargs: object) -> Make:
    return lambda d: [make_sdist(d, **kwargs)]  # type: ignore[arg-type]


def sdist_project(extra: str, files: dict[str, bytes] | None = None, dependencies: str = "[]") -> Make:
    text = pyproject(extra=extra).replace("dependencies = []", f"dependencies = {dependencies}")
    return sdist(project=text, files=files or {})


def pair(sdist_fields: list[tuple[str, str]], wheel_fields: list[tuple[str, str]], mv: str = "2.4") -> Make:
    def make(d: Path) -> list[Path]:
        return [
            make_sdist(d, pkg_info=metadata(fields=sdist_fields, metadata_version=mv)),
            make_wheel(d, meta=metadata(fields=wheel_fields, metadata_version=mv)),
        ]

    return make


def rows_edit(edit: Callable[[list[list[str]]], list[list[str]]]) -> Make:
    return wheel(record_rows=edit)


def set_row(path: str, column: int, value: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        return [[*row[:column], value, *row[column + 1 :]] if row[0] == path else row for row in rows]

    return edit


def hexadecimal_hashes(rows: list[list[str]]) -> list[list[str]]:
    """RECORD as uv_build before 0.8.13 wrote it (astral-sh/uv#15398): the right digests, in hexadecimal."""
    import base64

    def hexadecimal(value: str) -> str:
        algorithm, _, encoded = value.partition("=")
        return f"{algorithm}={base64.urlsafe_b64decode(encoded + '=' * (-len(encoded) % 4)).hex()}" if encoded else ""

    return [[row[0], hexadecimal(row[1]), row[2]] for row in rows]


def not_a_zip(d: Path) -> list[Path]:
    d.mkdir()
    path = d / "demo-1.0-py3-none-any.whl"
    path.write_bytes(b"this is not a zip archive")
    return [path]


URL_33 = ("Project-URL", "An extremely long label for docs!!, https://example.org")
VENDOR = {"vendor/lib-1.0-py3-none-any.whl": b"wheel bytes"}
HELPER = {"libs/helper/pyproject.toml": b"[project]\nname = 'helper'\nversion = '1'\n"}

MAC_WHEEL = "https://example.org/w/native-2.0-cp311-cp311-macosx_11_0_arm64.whl"
WORKSPACE_ROOT = '[tool.uv.workspace]\nmembers = ["packages/*"]\n[tool.uv.sources]\nlib = { workspace = true }\n'
MEMBER = {"packages/lib/pyproject.toml": b'[project]\nname = "Lib"\nversion = "1.0"\n'}

CASES: dict[str, Case] = {
    "SL100": Case(not_a_zip, wheel()),
    "SL101": Case(
        wheel_meta(("Requires-Dist", "lib @ https://example.org/lib-1.0.tar.gz")),
        wheel_meta(("Requires-Dist", "lib>=1")),
    ),
    "SL102": Case(
        wheel_meta(("Provides-Dist", "other @ https://example.org/other.whl")),
        wheel_meta(("Provides-Dist", "other")),
    ),
    "SL103": Case(
        wheel(version="1.0+local", meta=metadata(version="1.0+local")),
        wheel(),
    ),
    "SL104": Case(wheel_meta(metadata_version="2.0"), wheel_meta(metadata_version="2.4")),
    "SL105": Case(wheel(meta=metadata(name="-demo-")), wheel()),
    "SL106": Case(wheel(meta=metadata(version="one")), wheel()),
    "SL107": Case(wheel(meta=metadata(name="other")), wheel()),
    "SL108": Case(sdist(filename="Demo-1.0.tar.gz"), sdist()),
    "SL109": Case(
        wheel_meta(("Classifier", "Programming Language :: Klingon")),
        wheel_meta(("Classifier", "Programming Language :: Python :: 3")),
    ),
    "SL110": Case(wheel_meta(URL_33), wheel_meta(("Project-URL", "Documentation, https://example.org"))),
    "SL111": Case(
        wheel_meta(("Project-URL", "Documentation, ftp://example.org/docs")),
        wheel_meta(("Project-URL", "Documentation, https://example.org/docs")),
    ),
    "SL112": Case(wheel_meta(("Summary", "x" * 513)), wheel_meta(("Summary", "x" * 512))),
    "SL113": Case(
        wheel_meta(("License", "MIT"), ("License-Expression", "MIT")),
        wheel_meta(("License-Expression", "MIT")),
    ),
    "SL114": Case(
        sdist(pkg_info=metadata(fields=[("Dynamic", "Version")])),
        sdist(pkg_info=metadata(fields=[("Dynamic", "Classifier")])),
    ),
    "SL115": Case(
        wheel_meta(("License-File", "LICENSE")),
        wheel(meta=metadata(fields=[("License-File", "LICENSE")]), dist_info_files={"licenses/LICENSE": b"MIT\n"}),
    ),
    "SL116": Case(
        wheel_meta(("Author-email", "Ann <ann@localhost>")),
        wheel_meta(("Author-email", "Ann <ann@example.org>")),
    ),
    "SL117": Case(
        wheel_meta(("License-Expression", "MIT"), metadata_version="2.3"),
        wheel_meta(("License-Expression", "MIT"), metadata_version="2.4"),
    ),
    "SL201": Case(
        pair([("Requires-Dist", "a>=1")], [("Requires-Dist", "a>=2")]),
        pair([("Requires-Dist", "a>=1")], [("Requires-Dist", "a >=1")]),
    ),
    "SL202": Case(
        pair([("Summary", "one")], [("Summary", "two")], mv="2.1"),
        pair([("Summary", "one")], [("Summary", "one")], mv="2.1"),
    ),
    "SL302": Case(
        sdist(project=pyproject().replace('requires = ["hatchling"]', 'requires = ["sourcelift", "hatchling"]')),
        sdist(),
    ),
    "SL401": Case(
        sdist_project('[tool.demo]\ndata = "file:///srv/data"\n'), sdist_project('[tool.demo]\ndata = "data"\n')
    ),
    "SL402": Case(
        sdist_project('[tool.demo]\ndata = "/home/alice/data"\n'), sdist_project('[tool.demo]\ndata = "data"\n')
    ),
    "SL403": Case(
        sdist_project('[tool.demo]\ndata = "/tmp/build-x1/data"\n'), sdist_project('[tool.demo]\ndata = "data"\n')
    ),
    "SL404": Case(
        sdist_project('[tool.demo]\ndata = "D:\\\\data\\\\x"\n'), sdist_project('[tool.demo]\ndata = "data"\n')
    ),
    "SL405": Case(
        sdist_project('[tool.demo]\nindex = "https://ann:s3cret@example.org/simple"\n'),
        sdist_project('[tool.demo]\nindex = "https://example.org/simple"\n'),
    ),
    "SL501": Case(
        sdist_project('[tool.uv.sources]\nlib = { path = "../lib" }\n', dependencies='["lib"]'),
        sdist_project(
            '[tool.uv.sources]\nlib = { path = "vendor/lib-1.0-py3-none-any.whl" }\n', VENDOR, dependencies='["lib"]'
        ),
    ),
    "SL502": Case(
        sdist_project("[tool.uv.sources]\nlib = { workspace = true }\n", dependencies='["lib"]'),
        sdist_project('[tool.uv.sources]\nlib = { git = "https://example.org/lib.git" }\n', dependencies='["lib"]'),
    ),
    "SL503": Case(
        sdist_project("", dependencies='["helper @ {root:uri}/libs/helper"]'),
        sdist_project("", HELPER, dependencies='["helper @ {root:uri}/libs/helper"]'),
    ),
    "SL504": Case(
        sdist_project("", dependencies='["lib @ file:///${PROJECT_ROOT}/vendor/lib-1.0-py3-none-any.whl"]'),
        sdist_project("", VENDOR, dependencies='["lib @ file:///${PROJECT_ROOT}/vendor/lib-1.0-py3-none-any.whl"]'),
    ),
    "SL505": Case(
        sdist_project('[dependency-groups]\ndev = ["tool"]\n[tool.uv.sources]\ntool = { path = "../tool" }\n'),
        sdist_project(
            '[dependency-groups]\ndev = ["tool"]\n[tool.uv.sources]\ntool = { path = "tools/tool" }\n',
            {"tools/tool/pyproject.toml": b""},
        ),
    ),
    "SL506": Case(
        sdist_project('[tool.uv.workspace]\nmembers = ["packages/*"]\n', MEMBER, dependencies='["lib"]'),
        sdist_project(WORKSPACE_ROOT, MEMBER, dependencies='["lib"]'),
    ),
    "SL601": Case(rows_edit(lambda rows: [*rows, ["demo/extra.py", "sha256=x"]]), wheel()),
    "SL602": Case(wheel(unrecorded={"demo/extra.py": b"X = 1\n"}), wheel()),
    "SL603": Case(rows_edit(lambda rows: [*rows, ["demo/gone.py", record_hash(b""), "0"]]), wheel()),
    "SL604": Case(rows_edit(set_row("demo/__init__.py", 1, record_hash(b"other"))), wheel()),
    "SL605": Case(rows_edit(set_row("demo/__init__.py", 2, "3")), wheel()),
    "SL606": Case(rows_edit(set_row("demo/__init__.py", 1, "")), wheel()),
    "SL607": Case(rows_edit(set_row("demo-1.0.dist-info/RECORD", 1, record_hash(b"x"))), wheel()),
    "SL608": Case(rows_edit(lambda rows: [*rows, ["../evil.py", record_hash(b""), "0"]]), wheel()),
    "SL609": Case(rows_edit(hexadecimal_hashes), wheel()),
    "SL701": Case(
        wheel_meta(
            ("Requires-Dist", f"native @ {MAC_WHEEL} ; sys_platform == 'linux'"),
        ),
        wheel_meta(("Requires-Dist", "native>=2.0; sys_platform == 'darwin'")),
    ),
}
BUILT_ONLY = {"SL301", "SL303", "SL304"}  # need a real build: tests/e2e/test_check_e2e.py (and test_check_builds)


def test_every_check_has_a_case() -> None:
    assert set(CASES) | BUILT_ONLY == set(CHECKS)


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_bad_artifact_and_clean_twin(check_id: str, tmp_path: Path) -> None:
    case = CASES[check_id]
    bad = findings_for(case.bad(tmp_path / "bad"))
    assert check_id in {f.id for f in bad}, bad
    for item in bad:
        assert item.level == CHECKS[item.id].level and item.message and item.fix, item
    good = findings_for(case.good(tmp_path / "good"))
    assert good == [], good


@pytest.mark.parametrize(
    ("extra", "check_id", "key"),
    [
        ('[tool.poetry.dependencies]\nlib = { path = "../lib" }\n', "SL501", "tool.poetry.dependencies.lib.path"),
        (
            '[tool.poetry.group.dev.dependencies]\ntool = { path = "../tool" }\n',
            "SL505",
            "tool.poetry.group.dev.dependencies.tool.path",
        ),
        (  # a string entry names the path itself: it has no `.path` key
            '[tool.pdm.dev-dependencies]\ndev = ["-e file:///${PROJECT_ROOT}/../devtool#egg=devtool"]\n',
            "SL505",
            "tool.pdm.dev-dependencies.dev[0]",
        ),
        ('[tool.sourcelift.variants]\nlib = "vendor/lib-*.whl"\n', "SL501", "tool.sourcelift.variants.lib"),
        (
            '[tool.sourcelift.variants]\nlib = { wheels = ["vendor/lib-1.0-py3-none-any.whl"] }\n',
            "SL501",
            "tool.sourcelift.variants.lib.wheels",
        ),
    ],
)
def test_every_registered_reader_table_is_checked(extra: str, check_id: str, key: str, tmp_path: Path) -> None:
    """SL5xx reads the tables of sourcelift's registered readers, poetry's as well as uv's."""
    found = findings_for(sdist_project(extra, dependencies='["lib"]')(tmp_path))
    assert [(f.id, f.location) for f in found] == [(check_id, f"pyproject.toml: {key}")], found


@pytest.mark.parametrize("filename", ["demo-1.0.tar.gz", "demo-1.0.zip"])
def test_a_workspace_roots_sdist_may_keep_its_workspace_sources(filename: str, tmp_path: Path) -> None:
    """Found on modelcontextprotocol/python-sdk and uv-workspace-example-cable: the root's sdist ships
    `[tool.uv.workspace]` and its members, where `workspace = true` sources are what uv needs."""
    text = pyproject(extra=WORKSPACE_ROOT).replace("dependencies = []", 'dependencies = ["lib"]')
    found = findings_for(sdist(project=text, files=MEMBER, filename=filename)(tmp_path))
    assert [f.id for f in found if f.id != "SL108"] == [], found  # SL108: PyPI takes .tar.gz sdists only


WORKSPACE_CASES = {
    # the member's directory is left out of the sdist: uv finds no member `lib` there
    "member left out": (WORKSPACE_ROOT, {}, '["lib"]', ("SL502", "tool.uv.sources.lib")),
    # a pyproject.toml the member globs do not name, or exclude, is no member
    "not a member": (
        WORKSPACE_ROOT,
        {"tests/lib/pyproject.toml": MEMBER["packages/lib/pyproject.toml"]},
        '["lib"]',
        ("SL502", "tool.uv.sources.lib"),
    ),
    "excluded": (
        WORKSPACE_ROOT.replace("\n[tool.uv.sources]", '\nexclude = ["packages/lib"]\n[tool.uv.sources]'),
        MEMBER,
        '["lib"]',
        ("SL502", "tool.uv.sources.lib"),
    ),
    # the member is shipped and required without its entry (the sdist sourcelift wrote for mcp)
    "entry missing": (
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
        MEMBER,
        '["lib"]',
        ("SL506", "project.dependencies[0]"),
    ),
    # a dependency group counts too, once per name; the project's own name does not
    "entry missing for a group": (
        '[dependency-groups]\ndev = ["demo[x]", "lib", "lib>=1"]\n[tool.uv.workspace]\nmembers = ["packages/**"]\n',
        MEMBER,
        "[]",
        ("SL506", "dependency-groups.dev[1]"),
    ),
}


@pytest.mark.parametrize("case", sorted(WORKSPACE_CASES))
def test_a_workspace_roots_sources_are_checked_against_the_members_it_holds(case: str, tmp_path: Path) -> None:
    """uv in the unpacked sdist of a workspace root: a `workspace = true` entry must name a member the sdist
    holds ("references a workspace ..., but is not a workspace member"), and a member that is required needs
    one ("is included as a workspace member, but is missing an entry in `tool.uv.sources`")."""
    extra, files, dependencies, (check_id, key) = WORKSPACE_CASES[case]
    found = findings_for(sdist_project(extra, files, dependencies=dependencies)(tmp_path))
    assert [(f.id, f.location) for f in found] == [(check_id, f"pyproject.toml: {key}")], found


def test_a_poetry_dependency_is_a_requirement_of_the_project(tmp_path: Path) -> None:
    """Found on adriangb/python-monorepo: a classic poetry project's `[tool.poetry.dependencies]` entry is the
    requirement itself, not "a source no requirement uses" (SL505)."""
    found = findings_for(sdist_project('[tool.poetry.dependencies]\nlib = { path = "../lib" }\n')(tmp_path))
    assert [(f.id, f.location) for f in found] == [("SL501", "pyproject.toml: tool.poetry.dependencies.lib.path")]
    assert "no requirement" not in found[0].message


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        (
            '[tool.pdm.dev-dependencies]\ndev = ["-e file:///${PROJECT_ROOT}/../lib#egg=lib"]\n',
            "tool.pdm.dev-dependencies.dev[0]",
        ),
        (
            '[tool.poetry.group.dev.dependencies]\nlib = { path = "../lib" }\n',
            "tool.poetry.group.dev.dependencies.lib.path",
        ),
        (
            '[dependency-groups]\ndev = ["lib"]\n[tool.uv.sources]\nlib = { path = "../lib", group = "dev" }\n',
            "tool.uv.sources.lib.path",
        ),
    ],
)
def test_a_development_source_of_a_runtime_name_is_not_a_requirements_source(
    extra: str, key: str, tmp_path: Path
) -> None:
    """Found on pdm's test-monorepo shape (a member requires `core` and installs it editable from
    `[tool.pdm.dev-dependencies]`): in the publish-mode sdist, `core` is `core==0.0.1` and the development
    entry still names `../core`.  It backs no requirement (pdm-backend, poetry-core and uv ignore it when
    building), so it is SL505 (a warning), not SL501, which called the sdist NOT publishable."""
    found = findings_for(sdist_project(extra, dependencies='["lib==0.0.1"]')(tmp_path))
    assert [(f.id, f.location) for f in found] == [("SL505", f"pyproject.toml: {key}")], found


def test_an_editable_pdm_entry_of_a_dependency_group_is_named_by_its_egg(tmp_path: Path) -> None:
    """Found on DroneLeaf's petals, which pdm gives `[dependency-groups] dev = ["-e
    file:///${PROJECT_ROOT}/../petal-app-manager/#egg=petal-app-manager"]`: SL505 named the dependency by the
    whole entry (`(-e file:///${PROJECT_ROOT}/...)`) instead of `petal-app-manager`."""
    extra = '[dependency-groups]\ndev = ["-e file:///${PROJECT_ROOT}/../petal-app-manager/#egg=petal-app-manager"]\n'
    (found,) = findings_for(sdist_project(extra)(tmp_path))
    assert found.id == "SL505" and "`dependency-groups.dev[0]` (petal-app-manager) is a pdm" in found.message


def test_coverage_path_aliases_are_not_leaks(tmp_path: Path) -> None:
    """Found on modelcontextprotocol/python-sdk: coverage.py's `[paths]` maps CI's checkout to the source
    (`/home/runner/work/...`) by design; it is no leak of this machine's paths.  Credentials still count."""
    aliases = '[tool.coverage.paths]\nsource = ["src/", "/home/runner/work/app/app/src/"]\n'
    assert findings_for(sdist_project(aliases)(tmp_path / "a")) == []
    omitted = '[tool.coverage.run]\nomit = ["/tmp/*"]\n'  # found on pydantic/logfire: SL403 said NOT publishable
    assert findings_for(sdist_project(omitted)(tmp_path / "c")) == []
    secret = '[tool.coverage.paths]\nsource = ["src/", "https://ann:s3cret@example.org/src/"]\n'
    assert [f.id for f in findings_for(sdist_project(secret)(tmp_path / "b"))] == ["SL405"]


def test_sl701_passes_a_line_guarded_by_the_wheels_own_marker(tmp_path: Path) -> None:
    marker = (
        'implementation_name == "cpython" and python_version == "3.11" and sys_platform == "darwin" '
        'and platform_machine == "arm64"'
    )
    right = findings_for(wheel_meta(("Requires-Dist", f"native @ {MAC_WHEEL} ; {marker}"))(tmp_path / "a"))
    assert "SL701" not in {f.id for f in right} and "SL101" in {f.id for f in right}
    wrong = findings_for(wheel_meta(("Requires-Dist", f"native @ {MAC_WHEEL}"))(tmp_path / "b"))
    (sl701,) = [f for f in wrong if f.id == "SL701"]
    assert "cp311-cp311-macosx_11_0_arm64" in sl701.message and "admits" in sl701.message
