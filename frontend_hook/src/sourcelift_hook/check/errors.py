"""Why ``sourcelift check`` could not check.

Usage errors are the command's one :class:`~sourcelift_hook.errors.UsageError` (exit code 2);
:class:`CheckError` is the root of the rest, a :class:`~sourcelift_hook.errors.HookError` (exit
code 1: the project or its artifacts cannot be checked as they are).  The command's error
boundary maps both; nothing here chooses an exit code.
"""

from __future__ import annotations

from ..errors import HookError, UsageError

__all__ = ["BuildFailed", "CheckError", "UsageError"]


class CheckError(HookError):
    """Nothing was checked: the project or a build is at fault."""

    def render(self) -> str:
        return f"sourcelift check: error: {self.message}"


class BuildFailed(CheckError):
    """A build through pypa/build failed; carries the builder's last lines."""

    def __init__(self, step: str, returncode: int | None, tail: list[str]) -> None:
        self.step = step
        self.returncode = returncode
        """The builder's exit code; ``None`` when no process ran (the sdist could not be unpacked)."""
        self.tail = tail
        super().__init__(f"{step} failed{self.code}")

    @property
    def code(self) -> str:
        """`` (exit code N)``, or nothing when no process ran."""
        return "" if self.returncode is None else f" (exit code {self.returncode})"

    def render(self) -> str:
        lines = [f"sourcelift check: error: {self.step} failed{self.code}; its last lines:"]
        lines += [f"  | {line}" for line in self.tail]
        return "\n".join(lines)
