"""``sourcelift check``: its arguments, and how its report is written.

Exit codes: 0 publishable, 1 an error-level finding (any finding with ``--strict``; a build that
fails or cannot run is one, SL303/SL304), 2 a usage error, 3 an internal error.  Errors become exit
codes in the command's one error boundary (``sourcelift_hook.cli.main``), not here.
"""

from __future__ import annotations

import argparse
import os

TYPE_CHECKING = False  # typing is imported only when the command runs
if TYPE_CHECKING:
    from typing import Any, TextIO

    from ..console import Console

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
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "text"),
        default="human",
        help="output format: human (also spelt text), json, github (default: human)",
    )
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="same as --format json")
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


def run(
    args: argparse.Namespace,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    console: Console | None = None,
) -> int:
    """Carry out a parsed ``check`` command line; return the exit code (errors are raised)."""
    from ..console import Console
    from .api import check_paths
    from .progress import Progress
    from .render import render

    if console is None:
        console = Console(stdout=stdout, stderr=stderr)
    if args.list:
        console.result(list_checks())
        return 0
    if args.config is not None and not os.path.isfile(args.config):  # given: not skipped like a missing default
        from .errors import UsageError

        what = "is not a file" if os.path.exists(args.config) else "does not exist"
        raise UsageError(f"--config {args.config} {what}", "give the pyproject.toml that holds [tool.sourcelift.check]")
    paths = list(args.paths) or ["."]
    if args.config is not None and any(os.path.isdir(path) for path in paths):  # it would be ignored
        from .errors import UsageError

        raise UsageError(
            "--config applies to distribution files; a project directory's [tool.sourcelift.check] is read from "
            "its own pyproject.toml",
            "drop --config, or give --select/--ignore/--strict on the command line",
        )
    report = check_paths(
        paths,
        select=_joined(args.select),
        ignore=_joined(args.ignore),
        strict=args.strict,
        outdir=args.outdir,
        config=args.config,
        progress=Progress(None if console.quiet else console.stderr),
    )
    annotate = None
    if report.project is not None:
        annotate = os.path.join(report.project, "pyproject.toml")
    fmt = "human" if args.format == "text" else args.format
    console.result(render(report, fmt, color=console.colors(console.stdout), file=annotate))
    return report.exit_code
