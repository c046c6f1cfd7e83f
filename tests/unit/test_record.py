"""The runtime stand-in for @dataclass behaves like it for the features sourcelift uses."""

from __future__ import annotations

from dataclasses import field

import pytest

from sourcelift._record import record


@record
class Base:
    name: str
    key: str
    marker: str | None = None


@record
class Child(Base):
    path: str = ""
    tags: list[str] = field(default_factory=list)


def test_fields_in_dataclass_order_with_defaults_and_factories() -> None:
    first = Child("a", "k", path="p")
    assert (first.name, first.key, first.marker, first.path, first.tags) == ("a", "k", None, "p", [])
    assert Child("a", "k").tags is not Child("a", "k").tags  # a fresh default per instance
    assert repr(first) == "Child(name='a', key='k', marker=None, path='p', tags=[])"
    assert first == Child(name="a", key="k", path="p") and first != Child("a", "k", path="q")
    assert first != Base("a", "k")


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("a",), {}, "missing required argument: 'key'"),
        (("a", "k"), {"colour": 1}, "unexpected keyword argument 'colour'"),
        (("a", "k"), {"name": "b"}, "multiple values for argument 'name'"),
        (("a", "k", None, "p", [], "extra"), {}, "takes 5 positional arguments but 6 were given"),
    ],
)
def test_bad_calls_fail_like_dataclasses(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Child(*args, **kwargs)


def test_records_are_unhashable_like_non_frozen_dataclasses() -> None:
    with pytest.raises(TypeError):
        hash(Base("a", "k"))
