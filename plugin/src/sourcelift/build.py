"""``build-backend = "sourcelift.build"``: the PEP 517 / PEP 660 wrapper backend.

Delegates to the backend named in ``[tool.sourcelift] backend`` (default
``hatchling.build``) and rewrites tool-specific dependency sources into standard
metadata.  Optional hooks exist exactly when the wrapped backend has them.
"""

from __future__ import annotations

import gc
from typing import Any, Callable

# Importing the wrapper creates a few thousand objects that live as long as the process: the
# collector would only walk them again and again, so it pauses meanwhile, and afterwards they join
# the oldest generation unexamined (``freeze`` and ``unfreeze`` move the lists whole; examining
# them in the first collection after the pause took 0.4-0.6 ms of every build).  When the process
# froze objects of its own, they stay frozen, and the collector examines ours as it would have.
_collecting = gc.isenabled()
gc.disable()
try:
    from .backends.wrapper import (
        build_sdist,
        build_wheel,
        get_requires_for_build_sdist,
        get_requires_for_build_wheel,
        optional_hook,
    )
finally:
    if _collecting:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()

__all__ = [
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
]


def __getattr__(name: str) -> Callable[..., Any]:
    return optional_hook(name)
