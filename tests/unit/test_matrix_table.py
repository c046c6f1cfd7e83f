"""The README's interoperability table is rendered from what tests/e2e/test_matrix.py runs."""

from __future__ import annotations

import pytest

from tests.support.matrix import (
    BACKENDS,
    COLUMNS,
    KNOWN_FAILURES,
    README,
    TABLE_BEGIN,
    TABLE_END,
    readme_with_table,
    render_table,
)


def test_readme_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert readme_with_table(text) == text, "the README's matrix table is stale: run `python -m tests.support.matrix`"


def test_table_has_a_row_per_backend_and_a_cell_per_column() -> None:
    rows = [line for line in render_table().splitlines() if line.startswith("| ") and not line.startswith("| backend")]
    assert len(rows) == len(BACKENDS)
    for row in rows:
        assert row.count(" | ") == len(COLUMNS)


def test_known_failures_name_real_cells() -> None:
    backends, columns = {b.id for b in BACKENDS}, {c.id for c in COLUMNS}
    for backend, column in KNOWN_FAILURES:
        assert backend in backends and column in columns, (backend, column)


def test_readme_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="no matrix table"):
        readme_with_table("# nothing here\n")


def test_table_markers_enclose_the_table() -> None:
    table = render_table()
    assert table.startswith(TABLE_BEGIN) and table.endswith(TABLE_END)
