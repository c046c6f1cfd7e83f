"""Direct references with project-relative placeholders: hatch and pdm.

- hatch: ``name @ {root:uri}/vendor/x.whl``, ``{root:parent:uri}``, ``{root:parent:parent:uri}``,
  with an optional ``:real`` modifier;
- pdm: ``name @ file:///${PROJECT_ROOT}/vendor/x.whl`` (also ``file://${PROJECT_ROOT}``).

Both become a :class:`~sourcelift.model.PathSource` relative to the project root.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .._patterns import LazyPattern
from ..model import PathSource

__all__ = ["HATCH_ROOT", "PDM_ROOT", "parse_requirement"]

HATCH_ROOT = LazyPattern(r"\{root((?::parent)*)(?::real)?:uri\}")
"""hatch's project-root placeholder; group 1 holds one ``:parent`` per directory up."""
PDM_ROOT = LazyPattern(r"file:///?\$\{PROJECT_ROOT\}")
"""pdm's project-root placeholder, with the ``file:`` scheme that precedes it."""
# Stands in for the placeholder while packaging parses the requirement.
_SENTINEL = "file:///__sourcelift_project_root__"


def parse_requirement(text: str, key: str, pyproject: Path) -> tuple[Requirement, PathSource | None]:
    """Parse a ``[project]`` requirement, turning a placeholder reference into a source.

    Raises :class:`packaging.requirements.InvalidRequirement` for invalid text.

    >>> pyproject = Path("/p/a/pyproject.toml")
    >>> req, src = parse_requirement("x @ {root:parent:uri}/libs/x", "project.dependencies[0]", pyproject)
    >>> req.name, src.path
    ('x', '../libs/x')
    """
    prefix = ""
    if "{" not in text:  # no placeholder: most requirements
        return Requirement(text), None
    hatch = HATCH_ROOT.search(text)
    pdm = PDM_ROOT.search(text)
    if hatch is not None:
        prefix = "../" * hatch.group(1).count(":parent")
        text = text[: hatch.start()] + _SENTINEL + text[hatch.end() :]
    elif pdm is not None:
        text = text[: pdm.start()] + _SENTINEL + text[pdm.end() :]
    else:
        return Requirement(text), None
    requirement = Requirement(text)
    url = requirement.url or ""
    if not url.startswith(_SENTINEL):
        raise InvalidRequirement(f"the project-root placeholder must start the URL: {text!r}")
    relative = unquote(url[len(_SENTINEL) :]).lstrip("/")
    path = prefix + (relative or ".")
    requirement.url = None
    source = PathSource(
        name=canonicalize_name(requirement.name),
        key=key,
        pyproject=pyproject,
        path=path,
    )
    return requirement, source
