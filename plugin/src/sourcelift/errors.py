"""The exceptions of sourcelift, how a problem is told to a user, and the exit codes.

Every check collects :class:`Problem` objects instead of stopping at the first;
:class:`ProblemsError` carries all of them at once.  :class:`SourceliftError` is
the root of every error raised on purpose, here and in the ``sourcelift`` command
(whose own root, ``sourcelift_hook.errors.HookError``, derives from it).

:func:`exit_code` and :func:`render_error` are the one place where an error becomes
an exit code and a message, for the build backend and for the command alike:

====  ==============================================================================
0     done
1     problems found (in the project, the artifacts or the environment)
2     usage error (the command line asks for something impossible)
3     internal error: a bug in sourcelift (``SOURCELIFT_DEBUG=1`` adds the traceback)
130   interrupted (Ctrl-C)
====  ==============================================================================

No traceback from sourcelift reaches a user unless asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from ._dataclasses import slotted_dataclass

TYPE_CHECKING = False  # as in sourcelift._patterns: no `typing` import for two annotations
if TYPE_CHECKING:
    from typing import Callable, NoReturn

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "ConfigError",
    "Findings",
    "MissingDependency",
    "Problem",
    "ProblemsError",
    "SourceliftError",
    "exit_code",
    "printable",
    "render_error",
    "warn",
]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it


class SourceliftError(Exception):
    """Root of every error sourcelift raises on purpose; ``exit_code`` says which code it ends with."""

    exit_code = EXIT_PROBLEMS

    def render(self) -> str:
        return f"sourcelift: error: {self}"


_UNPRINTABLE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in [
        *range(0x00, 0x09),
        *range(0x0B, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
}
"""Characters a terminal acts on instead of showing (C0 controls but line feed and tab, DEL, C1 controls,
bidirectional overrides and isolates), as the command's ``sourcelift_hook.console.printable`` escapes them."""


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on shown as its escape: a build message quotes
    pyproject keys and values (a source named ``"dep\\u001b[2J"`` would clear the screen of a build log).

    >>> printable("a\\x1b[2Kb\\u202ec\\n")
    'a\\\\x1b[2Kb\\\\u202ec\\n'
    """
    return text.translate(_UNPRINTABLE)


def exit_code(error: BaseException) -> int:
    """The exit code an error ends a build or a command with (see the table above)."""
    if isinstance(error, SourceliftError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_INTERNAL


def render_error(error: BaseException, *, debug: bool = False) -> str:
    """The message for ``error``: its own for ours; for anything else one line saying it is a bug.

    ``debug`` (``SOURCELIFT_DEBUG=1``, or ``-v`` on the command) appends the traceback of an
    internal error; nothing else ever prints one.  Credentials in any URL of the message are
    masked (an exception's text may quote a URL as the user wrote it).
    """
    from .urls import redact_credentials  # only when something went wrong

    if isinstance(error, SourceliftError):
        return printable(redact_credentials(error.render(), mask="***")[0])
    if isinstance(error, KeyboardInterrupt):
        return "sourcelift: interrupted"
    message = (
        f"sourcelift: internal error: {type(error).__name__}: {error}\n"
        f"  This is a bug in sourcelift (exit code {EXIT_INTERNAL}); please report it with the output of the "
        "same run with SOURCELIFT_DEBUG=1, which adds the traceback."
    )
    if debug:
        import traceback  # only for this report

        message += "\n" + "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip()
    return printable(redact_credentials(message, mask="***")[0])


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


# sourcelift's own dependencies (`project.dependencies` of plugin/pyproject.toml), by the top-level module
# each provides. A build without isolation runs in an environment that may lack any of them.
DEPENDENCIES = {
    "packaging": "packaging>=24.2",
    "tomlkit": "tomlkit>=0.11",
    "git": "gitpython>=3.1",
    "pyproject_hooks": "pyproject-hooks>=1.0",
    "tomli": "tomli>=1.1",
}


class MissingDependency(ConfigError):
    """One of sourcelift's own dependencies cannot be imported by the Python that runs the build.

    Frontends install ``build-system.requires`` with their dependencies into an isolated build
    environment; a build without isolation (``--no-build-isolation``, ``python -m build -n``) runs
    in the environment as it is, where ``pip install --no-deps sourcelift`` or a hand-made
    environment may have left one out.
    """

    def __init__(self, module: str, requirement: str, detail: str) -> None:
        self.module = module
        self.requirement = requirement
        python = sys.executable or "python"
        super().__init__(
            f"sourcelift needs `{requirement}`, which the Python that runs this build cannot import "
            f"({python}: {detail})\n"
            "      why: `build-system.requires` lists sourcelift, but a build without isolation "
            "(`pip install --no-build-isolation`, `pip wheel --no-build-isolation`, `python -m build -n`, "
            "`uv build --no-build-isolation`, `uv pip install --no-build-isolation`) runs in that environment as "
            "it is, and nothing installed sourcelift's dependencies there\n"
            f'      fix: install it there (`{python} -m pip install "{requirement}"`, or '
            "`pip install sourcelift` for all of sourcelift's dependencies), or build with isolation"
        )

    # the hooks a frontend may call first (PEP 517 and PEP 660)
    HOOKS = frozenset(
        {
            "get_requires_for_build_editable",
            "prepare_metadata_for_build_wheel",
            "prepare_metadata_for_build_editable",
            "build_editable",
        }
    )

    def hook(self, *args: object, **kwargs: object) -> NoReturn:
        """Any build hook, in a process that could not import sourcelift's wrapper: this message and exit 1."""
        print(self.render(), file=sys.stderr, flush=True)
        raise SystemExit(self.exit_code)

    def optional_hook(self, name: str) -> Callable[..., NoReturn]:
        """:meth:`hook` for every optional hook a frontend may probe (``sourcelift.build.__getattr__``)."""
        if name in self.HOOKS:
            return self.hook
        raise AttributeError(name)

    @classmethod
    def recognise(cls, error: BaseException) -> MissingDependency | None:
        """``error`` as a missing dependency of sourcelift's, when it is the import of one that failed."""
        if isinstance(error, MissingDependency) or not isinstance(error, ModuleNotFoundError):
            return None
        module = (error.name or "").partition(".")[0]
        requirement = DEPENDENCIES.get(module)
        if requirement is None:
            return None
        return cls(module, requirement, str(error))


def warn(problem: Problem) -> None:
    """Tell the user about something that does not stop the build."""
    print(printable(f"sourcelift: warning: {problem.render()}"), file=sys.stderr, flush=True)


class Findings:
    """Collects problems (which stop the build) and warnings (which do not)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, key: str, message: str, fix: str, dependency: str | None = None) -> None:
        """Report a problem; the same one met again (a source two requirements share) is listed once."""
        problem = Problem(key, message, fix, dependency)
        if problem not in self.problems:
            self.problems.append(problem)

    def warning(self, key: str, message: str, fix: str, dependency: str | None = None) -> None:
        problem = Problem(key, message, fix, dependency)
        if problem not in self.warnings:
            self.warnings.append(problem)

    def raise_if_any(self, pyproject: Path | None = None) -> None:
        if self.problems:
            raise ProblemsError(self.problems, pyproject)

    def emit_warnings(self) -> None:
        for problem in self.warnings:
            warn(problem)
        self.warnings.clear()
