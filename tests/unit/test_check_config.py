"""Which checks run: ID prefixes from `[tool.sourcelift.check]` and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcelift.config import read_config
from sourcelift.errors import Findings
from sourcelift_hook.check import CHECKS, Selection
from sourcelift_hook.check.config import read_table, selection
from sourcelift_hook.check.errors import UsageError
from sourcelift_hook.cli import main

from .check_builders import make_wheel, metadata

BAD = metadata(fields=[("Requires-Dist", "lib @ https://example.org/lib.whl"), ("Classifier", "Bogus :: Yes")])


def enabled(chosen: Selection) -> list[str]:
    return [check_id for check_id in CHECKS if chosen.enabled(check_id)]


def test_default_runs_everything() -> None:
    assert enabled(Selection()) == list(CHECKS)


def test_longest_prefix_wins_and_ignore_wins_ties() -> None:
    assert enabled(Selection(select=("SL1",), ignore=("SL10",))) == [c for c in CHECKS if c.startswith("SL11")]
    chosen = Selection(select=("SL", "SL405"), ignore=("SL4",))
    assert [c for c in enabled(chosen) if c.startswith("SL4")] == ["SL405"]
    assert enabled(Selection(select=("SL101",), ignore=("SL101",))) == []
    assert not Selection(ignore=("SL3",)).any_enabled("SL3") and Selection().any_enabled("SL3")


def test_table_and_command_line() -> None:
    table = {"select": ["SL1", "sl4"], "ignore": ["SL109"], "strict": True}
    assert selection(table) == Selection(select=("SL1", "SL4"), ignore=("SL109",), strict=True)
    assert selection(table, select="SL6", strict=False) == Selection(select=("SL6",), ignore=("SL109",), strict=False)
    assert selection(table, ignore=[]).ignore == ()
    assert selection({}) == Selection()


def test_every_problem_at_once() -> None:
    table = {"select": ["SL9", "S1", 3], "ignore": "SL1", "strict": "yes", "color": True}
    with pytest.raises(UsageError) as caught:
        selection(table, source="t", ignore=["SLX"])
    assert caught.value.problems == [
        "t: `color` is not a setting; the table takes `ignore`, `select`, `strict`",
        "t select: 'SL9' matches no check; `sourcelift check --list` shows them",
        "t select: 'S1' is not a check ID prefix (`SL`, then up to three digits)",
        "t select: 3 is not a check ID prefix (`SL`, then up to three digits)",
        "t: `strict` must be true or false, not 'yes'",
        "--ignore: 'SLX' is not a check ID prefix (`SL`, then up to three digits)",
    ]


def test_read_table(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    assert read_table(pyproject) == {}
    pyproject.write_text('[tool.sourcelift]\nbackend = "hatchling.build"\n[tool.sourcelift.check]\nignore = ["SL4"]\n')
    assert read_table(pyproject) == {"ignore": ["SL4"]}
    pyproject.write_text("[tool.sourcelift]\ncheck = 1\n")
    with pytest.raises(UsageError, match="must be a table"):
        read_table(pyproject)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'[project\nname = "x"\n', "not valid TOML"),
        (b'[project]\nname = "x\xff"\n', "not UTF-8 text"),
        (b"a = " + b"[" * 3000 + b"]" * 3000 + b"\n", "nest"),
    ],
)
def test_an_unreadable_pyproject_is_a_usage_error_that_says_why(tmp_path: Path, content: bytes, says: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_bytes(content)
    with pytest.raises(UsageError) as raised:
        read_table(pyproject)
    assert says in str(raised.value) and str(pyproject) in str(raised.value)
    assert raised.value.fix == "correct the file: it must be UTF-8 encoded TOML"


def test_the_plugin_accepts_the_check_table() -> None:
    findings = Findings()
    read_config({"tool": {"sourcelift": {"check": {"ignore": ["SL4"]}}}}, findings)
    assert findings.problems == []


def test_config_file_through_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    make_wheel(tmp_path / "dist", meta=BAD)
    wheel = "dist/demo-1.0-py3-none-any.whl"
    assert main(["check", wheel]) == 1
    assert "SL101" in capsys.readouterr().out
    Path("pyproject.toml").write_text('[tool.sourcelift.check]\nignore = ["SL101", "SL109"]\n')
    assert main(["check", wheel]) == 0
    assert main(["check", wheel, "--ignore", "SL109"]) == 1  # the command line replaces the table's list
    out = capsys.readouterr().out
    assert "SL101" in out and "SL109" not in out
    Path("pyproject.toml").write_text('[tool.sourcelift.check]\nselect = ["SL1"]\nignore = ["SL10"]\n')
    assert main(["check", wheel]) == 0  # SL101 and SL109 are both under SL10
    Path("pyproject.toml").write_text('[tool.sourcelift.check]\nselect = ["SL1"]\nignore = ["SL10", "SL101"]\n')
    capsys.readouterr()
    assert main(["check", wheel, "--select", "SL109,SL6"]) == 1
    assert "SL109" in capsys.readouterr().out
    Path("other.toml").write_text('[tool.sourcelift.check]\nignores = ["SL1"]\n')
    assert main(["check", wheel, "--config", "other.toml"]) == 2
    assert "`ignores` is not a setting" in capsys.readouterr().err


def test_strict_counts_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_wheel(
        tmp_path, record_rows=lambda rows: [[*r[:1], "sha256=x", "1"] if r[0].endswith("RECORD") else r for r in rows]
    )
    wheel = "demo-1.0-py3-none-any.whl"
    assert main(["check", wheel]) == 0  # SL607 is a warning
    assert main(["check", wheel, "--strict"]) == 1
    Path("pyproject.toml").write_text("[tool.sourcelift.check]\nstrict = true\n")
    assert main(["check", wheel]) == 1
    assert main(["check", wheel, "--no-strict"]) == 0


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(check_id in out for check_id in CHECKS) and "SL4xx  leaks" in out
