"""The hostile-input corpus, run for real: every project case through the wrapper backend in a fresh
process, every environment case through the ``sourcelift`` command (see ``corpus.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .corpus import project_cases, run_project_case


@pytest.mark.parametrize("case", project_cases(), ids=lambda path: path.stem)
def test_project_case(case: Path, tmp_path: Path) -> None:
    result = run_project_case(case, tmp_path)
    assert result.outcome in ("clean error", "correct success"), f"{result.outcome}: {result.detail}\n{result.output}"
