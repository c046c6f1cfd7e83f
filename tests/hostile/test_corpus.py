"""The hostile-input corpus, run for real: every project case through the wrapper backend and
``sourcelift explain`` in fresh processes, every environment case through the ``sourcelift``
command (see ``corpus.py`` and ``environments.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .corpus import Result, project_cases, run_project_cases, summary
from .environments import CASES

pytestmark = pytest.mark.e2e

GOOD = ("clean error", "correct success")


def test_every_project_case(tmp_path: Path) -> None:
    results = run_project_cases(project_cases(), tmp_path)
    bad = [f"{r.name}: {r.outcome}: {r.detail}\n{r.output}" for r in results if r.outcome not in GOOD]
    counts = summary(results)
    assert counts["cases"] == len(project_cases()) >= 70
    assert not bad, "\n\n".join(bad)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_environment_case(case: Callable[[Path], Result], tmp_path: Path) -> None:
    result = case(tmp_path)
    assert result.outcome in GOOD, f"{result.outcome}: {result.detail}"
