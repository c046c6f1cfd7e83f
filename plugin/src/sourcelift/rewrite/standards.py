"""The ``pyproject.toml`` of an sdist: the final requirements written statically.

Rewritten with tomlkit so that every byte not named here stays as it was:
the dependency strings become the final requirements, each tool reader rewrites
its own tables (:meth:`~sourcelift.readers._base.Reader.standards`: the source
entries consumed leave ``[tool.uv.sources]``, poetry's become version constraints;
tables it empties go, one the user left empty stays).  PEP 621: what pyproject.toml
says statically is what the wheel says, and uv (``uv pip install SDIST``) takes it
from there without asking the backend.

In publish mode (:func:`standards_pyproject`) ``sourcelift`` also leaves
``build-system.requires`` and the wrapped backend becomes ``build-backend`` again:
any frontend then builds the sdist without sourcelift.  A local-mode sdist
(:func:`local_pyproject`) keeps the wrapper, which finds the sources in its record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Callable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .._patterns import LazyPattern
from ..errors import SourceliftError

__all__ = ["local_pyproject", "standards_pyproject"]

Adjust = Callable[[Any], None]
"""A per-backend change to the parsed document (see :mod:`sourcelift.backends.quirks`)."""

_KEY = LazyPattern(r"^project\.(?:dependencies|optional-dependencies\.(?P<extra>.+))\[(?P<index>\d+)\]$")


def standards_pyproject(
    text: str, lines: dict[str, list[str]], consumed: Iterable[str], backend: str, adjust: Adjust | None = None
) -> str:
    """``text`` with the final requirement lines (by pyproject key), the consumed sources removed
    (by canonical name) and the build system of the wrapped ``backend``."""
    return _rewrite(text, lines, consumed, backend, restore=True, adjust=adjust)


def local_pyproject(
    text: str, lines: dict[str, list[str]], consumed: Iterable[str], backend: str, adjust: Adjust | None = None
) -> str:
    """``text`` with the final requirement lines (by pyproject key) and the consumed sources removed;
    the build system stays sourcelift's."""
    return _rewrite(text, lines, consumed, backend, restore=False, adjust=adjust)


def _rewrite(
    text: str,
    lines: dict[str, list[str]],
    consumed: Iterable[str],
    backend: str,
    *,
    restore: bool,
    adjust: Adjust | None,
) -> str:
    import tomlkit  # only sdists rewrite TOML

    from ..readers.registry import READERS, owner

    document = tomlkit.parse(text)
    project = document.get("project")
    by_array: dict[str | None, list[tuple[int, list[str]]]] = {}
    by_tool: dict[str, dict[str, list[str]]] = {reader.tool: {} for reader in READERS}
    for key, values in lines.items():
        reader = owner(key)
        if reader is not None:
            by_tool[reader.tool][key] = values
            continue
        match = _KEY.match(key)
        if match is None:
            raise SourceliftError(
                f"cannot place the lines of `{key}` in the sdist's pyproject.toml\n"
                "      fix: declare the requirement in `[project]` (or the table of a tool sourcelift reads), "
                "and report this with the pyproject.toml"
            )
        if not isinstance(project, dict):
            raise SourceliftError(
                "the sdist's pyproject.toml has no [project] table to write the dependencies into\n"
                "      fix: declare the project in `[project]` (name, version, dependencies), or with a tool "
                "sourcelift reads (`[tool.poetry]`)"
            )
        by_array.setdefault(match["extra"], []).append((int(match["index"]), values))
    for extra, replacements in by_array.items():
        assert isinstance(project, dict)  # checked when the lines were sorted
        array = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
        for index, values in sorted(replacements, reverse=True):
            if index >= len(array) or (values and _name(array[index]) != _name(values[0])):
                key = "project.dependencies" if extra is None else f"project.optional-dependencies.{extra}"
                found = f"`{array[index]}`" if index < len(array) else "nothing"
                wanted = f"`{values[0]}`" if values else "a requirement"
                raise SourceliftError(
                    f"the sdist's pyproject.toml is not the tree's: `{key}[{index}]` is {wanted} in the tree and "
                    f"{found} in the sdist, so the backend packed another copy of pyproject.toml "
                    "(meson-python, for one, packs the committed files)\n"
                    "      fix: commit pyproject.toml (and what it names) and build again; to see what the backend "
                    "packs, build the sdist with it alone"
                )
            if len(values) == 1 and _same(array[index], values[0]):
                continue  # the line as written (an `index` source's): its spelling stays
            if values:
                array[index] = values[0]
                for offset, value in enumerate(values[1:], 1):
                    array.insert(index + offset, value)
            else:
                del array[index]
    names: set[str] = {canonicalize_name(name) for name in consumed}
    had_tools = bool(document.get("tool"))
    for reader in READERS:
        try:
            reader.standards(document, by_tool[reader.tool], names)
        except ValueError as exc:
            raise SourceliftError(
                f"the sdist's pyproject.toml cannot be rewritten: {exc}\n"
                f"      fix: check `[tool.{reader.tool}]` of the sdist's pyproject.toml against the tree's"
            ) from None
    tool = document.get("tool")
    if isinstance(tool, dict) and not tool and had_tools:  # emptied here; an empty one of the user's stays
        del document["tool"]
    if restore:
        _restore_build_system(document, backend)
    if adjust is not None:
        adjust(document)
    return tomlkit.dumps(document)


def _same(written: object, line: str) -> bool:
    """Whether the requirement ``written`` in pyproject.toml says what ``line`` says (``a>=1,<2`` is ``a<2,>=1``)."""
    try:
        return Requirement(str(written)) == Requirement(line)
    except InvalidRequirement:
        return False


def _name(text: object) -> str | None:
    try:
        return canonicalize_name(Requirement(str(text)).name)
    except InvalidRequirement:
        return None


def _restore_build_system(document: Any, backend: str) -> None:
    build_system = document.get("build-system")
    if not isinstance(build_system, dict):
        raise SourceliftError(
            "the sdist's pyproject.toml has no [build-system] table\n"
            '      fix: declare `[build-system]` with `build-backend = "sourcelift.build"` in pyproject.toml'
        )
    requires = build_system.get("requires", [])
    if not isinstance(requires, list):  # frontends refuse it first; a hook called directly gets here
        raise SourceliftError(
            f"`build-system.requires` in pyproject.toml is {requires!r}, not an array of requirements\n"
            '      fix: write e.g. `requires = ["sourcelift", "hatchling"]`'
        )
    for index in reversed(range(len(requires))):
        try:
            name = canonicalize_name(Requirement(str(requires[index])).name)
        except InvalidRequirement:
            continue
        if name == "sourcelift":
            del requires[index]
    build_system["build-backend"] = backend
