"""``slotted_dataclass``: ``@dataclass(slots=True)`` where Python has it (3.10+), plain ``@dataclass`` on 3.9.

Type checkers see the plain decorator.  Classes that need an instance ``__dict__`` (a
``functools.cached_property``) use ``@dataclass`` itself.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataclasses import dataclass as slotted_dataclass
elif sys.version_info >= (3, 10):
    import functools
    from dataclasses import dataclass

    slotted_dataclass = functools.partial(dataclass, slots=True)
else:  # pragma: no cover - Python 3.9: no slots=True
    from dataclasses import dataclass as slotted_dataclass

__all__ = ["slotted_dataclass"]
