"""sourcelift: tool-specific dependency sources (uv, pdm, hatch) turned into standard metadata.

The build backend is :mod:`sourcelift.build`; the library surface used by the
``sourcelift`` command is :func:`explain`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
