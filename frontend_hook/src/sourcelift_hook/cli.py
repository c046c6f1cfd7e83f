"""The ``sourcelift`` command: a thin layer over the library.

Exit codes (:func:`sourcelift.errors.exit_code`, the one mapping, applied in :func:`main`, the one
error boundary every subcommand runs inside, argument parsing included):

- 0: done;
- 1: problems found (the project's, the artifacts' or the environment's);
- 2: usage error (the command line asks for something impossible);
- 3: internal error, a bug in sourcelift (one line; ``SOURCELIFT_DEBUG=1`` or ``-v`` adds the traceback);
- 130: interrupted; 141: stdout was closed by its reader (``| head``), nothing said.
``sourcelift pip`` returns pip's own exit status.

Every subcommand takes ``-q``/``-v``, ``--color auto|always|never`` and ``--format`` (``--json``
is ``--format json``); the conventions of the output are in :mod:`sourcelift_hook.console`.
Modules are imported only by the subcommand that needs them, so that ``sourcelift provenance``
and ``sourcelift freeze`` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sourcelift.errors import EXIT_OK, EXIT_PROBLEMS, exit_code, render_error

from .console import COLOR_CHOICES, Console
from .errors import UsageError

__all__ = ["main"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .environment import Environment
    from .errors import Finding
    from .record_command import RecordResult

TEXT_JSON = ("text", "json")
EXIT_PIPE = 141  # 128 + SIGPIPE, as a shell reports a pipeline member whose reader went away
STYLE_CHOICES = ("default", "uv", "pr1798")  # sourcelift_hook.styles.STYLES, without importing it here
_VERBOSITY = {"-q": -1, "--quiet": -1, "-v": 1, "--verbose": 1}


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is a :class:`UsageError` for the error boundary, not an exit."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, f"see `{self.prog} --help`")


class _Version(argparse.Action):
    """``-V``/``--version``: both distributions' versions, on one line (argparse's own action re-wraps it)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        sys.stdout.write(_version() + "\n")
        parser.exit()


def _version() -> str:
    from sourcelift import __version__ as plugin_version

    from . import __version__ as hook_version

    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"sourcelift-hook {hook_version} (the command), sourcelift {plugin_version} (the plugin); Python {python}"


def _output_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``-q``/``-v``/``--color``: accepted before the subcommand and after it.

    The defaults are suppressed so that a subcommand's parser does not overwrite a value
    given before the subcommand; :func:`_console` fills them in.
    """
    group = parser.add_argument_group("output options")
    group.add_argument(
        "-q",
        "--quiet",
        action="count",
        default=argparse.SUPPRESS,
        help="less output: no summary line, notes or progress (problems and errors stay); repeatable",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="more output: what was read, and the traceback of an internal error; repeatable",
    )
    group.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default=argparse.SUPPRESS,
        help="colour: auto (on a terminal; NO_COLOR set turns it off, FORCE_COLOR set on), always, never",
    )
    if top:
        group.add_argument("-V", "--version", action=_Version, nargs=0, help="print both distributions' versions")


def _format_option(
    parser: argparse.ArgumentParser, choices: Sequence[str], default: str, *, json_alias: bool = True
) -> None:
    parser.add_argument(
        "--format", choices=choices, default=default, help=f"output format: {', '.join(choices)} (default: {default})"
    )
    if json_alias:
        parser.add_argument("--json", dest="format", action="store_const", const="json", help="same as --format json")


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
            metavar="IMAGE.tar",
            action="append",
            help="read the installed metadata out of a container image without extracting it: a layer tarball "
            "(plain or compressed; repeat for several layers, lowest first), a `docker save` archive or an OCI "
            "image layout tarball",
        )


_STYLE_HELP = (
    "what direct_url.json says: default (pip freeze output reinstalls), uv (uv's archive-in-git "
    "form: uv sees the install as satisfied), pr1798 (the proposed `file` key)"
)


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description="Frontend side of sourcelift.")
    _output_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(name, help=help_text, description=description)
        _output_options(sub)
        return sub

    explain_parser = command(
        "explain",
        "show, per requirement, the source found and what local and publish mode make of it",
        "Show, per requirement, the source found and what local and publish mode make of it.",
    )
    explain_parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    _format_option(explain_parser, TEXT_JSON, "text")

    record_parser = command(
        "record",
        "record where installed archives and directories came from (run after any installer)",
        "For each installed distribution that a provenance entry of another installed distribution "
        "describes (matched by sha256, never by name alone), rewrite its direct_url.json per --style "
        "and keep the full origin in sourcelift-origin.json; RECORD is updated.",
    )
    _environment_options(record_parser)
    record_parser.add_argument("--style", choices=STYLE_CHOICES, default="default", help=_STYLE_HELP)
    _format_option(record_parser, TEXT_JSON, "text")

    provenance_parser = command(
        "provenance",
        "for each installed distribution: index, direct URL, VCS checkout or archive in git",
        "For each installed distribution, where it came from, and whether its files still match. "
        "The report goes to stdout; its problems (text format) to stderr.",
    )
    provenance_parser.add_argument("names", nargs="*", metavar="NAME", help="only these distributions")
    _format_option(provenance_parser, TEXT_JSON, "text")
    _environment_options(provenance_parser)

    freeze_parser = command(
        "freeze",
        "export the environment so that it rebuilds after every build tree is gone",
        "Export the installed distributions as requirements or as a PEP 751 pylock.toml.",
    )
    _format_option(freeze_parser, ("requirements", "pylock"), "requirements", json_alias=False)
    freeze_parser.add_argument(
        "--find-links",
        metavar="DIR",
        action="append",
        default=[],
        help="(pylock) directory with the wheels of index-installed distributions; may be repeated",
    )
    freeze_parser.add_argument(
        "--wheelhouse",
        metavar="DIR",
        help="copy every local archive into DIR and name it relative to the output, to move both together",
    )
    freeze_parser.add_argument("--all", action="store_true", help="also list pip (and setuptools, wheel before 3.12)")
    freeze_parser.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout")
    _environment_options(freeze_parser)

    from .check.command import add_parser as add_check_parser

    _output_options(add_check_parser(commands))

    pip_parser = commands.add_parser(
        "pip",
        help="run pip in this interpreter, then `record` where it installed",
        description=(
            "Run `python -m pip PIP_ARGS...` in this interpreter, then `record` on the environment pip "
            "installed into (after a successful `pip install` only); pip's exit status is kept. "
            "sourcelift's own options come before pip's arguments; pip's -q/-v also quiet or "
            "detail sourcelift's own lines."
        ),
        usage=f"{prog} pip [-h] [--style {{{','.join(STYLE_CHOICES)}}}] [--color WHEN] [--] PIP_ARGS...",
    )
    pip_parser.add_argument("--style", choices=STYLE_CHOICES, default="default", help=_STYLE_HELP)
    pip_parser.add_argument("--color", choices=COLOR_CHOICES, default="auto", help="colour sourcelift's own lines")
    pip_parser.add_argument("pip_args", nargs="*", metavar="PIP_ARGS", help="pip's command line, passed unchanged")
    return parser


def _console(args: argparse.Namespace, console: Console) -> Console:
    """The console the parsed options ask for."""
    console.verbosity = getattr(args, "verbose", 0) - getattr(args, "quiet", 0)
    console.color = getattr(args, "color", "auto")
    return console


def main(argv: Sequence[str] | None = None, prog: str = "sourcelift") -> int:
    """Run the command; return its exit code.  The one error boundary: no input ends in a traceback."""
    console = Console()
    try:
        return _dispatch(list(sys.argv[1:] if argv is None else argv), prog, console)
    except SystemExit as stop:  # argparse after --help or --version
        return stop.code if isinstance(stop.code, int) else EXIT_OK if stop.code is None else EXIT_PROBLEMS
    except BrokenPipeError:  # the reader went away (`sourcelift provenance | head`): not ours to report
        import contextlib
        import os

        with contextlib.suppress(OSError, ValueError):  # io.UnsupportedOperation is both
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_PIPE
    except BaseException as error:  # the boundary: KeyboardInterrupt too
        console.error(render_error(error, debug=console.debug))
        return exit_code(error)


def _dispatch(arguments: list[str], prog: str, console: Console) -> int:
    leading = _leading_output_options(arguments)
    if arguments[len(leading) : len(leading) + 1] == ["pip"]:
        before = _Parser(prog=prog, add_help=False)
        _output_options(before)
        _console(before.parse_args(leading), console)
        return _pip(arguments[len(leading) + 1 :], prog, console)
    args = _parser(prog).parse_args(arguments)
    _console(args, console)
    if args.command == "explain":
        return _explain(args, console)
    if args.command == "record":
        return _record(args, console)
    if args.command == "provenance":
        return _provenance(args, console)
    if args.command == "freeze":
        return _freeze(args, console)
    assert args.command == "check", args.command  # `pip` never reaches argparse's dispatch
    from .check.command import run as run_check

    return run_check(args, console=console)


def _leading_output_options(arguments: list[str]) -> list[str]:
    """The ``-q``/``-v``/``--color`` options before the subcommand."""
    index = 0
    while index < len(arguments):
        arg = arguments[index]
        if arg in _VERBOSITY or (arg[:2] in ("-q", "-v") and set(arg[1:]) == {arg[1]}) or arg.startswith("--color="):
            index += 1
        elif arg == "--color":
            index += 2
        else:
            break
    return arguments[:index]


def _environment(args: argparse.Namespace, console: Console, *, hash_files: bool = True) -> Environment:
    from . import environment

    if getattr(args, "from_tar", None):
        env = environment.from_tar(args.from_tar, hash_files=hash_files)
    elif args.path:
        env = environment.from_paths(args.path)
    elif args.python:
        env = environment.from_python(args.python)
    else:
        env = environment.default_environment()
    console.note(f"sourcelift: {len(env.dists)} installed distributions in {env.describe()}")
    return env


def _report_findings(findings: Sequence[Finding], console: Console) -> bool:
    """Problems to stderr, notes too unless ``-q``; True if any is a problem."""
    for finding in findings:
        if finding.level == "problem":
            console.error(finding.render())
        else:
            console.status(finding.render())
    return any(f.level == "problem" for f in findings)


def _record(args: argparse.Namespace, console: Console) -> int:
    from .record_command import record

    if getattr(args, "from_tar", None):
        raise UsageError(
            "`record` cannot write into a tarball",
            "run `sourcelift record --path DIR` on the unpacked environment (or in the image build)",
        )
    env = _environment(args, console, hash_files=False)
    result = record(env, args.style)
    if args.format == "json":
        return _record_json(result, args.style, env, console)
    return _print_record(result, args.style, env.describe(), console)


def _record_json(result: RecordResult, style: str, env: Environment, console: Console) -> int:
    import json

    document = {
        "version": "1",
        "style": style,
        "environment": env.describe(),
        "changed": result.changed,
        "unchanged": result.unchanged,
        "problems": [finding.as_json() for finding in result.findings],
    }
    console.result(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return EXIT_PROBLEMS if result.problems else EXIT_OK


def _print_record(result: RecordResult, style: str, where: str, console: Console) -> int:
    problems = _report_findings(result.findings, console)
    if result.changed:
        console.summary(f"sourcelift: recorded the origin of {', '.join(result.changed)} (style {style})")
    elif result.unchanged:
        console.summary(f"sourcelift: {', '.join(result.unchanged)} already recorded (style {style}); nothing changed")
    else:
        console.summary(
            f"sourcelift: nothing to record: no distribution installed in {where} is described by a provenance entry"
        )
    return EXIT_PROBLEMS if problems else EXIT_OK


def _provenance(args: argparse.Namespace, console: Console) -> int:
    from .errors import Finding
    from .report import build_report, format_report, has_problems, report_problems

    env = _environment(args, console)
    report = build_report(env, args.names or None)
    if args.format == "json":
        import json

        # compact: json's C encoder does not indent, and 2,000 distributions make a large report
        console.result(json.dumps(report, sort_keys=True, separators=(",", ":")) + "\n")
        return EXIT_PROBLEMS if has_problems(report) else EXIT_OK
    console.result(format_report(report))
    findings = [
        Finding(p["distribution"], p["message"] or "", p["fix"] or "", p["level"] or "problem")
        for p in report_problems(report)
    ]
    _report_findings(findings, console)
    if not report["distributions"] and not findings:
        console.status(f"sourcelift: no installed distribution in {env.describe()}")
    return EXIT_PROBLEMS if has_problems(report) else EXIT_OK


def _freeze(args: argparse.Namespace, console: Console) -> int:
    import os

    from .freeze import freeze

    env = _environment(args, console, hash_files=False)
    text, findings = freeze(
        env,
        output_format=args.format,
        include_all=args.all,
        find_links=args.find_links,
        wheelhouse=args.wheelhouse,
        output=args.output,
    )
    if args.output:
        from ._atomic import write_atomic
        from .errors import HookError

        try:
            write_atomic(os.path.abspath(args.output), text.encode("utf-8"))
        except OSError as exc:
            raise HookError(
                f"cannot write {args.output}: {exc.strerror or exc}",
                "give -o a file path in an existing directory you can write to",
            ) from None
    else:
        console.result(text)
    problems = _report_findings(findings, console)
    if not env.dists:
        console.status(f"sourcelift: nothing to export: no installed distribution in {env.describe()}")
    elif args.output:
        console.summary(f"sourcelift: wrote {args.format} of {env.describe()} to {args.output}")
    return EXIT_PROBLEMS if problems else EXIT_OK


def _pip(arguments: list[str], prog: str, console: Console) -> int:
    """``sourcelift pip [--style STYLE] [--color WHEN] [--] PIP-ARGS...``: sourcelift's options first."""
    from .pipcmd import install_target, run_pip, target_environment

    ours: list[str] = []
    while arguments and arguments[0].split("=", 1)[0] in ("--style", "--color", "-h", "--help"):
        option = arguments.pop(0)
        ours.append(option)
        if "=" not in option and option not in ("-h", "--help"):
            if not arguments:
                raise UsageError(f"{option} needs a value", f"see `{prog} pip --help`")
            ours.append(arguments.pop(0))
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    parsed = _parser(prog).parse_args(["pip", *ours])  # --help prints the subcommand's help and stops here
    console.color = parsed.color
    console.verbosity += _pip_verbosity(arguments)
    if not arguments:
        raise UsageError(
            "`sourcelift pip` needs pip's arguments", "e.g. sourcelift pip install 'app @ git+https://...'"
        )
    where = install_target(arguments)
    code = run_pip(arguments)
    if code != 0 or where.command != "install":
        return code
    from .record_command import record

    env = target_environment(where)
    result = record(env, parsed.style)
    _print_record(result, parsed.style, env.describe(), console)
    return code


def _pip_verbosity(arguments: list[str]) -> int:
    """pip's own ``-q``/``-v`` (before ``--``) apply to sourcelift's lines too."""
    level = 0
    for arg in arguments:
        if arg == "--":
            break
        if arg in _VERBOSITY:
            level += _VERBOSITY[arg]
        elif len(arg) > 1 and arg[0] == "-" and arg[1] in "qv" and set(arg[1:]) == {arg[1]}:
            level += len(arg[1:]) * _VERBOSITY[arg[:2]]
    return level


def _explain(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from sourcelift.explain import explain, format_report

    root = Path(args.path).absolute()
    if not (root / "pyproject.toml").is_file():
        raise UsageError(f"{root} has no pyproject.toml", "give the project's directory")
    report = explain(root)
    console.note(f"sourcelift: read {report['pyproject']} ({report['mode']} mode)")
    if args.format == "json":
        import json

        console.result(json.dumps(report, indent=2) + "\n")
    else:
        console.result(format_report(report))
    return EXIT_PROBLEMS if report["problems"] else EXIT_OK
