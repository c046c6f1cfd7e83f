"""``sourcelift check``: its arguments, and the one place where its errors become exit codes.

Exit codes: 0 publishable, 1 an error-level finding (any finding with ``--strict``; a build that
fails or cannot run is one, SL303/SL304), 2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys

TYPE_CHECKING = False  # typing is imported only when the command runs
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["FORMATS", "add_parser", "run"]

# The library is imported by ``run`` only: registering the subcommand must not slow the others down.
FORMATS = ("human", "json", "github")

_DESCRIPTION = """\
Tell whether distributions are publishable, and why not.

With a project directory (default: .), build its sdist in publish mode and a wheel from that
sdist, each in an isolated environment through pypa/build (the wheel with sourcelift made
unavailable, as for a user of a plain frontend), then check both. With wheel and sdist files,
check those (an sdist is also built into a wheel without sourcelift; `--ignore SL3` skips that).
"""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Register ``check`` on the ``add_subparsers()`` object of the ``sourcelift`` parser."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "check",
        help="check that distributions are publishable and build with any frontend",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH | DIST_FILE", help="a project directory, or .whl/.tar.gz files"
    )
    parser.add_argument(
        "--select", action="append", metavar="PREFIX,...", help="run only checks with these ID prefixes"
    )
    parser.add_argument("--ignore", action="append", metavar="PREFIX,...", help="skip checks with these ID prefixes")
    parser.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fail on warnings too (default: [tool.sourcelift.check] strict, else off)",
    )
    parser.add_argument("--format", choices=FORMATS, default="human", help="output format (default: human)")
    parser.add_argument("--outdir", metavar="DIR", help="keep the artifacts built from a project directory in DIR")
    parser.add_argument(
        "--config",
        metavar="PYPROJECT",
        help="where [tool.sourcelift.check] is read for files (default: ./pyproject.toml)",
    )
    parser.add_argument("--list", action="store_true", help="list every check and exit")
    return parser


def _joined(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part for value in values for part in value.split(",") if part.strip()]


def list_checks() -> str:
    from .catalog import CHECKS, FAMILIES

    lines = []
    for prefix, family in FAMILIES.items():
        lines.append(f"{prefix}xx  {family}")
        lines += [f"  {c.id}  {c.level:<7}  {c.title}" for c in CHECKS.values() if c.id.startswith(prefix)]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Carry out a parsed ``check`` command line; return the exit code."""
    from .api import check_paths
    from .errors import CheckError
    from .progress import Progress
    from .render import render, use_color

    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    if args.list:
        out.write(list_checks())
        return 0
    paths = list(args.paths) or ["."]
    try:
        report = check_paths(
            paths,
            select=_joined(args.select),
            ignore=_joined(args.ignore),
            strict=args.strict,
            outdir=args.outdir,
            config=args.config,
            progress=Progress(err),
        )
    except CheckError as error:
        err.write(error.render() + "\n")
        return 2
    annotate = None
    if report.project is not None:
        annotate = os.path.join(report.project, "pyproject.toml")
    out.write(render(report, args.format, color=use_color(out), file=annotate))
    return report.exit_code
