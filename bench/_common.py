"""What every benchmark script shares: exit codes, the "broken" error, the work directory, options.

A benchmark exits 0 (measured; with ``--check``, every target met), 1 (``--check`` and a target
missed) or 2 (broken: what was measured was wrong, so no figure means anything).  Standard
library only; each script puts ``bench/`` first on ``sys.path`` by being run from it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["EXIT_BROKEN", "EXIT_MISSED", "ROOT", "Broken", "add_common_options", "in_workdir", "use_repository"]

EXIT_MISSED = 1
EXIT_BROKEN = 2
ROOT = Path(__file__).resolve().parents[1]


class Broken(Exception):
    """What was measured was wrong (a build failed, a wheel says the wrong thing): exit code 2."""


def add_common_options(parser: argparse.ArgumentParser, *, check: str = "exit 1 when a target is missed") -> None:
    parser.add_argument("--check", action="store_true", help=check)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")


def in_workdir(prefix: str, keep: bool, run: Callable[[Path], int]) -> int:
    """``run`` in a fresh temporary directory, removed afterwards unless ``keep``; :class:`Broken` is exit 2."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return run(workdir)
    except Broken as error:
        print(f"BROKEN: {error}", file=sys.stderr)
        return EXIT_BROKEN
    finally:
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def use_repository() -> None:
    """Make this checkout's sources and its test support importable (``tests.support``, the two packages)."""
    for path in (ROOT, ROOT / "frontend_hook" / "src", ROOT / "plugin" / "src"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
