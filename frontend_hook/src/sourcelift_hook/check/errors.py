"""Why ``sourcelift check`` could not check: one root, mapped to exit code 2 in ``command.run``."""

from __future__ import annotations

__all__ = ["BuildFailed", "CheckError", "UsageError"]


class CheckError(Exception):
    """Nothing was checked: the command line, the configuration or a build is at fault (exit code 2)."""

    def render(self) -> str:
        return f"sourcelift check: error: {self}"


class UsageError(CheckError):
    """The command line or ``[tool.sourcelift.check]`` asks for something impossible; every problem is listed."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))

    def render(self) -> str:
        if len(self.problems) == 1:
            return f"sourcelift check: error: {self.problems[0]}"
        lines = [f"sourcelift check: error: {len(self.problems)} problems"]
        lines += [f"  {number}. {problem}" for number, problem in enumerate(self.problems, 1)]
        return "\n".join(lines)


class BuildFailed(CheckError):
    """A build through pypa/build failed; carries the builder's last lines."""

    def __init__(self, step: str, returncode: int, tail: list[str]) -> None:
        self.step = step
        self.returncode = returncode
        self.tail = tail
        super().__init__(f"{step} failed (exit code {returncode})")

    def render(self) -> str:
        lines = [f"sourcelift check: error: {self.step} failed (exit code {self.returncode}); its last lines:"]
        lines += [f"  | {line}" for line in self.tail]
        return "\n".join(lines)
