from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from sourcelift.artifacts.store import Store

WHEEL = "prebuilt-0.1.0-py3-none-any.whl"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content))
    return root


MakeProject = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """A project directory from a pyproject text and extra files."""

    def make(pyproject: str, files: dict[str, str | bytes] | None = None, where: str = "proj") -> Path:
        root = tmp_path / where
        write_tree(root, {"pyproject.toml": pyproject, **(files or {})})
        return root

    return make


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")
