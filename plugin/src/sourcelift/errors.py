"""The exceptions of sourcelift, and how a problem is told to a user.

Every check collects :class:`Problem` objects instead of stopping at the first;
:class:`ProblemsError` carries all of them at once.  The build adapters turn a
:class:`SourceliftError` into one message on stderr and a non-zero exit, so no
traceback from sourcelift reaches a user.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from ._dataclasses import slotted_dataclass

__all__ = [
    "ConfigError",
    "Findings",
    "Problem",
    "ProblemsError",
    "SourceliftError",
    "warn",
]


class SourceliftError(Exception):
    """Root of every error sourcelift raises on purpose."""

    def render(self) -> str:
        return f"sourcelift: error: {self}"


@slotted_dataclass
class Problem:
    """One thing wrong with a project, with where it is and how to fix it.

    ``dependency`` is the requirement's name (or ``None`` for project-wide
    problems), ``key`` the pyproject key path, e.g. ``tool.uv.sources.prebuilt.path``.
    """

    key: str
    message: str
    fix: str
    dependency: str | None = None

    def render(self) -> str:
        where = f"`{self.key}`"
        if self.dependency is not None:
            where = f"dependency `{self.dependency}` ({where})"
        return f"{where}: {self.message}\n      fix: {self.fix}"


class ProblemsError(SourceliftError):
    """Every problem found in a project, reported together."""

    def __init__(self, problems: Iterable[Problem], pyproject: Path | None = None) -> None:
        self.problems = list(problems)
        self.pyproject = pyproject
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        where = f" in {self.pyproject}" if self.pyproject is not None else ""
        lines = [f"sourcelift: the build stops: {count} {noun}{where}"]
        for number, problem in enumerate(self.problems, 1):
            lines.append(f"  {number}. {problem.render()}")
        return "\n".join(lines)


class ConfigError(SourceliftError):
    """A problem with sourcelift's own configuration or environment."""


def warn(problem: Problem) -> None:
    """Tell the user about something that does not stop the build."""
    print(f"sourcelift: warning: {problem.render()}", file=sys.stderr, flush=True)


class Findings:
    """Collects problems (which stop the build) and warnings (which do not)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, key: str, message: str, fix: str, dependency: str | None = None) -> None:
        self.problems.append(Problem(key, message, fix, dependency))

    def warning(self, key: str, message: str, fix: str, dependency: str | None = None) -> None:
        self.warnings.append(Problem(key, message, fix, dependency))

    def raise_if_any(self, pyproject: Path | None = None) -> None:
        if self.problems:
            raise ProblemsError(self.problems, pyproject)

    def emit_warnings(self) -> None:
        for problem in self.warnings:
            warn(problem)
        self.warnings.clear()
