"""Readers: tool-specific declarations in, one normalized :class:`~sourcelift.model.Project` out."""

from __future__ import annotations

from .project import read_project

__all__ = ["read_project"]
