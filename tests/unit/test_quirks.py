"""Per-backend adjustments (issue 9, point 7): sourcelift.backends.quirks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sourcelift.artifacts.metadata import add_requires_dist, requires_dist
from sourcelift.backends import quirks
from sourcelift.rewrite.standards import local_pyproject

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TREE = """[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "1.0"
# the vendored wheel
dependencies = ["prebuilt"]

[tool.uv.sources]
prebuilt = { path = "vendor/prebuilt-0.1.0-py3-none-any.whl" }
"""
LINE = "prebuilt @ file:///store/sha256/00/prebuilt-0.1.0-py3-none-any.whl"


def test_local_hatchling_sdists_allow_direct_references() -> None:
    adjust = quirks.adjust_local_pyproject("hatchling.build", direct_references=True)
    text = local_pyproject(TREE, {"project.dependencies[0]": [LINE]}, {"prebuilt"}, "hatchling.build", adjust)
    data = tomllib.loads(text)
    assert data["project"]["dependencies"] == [LINE]
    assert data["tool"] == {"hatch": {"metadata": {"allow-direct-references": True}}}
    assert data["build-system"]["build-backend"] == "sourcelift.build"  # local sdists keep the wrapper
    assert "# the vendored wheel" in text


def test_the_added_table_keeps_a_blank_line_before_the_next() -> None:
    """Found on pdm projects: `[tool.hatch.metadata]` ran straight into the `[build-system]` after it."""
    adjust = quirks.adjust_local_pyproject("hatchling.build", direct_references=True)
    tree = '[project]\nname = "api"\n\n[tool.pdm]\ndistribution = true\n\n[build-system]\nrequires = ["x"]\n'
    assert adjust is not None
    text = local_pyproject(tree, {}, set(), "hatchling.build", adjust)
    assert "allow-direct-references = true\n\n[build-system]" in text and not text.endswith("\n\n")


def test_plain_lines_need_no_adjustment() -> None:
    assert quirks.adjust_local_pyproject("hatchling.build", direct_references=False) is None
    # a custom backend may be hatchling underneath (the strict test backend is): it has imported hatchling
    assert quirks.adjust_local_pyproject("strict_backend", True, loaded={"hatchling", "hatchling.build"}) is not None


def test_only_hatchling_gets_the_hatch_table() -> None:
    """Found on poetry-core and meson-python projects: their local-mode sdists carried a
    `[tool.hatch.metadata]` table that only hatchling reads."""
    for backend in ("poetry.core.masonry.api", "mesonpy", "pdm.backend", "strict_backend"):
        assert quirks.adjust_local_pyproject(backend, True, loaded={"poetry", "mesonpy", "pdm"}) is None, backend
    assert quirks.adjust_local_pyproject("hatchling.build", True, loaded=set()) is not None


def test_pdm_reserialized_pyproject_is_replaced_by_the_trees() -> None:
    packed = TREE.replace("# the vendored wheel\n", "").replace('["prebuilt"]', '["prebuilt @ file:///abs/x.whl"]')
    assert quirks.sdist_pyproject_base(packed, TREE.encode()) == TREE
    changed = packed.replace('version = "1.0"', 'version = "2.0"')
    assert quirks.sdist_pyproject_base(changed, TREE.encode()) == changed


def test_requires_dist_is_added_only_where_the_backend_wrote_none() -> None:
    assert quirks.missing_requires_dist([], ["a>=1", 'b; extra == "x"'], dynamic=False) == ["a>=1", 'b; extra == "x"']
    assert quirks.missing_requires_dist(["a>=1"], ["a>=1"], dynamic=False) == []
    assert quirks.missing_requires_dist([], ["a>=1"], dynamic=True) == []
    text = add_requires_dist("Metadata-Version: 2.1\nName: app\nVersion: 1.0\n\nA description.\n", ["a>=1"])
    assert requires_dist(text) == ["a>=1"] and text.endswith("\n\nA description.\n")


def test_sdist_companions() -> None:
    copies, drop = quirks.sdist_companions(
        {"PKG-INFO", "pyproject.toml", "pyproject.toml.orig", "src/app.egg-info/requires.txt", "src/requires.txt"}
    )
    assert copies == ["pyproject.toml.orig"]
    assert drop == ["src/app.egg-info/requires.txt"]


def test_the_backends_that_stop_on_settings_they_do_not_know() -> None:
    """meson-python and scikit-build-core (tried: tests/e2e/test_compiled_backends.py); hatchling and
    setuptools ignore them, uv_build only warns."""
    assert quirks.rejects_unknown_settings("mesonpy") == "meson-python"
    assert quirks.rejects_unknown_settings(" scikit_build_core.build ") == "scikit-build-core"
    # found with sip (PyQt's bindings generator): `sipbuild.api` hands config settings to its argument parser
    assert quirks.rejects_unknown_settings("sipbuild.api") == "sip"
    for backend in ("hatchling.build", "setuptools.build_meta", "uv_build", "mesonpy_extra", "scikit_build_core"):
        assert quirks.rejects_unknown_settings(backend) is None, backend


def test_a_backend_built_on_flit_core_or_poetry_core_writes_its_lines_as_that_one_does() -> None:
    """Found with flit_scm (`flit_scm:buildapi`, flit-core underneath) and poetry-dynamic-versioning
    (`poetry_dynamic_versioning.backend`, poetry-core's re-exported): publish mode wrote
    `sys_platform == "linux" and extra == "fast"` into PKG-INFO, and flit-core
    `extra == "fast" and (sys_platform == "linux")` into the wheel built from the sdist."""
    line = 'prebuilt==0.1.0; sys_platform == "linux" and extra == "fast"'
    form = quirks.requirement_form("flit_scm:buildapi", loaded={"flit_scm", "flit_core", "flit_core.buildapi"})
    assert form is not None and form(line) == 'prebuilt==0.1.0; extra == "fast" and sys_platform == "linux"'
    assert quirks.requirement_form("flit_scm:buildapi", loaded={"flit_scm"}) is None
    assert quirks.requirement_form("hatchling.build", loaded={"hatchling", "hatchling.build"}) is None
    poetry = quirks.requirement_form("poetry_dynamic_versioning.backend", loaded={"poetry.core.masonry.api"})
    assert poetry is not None and poetry("lib==0.3.0") == "lib (==0.3.0)"


def test_poetry_cores_form_of_an_optional_dependency_with_a_marker(tmp_path: Path) -> None:
    """Found in a poetry monorepo made for the sweep after watchmen's optional path dependencies, with an
    entry-level `python` added (`vend = { path = ..., python = ">=3.8,<3.14 || >=3.15", optional = true }` in
    an extra): publish mode wrote `vend (==1.0) ; python_version >= "3.8" and
    (python_version < "3.14" or python_version >= "3.15") and extra == "v"` into PKG-INFO, and poetry-core,
    building the wheel from the sdist's `vend = {version = "==1.0", ...}`, wrote the marker and the extra
    apart; `sourcelift check` reported SL201.  Each line is now what poetry-core writes from the entry."""
    pytest.importorskip("poetry.core")
    from poetry.core.factory import Factory

    (tmp_path / "pyproject.toml").write_text(
        "[tool.poetry]\n"
        'name = "app"\nversion = "1.0"\ndescription = ""\nauthors = ["x <x@example.com>"]\n'
        "[tool.poetry.dependencies]\n"
        'python = "^3.9"\n'
        'vend = { version = "==1.0", python = ">=3.8,<3.14 || >=3.15", optional = true }\n'
        'lib = { version = "==0.2.0", markers = "sys_platform == \'linux\'", optional = true }\n'
        'both = { version = "==3", optional = true }\n'
        'plain = { version = "==4", python = "<3.12" }\n'
        "[tool.poetry.extras]\n"
        'v = ["vend"]\nl = ["lib", "both"]\nm = ["both"]\n',
        encoding="utf-8",
    )
    package = Factory().create_poetry(tmp_path).package
    poetry_writes = {dependency.name: dependency.to_pep_508() for dependency in package.requires}
    ours = {  # the lines sourcelift builds (packaging's form) for the same entries
        "vend": 'vend==1.0; (python_version >= "3.8" and python_version < "3.14" or python_version >= "3.15") '
        'and extra == "v"',
        "lib": 'lib==0.2.0; sys_platform == "linux" and extra == "l"',
        "both": 'both==3; extra == "l" or extra == "m"',
        "plain": 'plain==4; python_version < "3.12"',
    }
    form = quirks.requirement_form("poetry.core.masonry.api")
    assert form is not None
    assert {name: form(line) for name, line in ours.items()} == poetry_writes
