from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Callable

import pytest

from sourcelift.artifacts.store import Store
from tests.support.trees import write_tree

WHEEL = "prebuilt-0.1.0-py3-none-any.whl"


def sdist_bytes(name: str, version: str) -> bytes:
    """A minimal real sdist (.tar.gz) whose PKG-INFO says ``name`` and ``version``."""
    buffer = io.BytesIO()
    top = f"{name.replace('-', '_')}-{version}"
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, text in (
            ("PKG-INFO", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n"),
            ("pyproject.toml", f'[project]\nname = "{name}"\nversion = "{version}"\n'),
        ):
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{member}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


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
