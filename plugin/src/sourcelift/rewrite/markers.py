"""PEP 508 marker algebra the rewrite needs: conjunction, and negation (PEP 508 has no `not`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from packaging.markers import Marker

from ..values import parsed_marker

__all__ = ["CannotNegate", "as_metadata", "conjoin", "implies_extra", "negate_any", "parsed_marker"]

_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">", "in": "not in", "not in": "in"}


class CannotNegate(ValueError):
    """A marker uses an operator with no PEP 508 negation (``~=``, ``===``)."""


def as_metadata(requirement: Any, extra: str | None) -> str:
    """``requirement`` (a :class:`~packaging.requirements.Requirement` of ``[project]`` or a tool's table) as
    core metadata carries it: an extra's under its ``extra`` marker."""
    if extra is None:
        return str(requirement)
    from ..values import copied

    written = copied(requirement)
    written.marker = conjoin(written.marker, f'extra == "{extra}"')
    return str(written)


def conjoin(*markers: Marker | str | None) -> Marker | None:
    """``a and b and ...``, skipping ``None``.

    >>> str(conjoin(Marker('os_name == "nt"'), None, 'extra == "cli"'))
    'os_name == "nt" and extra == "cli"'
    """
    parts = [str(m) for m in markers if m is not None and str(m)]
    if not parts:
        return None
    if len(parts) == 1:
        return parsed_marker(parts[0])
    return parsed_marker(" and ".join(f"({part})" for part in parts))


def implies_extra(marker: Marker | None, extra: str) -> bool:
    """Whether ``marker`` is ``extra == "<extra>" and ...`` at its top level (so it implies the extra).

    >>> implies_extra(Marker('python_version > "3" and extra == "Cli"'), "cli")
    True
    """
    if marker is None:
        return False
    items: list[Any] = marker._markers
    while len(items) == 1 and isinstance(items[0], list):
        items = items[0]
    if "or" in items:
        return False
    wanted = _normalize_extra(extra)
    for item in items:
        if isinstance(item, list) and "or" not in item:
            if any(_is_extra(sub, wanted) for sub in item):
                return True
        elif _is_extra(item, wanted):
            return True
    return False


def _normalize_extra(value: str) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(value)


def _is_extra(item: Any, wanted: str) -> bool:
    if not isinstance(item, tuple):
        return False
    left, op, right = item
    return bool(
        op.value == "=="
        and {type(left).__name__, type(right).__name__} == {"Variable", "Value"}
        and "extra" in (left.value, right.value)
        and _normalize_extra(right.value if left.value == "extra" else left.value) == wanted
    )


def negate_any(markers: Sequence[Marker]) -> Marker:
    """``not (m1 or m2 or ...)`` written in PEP 508's grammar.

    >>> str(negate_any([Marker('sys_platform == "linux"'), Marker('sys_platform == "darwin"')]))
    'sys_platform != "linux" and sys_platform != "darwin"'
    """
    return parsed_marker(" and ".join(f"({_negate(m._markers)})" for m in markers))


def _atom(item: Any) -> str:
    left, op, right = item
    negated = _NEGATED.get(op.value)
    if negated is None:
        raise CannotNegate(f"the operator {op.value!r} has no negation in PEP 508")
    return f"{left.serialize()} {negated} {right.serialize()}"


def _negate(expression: list[Any]) -> str:
    # packaging keeps a flat list where `and` binds tighter than `or`:
    # split into or-groups; not(g1 or g2) = not g1 and not g2; not(a and b) = not a or not b.
    groups: list[list[Any]] = [[]]
    for item in expression:
        if item == "or":
            groups.append([])
        elif item != "and":
            groups[-1].append(item)
    negated_groups = []
    for group in groups:
        terms = [_atom(item) if isinstance(item, tuple) else f"({_negate(item)})" for item in group]
        negated_groups.append(" or ".join(terms))
    if len(negated_groups) == 1:
        return negated_groups[0]
    return " and ".join(f"({g})" for g in negated_groups)
