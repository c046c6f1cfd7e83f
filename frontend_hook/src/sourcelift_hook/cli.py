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
and ``sourcelift freeze`` start fast: their plain command lines are read without argparse
(:func:`quick_arguments`), the parser (:mod:`.parser`) holds only the subcommand the command
line names (all of them when it names none, for ``--help`` and for the error), and the errors
(:mod:`sourcelift.errors` imports ``dataclasses``) are imported when one is raised.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .console import Console

__all__ = ["main", "run"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import Any, NoReturn, Union

    from .environment import Environment
    from .finding import Finding
    from .record_command import RecordResult

EXIT_OK = 0  # sourcelift.errors.EXIT_OK and EXIT_PROBLEMS (not imported here: see above); a test holds them equal
EXIT_PROBLEMS = 1
EXIT_PIPE = 141  # 128 + SIGPIPE, as a shell reports a pipeline member whose reader went away
_VERBOSITY = {"-q": -1, "--quiet": -1, "-v": 1, "--verbose": 1}
_COMMANDS = frozenset(("explain", "record", "provenance", "freeze", "check", "pip"))  # parser.COMMANDS


class QuickArguments:
    """A command line read by :func:`quick_arguments`: the attributes argparse would have set."""

    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...


if TYPE_CHECKING:
    Arguments = Union[argparse.Namespace, QuickArguments]

_QUICK_VALUES = {
    ("provenance", "--format"): "format",
    ("provenance", "--path"): "path",
    ("freeze", "--format"): "format",
    ("freeze", "--path"): "path",
    ("freeze", "--find-links"): "find_links",
    ("freeze", "--wheelhouse"): "wheelhouse",
    ("freeze", "--output"): "output",
    ("freeze", "-o"): "output",
}
_QUICK_FORMATS = {"provenance": ("text", "json"), "freeze": ("requirements", "pylock")}  # parser.py's choices
_QUICK_APPENDED = frozenset(("path", "find_links"))


def quick_arguments(arguments: Sequence[str]) -> QuickArguments | None:
    """The plain ``provenance`` and ``freeze`` command lines, read without argparse (see :mod:`.parser`).

    Read here: the subcommand first, then its names (``provenance``, one run of them) and
    ``--json``, ``--all``, ``--format``, ``--path``, ``--find-links``, ``--wheelhouse``, ``-o``/``--output``
    (a value as the next argument, or after ``=`` for a long option), each value valid and not
    starting with ``-``.  Anything else (output options, ``--python``, ``--from-tar``, ``--help``,
    an abbreviation, a bad value, names split by an option) is ``None``: argparse reads it.
    What is read equals what argparse gives for it (a unit test holds the two together).
    """
    command = arguments[0] if arguments else ""
    if command not in _QUICK_FORMATS:
        return None
    values: dict[str, object] = {"version": None, "command": command}
    if command == "provenance":
        values.update(names=[], format="text")
    else:
        values.update(format="requirements", find_links=[], wheelhouse=None, all=False, output=None)
    values.update(python=None, path=None, from_tar=None)  # the order argparse sets them in
    names: list[str] = []
    appended: dict[str, list[str]] = {}  # --path, --find-links: action="append"
    after_names = False
    index = 1
    while index < len(arguments):
        argument = arguments[index]
        index += 1
        if not argument.startswith("-"):
            if command != "provenance" or after_names:
                return None
            names.append(argument)
            continue
        after_names = bool(names)
        option, equals, value = argument.partition("=")
        if not equals and option == "--json" and command == "provenance":
            values["format"] = "json"
            continue
        if not equals and option == "--all" and command == "freeze":
            values["all"] = True
            continue
        key = _QUICK_VALUES.get((command, option))
        if key is None or (equals and not option.startswith("--")):
            return None
        if not equals:
            if index == len(arguments):
                return None
            value = arguments[index]
            index += 1
        if not value or value.startswith("-") or (key == "format" and value not in _QUICK_FORMATS[command]):
            return None
        if key in _QUICK_APPENDED:
            appended.setdefault(key, []).append(value)
        else:
            values[key] = value
    if names:
        values["names"] = names
    if "find_links" in values:
        values["find_links"] = appended.get("find_links", [])
    values["path"] = appended.get("path")
    return QuickArguments(values)


def _console(args: Arguments, console: Console) -> Console:
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
        from sourcelift.errors import exit_code, render_error

        console.error(render_error(error, debug=console.debug))
        return exit_code(error)


_retained: list[object] | None = None
"""While :func:`run` runs: what the process drops at its exit anyway (see :func:`_retain`)."""


def _retain(*objects: object) -> None:
    """Keep ``objects`` (an environment, a report) referenced until the process exits, under :func:`run`:
    freeing their hundred thousand objects one by one before ``os._exit`` costs 2-4 ms for nothing."""
    if _retained is not None:
        _retained.extend(objects)


def run() -> NoReturn:
    """The ``sourcelift`` command (and ``python -m sourcelift_hook``): :func:`main`, then exit with its code.

    After ``provenance`` and ``freeze`` (which leave no temporary file, thread or atexit handler
    behind), without finalizing the interpreter: that frees every object and module one by one,
    some 5 ms of a run over 2,000 distributions (``bench/bench_frontend.py``).  The streams are
    flushed first; ``main`` has reported anything that went wrong with them.
    """
    global _retained
    _retained = []
    code = main()
    arguments = sys.argv[1:]
    if arguments[len(_leading_output_options(arguments)) :][:1] not in (["provenance"], ["freeze"]):
        raise SystemExit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a reader that went away, a closed stream: nothing more to say
        pass
    import os

    os._exit(code)


def _dispatch(arguments: list[str], prog: str, console: Console) -> int:
    leading = _leading_output_options(arguments)
    quick = None if leading else quick_arguments(arguments)
    if quick is not None:  # a plain `provenance` or `freeze`: no parser built
        _console(quick, console)
        return _without_collector(_provenance if quick.command == "provenance" else _freeze, quick, console)
    from .parser import Parser, build_parser, output_options

    if arguments[len(leading) : len(leading) + 1] == ["pip"]:
        before = Parser(prog=prog, add_help=False)
        output_options(before)
        _console(before.parse_args(leading), console)
        return _pip(arguments[len(leading) + 1 :], prog, console)
    named = arguments[len(leading) : len(leading) + 1]
    args = build_parser(prog, named[0] if named and named[0] in _COMMANDS else None).parse_args(arguments)
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


def _without_collector(command: Callable[[Arguments, Console], int], args: Arguments, console: Console) -> int:
    """``command(args, console)`` with Python's cycle collector paused.

    A run over thousands of installed distributions allocates hundreds of thousands of objects
    it keeps to the end, and makes no garbage cycles worth collecting: the collector would only
    walk them again and again (some 5% of a ``provenance`` run).
    """
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        return command(args, console)
    finally:
        if paused:
            gc.enable()


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


def _environment(
    args: Arguments, console: Console, *, hash_files: bool = True, lazy: bool = False, read_ahead: Sequence[str] = ()
) -> Environment:
    """The environment the options name; ``lazy``: directories listed only when asked (read-only commands),
    and the files ``read_ahead`` read with METADATA, beside those every read-only command reads."""
    from . import environment

    names = (*environment.SCANNED, *read_ahead)
    if getattr(args, "from_tar", None):
        env = environment.from_tar(args.from_tar, hash_files=hash_files)
    elif args.path:
        env = environment.from_paths(args.path, lazy=lazy, read_ahead=names)
    elif args.python:
        env = environment.from_python(args.python, lazy=lazy, read_ahead=names)
    else:
        env = environment.default_environment(lazy=lazy, read_ahead=names)
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


def _record(args: Arguments, console: Console) -> int:
    from .errors import UsageError
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


def _provenance(args: Arguments, console: Console) -> int:
    from .console import printable
    from .environment import JOURNAL_FILE
    from .finding import Finding
    from .report import build_report, format_report, has_problems, report_problems

    if any(not name.strip() for name in args.names or ()):
        from .errors import UsageError

        raise UsageError("an empty NAME names no distribution", "give distribution names, or none for all of them")
    env = _environment(args, console, lazy=True, read_ahead=("INSTALLER", JOURNAL_FILE))  # what the report shows
    report = build_report(env, args.names or None)
    _retain(env, report)
    if args.format == "json":
        import json

        # compact: json's C encoder does not indent, and 2,000 distributions make a large report
        console.result(json.dumps(report, sort_keys=True, separators=(",", ":")) + "\n")
        return EXIT_PROBLEMS if has_problems(report) else EXIT_OK
    console.result(printable(format_report(report)))  # names and URLs quoted from dist-infos: shown, not acted on
    findings = [
        Finding(p["distribution"], p["message"] or "", p["fix"] or "", p["level"] or "problem")
        for p in report_problems(report)
    ]
    _report_findings(findings, console)
    if not report["distributions"] and not findings:
        console.status(f"sourcelift: no installed distribution in {env.describe()}")
    return EXIT_PROBLEMS if has_problems(report) else EXIT_OK


def _freeze(args: Arguments, console: Console) -> int:
    import os

    from .freeze import freeze

    wrong = [f"--find-links {d}: no such directory" for d in args.find_links if not os.path.isdir(d)]
    output = args.output
    if output and os.path.exists(output) and not os.path.isfile(output) and not os.path.isdir(output):
        wrong.append(f"-o {output}: it is no regular file (a FIFO, socket or device), which the export would replace")
    if wrong:
        from .errors import UsageError

        raise UsageError(wrong, "give --find-links existing directories of wheels, and -o a file path")
    env = _environment(args, console, hash_files=False, lazy=True)
    text, findings = freeze(
        env,
        output_format=args.format,
        include_all=args.all,
        find_links=args.find_links,
        wheelhouse=args.wheelhouse,
        output=args.output,
    )
    _retain(env)
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
    from .errors import UsageError
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
    from .parser import build_parser

    parsed = build_parser(prog, "pip").parse_args(["pip", *ours])  # --help prints the subcommand's help and stops here
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
    from .explain import run

    return run(args, console)
