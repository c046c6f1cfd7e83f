"""Version-dependent imports, in one place."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.9/3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

if TYPE_CHECKING:
    from dataclasses import dataclass as slotted_dataclass
elif sys.version_info >= (3, 10):
    import functools
    from dataclasses import dataclass

    slotted_dataclass = functools.partial(dataclass, slots=True)
else:  # pragma: no cover - Python 3.9: no slots=True
    from dataclasses import dataclass as slotted_dataclass

__all__ = ["slotted_dataclass", "tomllib"]
