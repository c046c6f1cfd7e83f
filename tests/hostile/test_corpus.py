"""The hostile-input corpus, run for real: every project case through the wrapper backend in a fresh
process, every environment case through the ``sourcelift`` command (see ``corpus.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .corpus import Result, project_cases, run_project_case
from .environments import CASES

GOOD = ("clean error", "correct success")


@pytest.mark.parametrize("case", project_cases(), ids=lambda path: path.stem)
def test_project_case(case: Path, tmp_path: Path) -> None:
    result = run_project_case(case, tmp_path)
    assert result.outcome in GOOD, f"{result.outcome}: {result.detail}\n{result.output}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_environment_case(case: Callable[[Path], Result], tmp_path: Path) -> None:
    result = case(tmp_path)
    assert result.outcome in GOOD, f"{result.outcome}: {result.detail}"
