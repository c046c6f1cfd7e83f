"""Fresh virtual environments, seeded from the local wheelhouse only."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .proc import StrPath, run


def find_uv() -> str | None:
    """The uv executable: the one the ``uv`` package ships, else the one on PATH."""
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found,unused-ignore]

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


@dataclass(frozen=True)
class Venv:
    """A virtual environment; :meth:`pip` and :meth:`uv_pip` give the command lines that install into it."""

    path: Path
    uv: str | None = None  # the uv that made it; :meth:`uv_pip` falls back to :func:`find_uv`

    @property
    def bindir(self) -> Path:
        return self.path / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        return self.bindir / ("python.exe" if os.name == "nt" else "python")

    def bin(self, name: str) -> Path:
        return self.bindir / (f"{name}.exe" if os.name == "nt" else name)

    def pip(self, *args: StrPath) -> list[StrPath]:
        """``python -m pip ARGS`` of this environment."""
        return [self.python, "-m", "pip", *args]

    def uv_pip(self, command: str, *args: StrPath) -> list[StrPath]:
        """``uv pip COMMAND --python <this environment> ARGS``."""
        uv = self.uv or find_uv()
        if uv is None:
            raise RuntimeError("uv is not installed: `pip install uv` (it is in the dev dependency group)")
        return [uv, "pip", command, "--python", self.python, *args]

    def run_python(self, code: str, *, env: Mapping[str, str], cwd: StrPath | None = None) -> str:
        """Run ``code`` isolated (``-I``: no cwd, no PYTHONPATH, no user site)."""
        return run([self.python, "-I", "-c", code], env=env, cwd=cwd).stdout

    def site_packages(self, env: Mapping[str, str]) -> Path:
        out = self.run_python("import sysconfig; print(sysconfig.get_paths()['purelib'])", env=env)
        return Path(out.strip())


def create_venv(
    path: Path,
    *,
    env: Mapping[str, str],
    python: str = sys.executable,
    seed: bool = True,
    uv: str | None = None,
    extra: Sequence[str] = (),
) -> Venv:
    """Create a venv at ``path`` for interpreter ``python``.

    With uv (fast): ``uv venv --seed`` takes pip (and, for old Pythons,
    setuptools/wheel) from the find-links in ``env`` with ``--no-index``.
    Without uv: ``python -m venv`` and then pip is upgraded from the
    wheelhouse, again with no index.
    """
    uv = uv if uv is not None else find_uv()
    if uv is not None:
        cmd: list[StrPath] = [uv, "venv", "--no-index", "--python", python, "--no-config"]
        if seed:
            cmd.append("--seed")
        run([*cmd, *extra, path], env=env)
    else:
        run([python, "-m", "venv", *([] if seed else ["--without-pip"]), *extra, path], env=env)
        if seed:
            run(Venv(path).pip("install", "--upgrade", "pip"), env=env)
    return Venv(path, uv)
