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
