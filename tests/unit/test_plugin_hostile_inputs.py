"""Hostile inputs to the build plugin, driven through the wrapper's PEP 517 hooks in-process: each
must end in a build that works as the standards say or in sourcelift's error (exit code 1) naming
the key, never an internal error (exit code 3) or a Python exception escaping the hook."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcelift.artifacts.store import Store
from sourcelift.backends import wrapper
from sourcelift.rewrite.plan import make_plan

BUILD_SYSTEM = '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n'


def prepare(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, list[str]]:
    """Run ``prepare_metadata_for_build_wheel`` on the project at ``root`` as a frontend does: the
    exit code (0 when it returned), what it printed, and the Requires-Dist lines it wrote."""
    from sourcelift.core_metadata import requires_dist

    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(root.parent / "store"))
    monkeypatch.setenv("SOURCELIFT_CACHE_DIR", str(root.parent / "cache"))
    monkeypatch.delenv("SOURCELIFT_MODE", raising=False)
    wrapper._pyproject.cache_clear()
    wrapper._config.cache_clear()
    output = root.parent / "metadata"
    output.mkdir(exist_ok=True)
    try:
        dist_info = wrapper.prepare_metadata_for_build_wheel(str(output), {})
    except SystemExit as exc:
        captured = capsys.readouterr()
        return (exc.code if isinstance(exc.code, int) else 1), captured.out + captured.err, []
    captured = capsys.readouterr()
    text = (output / dist_info / "METADATA").read_text(encoding="utf-8")
    return 0, captured.out + captured.err, requires_dist(text)


def write_project(root: Path, body: str, files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(BUILD_SYSTEM + body, encoding="utf-8")
    for relative, text in (files or {}).items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


LIB = '[project]\nname = "dep"\nversion = "1.0"\n'


def test_a_dynamic_entry_that_is_an_array_is_no_internal_error(tmp_path: Path) -> None:
    """`dynamic = [[]]` made read_project hash a list ("internal error: TypeError: unhashable type");
    sourcelift plans the sources and leaves the field's own check to the backend (hatchling: "Field #1
    of field `project.dynamic` must be a string")."""
    root = write_project(
        tmp_path / "app",
        '[project]\nname = "app"\nversion = "1.0"\ndynamic = [[], "dependencies"]\n'
        '[tool.uv.sources]\ndep = { path = "lib" }\n',
        {"lib/pyproject.toml": LIB},
    )
    plan, _ = make_plan(root, Store(tmp_path / "store"))
    assert plan.dynamic_dependencies
