"""Every per-backend adjustment of the wrapper, in one place.

The wrapper treats backends alike: it rewrites the Requires-Dist lines each one
writes, and the sdist members the standards define.  What follows is what some
backends do beyond the standards, and what the wrapper does about it.

- **hatchling** builds a wheel from an sdist by copying dynamic fields from
  PKG-INFO (``dependencies`` filled by a metadata hook, for one), and validates
  static and copied requirements alike: a direct reference needs
  ``[tool.hatch.metadata] allow-direct-references = true``.  A local-mode sdist
  holds direct references in both places, so its pyproject.toml gets that key
  (:func:`adjust_local_pyproject`) when the backend is hatchling: named so, or a
  custom or in-tree backend built on it (:func:`is_hatchling`).  Only hatchling
  reads the table: other backends' sdists (poetry-core, meson-python) do not get it.
  Since its metadata hooks do not run again then, a publish-mode sdist of a project
  whose dependencies a hook fills (dynamic, uv-dynamic-versioning's ``{{ version }}``
  pins) needs only the final lines in PKG-INFO; other backends compute dynamic
  dependencies again, so for them publish mode needs static ones
  (:func:`builds_dynamic_fields_from_pkg_info`).
- **pdm-backend** re-serializes the sdist's pyproject.toml: comments go and
  ``${PROJECT_ROOT}`` is expanded to this machine's path.  When that copy differs
  from the tree's only in the dependency arrays, the tree's text is the one
  rewritten (:func:`sdist_pyproject_base`).
- **pdm-pep517** (pdm's former backend) writes no Requires-Dist into PKG-INFO; an
  sdist whose PKG-INFO lists none while the project declares static dependencies
  gets the final lines (:func:`missing_requires_dist`).
- **uv_build** adds ``pyproject.toml.orig``, a copy of the tree's pyproject.toml, to
  its sdists: it gets the rewritten text too, so that no member of the sdist still
  names the sources the rewrite consumed (:func:`sdist_companions`).  Its PAX
  ``size`` record on every member is handled by the byte-exact tar rewrite in
  :mod:`sourcelift.artifacts.sdist`.
- **setuptools** may read dynamic dependencies from files (``[tool.setuptools.dynamic]
  dependencies = { file = [...] }``), which it ships in the sdist and reads again for the wheel:
  a publish-mode sdist gets the final lines there (:mod:`sourcelift.backends.requirement_files`);
  so does **pbr**'s requirements.txt of a setup.cfg-only project.
- **setuptools** puts ``*.egg-info/requires.txt`` (the requirements, unrewritten, in
  its own format) into sdists; it regenerates the file whenever it builds from the
  sdist and no builder reads it, so it is dropped (:func:`sdist_companions`), while
  ``*.egg-info/PKG-INFO`` is rewritten like PKG-INFO.
- **Requires-Dist of an extra**: hatchling, setuptools, pdm-backend and uv_build write an
  extra's requirement as its marker, then the extra (``(sys_platform == 'linux') and extra ==
  'fast'``), as the lines are built; flit-core writes the extra first (``extra == "fast" and
  (sys_platform == "linux")``) and poetry-core re-serializes every requirement.  A publish-mode
  line takes the wrapped backend's form (:func:`requirement_form`), so that PKG-INFO and the wheel
  the backend builds from the publish sdist say the same; so does a backend built on one of them
  (poetry-dynamic-versioning's over poetry-core, flit_scm's over flit-core).
- **uv_build** and **scikit-build-core** compare a ``metadata_directory`` with what
  they build, and reject unknown config settings (scikit-build-core) or warn about
  any (uv_build): every backend gets its own prepared metadata and no
  ``sourcelift-*`` setting (:mod:`sourcelift.backends.wrapper`).
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Container, Iterable
from typing import Any, Callable

__all__ = [
    "adjust_local_pyproject",
    "builds_dynamic_fields_from_pkg_info",
    "is_hatchling",
    "missing_requires_dist",
    "rejects_unknown_settings",
    "requirement_form",
    "sdist_companions",
    "sdist_pyproject_base",
]


_HATCHLING = ("hatchling.build", "hatchling.ouroboros")

_REJECTS_UNKNOWN_SETTINGS = {
    "mesonpy": "meson-python",
    "scikit_build_core.build": "scikit-build-core",
    "sipbuild.api": "sip",
}
"""Backends that stop on a config setting they do not know: meson-python ("Unknown option"),
scikit-build-core ("Unrecognized options in config-settings") and sip (its argument parser:
"unrecognized arguments: sourcelift-mode=publish"), by their distributions."""


def rejects_unknown_settings(backend: str) -> str | None:
    """The distribution of ``backend`` when it stops on config settings it does not know, else ``None``.

    A frontend that builds the wheel from a publish sdist (``python -m build``, ``uv build``) hands
    that backend, named in the sdist's ``build-backend``, the same ``-C`` settings as the sdist's build.
    """
    return _REJECTS_UNKNOWN_SETTINGS.get(backend.split(":", 1)[0].strip())


def builds_dynamic_fields_from_pkg_info(backend: str) -> bool:
    """Whether ``backend`` builds a wheel from an sdist with the dynamic fields its PKG-INFO lists,
    without computing them again (hatchling)."""
    return backend.split(":", 1)[0].strip() in _HATCHLING


_REQUIREMENT_WRITERS = ("poetry.core.masonry.api", "flit_core.buildapi")
"""The backends whose requirement lines :func:`requirement_form` knows, as the modules a backend built on
them imports (poetry-dynamic-versioning's re-exports poetry-core's, flit_scm's calls flit-core's)."""


def requirement_form(backend: str, loaded: Container[str] | None = None) -> Callable[[str], str] | None:
    """How the wrapped ``backend`` writes a requirement line it reads from pyproject.toml, where that
    differs from the lines as sourcelift builds them; ``None`` where it does not.  A backend built on
    poetry-core or flit-core (``poetry_dynamic_versioning.backend``, ``flit_scm:buildapi``) writes them
    as that one does: it has imported it once loaded (``loaded``: as for :func:`is_hatchling`)."""
    name = backend.split(":", 1)[0].strip()
    if not name.startswith(("poetry.core", "flit_core")):
        modules = sys.modules if loaded is None else loaded
        name = next((module for module in _REQUIREMENT_WRITERS if module in modules), name)
    if name.startswith("poetry.core"):
        from ..readers.poetry import requirement_form as poetry_form

        return poetry_form(name)
    if name.startswith("flit_core"):
        return _extra_first
    return None


def _extra_first(line: str) -> str:
    """flit-core's form of an extra's requirement: the ``extra`` comparison before the marker."""
    from ..rewrite.markers import conjoin, split_extra
    from ..values import copied, parsed_requirement

    requirement = parsed_requirement(line)
    rest, extras = split_extra(requirement.marker)
    if not extras or rest is None:
        return line
    written = copied(requirement)
    written.marker = conjoin(*extras, rest)
    return str(written)


def is_hatchling(backend: str, loaded: Container[str] | None = None) -> bool:
    """Whether the wrapped ``backend`` is hatchling: named so, or a custom or in-tree backend built on it,
    which has imported hatchling once it has built (``loaded``: the imported modules, :data:`sys.modules`
    unless given)."""
    return backend.split(":", 1)[0].strip() in _HATCHLING or "hatchling" in (sys.modules if loaded is None else loaded)


def adjust_local_pyproject(
    backend: str, direct_references: bool, loaded: Container[str] | None = None
) -> Callable[[Any], None] | None:
    """The change a local-mode sdist's pyproject.toml needs for ``backend`` to build a wheel from it
    when its requirements are ``direct_references``; ``None`` when it needs none.  ``loaded``: as for
    :func:`is_hatchling`."""
    if not direct_references or not is_hatchling(backend, loaded):
        return None

    def allow_direct_references(document: Any) -> None:
        import tomlkit

        tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
        hatch = tool.setdefault("hatch", tomlkit.table(is_super_table=True))
        created = "metadata" not in hatch
        metadata = hatch.setdefault("metadata", tomlkit.table())
        metadata["allow-direct-references"] = True
        if created and list(document)[-1] != "tool":
            metadata.add(tomlkit.nl())  # a blank line before the table that follows, as around the others

    return allow_direct_references


def sdist_pyproject_base(packed: str, original: bytes) -> str:
    """The pyproject.toml text to rewrite: the tree's own (``original``) when the backend's copy in
    the sdist (``packed``) differs from it only in the dependency arrays (pdm-backend), else ``packed``."""
    from ..readers._toml import parse_shared

    def without_dependencies(data: dict[str, Any]) -> dict[str, Any]:
        project = {
            k: v for k, v in data.get("project", {}).items() if k not in ("dependencies", "optional-dependencies")
        }
        return {**data, "project": project}

    try:
        same = without_dependencies(parse_shared(packed.encode("utf-8"))) == without_dependencies(
            parse_shared(original)
        )
    except ValueError:  # not valid TOML either way: rewrite what the backend packed, which reports it
        return packed
    return original.decode("utf-8") if same else packed


def missing_requires_dist(present: Collection[str], declared: Iterable[str], dynamic: bool) -> list[str]:
    """The Requires-Dist values to add to a PKG-INFO whose backend wrote none (pdm-pep517): the
    ``declared`` lines when the dependencies are static; nothing when it wrote any."""
    if present or dynamic:
        return []
    return list(declared)


COMPANION_COPIES = ("pyproject.toml.orig",)
"""Members that copy the top-level pyproject.toml (uv_build); they get the rewritten text."""


def sdist_companions(members: Iterable[str]) -> tuple[list[str], list[str]]:
    """Members of an sdist that repeat what the rewrite changes: (copies of pyproject.toml to replace
    with the rewritten text, members to drop)."""
    copies: list[str] = []
    drop: list[str] = []
    for relative in members:
        parts = relative.split("/")
        if relative in COMPANION_COPIES:
            copies.append(relative)
        elif parts[-1] == "requires.txt" and len(parts) >= 2 and parts[-2].endswith(".egg-info"):
            drop.append(relative)
    return copies, drop
