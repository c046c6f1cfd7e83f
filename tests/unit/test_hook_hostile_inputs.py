"""Hostile input for the ``sourcelift`` command: each case once gave an internal error (exit 3), a hang or
a misleading answer.  A user's bad input must give a message naming the file, what is wrong and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcelift_hook.check import Finding, read_archive, run_checks
from sourcelift_hook.cli import main

from .check_builders import make_sdist, pyproject


def check(*paths: Path) -> list[Finding]:
    findings, _ = run_checks([read_archive(p, display=p.name) for p in paths])
    return findings


# --------------------------------------------------------------------------- check: an sdist's pyproject.toml


@pytest.mark.parametrize("value", ["[" * 3000 + "]" * 3000, "{a=" * 3000 + "1" + "}" * 3000])
def test_an_sdist_pyproject_nested_too_deeply_is_sl100(
    tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sdist = make_sdist(tmp_path, project=pyproject(extra=f"\n[tool.x]\ny = {value}\n"))
    (found,) = check(sdist)
    assert (found.id, found.location) == ("SL100", "pyproject.toml")
    assert "nested too deeply" in found.message
    # the command: a finding (exit 1), not an internal error (exit 3); the sdist is not built
    assert main(["check", "--ignore", "SL3", str(sdist)]) == 1
    assert "nested too deeply" in capsys.readouterr().out


def test_a_deep_table_in_an_sdist_pyproject_is_scanned_for_leaks(tmp_path: Path) -> None:
    # a dotted table header 990 keys deep parses; every string in it is still scanned, without recursion
    header = ".".join(["a"] * 990)
    sdist = make_sdist(tmp_path, project=pyproject(extra=f'\n[{header}]\nk = "/home/alice/src/lib"\n'))
    found = [f for f in check(sdist) if f.id == "SL402"]
    assert [f.location for f in found] == [f"pyproject.toml: {header}.k"]


def test_a_project_pyproject_nested_too_deeply_is_no_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("x = " + "[" * 3000 + "]" * 3000 + "\n")
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "pyproject.toml") in err and "nested too deeply" in err


# --------------------------------------------------------------------------- explain: wrong types in pyproject.toml

PROJECT = '[project]\nname = "demo"\nversion = "1.0"\ndependencies = ["lib"]\n'


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("build-system = 5\n" + PROJECT, "build-system", "not a table"),
        (
            '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n'
            + PROJECT
            + "[tool]\nsourcelift = 5\n",
            "tool.sourcelift",
            "must be a table",
        ),
    ],
)
def test_explain_reports_a_table_of_the_wrong_type(
    tmp_path: Path, text: str, key: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    assert main(["explain", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"(`{key}`): " in out and words in out
