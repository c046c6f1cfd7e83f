"""Running commands with their output captured and reported on failure."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Union

StrPath = Union[str, "os.PathLike[str]"]

DEFAULT_TIMEOUT = 600.0


class CommandError(AssertionError):
    """A command exited non-zero (or timed out); the message carries everything."""

    def __init__(
        self,
        cmd: Sequence[str],
        returncode: int | None,
        stdout: str,
        stderr: str,
        cwd: StrPath | None,
        note: str = "",
    ) -> None:
        self.cmd = list(cmd)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.cwd = cwd
        status = "timed out" if returncode is None else f"exit code {returncode}"
        super().__init__(
            f"command failed ({status}{note}): {shlex.join(self.cmd)}\n"
            f"cwd: {cwd if cwd is not None else os.getcwd()}\n"
            f"----- stdout -----\n{stdout}\n"
            f"----- stderr -----\n{stderr}\n"
            f"------------------"
        )


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data


def run(
    cmd: Sequence[StrPath],
    *,
    cwd: StrPath | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    log: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` with stdout/stderr captured as text and stdin closed.

    With ``check`` (the default) a non-zero exit raises :class:`CommandError`
    whose message names the command, the exit code, stdout and stderr.  A
    timeout always raises.  If ``log`` is given, a one-line record with the
    wall time is appended to it.
    """
    argv = [os.fspath(c) for c in cmd]
    start = time.monotonic()
    try:
        proc = subprocess.run(
            argv,
            cwd=None if cwd is None else os.fspath(cwd),
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CommandError(argv, None, _text(exc.stdout), _text(exc.stderr), cwd, f" after {timeout:.0f}s") from None
    if log is not None:
        log.append(f"{time.monotonic() - start:7.2f}s rc={proc.returncode} {shlex.join(argv)}")
    if check and proc.returncode != 0:
        raise CommandError(argv, proc.returncode, proc.stdout, proc.stderr, cwd)
    return proc


def which_in(bindir: Path, name: str) -> Path:
    """The path of executable ``name`` inside a venv's bin (or Scripts) dir."""
    for candidate in (bindir / name, bindir / f"{name}.exe"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{name} not found in {bindir}")
