"""The plugin's value classes are real dataclasses: replace() works, repr=False is honoured, slots on 3.10+."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from sourcelift.errors import Problem
from sourcelift.model import ResolvedArchive, ResolvedDirectory
from sourcelift.readers.workspace import Workspace


def test_replace_keeps_the_other_fields() -> None:
    source = ResolvedDirectory(name="lib", key="tool.uv.sources.lib", marker=None, extra="cli", path=Path("/w/lib"))
    clone = dataclasses.replace(source, extra=None)
    assert clone.extra is None and clone.path == source.path and clone.key == source.key
    assert source.extra == "cli"  # the original is untouched
    assert dataclasses.is_dataclass(ResolvedArchive) and dataclasses.is_dataclass(Problem)


def test_a_field_declared_repr_false_stays_out_of_repr() -> None:
    hidden = [f.name for f in dataclasses.fields(Workspace) if not f.repr]
    assert hidden, "Workspace declares its caches repr=False"
    text = repr(Workspace(root=Path("/w"), pyproject=Path("/w/pyproject.toml"), data={}))
    assert all(f"{name}=" not in text for name in hidden)


@pytest.mark.skipif(sys.version_info < (3, 10), reason="dataclass(slots=True) needs Python 3.10")
def test_value_classes_have_slots() -> None:
    source = ResolvedDirectory(name="lib", key="k", marker=None, extra=None, path=Path("/w/lib"))
    assert not hasattr(source, "__dict__")
    with pytest.raises(AttributeError):
        source.unknown = 1  # type: ignore[attr-defined]
