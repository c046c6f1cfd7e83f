"""setuptools' dependencies read from files, as a publish-mode sdist writes them (backends/requirement_files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sourcelift.backends.requirement_files import (
    dynamic_requirement_files,
    pbr_requirement_files,
    rewrite_requirements_file,
)


def _data(dynamic: list[str], table: dict[str, Any]) -> dict[str, Any]:
    return {"project": {"name": "app", "dynamic": dynamic}, "tool": {"setuptools": {"dynamic": table}}}


def test_the_files_of_every_dynamic_dependency_field() -> None:
    table = {
        "dependencies": {"file": "requirements.txt"},
        "optional-dependencies": {"fast": {"file": ["req/fast.txt"]}, "cli": {"file": ["./req/cli.txt"]}},
    }
    assert dynamic_requirement_files(_data(["version", "dependencies", "optional-dependencies"], table)) == {
        "requirements.txt": None,
        "req/fast.txt": "fast",
        "req/cli.txt": "cli",
    }
    assert dynamic_requirement_files(_data(["dependencies"], table)) == {"requirements.txt": None}


def test_no_files_where_a_dynamic_field_comes_from_elsewhere() -> None:
    from_files = {"dependencies": {"file": ["requirements.txt"]}}
    assert dynamic_requirement_files(_data(["version"], from_files)) is None  # nothing dynamic to write
    assert dynamic_requirement_files(_data(["dependencies"], {})) is None  # setup.py gives them
    assert dynamic_requirement_files(_data(["dependencies", "optional-dependencies"], from_files)) is None
    assert dynamic_requirement_files(_data(["dependencies"], {"dependencies": {"attr": "app.DEPS"}})) is None
    outside = {"dependencies": {"file": ["../requirements.txt"]}}
    assert dynamic_requirement_files(_data(["dependencies"], outside)) is None  # not in the sdist
    shared = {
        "dependencies": {"file": ["requirements.txt"]},
        "optional-dependencies": {"all": {"file": ["requirements.txt"]}},
    }
    assert dynamic_requirement_files(_data(["dependencies", "optional-dependencies"], shared)) is None
    assert dynamic_requirement_files({"project": {"dynamic": ["dependencies"]}}) is None


def test_each_requirement_line_becomes_its_final_lines_and_the_rest_stays() -> None:
    final = {
        "prebuilt>=0.1": ["prebuilt==0.1.0,>=0.1"],
        'dep; extra == "fast"': [
            'dep==0.5; sys_platform == "linux" and extra == "fast"',
            'dep; sys_platform != "linux" and extra == "fast"',
        ],
    }
    seen: list[str] = []

    def rewrite(value: str) -> list[str] | None:
        seen.append(value)
        return final.get(value)

    text = "# pinned\n\nprebuilt>=0.1  # vendored\n-r other.txt\npackaging\nnot a requirement !\n"
    assert rewrite_requirements_file(text, None, rewrite) == (
        "# pinned\n\nprebuilt==0.1.0,>=0.1  # vendored\n-r other.txt\npackaging\nnot a requirement !\n",
        True,
    )
    assert seen == ["prebuilt>=0.1", "packaging"]
    assert rewrite_requirements_file("dep\n", "fast", rewrite) == (
        'dep==0.5; sys_platform == "linux"\ndep; sys_platform != "linux"\n',
        True,
    )
    assert rewrite_requirements_file("packaging", None, rewrite) == ("packaging", False)


def test_a_pbr_project_reads_its_dependencies_from_requirements_txt_alone(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = app\n")
    (tmp_path / "requirements.txt").write_text("prebuilt>=0.1\n")
    (tmp_path / "setup.py").write_text("import setuptools\nsetuptools.setup(setup_requires=['pbr'], pbr=True)\n")
    assert pbr_requirement_files(tmp_path, {}, "setuptools.build_meta", {}) == {"requirements.txt": None}
    assert pbr_requirement_files(tmp_path, {}, "pbr.build", {}) == {"requirements.txt": None}
    # where pbr takes dependencies from elsewhere too, the one file is not the whole story
    assert pbr_requirement_files(tmp_path, {}, "pbr.build", {"PBR_REQUIREMENTS_FILES": "reqs.txt"}) is None
    assert pbr_requirement_files(tmp_path, {"project": {"name": "app"}}, "pbr.build", {}) is None
    (tmp_path / "requirements.txt").write_text("prebuilt>=0.1\n-r more.txt\n")
    assert pbr_requirement_files(tmp_path, {}, "pbr.build", {}) is None
    (tmp_path / "requirements.txt").write_text("prebuilt>=0.1\n")
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = app\n[extras]\nfast =\n  dep\n")
    assert pbr_requirement_files(tmp_path, {}, "pbr.build", {}) is None
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = app\n")
    (tmp_path / "setup.py").write_text("import setuptools\nsetuptools.setup()\n")
    assert pbr_requirement_files(tmp_path, {}, "setuptools.build_meta", {}) is None  # not pbr
