"""``sourcelift._dataclasses``: the dataclass contract the build path relies on, without dataclasses."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

import pytest

from sourcelift._dataclasses import field, replace, slotted_dataclass
from sourcelift.model import PathSource, Project, ResolvedArchive, ResolvedDirectory


@slotted_dataclass
class Base:
    name: str
    size: int = 0
    secret: str = field(default="", repr=False)


@slotted_dataclass
class Child(Base):
    tags: list[str] = field(default_factory=list)
    size: int = 5  # re-declared: keeps its place, new default


def test_positional_and_keyword_arguments_follow_field_order_with_inherited_fields_first() -> None:
    child = Child("a", 2, "s", ["t"])
    assert (child.name, child.size, child.secret, child.tags) == ("a", 2, "s", ["t"])
    assert Child(name="b").size == 5
    assert [f.name for f in Child.__record_fields__] == ["name", "size", "secret", "tags"]  # type: ignore[attr-defined]


def test_default_factory_gives_each_instance_its_own_value() -> None:
    first, second = Child("a"), Child("b")
    first.tags.append("x")
    assert second.tags == []


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "missing required argument: 'name'"),
        (("a",), {"name": "b"}, "multiple values for argument 'name'"),
        (("a",), {"colour": 1}, "unexpected keyword argument 'colour'"),
        (("a", 1, "s", [], 9), {}, "takes 4 positional arguments but 5 were given"),
    ],
)
def test_argument_errors_are_the_ones_dataclasses_raise(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Child(*args, **kwargs)


def test_repr_leaves_out_repr_false_fields_and_equality_compares_class_and_values() -> None:
    assert repr(Base("a", 1, "hidden")) == "Base(name='a', size=1)"
    assert Base("a", 1) == Base("a", 1)
    assert Base("a", 1) != Base("a", 2)
    assert Base("a", 5) != Child("a")  # another class, same values
    with pytest.raises(TypeError):
        hash(Base("a"))  # unfrozen: unhashable, as a dataclass


def test_instances_have_slots_and_no_dict() -> None:
    record = Base("a")
    assert not hasattr(record, "__dict__")
    with pytest.raises(AttributeError):
        record.colour = 1  # type: ignore[attr-defined]


def test_replace_copy_and_pickle_keep_every_field() -> None:
    child = Child("a", 1, "s", ["t"])
    assert replace(child, size=3) == Child("a", 3, "s", ["t"])
    with pytest.raises(TypeError, match="no field 'colour'"):
        replace(child, colour=1)
    assert copy.copy(child) == child
    assert copy.deepcopy(child) == child
    assert pickle.loads(pickle.dumps(child)) == child


def test_unsupported_dataclass_features_are_refused_at_class_creation() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @slotted_dataclass
        class Wrong:
            a: int = 0
            b: int

    with pytest.raises(TypeError, match="__post_init__"):

        @slotted_dataclass
        class WithPostInit:
            a: int

            def __post_init__(self) -> None:
                pass


def test_the_model_records_behave_like_the_dataclasses_they_were(tmp_path: Path) -> None:
    source = PathSource("prebuilt", "tool.uv.sources.prebuilt", tmp_path / "pyproject.toml", path="w.whl")
    assert source.base == tmp_path  # a property of the class survives
    assert source.marker is None and source.editable is False
    archive = ResolvedArchive("p", "k", None, None, tmp_path / "p.whl", "p.whl", "0" * 64, "p", "1.0")
    assert archive.binds is None and archive.relative is None
    assert replace(ResolvedDirectory("d", "k", None, "x", tmp_path), version="2.0").version == "2.0"
    project = Project(tmp_path, tmp_path / "pyproject.toml", "p", [], {})
    assert project.other_names == frozenset() and project.development_only == []
    assert not dataclasses.is_dataclass(project)  # the point: no dataclasses machinery at run time


def test_the_workspace_caches_stay_out_of_its_repr() -> None:
    from sourcelift.readers.workspace import Workspace

    hidden = [f.name for f in Workspace.__record_fields__ if not f.repr]  # type: ignore[attr-defined]
    assert hidden, "Workspace declares its caches repr=False"
    text = repr(Workspace(root=Path("/w"), pyproject=Path("/w/pyproject.toml"), data={}))
    assert all(f"{name}=" not in text for name in hidden)
