"""``record``: what ``@dataclass`` gives plain record classes, without its import-time cost.

The plugin runs inside every build, and ``@dataclass`` compiles (``exec``) new
``__init__``, ``__repr__`` and ``__eq__`` source for every class: about half a
millisecond each, most of sourcelift's import time.  ``record`` builds the same
three methods from closures.  Type checkers see the real ``dataclass``, so the
classes are checked with dataclass semantics (field order, defaults).
Supported: annotated fields with plain defaults or ``dataclasses.field(default=...,
default_factory=...)``, inherited fields (base fields first, as in dataclasses).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable

__all__ = ["record"]

if TYPE_CHECKING:
    from dataclasses import dataclass as record
else:
    _MISSING = object()

    def record(cls: type) -> type:
        fields: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            for name in klass.__dict__.get("__annotations__", {}):  # noqa: RUF063 - no evaluation wanted
                value = klass.__dict__.get(name, _MISSING)
                fields[name] = value if value is not _MISSING else fields.get(name, _MISSING)
        defaults: dict[str, Callable[[], Any]] = {}
        for name, value in fields.items():
            if isinstance(value, dataclasses.Field):
                if value.default_factory is not dataclasses.MISSING:
                    defaults[name] = value.default_factory
                elif value.default is not dataclasses.MISSING:
                    defaults[name] = _constant(value.default)
                if name in cls.__dict__:
                    delattr(cls, name)
            elif value is not _MISSING:
                defaults[name] = _constant(value)
        names = tuple(fields)

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            if len(args) > len(names):
                raise TypeError(f"{cls.__name__}() takes {len(names)} positional arguments but {len(args)} were given")
            values = dict(zip(names, args))
            for key, value in kwargs.items():
                if key not in fields:
                    raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {key!r}")
                if key in values:
                    raise TypeError(f"{cls.__name__}() got multiple values for argument {key!r}")
                values[key] = value
            for name in names:
                if name in values:
                    setattr(self, name, values[name])
                elif name in defaults:
                    setattr(self, name, defaults[name]())
                else:
                    raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")

        def __repr__(self: Any) -> str:
            inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
            return f"{cls.__qualname__}({inner})"

        def __eq__(self: Any, other: object) -> Any:
            if other.__class__ is not self.__class__:
                return NotImplemented
            return all(getattr(self, name) == getattr(other, name) for name in names)

        cls.__init__ = __init__
        cls.__repr__ = __repr__
        cls.__eq__ = __eq__
        cls.__hash__ = None
        cls.__match_args__ = names
        return cls

    def _constant(value: Any) -> Callable[[], Any]:
        return lambda: value
