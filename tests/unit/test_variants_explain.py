"""`sourcelift explain` for vendored wheel sets: --uv-sources [--write], and the wheels listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sourcelift._compat import tomllib
from sourcelift_hook.cli import main
from tests.support.wheels import make_wheel

LINUX = "native-2.0-cp311-cp311-manylinux_2_17_x86_64.whl"
MAC = "native-2.0-cp311-cp311-macosx_11_0_arm64.whl"
CUDA = "native-2.0-cp311-cp311-manylinux_2_17_x86_64-cu121.whl"
CPU = "native-2.0-cp311-cp311-manylinux_2_17_x86_64-cpu.whl"

PYPROJECT = """\
# keep this comment
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "app"   # and this one
version = "1.0"
dependencies = ["native>=2", "other"]

[tool.uv.sources]
other = { path = "../other" }

[tool.sourcelift.variants]
native = "vendor/*.whl"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    for filename in (LINUX, MAC):
        make_wheel(root / "vendor", "native", "2.0", filename=filename)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "1"\n')
    return root


def test_uv_sources_prints_the_matching_list(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--uv-sources", str(project)]) == 0
    printed = tomllib.loads(capsys.readouterr().out)["tool"]["uv"]["sources"]["native"]
    assert [entry["path"] for entry in printed] == [f"vendor/{MAC}", f"vendor/{LINUX}"]  # sorted
    assert "sys_platform == 'linux'" in printed[1]["marker"] and "x86_64" in printed[1]["marker"]
    assert (project / "pyproject.toml").read_text() == PYPROJECT  # printing writes nothing


def test_write_round_trip_changes_only_that_entry(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--uv-sources", "--write", str(project)]) == 0
    written = (project / "pyproject.toml").read_text()
    assert written.startswith(PYPROJECT.split("[tool.sourcelift.variants]")[0].rstrip("\n"))
    before, after = PYPROJECT.splitlines(), written.splitlines()
    assert [line for line in before if line not in after] == []  # nothing removed or altered
    assert [line for line in after if line in before] == before  # everything kept, in order
    added = [line for line in after if line not in before]
    assert added[0] == "native = [" and len(added) == 4, added
    # written once, it is in step: a second write has nothing to do, and explain is clean
    assert main(["explain", "--uv-sources", "--write", str(project)]) == 0
    assert (project / "pyproject.toml").read_text() == written
    capsys.readouterr()
    assert main(["explain", "--json", str(project)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not report["problems"]


def test_a_uv_list_out_of_step_is_a_problem(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--uv-sources", "--write", str(project)]) == 0
    path = project / "pyproject.toml"
    path.write_text(path.read_text().replace("platform_machine == 'x86_64'", "platform_machine == 'aarch64'"))
    capsys.readouterr()
    assert main(["explain", "--json", str(project)]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    (step,) = [p for p in problems if p["key"] == "tool.uv.sources.native"]
    assert "--uv-sources --write" in step["fix"]
    # and the edited entry itself is checked against its wheel's tags
    assert any(p["key"] == "tool.uv.sources.native[1]" and "aarch64" in p["message"] for p in problems)


def test_write_needs_uv_sources(project: Path) -> None:
    assert main(["explain", "--write", str(project)]) == 2


def test_explain_lists_variant_wheels_with_label_and_properties(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "vendor" / LINUX).unlink()  # the Linux builds come as variants
    variant = {"variants": {"cu121": {"nvidia": {"cuda_version_lower_bound": ["12.1"]}}}}
    make_wheel(project / "vendor", "native", "2.0", filename=CUDA,
               dist_info_files={"variant.json": json.dumps(variant).encode()})
    make_wheel(project / "vendor", "native", "2.0", filename=CPU)
    assert main(["explain", str(project)]) == 1  # the labels have no marker yet
    out = capsys.readouterr().out
    assert "variant wheel (label `cu121`)" in out and "labels" in out
    text = (project / "pyproject.toml").read_text()
    labels = "labels = { cu121 = \"extra == 'cuda'\", cpu = \"extra == 'cpu'\" }"
    (project / "pyproject.toml").write_text(
        text.replace('native = "vendor/*.whl"', f'native = {{ wheels = "vendor/*.whl", {labels} }}')
        + "\n[project.optional-dependencies]\ncuda = []\ncpu = []\n"
    )
    assert main(["explain", "--json", str(project)]) == 0, capsys.readouterr()
    report = json.loads(capsys.readouterr().out)
    (native,) = [r for r in report["requirements"] if r["requirement"].startswith("native")]
    variants = {Path(s["location"]).name: s["variant"] for s in native["sources"]}
    assert variants[CUDA]["label"] == "cu121"
    assert variants[CUDA]["properties"] == ["nvidia :: cuda_version_lower_bound :: 12.1"]
    assert variants[MAC]["label"] is None and variants[MAC]["tags"] == ["cp311-cp311-macosx_11_0_arm64"]
    assert not any("variant_" in line for line in native["local"])  # never a variant marker unless asked
    assert any('extra == "cuda"' in line and CUDA in line for line in native["local"])


def test_an_unlabelled_wheel_beside_an_extra_guarded_variant_overlaps(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`app[cuda]` would get both Linux wheels: a marker cannot say "unless the extra is requested"."""
    make_wheel(project / "vendor", "native", "2.0", filename=CUDA)
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(
        text.replace('native = "vendor/*.whl"',
                     'native = { wheels = "vendor/*.whl", labels = { cu121 = "extra == \'cuda\'" } }')
        + "\n[project.optional-dependencies]\ncuda = []\n"
    )
    assert main(["explain", "--json", str(project)]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert any(CUDA in p["message"] and LINUX in p["message"] and "order" in p["fix"] for p in problems), problems
