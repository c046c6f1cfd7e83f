"""The ``sourcelift`` command line as argparse reads it: every subcommand, its options and its help.

Imported by :mod:`.cli` for any command line but the plain ``provenance`` and ``freeze`` calls
it reads itself (:func:`sourcelift_hook.cli.quick_arguments`, held equal to this parser by a
test): argparse, its messages' translations (``gettext``, ``locale``) and its help formatter
(``shutil``) cost those calls about a tenth of their time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .console import COLOR_CHOICES

__all__ = ["COMMANDS", "STYLE_CHOICES", "TEXT_JSON", "Parser", "build_parser", "output_options"]

TEXT_JSON = ("text", "json")
STYLE_CHOICES = ("default", "uv", "pr1798")  # sourcelift_hook.styles.STYLES, without importing it here


class Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is a :class:`UsageError` for the error boundary, not an exit."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from .errors import UsageError

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


def output_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``-q``/``-v``/``--color``: accepted before the subcommand and after it.

    The defaults are suppressed so that a subcommand's parser does not overwrite a value
    given before the subcommand; ``sourcelift_hook.cli`` fills them in.
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


Adder = Callable[[str, str, str], argparse.ArgumentParser]
"""Adds a subcommand (name, help, description) with the output options, and returns its parser."""


def _add_explain(command: Adder) -> None:
    from .explain import DESCRIPTION as EXPLAIN_DESCRIPTION
    from .explain import add_arguments as add_explain_arguments

    explain_parser = command(
        "explain",
        "show, per requirement, the source found and what local and publish mode make of it",
        EXPLAIN_DESCRIPTION,
    )
    explain_parser.formatter_class = argparse.RawDescriptionHelpFormatter
    explain_parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    _format_option(explain_parser, TEXT_JSON, "text")
    add_explain_arguments(explain_parser)


def _add_record(command: Adder) -> None:
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


def _add_provenance(command: Adder) -> None:
    provenance_parser = command(
        "provenance",
        "for each installed distribution: index, direct URL, VCS checkout or archive in git",
        "For each installed distribution, where it came from, and whether its files still match. "
        "The report goes to stdout; its problems (text format) to stderr.",
    )
    provenance_parser.add_argument("names", nargs="*", metavar="NAME", help="only these distributions")
    _format_option(provenance_parser, TEXT_JSON, "text")
    _environment_options(provenance_parser)


def _add_freeze(command: Adder) -> None:
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


def _add_check(commands: argparse._SubParsersAction[Parser]) -> None:
    from .check.command import add_parser as add_check_parser

    output_options(add_check_parser(commands))


def _add_pip(commands: argparse._SubParsersAction[Parser], prog: str) -> None:
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


COMMANDS = ("explain", "record", "provenance", "freeze", "check", "pip")
"""The subcommands, in the order ``--help`` lists them."""


def build_parser(prog: str, only: str | None = None) -> argparse.ArgumentParser:
    """The command's parser; with ``only`` (a subcommand's name), that subcommand's alone."""
    parser = Parser(prog=prog, description="Frontend side of sourcelift.")
    output_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(name, help=help_text, description=description)
        output_options(sub)
        return sub

    for name in COMMANDS if only is None else (only,):
        if name == "explain":
            _add_explain(command)
        elif name == "record":
            _add_record(command)
        elif name == "provenance":
            _add_provenance(command)
        elif name == "freeze":
            _add_freeze(command)
        elif name == "check":
            _add_check(commands)
        else:
            _add_pip(commands, prog)
    return parser
