"""Where the command's output goes, how much of it, and in colour or not.

The conventions are pip's and uv's:

- stdout carries the result only: a report, an export, or, for a command that writes files
  (``record``, ``freeze -o``), its one-line summary;
- stderr carries everything else: problems, notes, progress, errors;
- ``-q`` (repeatable) drops the summary, the notes and the progress (problems and errors stay);
  ``-v`` adds what was read (which environment, how many distributions, which pyproject.toml)
  and the traceback of an internal error;
- ``--color auto|always|never``: ``auto`` colours a terminal only, and the environment decides
  first (https://no-color.org: ``NO_COLOR`` set and not empty turns colour off;
  https://force-color.org: ``FORCE_COLOR`` set and not empty turns it on); ``always`` and
  ``never`` win over both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

TYPE_CHECKING = False  # typing is imported only when type-checking: the command starts fast
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["COLOR_CHOICES", "Console", "printable", "use_color"]

COLOR_CHOICES = ("auto", "always", "never")

_RED, _YELLOW, _RESET = "\033[31m", "\033[33m", "\033[0m"
# Characters a terminal acts on instead of showing: C0 controls but line feed and tab, DEL, C1 controls, and
# the bidirectional overrides and isolates (which reorder what is shown).
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
_LABELS = (("error:", _RED), ("problem:", _RED), ("warning:", _YELLOW))


def use_color(stream: TextIO, choice: str = "auto", environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour ``stream`` under ``--color choice``.

    >>> import io
    >>> use_color(io.StringIO(), "always"), use_color(io.StringIO(), "auto", {"FORCE_COLOR": "1"})
    (True, True)
    """
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", "") != "":
        return False
    if env.get("FORCE_COLOR", "") != "":
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on (an escape sequence from a hostile METADATA or
    direct_url.json that erases lines, a bidirectional override) shown as its escape, ``\\x1b``.

    >>> printable("a\\x1b[2Kb\\u202ec\\n")
    'a\\\\x1b[2Kb\\\\u202ec\\n'
    """
    return text.translate(_UNPRINTABLE)


class Console:
    """The command's two streams, its verbosity (``-v`` minus ``-q``) and its colour choice."""

    def __init__(
        self,
        verbosity: int = 0,
        color: str = "auto",
        *,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.verbosity = verbosity
        self.color = color
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.environ = os.environ if environ is None else environ

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    @property
    def debug(self) -> bool:
        """Tracebacks of internal errors: ``-v`` or ``SOURCELIFT_DEBUG=1``."""
        return self.verbosity > 0 or bool(self.environ.get("SOURCELIFT_DEBUG"))

    def colors(self, stream: TextIO) -> bool:
        return use_color(stream, self.color, self.environ)

    def result(self, text: str) -> None:
        """The command's result, on stdout, whatever the verbosity."""
        self.stdout.write(text)
        self.stdout.flush()

    def summary(self, line: str) -> None:
        """One line saying what was done (or that nothing was), on stdout; dropped by ``-q``."""
        if not self.quiet:
            self.result(printable(line) + "\n")

    def status(self, line: str) -> None:
        """One line about what was (not) done, on stderr (stdout holds data); dropped by ``-q``."""
        if not self.quiet:
            self.error(line)

    def note(self, text: str) -> None:
        """What was read, on stderr, only with ``-v``."""
        if self.verbosity > 0:
            self.error(text)

    def error(self, text: str) -> None:
        """A problem or an error, on stderr, whatever the verbosity; its label coloured if asked for.

        What it quotes from distributions and projects is shown, never acted on (:func:`printable`)."""
        text = printable(text)
        if self.colors(self.stderr):
            for label, code in _LABELS:
                if label in text:
                    text = text.replace(label, f"{code}{label}{_RESET}", 1)
                    break
        self.stderr.write(text + "\n")
        self.stderr.flush()
