"""Project names, normalized where packaging cannot be imported cheaply.

:func:`canonical_name` is ``packaging.utils.canonicalize_name`` (PEP 503) for the command's
light paths (``provenance``, ``freeze``, the provenance document): importing ``packaging.utils``
there costs about 26 ms of CPU (it imports ``packaging.tags`` and ``logging``), median of 9 runs
of ``python -c "import packaging.utils"`` on Python 3.11.  Code that has packaging
imported anyway uses ``canonicalize_name``; a unit test holds the two to the same results.
"""

from __future__ import annotations

from ._patterns import LazyPattern

__all__ = ["canonical_name"]

_RUN = LazyPattern(r"[-_.]+")


def canonical_name(name: str) -> str:
    """The normalized name (PEP 503).

    >>> canonical_name("Foo_Bar..baz")
    'foo-bar-baz'
    """
    lowered = name.lower().replace("_", "-").replace(".", "-")
    return _RUN.sub("-", lowered) if "--" in lowered else lowered
