"""The ``sourcelift`` command: a thin layer over the library.

Exit codes: 0 success, 1 problems found (the project's, or the environment's), 2 usage error.
Errors say what is wrong and how to fix it; no traceback (``SOURCELIFT_DEBUG=1`` adds one to
an internal error).  Modules are imported only by the subcommand that needs them, so that
``sourcelift provenance`` and ``sourcelift freeze`` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sourcelift import __version__

__all__ = ["main"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from .environment import Environment
    from .errors import Finding

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def _environment_options(parser: argparse.ArgumentParser, *, tar: bool = True) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--python", metavar="PATH", help="the environment of this interpreter (default: the one running sourcelift)"
    )
    group.add_argument(
        "--path",
        metavar="SITE_PACKAGES",
        action="append",
        help="a site-packages (or --target) directory, live or unpacked; may be repeated",
    )
    if tar:
        group.add_argument(
            "--from-tar",
            metavar="LAYER.tar",
            help="read the installed metadata out of a container image layer (tarball, plain or compressed)",
        )


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Frontend side of sourcelift.",
        epilog=(
            f"{prog} pip ARGS...: run `python -m pip ARGS...` in this interpreter, then `record` on the "
            "environment pip installed into; pip's exit status is kept."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    explain_parser = commands.add_parser(
        "explain",
        help="show, per requirement, the source found and what local and publish mode make of it",
        description="Show, per requirement, the source found and what local and publish mode make of it.",
    )
    explain_parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    explain_parser.add_argument("--json", action="store_true", help="print the versioned JSON report")

    record_parser = commands.add_parser(
        "record",
        help="record where installed archives and directories came from (run after any installer)",
        description=(
            "For each installed distribution that a provenance entry of another installed distribution "
            "describes (matched by sha256, never by name alone), rewrite its direct_url.json per --style "
            "and keep the full origin in sourcelift-origin.json; RECORD is updated."
        ),
    )
    _environment_options(record_parser)
    record_parser.add_argument(
        "--style",
        choices=("default", "uv", "pr1798"),
        default="default",
        help="what direct_url.json says: default (pip freeze output reinstalls), uv (uv's archive-in-git "
        "form: uv sees the install as satisfied), pr1798 (the proposed `file` key)",
    )

    provenance_parser = commands.add_parser(
        "provenance",
        help="for each installed distribution: index, direct URL, VCS checkout or archive in git",
        description="For each installed distribution, where it came from, and whether its files still match.",
    )
    provenance_parser.add_argument("names", nargs="*", metavar="NAME", help="only these distributions")
    provenance_parser.add_argument("--json", action="store_true", help="print the versioned JSON report")
    _environment_options(provenance_parser)

    freeze_parser = commands.add_parser(
        "freeze",
        help="export the environment so that it rebuilds after every build tree is gone",
        description="Export the installed distributions as requirements or as a PEP 751 pylock.toml.",
    )
    freeze_parser.add_argument("--format", choices=("requirements", "pylock"), default="requirements")
    freeze_parser.add_argument(
        "--find-links",
        metavar="DIR",
        action="append",
        default=[],
        help="(pylock) directory with the wheels of index-installed distributions; may be repeated",
    )
    freeze_parser.add_argument("--all", action="store_true", help="also list pip (and setuptools, wheel before 3.12)")
    freeze_parser.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout")
    _environment_options(freeze_parser)

    from .check.command import add_parser as add_check_parser

    add_check_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "sourcelift") -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["pip"]:
        return _guarded(lambda: _pip(arguments[1:]))
    args = _parser(prog).parse_args(arguments)
    if args.command == "explain":
        from pathlib import Path

        return _explain(Path(args.path), as_json=args.json)
    if args.command == "record":
        return _guarded(lambda: _record(args))
    if args.command == "provenance":
        return _guarded(lambda: _provenance(args))
    if args.command == "freeze":
        return _guarded(lambda: _freeze(args))
    if args.command == "check":
        from .check.command import run as run_check

        return _guarded(lambda: run_check(args))
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


def _guarded(run: Callable[[], int]) -> int:
    """Run a subcommand; map errors to exit codes in this one place."""
    from .errors import HookError, UsageError

    try:
        return run()
    except UsageError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_USAGE
    except HookError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # an unexpected failure: one line, the traceback only on request
        print(
            f"sourcelift: internal error: {type(error).__name__}: {error}\n"
            "  please report it; set SOURCELIFT_DEBUG=1 for the traceback",
            file=sys.stderr,
        )
        if os.environ.get("SOURCELIFT_DEBUG"):
            import traceback

            traceback.print_exc()
        return EXIT_PROBLEMS


def _environment(args: argparse.Namespace, *, hash_files: bool = True) -> Environment:
    from . import environment

    if getattr(args, "from_tar", None):
        return environment.from_tar(args.from_tar, hash_files=hash_files)
    if args.path:
        return environment.from_paths(args.path)
    if args.python:
        return environment.from_python(args.python)
    return environment.default_environment()


def _report_findings(findings: Sequence[Finding]) -> bool:
    """Print findings to stderr; True if any is a problem."""
    for finding in findings:
        print(finding.render(), file=sys.stderr)
    return any(f.level == "problem" for f in findings)


def _record(args: argparse.Namespace) -> int:
    from .errors import UsageError
    from .record_command import record

    if getattr(args, "from_tar", None):
        raise UsageError(
            "`record` cannot write into a tarball",
            "run `sourcelift record --path DIR` on the unpacked environment (or in the image build)",
        )
    env = _environment(args, hash_files=False)
    result = record(env, args.style)
    return _print_record(result, args.style)


def _print_record(result: object, style: str) -> int:
    from .record_command import RecordResult

    assert isinstance(result, RecordResult)
    problems = _report_findings(result.findings)
    if result.changed:
        print(f"sourcelift: recorded the origin of {', '.join(result.changed)} (style {style})")
    elif result.unchanged:
        print(f"sourcelift: {', '.join(result.unchanged)} already recorded (style {style}); nothing changed")
    return EXIT_PROBLEMS if problems else EXIT_OK


def _provenance(args: argparse.Namespace) -> int:
    from .report import build_report, format_report, has_problems

    report = build_report(_environment(args), args.names or None)
    if args.json:
        import json

        # compact: json's C encoder does not indent, and 2,000 distributions make a large report
        sys.stdout.write(json.dumps(report, sort_keys=True, separators=(",", ":")) + "\n")
    else:
        sys.stdout.write(format_report(report))
    return EXIT_PROBLEMS if has_problems(report) else EXIT_OK


def _freeze(args: argparse.Namespace) -> int:
    from .freeze import freeze

    text, findings = freeze(
        _environment(args, hash_files=False),
        output_format=args.format,
        include_all=args.all,
        find_links=args.find_links,
    )
    if args.output:
        from ._atomic import write_atomic

        write_atomic(os.path.abspath(args.output), text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    problems = _report_findings(findings)
    return EXIT_PROBLEMS if problems else EXIT_OK


def _pip(arguments: list[str]) -> int:
    """``sourcelift pip [--style STYLE] [--] PIP-ARGS...``."""
    from .errors import UsageError
    from .pipcmd import install_target, run_pip, target_environment
    from .styles import STYLES

    style = "default"
    if arguments[:1] and arguments[0].startswith("--style"):
        option = arguments.pop(0)
        if "=" in option:
            style = option.split("=", 1)[1]
        elif arguments:
            style = arguments.pop(0)
        else:
            raise UsageError("--style needs a value", "use --style default, --style uv or --style pr1798")
    if style not in STYLES:
        raise UsageError(f"unknown style {style!r}", f"use one of: {', '.join(STYLES)}")
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    if not arguments:
        raise UsageError(
            "`sourcelift pip` needs pip's arguments", "e.g. sourcelift pip install 'app @ git+https://...'"
        )
    where = install_target(arguments)
    code = run_pip(arguments)
    if code != 0 or where.command != "install":
        return code
    from .record_command import record

    result = record(target_environment(where), style)
    _print_record(result, style)
    return code


def _explain(path: Path, *, as_json: bool) -> int:
    import json

    from sourcelift.errors import SourceliftError
    from sourcelift.explain import explain, format_report

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
