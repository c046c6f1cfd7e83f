"""`sourcelift explain` through the library and through main([...])."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sourcelift.explain import explain
from sourcelift_hook.cli import main
from tests.support.wheels import wheel_bytes

from .conftest import WHEEL


@pytest.fixture
def example(make_project) -> Path:
    return make_project(
        """
        [project]
        name = "demo"
        version = "1"
        dependencies = ["prebuilt", "requests>=2"]
        [tool.uv.sources]
        prebuilt = { path = "vendor/prebuilt-0.1.0-py3-none-any.whl" }
        """,
        {f"vendor/{WHEEL}": wheel_bytes("prebuilt", "0.1.0")},
    )


def test_explain_report(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("SOURCELIFT_MODE", raising=False)
    report = explain(example)
    assert report["version"] == "2" and report["project"] == "demo" and report["problems"] == []
    assert report["mode"] == "local" and report["publish_problems"] == []
    prebuilt, requests = report["requirements"]
    assert prebuilt["sources"][0]["kind"] == "archive" and prebuilt["sources"][0]["version"] == "0.1.0"
    assert prebuilt["local"][0].startswith(f"prebuilt @ file://{tmp_path / 'store'}/sha256/")
    assert prebuilt["publish"] == ["prebuilt==0.1.0"]
    assert requests == {
        "requirement": "requests>=2",
        "key": "project.dependencies[1]",
        "sources": [],
        "local": ["requests>=2"],
        "publish": ["requests>=2"],
    }
    monkeypatch.setenv("SOURCELIFT_MODE", "publish")
    assert explain(example)["mode"] == "publish"
    assert not (tmp_path / "store").exists()  # explain writes nothing


def test_cli_json_and_text(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(example), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["requirements"][0]["requirement"] == "prebuilt"
    assert main(["explain", str(example)]) == 0
    out = capsys.readouterr().out
    assert "prebuilt  [project.dependencies[0]]" in out and "local  : prebuilt @ file://" in out
    assert "publish: prebuilt==0.1.0" in out


def test_explain_shows_publish_only_problems(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(
        '[project]\nname="p"\nversion="1"\ndependencies=["g"]\n[tool.uv.sources]\ng={git="https://example.com/g.git"}\n'
    )
    report = explain(root)
    assert report["problems"] == [] and [p["key"] for p in report["publish_problems"]] == ["tool.uv.sources.g"]
    assert report["requirements"][0]["publish"] == []  # no specifier could be made
    assert main(["explain", str(root)]) == 0  # fine in local mode
    out = capsys.readouterr().out
    assert "publish: none, see the problems below" in out and "1 problem in publish mode only:" in out


def test_cli_reports_problems_with_exit_1(make_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project('[project]\nname="p"\nversion="1"\ndependencies=["x"]\n[tool.uv.sources]\nx={path="gone"}\n')
    assert main(["explain", str(root)]) == 1
    out = capsys.readouterr().out
    assert "1 problem:" in out and "dependency `x` (`tool.uv.sources.x.path`)" in out


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(tmp_path)]) == 2
    assert "has no pyproject.toml" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2  # argparse's errors go through the same boundary: no SystemExit
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
