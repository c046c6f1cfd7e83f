"""tasks.py: the type check sees the code as the oldest declared Python does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tasks

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the dev venv runs a newer Python
    import tomli as tomllib


def test_oldest_declared_python_is_the_lowest_floor() -> None:
    floors = []
    for dist in ("plugin", "frontend_hook"):
        text = (tasks.ROOT / dist / "pyproject.toml").read_text(encoding="utf-8")
        spec = tomllib.loads(text)["project"]["requires-python"]
        major, minor = spec.removeprefix(">=").split(".")[:2]
        floors.append((int(major), int(minor)))
    assert tasks.oldest_declared_python() == min(floors)


def test_mypy_targets_the_oldest_declared_python() -> None:
    config = tomllib.loads((tasks.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    major, minor = tasks.oldest_declared_python()
    assert config["tool"]["mypy"]["python_version"] == f"{major}.{minor}"
    # the typecheck group must not pin: the oldest Python's own pip chooses what supports it
    for requirement in config["dependency-groups"]["typecheck"]:
        assert "==" not in requirement and "<" not in requirement, requirement


def test_find_interpreter_accepts_only_the_wanted_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCELIFT_OLDEST_PYTHON", sys.executable)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert tasks.find_interpreter(*sys.version_info[:2]) == sys.executable
    # the same interpreter is refused for another version, and the error says what to do
    with pytest.raises(tasks.TaskError) as excinfo:
        tasks.find_interpreter(2, 7)
    message = str(excinfo.value)
    assert "no Python 2.7 was found" in message
    assert "SOURCELIFT_OLDEST_PYTHON" in message


def test_the_whole_suite_runs_the_unit_tests_on_the_oldest_python_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # 3.9's tarfile and an empty archive, a test importing tomllib: what mypy's 3.9 target cannot see
    commands: list[list[object]] = []
    monkeypatch.setattr(tasks, "ensure_dev_venv", lambda: Path("dev-python"))
    monkeypatch.setattr(tasks, "ensure_oldest_venv", lambda: Path("oldest-python"))
    monkeypatch.setattr(tasks, "call", lambda cmd, **kwargs: commands.append(list(cmd)) or 0)
    tasks.task_test([])
    assert [Path("oldest-python"), "-m", "pytest", "-n", "2", "-q", "tests/unit"] in commands
    assert [Path("dev-python"), "-m", "pytest", "-n", "2"] in commands
    commands.clear()
    tasks.task_test(["tests/unit/test_tasks.py"])  # a chosen selection runs as asked, once
    selected = [Path("dev-python"), "-m", "pytest", "-n", "2", "tests/unit/test_tasks.py"]
    assert [c for c in commands if "pytest" in c] == [selected]
    # the oldest venv's group is the typecheck group and the test runner, unpinned
    config = tomllib.loads((tasks.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    oldest = config["dependency-groups"]["oldest"]
    assert {"include-group": "typecheck"} in oldest
    assert all("==" not in r and "<" not in r for r in oldest if isinstance(r, str)), oldest
