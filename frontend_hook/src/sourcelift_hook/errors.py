"""Errors of the ``sourcelift`` command, and findings about an environment.

:class:`HookError` is the root of what the command raises on purpose.  It derives from the
plugin's :class:`sourcelift.errors.SourceliftError`, so one mapping,
:func:`sourcelift.errors.exit_code`, turns every error of either distribution into an exit
code (0 done, 1 problems found, 2 usage error, 3 internal error), applied in one place: the
command's error boundary (``sourcelift_hook.cli.main``).  Its message and fix are printed,
never a traceback (``SOURCELIFT_DEBUG=1`` or ``-v`` adds one to an internal error).  A
:class:`Finding` is one problem (or note) about one installed distribution; commands collect
all of them before they report (it lives in :mod:`.finding`, which imports nothing: the
command's light paths import this module only when something goes wrong).
"""

from __future__ import annotations

from collections.abc import Sequence

from sourcelift.errors import EXIT_USAGE, SourceliftError

from .finding import Finding  # here for its users; it lives apart, see .finding

__all__ = ["Finding", "HookError", "UsageError"]


class HookError(SourceliftError):
    """Something the command cannot do, with what to do about it (exit code 1)."""

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
    """The command line (or the command's configuration) asks for something impossible (exit code 2).

    ``problems`` may list several things wrong at once; they are all reported together.
    """

    exit_code = EXIT_USAGE

    def __init__(self, problems: str | Sequence[str], fix: str = "") -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems), fix)

    def render(self) -> str:
        if len(self.problems) == 1:
            return super().render()
        lines = [f"sourcelift: error: {len(self.problems)} problems"]
        lines += [f"  {number}. {problem}" for number, problem in enumerate(self.problems, 1)]
        if self.fix:
            lines.append(f"  fix: {self.fix}")
        return "\n".join(lines)
