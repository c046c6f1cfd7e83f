"""Errors of the ``sourcelift`` command, and findings about an environment.

:class:`HookError` is the root of what the command raises on purpose; the CLI
maps it to exit code 1 (:class:`UsageError` to 2) in one place and prints its
message and fix, never a traceback (``SOURCELIFT_DEBUG=1`` adds one).  A
:class:`Finding` is one problem (or note) about one installed distribution;
commands collect all of them before they report.
"""

from __future__ import annotations

__all__ = ["Finding", "HookError", "UsageError"]


class HookError(Exception):
    """Something the command cannot do, with what to do about it."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def render(self) -> str:
        text = f"sourcelift: error: {self.message}"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class UsageError(HookError):
    """The command line asks for something impossible (exit code 2)."""


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
