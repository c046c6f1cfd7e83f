"""The ``sourcelift`` command: a thin layer over the library.

Exit codes: 0 success, 1 the project has problems, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sourcelift import __version__
from sourcelift.errors import SourceliftError
from sourcelift.explain import explain, format_report

__all__ = ["main"]


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Frontend side of sourcelift.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    explain_parser = commands.add_parser(
        "explain",
        help="show, per requirement, the source found and what local and publish mode make of it",
        description="Show, per requirement, the source found and what local and publish mode make of it.",
    )
    explain_parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    explain_parser.add_argument("--json", action="store_true", help="print the versioned JSON report")
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "sourcelift") -> int:
    args = _parser(prog).parse_args(argv)
    if args.command == "explain":
        return _explain(Path(args.path), as_json=args.json)
    return 2  # pragma: no cover - argparse rejects unknown commands


def _explain(path: Path, *, as_json: bool) -> int:
    root = path.absolute()
    if not (root / "pyproject.toml").is_file():
        print(f"sourcelift: error: {root} has no pyproject.toml; give the project's directory", file=sys.stderr)
        return 2
    try:
        report = explain(root)
    except SourceliftError as error:
        print(error.render(), file=sys.stderr)
        return 1
    if as_json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_report(report))
    return 1 if report["problems"] else 0
