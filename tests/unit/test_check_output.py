"""Golden outputs of `sourcelift check` (human, json, github), through the API and through ``main([...])``.

The artifacts are made in the test with fixed contents and timestamps, and
named by paths relative to the working directory, so the outputs are stable.
``SOURCELIFT_UPDATE_GOLDEN=1`` rewrites the golden files (review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sourcelift_hook.check import SCHEMA_VERSION, check_paths, render_github, render_human, render_json
from sourcelift_hook.check.render import use_color
from sourcelift_hook.cli import main

from .check_builders import make_sdist, make_wheel, metadata, pyproject

GOLDEN = Path(__file__).parent / "golden"
FILES = ["dist/demo-1.0-py3-none-any.whl", "dist/demo-1.0.tar.gz", "dist/other-2.0-py3-none-any.whl"]
OUTPUTS = {"human": "check.txt", "json": "check.json", "github": "check.github.txt"}


def make_dist(root: Path) -> None:
    dist = root / "dist"
    wheel_meta = metadata(
        fields=[
            ("Summary", "A demo"),
            ("Requires-Dist", "lib @ https://example.org/lib-1.0.tar.gz"),
            ("Classifier", "Programming Language :: Klingon"),
            ("Project-URL", "Where the documentation of this project lives, https://example.org/docs"),
        ]
    )
    make_wheel(dist, meta=wheel_meta, unrecorded={"demo/extra.py": b"EXTRA = 1\n"})
    sdist_meta = metadata(fields=[("Summary", "A demo"), ("Requires-Dist", "lib>=1")])
    extra = '\n[dependency-groups]\ndev = ["tool"]\n\n[tool.uv.sources]\ntool = { path = "../tool" }\n'
    make_sdist(dist, pkg_info=sdist_meta, project=pyproject(extra=extra))
    make_wheel(dist, "other", "2.0")


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    make_dist(tmp_path)
    return tmp_path


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SOURCELIFT_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; SOURCELIFT_UPDATE_GOLDEN=1 rewrites it"


def test_api_outputs(dist: Path) -> None:
    report = check_paths(FILES, ignore=["SL3"])
    assert report.exit_code == 1
    golden(OUTPUTS["human"], render_human(report))
    golden(OUTPUTS["json"], render_json(report))
    golden(OUTPUTS["github"], render_github(report))


@pytest.mark.parametrize("fmt", list(OUTPUTS))
def test_cli_outputs(dist: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--ignore", "SL3", "--format", fmt, *FILES]) == 1
    captured = capsys.readouterr()
    golden(OUTPUTS[fmt], captured.out)
    assert captured.err == ""  # nothing was built: no progress


def test_json_schema(dist: Path) -> None:
    data = json.loads((GOLDEN / OUTPUTS["json"]).read_text())
    assert data["version"] == SCHEMA_VERSION == "1"
    assert set(data) == {"version", "project", "strict", "exit_code", "summary", "artifacts", "findings", "notes"}
    for item in data["findings"]:
        assert set(item) == {"id", "level", "artifact", "location", "message", "fix"}
        assert item["artifact"] in [a["artifact"] for a in data["artifacts"]]
    assert data["summary"] == {
        "artifacts": 3,
        "errors": sum(f["level"] == "error" for f in data["findings"]),
        "warnings": sum(f["level"] == "warning" for f in data["findings"]),
    }


def test_github_escapes_and_attaches_to_the_project(dist: Path) -> None:
    from sourcelift_hook.check import ArtifactRef, Finding, Report

    report = Report(
        [ArtifactRef("a.whl", "a.whl", "wheel", "a", "1", True)],
        [Finding("SL404", "a.whl", "100% C:\\x,\ny", "fix: it", "METADATA: Summary")],
    )
    assert render_github(report, file="proj/pyproject.toml").splitlines()[0] == (
        "::warning file=proj/pyproject.toml,title=SL404::a.whl: 100%25 C:\\x,%0Ay [METADATA: Summary]. Fix: fix: it"
    )
    assert render_github(report).startswith("::warning file=a.whl,title=SL404::")


def test_color_only_on_a_terminal_without_no_color(dist: Path) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    report = check_paths(FILES, ignore=["SL3"])
    assert "\033[" in render_human(report, color=True) and "\033[" not in render_human(report)
    assert use_color(Tty(), "auto", {}) is True  # type: ignore[arg-type]
    assert use_color(Tty(), "auto", {"NO_COLOR": "1"}) is False  # type: ignore[arg-type]
    assert use_color(open(os.devnull, "w"), "auto", {}) is False  # noqa: SIM115
