"""``slotted_dataclass``: ``@dataclass(slots=True)`` where Python has it (3.10+), plain ``@dataclass`` on 3.9.

Type checkers see the plain decorator.  Classes that need an instance ``__dict__`` (a
``functools.cached_property``) use ``@dataclass`` itself.

Cost on the build path, measured (CPU time, Python 3.11, median of 40 runs of ``model.py``'s
body, 15 classes): 8.5 ms with ``slots=True``, about 7 ms without, 0.3 ms with the closure-based
stand-in these replace (which ignored ``repr=False`` and broke ``dataclasses.replace``): about
0.55 ms per class, some 11 ms for the 20 classes a wheel build creates (``import sourcelift.build``
after hatchling: 7.8 ms of CPU with the stand-in, 18.7 ms with dataclasses, medians of 20).  Kept
for correctness; ``bench/bench_build.py`` holds the budget (import + own work <= 30 ms: 26.7 ms).
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
