"""Wheel sets: derived markers, overlap detection, ordering, and hand-written markers checked."""

from __future__ import annotations

from pathlib import Path

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from sourcelift.artifacts.wheel_tags import parse_wheel_name
from sourcelift.errors import Findings
from sourcelift.rewrite.variants import (
    check_marker_list,
    derive,
    make_disjoint,
    overlapping_pairs,
    sample_environments,
    uncovered,
)

ENVS = sample_environments(SpecifierSet(">=3.9"))
LINUX = "native-2.0-cp311-cp311-manylinux_2_17_x86_64.whl"
MAC = "native-2.0-cp311-cp311-macosx_11_0_arm64.whl"
WIN = "native-2.0-cp311-cp311-win_amd64.whl"
ABI3_LINUX = "native-2.0-cp39-abi3-manylinux_2_17_x86_64.whl"


def _branch(filename: str, findings: Findings, labels: dict[str, str] | None = None):
    return derive(
        Path(filename), parse_wheel_name(filename), "tool.sourcelift.variants.native", labels or {}, findings, "native"
    )


def test_platform_wheels_are_disjoint() -> None:
    findings = Findings()
    branches = [_branch(f, findings) for f in (LINUX, MAC, WIN)]
    assert not findings.problems
    assert overlapping_pairs(branches, ENVS) == []


def test_overlap_is_found_with_an_environment_where_both_apply() -> None:
    findings = Findings()
    branches = [_branch(f, findings) for f in (LINUX, ABI3_LINUX)]
    pairs = overlapping_pairs(branches, ENVS)
    assert len(pairs) == 1
    first, second, env = pairs[0]
    assert {first.wheel.filename, second.wheel.filename} == {LINUX, ABI3_LINUX}
    assert env.python == (3, 11) and env.sys_platform == "linux" and env.machine == "x86_64"


def test_ordering_makes_overlapping_branches_disjoint_first_wins() -> None:
    findings = Findings()
    branches = [_branch(f, findings) for f in (LINUX, ABI3_LINUX)]
    make_disjoint(branches, findings, "native")
    assert not findings.problems
    assert overlapping_pairs(branches, ENVS) == []
    cp311 = next(
        e
        for e in ENVS
        if e.python == (3, 11) and e.machine == "x86_64" and e.libc == "glibc" and e.implementation == "cpython"
    )
    cp312 = next(
        e
        for e in ENVS
        if e.python == (3, 12) and e.machine == "x86_64" and e.libc == "glibc" and e.implementation == "cpython"
    )
    assert cp311.holds(branches[0].marker) and not cp311.holds(branches[1].marker)
    assert cp312.holds(branches[1].marker)


def test_variant_label_needs_a_marker_from_the_user() -> None:
    findings = Findings()
    assert _branch("native-2.0-cp311-cp311-manylinux_2_17_x86_64-cu121.whl", findings) is None
    assert "variant wheel (label `cu121`)" in findings.problems[0].message
    assert "labels" in findings.problems[0].fix
    ok = Findings()
    branch = _branch("native-2.0-cp311-cp311-manylinux_2_17_x86_64-cu121.whl", ok, {"cu121": "extra == 'cuda'"})
    assert branch is not None and not ok.problems
    assert 'extra == "cuda"' in str(branch.marker)
    assert "variant" not in str(branch.marker)


def test_wrong_hand_written_marker_is_refused() -> None:
    findings = Findings()
    wheel = parse_wheel_name(MAC)
    check_marker_list(
        [(wheel, Marker("sys_platform == 'linux'"), "tool.uv.sources.native[1]")], ENVS, findings, "native"
    )
    (problem,) = findings.problems
    assert problem.key == "tool.uv.sources.native[1]"
    assert MAC in problem.message and "cp311-cp311-macosx_11_0_arm64" in problem.message
    assert 'sys_platform == "linux"' in problem.message or "sys_platform == 'linux'" in problem.message


def test_too_wide_hand_written_marker_is_refused() -> None:
    findings = Findings()
    wheel = parse_wheel_name(LINUX)
    check_marker_list([(wheel, Marker("sys_platform == 'linux'"), "k")], ENVS, findings, "native")
    assert findings.problems and "admits" in findings.problems[0].message


def test_marker_excluding_every_installable_environment_is_refused() -> None:
    findings = Findings()
    wheel = parse_wheel_name(LINUX)
    marker = Marker("python_version < '3'")  # admits nothing the wheel cannot use, and nothing it can
    check_marker_list([(wheel, marker, "k")], ENVS, findings, "native")
    assert findings.problems and "excludes every environment" in findings.problems[0].message


def test_right_hand_written_marker_passes() -> None:
    findings = Findings()
    wheel = parse_wheel_name(LINUX)
    marker = Marker(
        "sys_platform == 'linux' and platform_machine == 'x86_64' and python_version == '3.11' "
        "and implementation_name == 'cpython'"
    )
    check_marker_list([(wheel, marker, "k")], ENVS, findings, "native")
    assert not findings.problems


def test_uncovered_environments_are_listed() -> None:
    findings = Findings()
    branches = [_branch(f, findings) for f in (LINUX, MAC)]
    missing = uncovered([b.marker for b in branches], [b.wheel for b in branches], ENVS)
    labels = {e.label for e in missing}
    assert "CPython 3.12 on Linux (glibc) x86_64" in labels
    assert "CPython 3.11 on Linux (glibc) x86_64" not in labels
    assert not any(e.sys_platform == "win32" for e in missing)  # no wheel covers Windows: not "supported"


PYPROJECT = """\
# a comment that must stay
[project]
name = "app"   # aligned comment
version = "1.0"
dependencies = ["native>=2", "other"]

[tool.uv.sources]
other = { path = "../other", editable = true }
native = { path = "vendor/old.whl" }   # replaced

[tool.sourcelift.variants]
native = "vendor/native/*.whl"
"""


def test_uv_sources_write_changes_only_that_entry() -> None:
    from sourcelift.rewrite.variants import uv_sources_text

    entries = [
        ("vendor/native/" + LINUX, parse_marker_of(LINUX)),
        ("vendor/native/" + MAC, parse_marker_of(MAC)),
    ]
    text = uv_sources_text(PYPROJECT, "native", entries)
    before = PYPROJECT.splitlines()
    after = text.splitlines()
    removed = [line for line in before if line not in after]
    assert removed == ['native = { path = "vendor/old.whl" }   # replaced']
    added = [line for line in after if line not in before]
    assert added[0] == "native = ["
    assert any(LINUX in line and "sys_platform == 'linux'" in line for line in added)
    # everything else, in order
    assert [line for line in after if line in before] == [line for line in before if line not in removed]
    # idempotent: writing the same entries again changes nothing
    assert uv_sources_text(text, "native", entries) == text
    from sourcelift._compat import tomllib

    parsed = tomllib.loads(text)["tool"]["uv"]["sources"]["native"]
    assert [e["path"] for e in parsed] == [e[0] for e in entries]


def test_uv_sources_write_creates_the_table() -> None:
    from sourcelift.rewrite.variants import uv_sources_text

    text = uv_sources_text('[project]\nname = "a"\n', "native", [("v/" + WIN, parse_marker_of(WIN))])
    assert text.startswith('[project]\nname = "a"\n')
    assert "[tool.uv.sources]" in text


def parse_marker_of(filename: str) -> Marker | None:
    from sourcelift.artifacts.wheel_tags import marker_for_tags

    return marker_for_tags(parse_wheel_name(filename).tags).marker
