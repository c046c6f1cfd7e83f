"""``slotted_dataclass``, ``field`` and ``replace``: dataclass semantics without dataclasses' cost.

Type checkers see :func:`dataclasses.dataclass`, :func:`dataclasses.field` and
:func:`dataclasses.replace`.  At run time :func:`slotted_dataclass` makes a class with
``__slots__`` and a generic ``__init__``, ``__repr__`` and ``__eq__`` that read the class's
field list, so that creating a class compiles no code.

Why: the plugin runs inside every build, and ``dataclasses`` generates and ``exec``s the
source of ``__init__``, ``__repr__`` and ``__eq__`` for every class: about 0.55 ms of CPU
per class, some 11 ms for the 20 classes a wheel build creates (``import sourcelift.build``
after hatchling: 18.7 ms of CPU with dataclasses, 7.8 ms without; Python 3.11, medians of
20 runs).  ``bench/bench_build.py`` holds the budget.

What is kept of the dataclass contract, and tested (``tests/unit/test_records.py``):
positional and keyword arguments in field order, inherited fields first (a subclass may
re-declare one, which keeps its place), defaults and ``default_factory``, the errors of a
missing, duplicate or unknown argument, ``repr=False``, equality by class and field values
(and no ``__hash__``, as an unfrozen dataclass), :func:`replace`, ``copy``, ``pickle``.
Not supported, and refused at class creation: ``ClassVar``/``InitVar`` fields,
``__post_init__``, decorator options (``frozen``, ``order``, ...): use
:func:`dataclasses.dataclass` for those.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

__all__ = ["field", "replace", "slotted_dataclass"]

if TYPE_CHECKING:
    from dataclasses import dataclass as slotted_dataclass
    from dataclasses import field, replace
else:

    class _Missing:
        __slots__ = ()

        def __repr__(self) -> str:
            return "MISSING"

    MISSING = _Missing()

    class Field:
        """What :func:`field` returns: a field's default and whether ``repr`` shows it."""

        __slots__ = ("default", "default_factory", "name", "repr")

        def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True) -> None:
            if default is not MISSING and default_factory is not MISSING:
                raise ValueError("cannot specify both default and default_factory")
            self.name = ""
            self.default = default
            self.default_factory = default_factory
            self.repr = repr

        def value(self, owner: str) -> Any:
            if self.default_factory is not MISSING:
                return self.default_factory()
            if self.default is MISSING:
                raise TypeError(f"{owner}.__init__() missing required argument: {self.name!r}")
            return self.default

    def field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True) -> Any:
        return Field(default, default_factory, repr)

    def _init(self: Any, *args: Any, **kwargs: Any) -> None:
        fields = type(self).__record_fields__
        assign = object.__setattr__
        rest = fields
        if args:
            if len(args) > len(fields):
                raise TypeError(
                    f"{type(self).__name__}.__init__() takes {len(fields)} positional arguments but {len(args)} "
                    "were given"
                )
            for spec, value in zip(fields, args):
                if spec.name in kwargs:
                    raise TypeError(f"{type(self).__name__}.__init__() got multiple values for argument {spec.name!r}")
                assign(self, spec.name, value)
            rest = fields[len(args) :]
        take = kwargs.pop
        for spec in rest:  # a build makes hundreds of records: no call per field where a default will do
            value = take(spec.name, MISSING)
            if value is MISSING:
                value = spec.default
                if value is MISSING:  # a default_factory, or a required argument (spec.value raises)
                    value = spec.value(type(self).__name__)
            assign(self, spec.name, value)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword argument {next(iter(kwargs))!r}"
            )

    def _repr(self: Any) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in type(self).__record_fields__ if f.repr)
        return f"{type(self).__qualname__}({shown})"

    def _eq(self: Any, other: object) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = [f.name for f in type(self).__record_fields__]
        return [getattr(self, n) for n in names] == [getattr(other, n) for n in names]

    def _reduce(self: Any) -> tuple[Any, ...]:
        return (_rebuild, (type(self), {f.name: getattr(self, f.name) for f in type(self).__record_fields__}))

    def _rebuild(cls: type, values: dict[str, Any]) -> Any:
        return cls(**values)

    def _own_annotations(cls: type) -> dict[str, Any]:
        if sys.version_info >= (3, 14):  # PEP 649: annotations are computed on request
            import annotationlib

            return annotationlib.get_annotations(cls, format=annotationlib.Format.FORWARDREF)
        # the class's own annotations, not a base's (``cls.__annotations__`` falls back to those)
        return dict(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063

    def slotted_dataclass(cls: type | None = None, /, **options: Any) -> Any:
        if options or cls is None:
            raise TypeError("sourcelift's slotted_dataclass takes no options: use dataclasses.dataclass")
        own = _own_annotations(cls)
        inherited: list[Field] = []
        for base in reversed(cls.__mro__[1:]):
            for spec in base.__dict__.get("__record_fields__", ()):
                inherited = [f for f in inherited if f.name != spec.name] + [spec]
        fields = {f.name: f for f in inherited}
        namespace = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
        slots: list[str] = []
        for name, annotation in own.items():
            text = annotation if isinstance(annotation, str) else repr(annotation)
            if "ClassVar" in text or "InitVar" in text:
                raise TypeError(f"{cls.__name__}.{name}: ClassVar and InitVar fields need dataclasses.dataclass")
            value = namespace.pop(name, MISSING)
            spec = value if isinstance(value, Field) else Field(default=value)
            spec.name = name
            if name not in fields:
                slots.append(name)
            fields[name] = spec  # a re-declared field keeps its place
        if "__post_init__" in namespace:
            raise TypeError(f"{cls.__name__}: __post_init__ needs dataclasses.dataclass")
        ordered = list(fields.values())
        seen_default = False
        for spec in ordered:
            has_default = spec.default is not MISSING or spec.default_factory is not MISSING
            if seen_default and not has_default:
                raise TypeError(f"non-default argument {spec.name!r} follows default argument")
            seen_default = seen_default or has_default
        namespace["__slots__"] = tuple(slots)
        namespace["__record_fields__"] = tuple(ordered)
        namespace.setdefault("__init__", _init)
        namespace.setdefault("__repr__", _repr)
        namespace.setdefault("__eq__", _eq)
        namespace["__hash__"] = None
        namespace["__reduce__"] = _reduce
        return type(cls)(cls.__name__, cls.__bases__, namespace)

    def replace(obj: Any, /, **changes: Any) -> Any:
        """A copy of record ``obj`` with ``changes`` (as :func:`dataclasses.replace`)."""
        values = {f.name: getattr(obj, f.name) for f in type(obj).__record_fields__}
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
        values.update(changes)
        return type(obj)(**values)
