"""Findings about an environment, and a handle on :class:`~.errors.HookError` that imports nothing.

Apart from :mod:`.errors` so that ``sourcelift provenance`` and ``sourcelift freeze`` never import
:mod:`sourcelift.errors` (it imports ``dataclasses``, ``inspect`` and ``pathlib``: about 10 ms)
unless something goes wrong.  :func:`hook_error` is for ``except`` clauses: Python evaluates an
``except`` expression only when an exception reaches it, so ``except hook_error() as exc:``
imports :mod:`.errors` only then.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .errors import HookError

__all__ = ["Finding", "hook_error"]


def hook_error() -> type[HookError]:
    """:class:`~.errors.HookError`, imported on first use (see the module docstring)."""
    from .errors import HookError

    return HookError


class Finding:
    """A problem (``level="problem"``) or a note about one distribution (``None``: the environment)."""

    __slots__ = ("distribution", "fix", "level", "message")

    def __init__(self, distribution: str | None, message: str, fix: str = "", level: str = "problem") -> None:
        self.distribution = distribution
        self.message = message
        self.fix = fix
        self.level = level

    def __repr__(self) -> str:
        return f"Finding({self.distribution!r}, {self.message!r}, {self.fix!r}, {self.level!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.as_json() == other.as_json()

    __hash__ = None  # type: ignore[assignment]

    def as_json(self) -> dict[str, str | None]:
        return {"distribution": self.distribution, "level": self.level, "message": self.message, "fix": self.fix}

    def render(self) -> str:
        where = f"{self.distribution}: " if self.distribution else ""
        text = f"sourcelift: {self.level}: {where}{self.message}"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text
