"""``sourcelift pip ARGS...``: pip in this interpreter, then ``record`` where it installed.

pip has no post-install hook, so this runs ``sys.executable -m pip ARGS`` unchanged (same
stdin, stdout, stderr, environment), keeps its exit status, and, after a successful
``pip install``, runs ``record`` on the environment the install went to: ``--target``,
``--prefix``, ``--root``, ``--user`` and pip's global ``--python`` are honoured, from the
command line or from ``PIP_TARGET``/``PIP_PREFIX``/``PIP_ROOT``/``PIP_USER``/``PIP_PYTHON``
(values in pip configuration files are not read).  Other pip commands are passed through.
"""

from __future__ import annotations

import os
import subprocess
import sys

from .environment import Environment, from_paths, install_paths

__all__ = ["InstallTarget", "install_target", "run_pip"]

# pip's global options that take a value (so that the command name is found after them)
_GLOBAL_WITH_VALUE = frozenset(
    {
        "--python",
        "--log",
        "--log-file",
        "--local-log",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--trusted-host",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--use-feature",
        "--use-deprecated",
        "--keyring-provider",
        "--resume-retries",
        "--src",
    }
)
_TRUE = ("1", "true", "yes", "on")


class InstallTarget:
    """Where a pip command installs: ``None`` fields mean pip's default."""

    __slots__ = ("command", "prefix", "python", "root", "target", "user")

    def __init__(self) -> None:
        self.command: str | None = None
        self.python: str | None = None
        self.target: str | None = None
        self.prefix: str | None = None
        self.root: str | None = None
        self.user = False


def install_target(args: list[str], environ: dict[str, str] | None = None) -> InstallTarget:
    """Read the pip command line (and pip's environment variables) for where it installs."""
    env = os.environ if environ is None else environ
    found = InstallTarget()
    found.python = env.get("PIP_PYTHON") or None
    found.target = env.get("PIP_TARGET") or None
    found.prefix = env.get("PIP_PREFIX") or None
    found.root = env.get("PIP_ROOT") or None
    found.user = env.get("PIP_USER", "").lower() in _TRUE
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            break
        name, has_value, value = arg.partition("=")
        if found.command is None:
            if not arg.startswith("-"):
                found.command = arg
                continue
            if name in _GLOBAL_WITH_VALUE:
                if not has_value:
                    value = args[index] if index < len(args) else ""
                    index += 1
                if name == "--python":
                    found.python = value
            continue
        if name in ("--target", "-t", "--prefix", "--root"):
            if not has_value:
                value = args[index] if index < len(args) else ""
                index += 1
            if name in ("--target", "-t"):
                found.target = value
            elif name == "--prefix":
                found.prefix = value
            else:
                found.root = value
        elif arg.startswith("-t") and not arg.startswith("--") and len(arg) > 2:
            found.target = arg[2:]
        elif arg == "--user":
            found.user = True
        elif arg == "--no-user":
            found.user = False
    return found


def target_environment(where: InstallTarget) -> Environment:
    if where.target:
        return from_paths([os.path.abspath(where.target)])
    paths = install_paths(
        where.python if where.python else None,
        prefix=os.path.abspath(where.prefix) if where.prefix else "",
        user=where.user,
        root=os.path.abspath(where.root) if where.root else "",
    )
    return from_paths([p for p in paths if os.path.isdir(p)])


def run_pip(args: list[str]) -> int:
    """Run pip; its exit status (a signal becomes 128 + its number, as a shell reports it)."""
    try:
        proc = subprocess.run([sys.executable, "-m", "pip", *args], check=False)
    except KeyboardInterrupt:
        return 130
    code = proc.returncode
    return 128 - code if code < 0 else code
