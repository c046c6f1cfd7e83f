"""``sourcelift explain``: its arguments, and the isolated build environments of ``--isolated``.

The report itself is :func:`sourcelift.explain.explain`; this module only adds explain's options
to the command line (:mod:`sourcelift_hook.cli` owns the rest), provides build environments
(pypa/build's ``DefaultIsolatedEnv``, one per set of build requirements, removed when the
command ends) and prints.

Exit codes: 0 nothing stops a build, 1 problems (in the focused mode, or a clone would fail, or in any
member of a workspace root), 2 no project at the path.
"""

from __future__ import annotations

import argparse
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from contextlib import ExitStack

    from .console import Console

__all__ = ["DESCRIPTION", "IsolatedEnvironments", "add_arguments", "run"]

DESCRIPTION = """\
Show, per requirement, the source found and what local and publish mode make of it, and every
problem that stops a build here, in a fresh clone, or in publish mode (exit status 1).

When `dependencies` are dynamic, the backend's metadata hook is run to list them (marked [hook]).
A backend that cannot run where `sourcelift explain` runs is reported with what to do;
--isolated runs it in a temporary build environment holding its `build-system.requires`
(installed by pip from your configured index).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``explain`` beyond the path and the output options every command has."""
    parser.add_argument(
        "--mode",
        choices=("local", "publish"),
        help="focus on this mode: show its column, and exit 1 on its problems (default: the project's mode)",
    )
    parser.add_argument(
        "--isolated",
        action="store_true",
        help="run build backends that cannot run here in temporary build environments",
    )
    parser.add_argument(
        "--uv-sources",
        action="store_true",
        help="print the [tool.uv.sources] lists (paths and derived markers) that match [tool.sourcelift.variants], "
        "so that `uv sync` picks the wheel pip picks",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="with --uv-sources: write those lists into pyproject.toml (only those entries change)",
    )


class IsolatedEnvironments:
    """Build environments by their requirements, made on first use and removed with ``stack``."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._made: dict[tuple[str, ...], str] = {}

    def __call__(self, requires: list[str]) -> str:
        key = tuple(sorted(requires))
        if key not in self._made:
            from build import BuildException, FailedProcessError
            from build.env import DefaultIsolatedEnv

            from sourcelift.versions import VersionError

            try:
                env = self._stack.enter_context(DefaultIsolatedEnv())
                env.install(list(key))
            except (BuildException, FailedProcessError, OSError) as exc:
                raise VersionError(
                    f"a build environment with {', '.join(key)} could not be made: {exc}",
                    "check that pip can install them from your configured index, or install them here and run "
                    "`sourcelift explain` without --isolated",
                ) from None
            self._made[key] = env.python_executable
        return self._made[key]


def _no_project(root: Path) -> Exception:
    """Why ``root`` is no project directory explain can read, said as precisely as the file system allows."""
    import os

    from .errors import UsageError

    pyproject = root / "pyproject.toml"
    if os.path.lexists(pyproject):  # a directory, a FIFO, a link that loops or dangles
        return UsageError(f"{pyproject} is not a regular file", "make it the project's pyproject.toml file")
    if not os.path.lexists(root):
        return UsageError(f"{root} does not exist", "give the project's directory")
    if not root.is_dir() and root.name == "pyproject.toml":
        return UsageError(f"{root} is a pyproject.toml, not a project directory", f"give its directory, {root.parent}")
    if not root.is_dir():
        return UsageError(
            f"{root} is a file, not a project directory",
            "give the project's directory (`sourcelift check` checks wheel and sdist files)",
        )
    return UsageError(f"{root} has no pyproject.toml", "give the project's directory")


def run(args: argparse.Namespace, console: Console) -> int:
    """``sourcelift explain``; errors propagate to the command's one error boundary."""
    import json
    from contextlib import ExitStack
    from pathlib import Path

    from sourcelift.errors import EXIT_OK, EXIT_PROBLEMS
    from sourcelift.explain import exit_code, explain, format_report

    from .console import printable
    from .errors import UsageError

    root = Path(args.path).absolute()
    if not (root / "pyproject.toml").is_file():
        raise _no_project(root)
    if args.write and not args.uv_sources:
        raise UsageError("--write only goes with --uv-sources", "run `sourcelift explain --uv-sources --write`")
    if args.uv_sources:
        return _uv_sources(root, write=args.write, console=console)
    with ExitStack() as stack:
        isolated = IsolatedEnvironments(stack) if args.isolated else None
        report = explain(root, mode=args.mode, isolated=isolated)
    console.note(f"sourcelift: read {report['pyproject']} ({report['mode']} mode)")
    if args.format == "json":
        console.result(json.dumps(report, indent=2) + "\n")
    else:
        console.result(printable(format_report(report)))  # what it quotes from pyproject.toml: shown, not acted on
    return EXIT_PROBLEMS if exit_code(report) else EXIT_OK


def _uv_sources(root: Path, *, write: bool, console: Console) -> int:
    """``explain --uv-sources [--write]``: the uv lists matching ``[tool.sourcelift.variants]``."""
    import os
    import tempfile

    from sourcelift.errors import EXIT_OK, EXIT_PROBLEMS, Findings
    from sourcelift.readers._toml import load_toml
    from sourcelift.rewrite.variants import uv_sources_entries, uv_sources_text

    pyproject = root / "pyproject.toml"
    findings = Findings()
    data = load_toml(pyproject, findings)
    if data is None:
        for problem in findings.problems:
            console.error(f"sourcelift: problem: {problem.render()}")
        return EXIT_PROBLEMS
    entries, findings = uv_sources_entries(root, data)
    for problem in findings.problems:
        console.error(f"sourcelift: problem: {problem.render()}")
    if findings.problems:
        return EXIT_PROBLEMS
    if not entries:
        console.status(f"sourcelift: {pyproject} has no [tool.sourcelift.variants]: nothing to write")
        return EXIT_OK
    original = pyproject.read_text(encoding="utf-8") if write else ""
    text = original  # printing: the entries into an empty document
    for name, items in entries.items():
        text = uv_sources_text(text, name, items)
    if not write:
        console.result(text.lstrip("\n"))
        return EXIT_OK
    if text == original:
        console.status(f"sourcelift: {pyproject} already lists {', '.join(entries)} for uv: nothing to write")
        return EXIT_OK
    handle, temporary = tempfile.mkstemp(prefix=".pyproject-", suffix=".toml", dir=root)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, pyproject.stat().st_mode & 0o7777)
        os.replace(temporary, pyproject)
    except BaseException:
        os.unlink(temporary)
        raise
    console.status(f"sourcelift: wrote [tool.uv.sources] {', '.join(entries)} into {pyproject}")
    return EXIT_OK
