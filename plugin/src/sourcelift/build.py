"""``build-backend = "sourcelift.build"``: the PEP 517 / PEP 660 wrapper backend.

Delegates to the backend named in ``[tool.sourcelift] backend`` (default
``hatchling.build``) and rewrites tool-specific dependency sources into standard
metadata.  Optional hooks exist exactly when the wrapped backend has them.
"""

from __future__ import annotations

from typing import Any, Callable

from . import _collector

# Importing the wrapper creates a few thousand objects that live as long as the process: the
# collector pauses meanwhile (see sourcelift._collector).
_running = _collector.pause()
try:
    from .backends.wrapper import (
        build_sdist,
        build_wheel,
        get_requires_for_build_sdist,
        get_requires_for_build_wheel,
        optional_hook,
    )
except ModuleNotFoundError as _error:
    # A build without isolation, in an environment that lacks one of sourcelift's own dependencies
    # (tomli on Python < 3.11, packaging): every hook reports what to install, where a failed import
    # would show the frontend's traceback (pip 26.0 on Python 3.9 prints its own internals) or ours.
    from .errors import MissingDependency

    _missing = MissingDependency.recognise(_error)
    if _missing is None:
        raise
    build_sdist = build_wheel = get_requires_for_build_sdist = get_requires_for_build_wheel = _missing.hook
    optional_hook = _missing.optional_hook
finally:
    _collector.resume(_running)

__all__ = [
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
]


def __getattr__(name: str) -> Callable[..., Any]:
    return optional_hook(name)
