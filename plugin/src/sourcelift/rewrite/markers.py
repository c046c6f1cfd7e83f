"""PEP 508 marker algebra the rewrite needs: conjunction, and negation (PEP 508 has no `not`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from packaging.markers import Marker
from packaging.version import InvalidVersion, Version

from ..values import parsed_marker

__all__ = [
    "CannotNegate",
    "as_metadata",
    "conjoin",
    "disjoint",
    "implies_extra",
    "is_unsatisfiable",
    "negate_any",
    "parsed_marker",
]

_VERSIONED = {"implementation_version", "platform_release", "python_full_version", "python_version"}
"""The variables packaging compares as versions when the value is one (its ``MARKERS_REQUIRING_VERSION``)."""
_ORDERED = {"==", "!=", "<", "<=", ">", ">="}
_MOST_ENVIRONMENTS = 4096
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


def conjoin_before_extra(marker: Marker | None, addition: Marker | None) -> Marker | None:
    """``marker and addition``, the ``extra == "..."`` comparisons of ``marker``'s top level kept last.

    Backends write an extra's requirement as its own marker, then the extra
    (hatchling: ``(sys_platform == 'linux') and extra == 'fast'``); a line built so reads as the one
    the backend writes from a pyproject.toml that holds it, as a publish-mode sdist does.

    >>> str(conjoin_before_extra(Marker('extra == "fast"'), Marker('sys_platform == "linux"')))
    'sys_platform == "linux" and extra == "fast"'
    >>> str(conjoin_before_extra(Marker('os_name == "nt" and extra == "fast"'), Marker('sys_platform == "linux"')))
    '(os_name == "nt" and sys_platform == "linux") and extra == "fast"'
    >>> str(conjoin_before_extra(Marker('os_name == "nt" or extra == "a"'), Marker('sys_platform == "linux"')))
    '(os_name == "nt" or extra == "a") and sys_platform == "linux"'
    """
    if addition is None and marker is not None and len(marker._markers) == 1 and isinstance(marker._markers[0], tuple):
        return marker  # one comparison (an extra's line: `extra == "x"`), which the general case parses again
    rest, extras = split_extra(marker)
    if not extras:
        return conjoin(marker, addition)
    # `(m) and extra == "x"`: the backend's own form for a line whose marker is m
    return conjoin(conjoin(rest, addition), *extras)


def split_extra(marker: Marker | None) -> tuple[Marker | None, list[str]]:
    """``marker`` without the ``extra == "..."`` comparisons of its top level (an ``and`` of terms),
    and those comparisons; ``(marker, [])`` when it has none there, or an ``or`` at its top level.

    >>> rest, extras = split_extra(Marker('(python_version < "3.9") and (extra == "cli")'))
    >>> str(rest), extras
    ('python_version < "3.9"', ['extra == "cli"'])
    """
    if marker is None:
        return None, []
    items: list[Any] = marker._markers
    while len(items) == 1 and isinstance(items[0], list):
        items = items[0]
    if "or" in items:
        return marker, []
    terms = [_unwrapped(item) for item in items if item != "and"]
    extras = [_format(item) for item in terms if _is_any_extra(item)]
    if not extras:
        return marker, []
    rest = [_format(item) for item in terms if not _is_any_extra(item)]
    return conjoin(*rest), extras


def extra_values(marker: Marker | None) -> tuple[Marker | None, list[str]] | None:
    """``marker`` as ``rest and (extra == "a" or extra == "b" ...)``: ``rest`` and the extras' values, as
    poetry-core holds an optional dependency (its marker, and the extras it is in); ``None`` when the
    marker names no extra that way.

    >>> rest, extras = extra_values(Marker('python_version < "3.9" and (extra == "a" or extra == "b")'))
    >>> str(rest), extras
    ('python_version < "3.9"', ['a', 'b'])
    """
    if marker is None:
        return None
    whole: Any = _unwrapped(marker._markers)
    items: list[Any] = whole if isinstance(whole, list) else [whole]
    alternatives = _extras_of(items)
    if alternatives is not None:
        return None, alternatives
    if "or" in items:
        return None
    rest: list[str] = []
    values: list[str] = []
    for term in (_unwrapped(item) for item in items if item != "and"):
        found = _extras_of(term if isinstance(term, list) else [term])
        if found is None:
            rest.append(_format(term))
        elif values:
            return None  # two extra conditions: not one optional dependency's
        else:
            values = found
    return (conjoin(*rest), values) if values else None


def _extras_of(items: list[Any]) -> list[str] | None:
    """The values of ``extra == "a" or extra == "b" ...`` (a flat list of terms), else ``None``."""
    terms = [_unwrapped(item) for item in items if item != "or"]
    if "and" in items or not terms:
        return None
    values = [_extra_compared(term) for term in terms]
    return [value for value in values if value is not None] if all(v is not None for v in values) else None


def _unwrapped(item: Any) -> Any:
    """A term without the parentheses of a group of one (``conjoin`` writes each part in parentheses)."""
    while isinstance(item, list) and len(item) == 1:
        item = item[0]
    return item


def _extra_compared(item: Any) -> str | None:
    """The value of an ``extra == "..."`` comparison (either way round); ``None`` for any other term."""
    if not isinstance(item, tuple):
        return None
    left, op, right = item
    variable, value = (left, right) if type(left).__name__ == "Variable" else (right, left)
    if op.value != "==" or type(variable).__name__ != "Variable" or variable.value != "extra":
        return None
    return str(value.value) if type(value).__name__ == "Value" else None


def _is_any_extra(item: Any) -> bool:
    return _extra_compared(item) is not None


def _format(item: Any) -> str:
    """A term of a parsed marker written back (a comparison, or a parenthesized group)."""
    if isinstance(item, tuple):
        left, op, right = item
        return f"{left.serialize()} {op.serialize()} {right.serialize()}"
    if isinstance(item, list):
        return "(" + " ".join(part if isinstance(part, str) else _format(part) for part in item) + ")"
    return str(item)


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
    value = _extra_compared(item)
    return value is not None and _normalize_extra(value) == wanted


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


def is_unsatisfiable(marker: Marker | None) -> bool:
    """Whether ``marker`` holds in no environment at all (``a == "x" and a != "x"``), as
    ``SpecifierSet.is_unsatisfiable`` tells it of a specifier.

    The marker is evaluated on every combination of the values that matter to it: each value it names
    and one it does not, and for a version, one just above each it names and one below them all.
    That is exact for ``==``/``!=`` on strings and for comparisons of release versions; for any other
    comparison (``in``, ``~=``, pre-releases, ...) the answer is ``False``, as it is when the
    combinations are too many.

    >>> is_unsatisfiable(Marker('sys_platform == "darwin" and sys_platform != "darwin"'))
    True
    >>> is_unsatisfiable(Marker('python_version >= "3.10" and python_version < "3.9"'))
    True
    >>> is_unsatisfiable(Marker('python_version >= "3.10" and sys_platform != "darwin"'))
    False
    """
    if marker is None:
        return False
    if len(marker._markers) == 1 and isinstance(marker._markers[0], tuple):
        return False  # one comparison holds somewhere (an extra's line: `extra == "x"`)
    compared = _decidable(marker)
    if compared is None:
        return False
    variables_seen = [variable for variable, _ in compared]
    if len(set(variables_seen)) == len(variables_seen):
        return False  # each comparison holds somewhere, and no two constrain one variable
    candidates = _values_to_try(compared)
    if candidates is None:
        return False
    if math.prod(len(found) for found in candidates.values()) > _MOST_ENVIRONMENTS:
        return False
    variables = list(candidates)
    try:
        return not any(
            marker.evaluate({"extra": "", **dict(zip(variables, chosen))})
            for chosen in itertools.product(*(candidates[v] for v in variables))
        )
    except ValueError:  # packaging refused a comparison: not something to decide here
        return False


def _values_to_try(compared: list[tuple[str, str]]) -> dict[str, list[str]] | None:
    """For each variable compared, one value of each class its comparisons tell apart (``None`` when a
    variable's values cannot be classed)."""
    named: dict[str, set[str]] = {}
    for variable, value in compared:
        named.setdefault(variable, set()).add(value)
    candidates: dict[str, list[str]] = {}
    for variable, values in named.items():
        found = _candidates(values, versioned=variable in _VERSIONED)
        if found is None:
            return None
        candidates[variable] = found
    return candidates


def disjoint(first: Marker | None, second: Marker | None) -> bool:
    """Whether no environment satisfies both markers, as far as :func:`is_unsatisfiable` can tell
    (``False`` when unsure). ``None`` holds everywhere; a marker naming ``extra`` may hold beside any
    other, as an installer can be asked for several extras at once.

    >>> disjoint(Marker('python_version < "3.12"'), Marker('python_version >= "3.12"'))
    True
    >>> disjoint(Marker('sys_platform == "linux"'), Marker('python_version >= "3.8"'))
    False
    >>> disjoint(Marker('extra == "a"'), Marker('extra == "b"'))
    False
    >>> disjoint(Marker('extra == "a" and extra != "b"'), Marker('extra == "b"'))
    True
    """
    if first is None or second is None:
        return False
    if any(_names_extra(marker) for marker in (first, second)):
        return _never_together(first, second)
    return is_unsatisfiable(conjoin(first, second))


def _never_together(first: Marker, second: Marker) -> bool:
    """:func:`disjoint` of markers naming ``extra``, which names a set (the extras asked for, any number of
    them): ``extra == "a"`` holds when ``a`` is among them, ``extra != "a"`` when it is not. Every set of
    the extras named, with every class of the other variables' values, is tried (``False`` when unsure)."""
    both = conjoin(first, second)
    assert both is not None
    compared = _decidable(both)
    if compared is None:
        return False
    extras = sorted({_normalize_extra(value) for variable, value in compared if variable == "extra"})
    candidates = _values_to_try([(variable, value) for variable, value in compared if variable != "extra"])
    if candidates is None:
        return False
    if 2 ** len(extras) * math.prod(len(found) for found in candidates.values()) > _MOST_ENVIRONMENTS:
        return False
    variables = list(candidates)
    atoms: dict[str, Marker] = {}
    try:
        for chosen in itertools.product(*(candidates[v] for v in variables)):
            environment = dict(zip(variables, chosen))
            for count in range(len(extras) + 1):
                for asked in itertools.combinations(extras, count):
                    if _holds(both._markers, environment, frozenset(asked), atoms):
                        return False
    except ValueError:  # packaging refused a comparison: not something to decide here
        return False
    return True


def _holds(
    expression: list[Any], environment: dict[str, str], extras: frozenset[str], atoms: dict[str, Marker]
) -> bool:
    """Whether packaging's parsed ``expression`` holds, with ``extra`` compared as a set (:func:`_never_together`)."""
    any_group = False
    group = True
    for item in expression:
        if item == "or":
            any_group = any_group or group
            group = True
        elif item != "and":
            group = group and (
                _holds(item, environment, extras, atoms)
                if isinstance(item, list)
                else _atom_holds(item, environment, extras, atoms)
            )
    return any_group or group


def _atom_holds(item: Any, environment: dict[str, str], extras: frozenset[str], atoms: dict[str, Marker]) -> bool:
    left, op, right = item
    variable, value = (left, right) if type(left).__name__ == "Variable" else (right, left)
    if variable.value == "extra":
        return bool((_normalize_extra(value.value) in extras) == (op.value == "=="))
    text = f"{left.serialize()} {op.value} {right.serialize()}"
    marker = atoms.get(text)
    if marker is None:
        marker = atoms[text] = Marker(text)
    return marker.evaluate({"extra": "", **environment})


# variables whose values go together (uv knows `sys_platform == "linux"` excludes `os_name == "nt"`):
# markers that name two of one group are not decided here
_LINKED = (
    frozenset({"os_name", "sys_platform", "platform_system", "platform_release", "platform_version"}),
    frozenset({"python_version", "python_full_version"}),
    frozenset({"implementation_name", "platform_python_implementation"}),
)


def surely_overlap(first: Marker | None, second: Marker | None) -> bool:
    """Whether some environment surely satisfies both markers; ``False`` where sourcelift cannot tell
    (``in``, linked variables such as ``sys_platform`` and ``os_name``), as where they are disjoint.

    >>> surely_overlap(Marker('sys_platform == "linux"'), Marker('python_version >= "3.8"'))
    True
    >>> surely_overlap(Marker('sys_platform == "linux"'), Marker('os_name == "nt"'))
    False
    """
    if first is None or second is None or _names_extra(first) or _names_extra(second):
        return True  # an installer may be asked for several extras at once
    both = conjoin(first, second)
    assert both is not None
    compared = _decidable(both)
    if compared is None:
        return False
    variables = {variable for variable, _ in compared}
    if any(len(variables & group) > 1 for group in _LINKED):
        return False
    return not is_unsatisfiable(both)


def _decidable(marker: Marker) -> list[tuple[str, str]] | None:
    """(variable, value) of each comparison of ``marker``, when :func:`is_unsatisfiable` can decide them
    all (a variable against a value, by ``==``/``!=``, or ordered where both are versions); else ``None``."""
    compared = []
    for left, op, right in _atoms(marker._markers):
        variable, value = (left, right) if type(left).__name__ == "Variable" else (right, left)
        if type(variable).__name__ != "Variable" or type(value).__name__ != "Value" or op.value not in _ORDERED:
            return None
        if op.value not in ("==", "!=") and variable.value not in _VERSIONED:
            return None  # strings ordered by their characters: no finite set of values stands for them all
        compared.append((variable.value, value.value))
    return compared


def _names_extra(marker: Marker) -> bool:
    return any(
        type(side).__name__ == "Variable" and side.value == "extra"
        for left, _, right in _atoms(marker._markers)
        for side in (left, right)
    )


def _atoms(expression: list[Any]) -> list[Any]:
    found = []
    for item in expression:
        if isinstance(item, list):
            found.extend(_atoms(item))
        elif isinstance(item, tuple):
            found.append(item)
    return found


def _candidates(values: set[str], *, versioned: bool) -> list[str] | None:
    """One value of each class of values the comparisons with ``values`` cannot tell apart
    (``None``: no such finite set is known)."""
    if not versioned:
        return [*sorted(values), "\x00 none of them"]
    try:
        versions = [Version(value) for value in values]
    except InvalidVersion:
        return None
    if any(v.epoch or v.pre or v.post is not None or v.dev is not None or v.local for v in versions):
        return None
    # a release padded to the longest one with a final `.1` lies above it and below every greater one named
    width = max(len(v.release) for v in versions)
    above = [".".join(str(part) for part in (*v.release, *(0,) * (width - len(v.release)), 1)) for v in versions]
    return [*sorted(values), *above, "0.dev0"]
