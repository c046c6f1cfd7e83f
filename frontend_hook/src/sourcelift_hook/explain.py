"""``sourcelift explain``: its arguments, and the isolated build environments of ``--isolated``.

The report itself is :func:`sourcelift.explain.explain`; this module only parses the
command line, provides build environments (pypa/build's ``DefaultIsolatedEnv``, one per
set of build requirements, removed when the command ends) and prints.

Exit codes: 0 nothing stops a build, 1 problems (in the focused mode, or a clone would fail),
2 no project at the path.
"""

from __future__ import annotations

import argparse
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from contextlib import ExitStack
    from typing import Any

__all__ = ["IsolatedEnvironments", "add_parser", "run"]

_DESCRIPTION = """\
Show, per requirement, the source found and what local and publish mode make of it, and every
problem that stops a build here, in a fresh clone, or in publish mode (exit status 1).

When `dependencies` are dynamic, the backend's metadata hook is run to list them (marked [hook]).
A backend that cannot run where `sourcelift explain` runs is reported with what to do;
--isolated runs it in a temporary build environment holding its `build-system.requires`
(installed by pip from your configured index).
"""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Register ``explain`` on the ``add_subparsers()`` object of the ``sourcelift`` parser."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "explain",
        help="show, per requirement, the source found and what local and publish mode make of it",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    parser.add_argument("--json", action="store_true", help="print the versioned JSON report")
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
    return parser


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


def run(args: argparse.Namespace) -> int:
    import json
    from contextlib import ExitStack
    from pathlib import Path

    from sourcelift.errors import SourceliftError
    from sourcelift.explain import exit_code, explain, format_report

    root = Path(args.path).absolute()
    if not (root / "pyproject.toml").is_file():
        print(f"sourcelift: error: {root} has no pyproject.toml; give the project's directory", file=sys.stderr)
        return 2
    try:
        with ExitStack() as stack:
            isolated = IsolatedEnvironments(stack) if args.isolated else None
            report = explain(root, mode=args.mode, isolated=isolated)
    except SourceliftError as error:
        print(error.render(), file=sys.stderr)
        return 1
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_report(report))
    return exit_code(report)
