"""Builds through pypa/build, each in its own isolated environment, as a user's frontend would run them.

- :func:`build_sdist`: ``python -m build --sdist --config-setting=sourcelift-mode=publish PROJECT``.
- :func:`build_wheel_from_sdist`: the sdist is unpacked (safely: nothing may land
  outside the target) and ``python -m build --wheel`` runs on it.  Unless the
  sdist itself declares sourcelift, that build runs with sourcelift unresolvable:
  a pip constraint file (``PIP_CONSTRAINT``, which pip also honours in the
  isolated build environment it sets up) pins sourcelift to a version that
  cannot exist, so a build that needs sourcelift fails the way it would for a
  user whose index has none.  ``PYTHONPATH`` is removed for that build, so that
  a checkout of sourcelift on it cannot stand in for the missing package.

Output of the builder goes to a log; its last lines are shown when a build fails.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import BuildFailed, UsageError
from .progress import Progress

__all__ = [
    "UNAVAILABLE",
    "WheelBuild",
    "build_sdist",
    "build_wheel_from_sdist",
    "copy_artifacts",
    "extract_sdist",
    "require_build",
]

UNAVAILABLE = "sourcelift===0+sourcelift.check.unavailable"
"""The constraint that makes sourcelift unresolvable; pip names it in the error it gives."""
_TAIL = 30
MAX_UNPACKED = 4 * 1024**3
"""An sdist unpacked to build it may hold this many bytes (its members' sizes added up), no more: a
compressed archive of a few megabytes could otherwise fill the disk."""
MAX_MEMBERS = 200_000


@dataclass(frozen=True)
class WheelBuild:
    wheel: Path | None
    refused_sourcelift: bool
    """The build asked for sourcelift, which the constraint made unavailable."""
    tail: list[str]
    """When refused: the builder's lines that name sourcelift."""


def require_build() -> None:
    if importlib.util.find_spec("build") is None:
        raise UsageError(
            f"pypa/build is not installed for {sys.executable}; install it (`python -m pip install build`) "
            "or give the distribution files to check"
        )


def _run(
    cmd: Sequence[str], *, step: str, log: Path, progress: Progress, environ: Mapping[str, str], cwd: Path
) -> tuple[int, list[str]]:
    with progress.step(step), log.open("w", encoding="utf-8", errors="replace") as stream:
        proc = subprocess.run(
            list(cmd), cwd=cwd, env=dict(environ), stdin=subprocess.DEVNULL, stdout=stream, stderr=subprocess.STDOUT
        )
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return proc.returncode, lines


def _only(directory: Path, suffix: str, step: str) -> Path:
    found = sorted(p for p in directory.iterdir() if p.name.endswith(suffix))
    if len(found) != 1:
        raise BuildFailed(step, 0, [f"expected one {suffix} in {directory}, found {[p.name for p in found]}"])
    return found[0]


def build_sdist(project: Path, out: Path, *, work: Path, progress: Progress, environ: Mapping[str, str]) -> Path:
    """Build the publish-mode sdist of ``project`` into ``out`` (an empty directory); return its path."""
    out.mkdir(parents=True, exist_ok=True)
    step = f"building the sdist of {project} in publish mode"
    cmd = [
        sys.executable,
        "-m",
        "build",
        "--sdist",
        "--outdir",
        str(out),
        "--config-setting=sourcelift-mode=publish",
        str(project),
    ]
    code, lines = _run(cmd, step=step, log=work / "sdist.log", progress=progress, environ=environ, cwd=work)
    if code != 0:
        raise BuildFailed(step, code, lines[-_TAIL:])
    return _only(out, ".tar.gz", step)


def build_wheel_from_sdist(
    sdist: Path,
    out: Path,
    *,
    work: Path,
    progress: Progress,
    environ: Mapping[str, str],
    without_sourcelift: bool,
) -> WheelBuild:
    """Build a wheel from ``sdist`` into ``out``; with ``without_sourcelift``, sourcelift cannot be installed.

    A build that fails because it asked for sourcelift returns ``refused_sourcelift``;
    any other failure raises :class:`BuildFailed`.
    """
    out.mkdir(parents=True, exist_ok=True)
    unpacked = extract_sdist(sdist, work / "unpacked" / sdist.name)
    env = dict(environ)
    how = "with a plain frontend, sourcelift unavailable" if without_sourcelift else "with a plain frontend"
    step = f"building a wheel from {sdist.name} ({how})"
    if without_sourcelift:
        env.pop("PYTHONPATH", None)  # a source checkout of sourcelift on it would be importable in the build
        constraint = work / "no-sourcelift.txt"
        constraint.write_text(UNAVAILABLE + "\n", encoding="utf-8")
        env["PIP_CONSTRAINT"] = " ".join(filter(None, [env.get("PIP_CONSTRAINT", ""), str(constraint)]))
        env["UV_CONSTRAINT"] = " ".join(filter(None, [env.get("UV_CONSTRAINT", ""), str(constraint)]))
    cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(unpacked)]
    log = work / f"wheel-{sdist.name}.log"
    code, lines = _run(cmd, step=step, log=log, progress=progress, environ=env, cwd=work)
    if code != 0:
        text = "\n".join(lines)
        if without_sourcelift and UNAVAILABLE.split("===", 1)[1] in text:
            return WheelBuild(None, True, [line for line in lines if "sourcelift" in line.lower()][-_TAIL:])
        raise BuildFailed(step, code, lines[-_TAIL:])
    return WheelBuild(_only(out, ".whl", step), False, [])


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return not path.is_absolute() and ".." not in path.parts and not (len(name) > 1 and name[1] == ":")


def _check_size(step: str, sizes: Sequence[int]) -> None:
    if len(sizes) > MAX_MEMBERS or sum(sizes) > MAX_UNPACKED:
        raise BuildFailed(
            step,
            None,
            [
                f"the archive unpacks to {len(sizes)} files of {sum(sizes)} bytes in all, more than an sdist "
                f"sourcelift builds may hold ({MAX_MEMBERS} files, {MAX_UNPACKED} bytes)"
            ],
        )


def extract_sdist(sdist: Path, dest: Path) -> Path:
    """Unpack ``sdist`` into ``dest``, refusing members that would land outside it; return the project directory."""
    dest.mkdir(parents=True, exist_ok=True)
    step = f"unpacking {sdist.name}"
    try:
        if sdist.name.lower().endswith(".zip"):
            with zipfile.ZipFile(sdist) as zf:
                unsafe = [n for n in zf.namelist() if not _safe_name(n)]
                if unsafe:
                    raise BuildFailed(step, None, [f"members outside the archive: {unsafe[:5]}"])
                _check_size(step, [info.file_size for info in zf.infolist()])
                zf.extractall(dest)
        else:
            with tarfile.open(sdist, "r:gz") as tar:
                filters = hasattr(tarfile, "data_filter")
                members = tar.getmembers()
                # With extraction filters ("data": no absolute names, no links leaving the target, no devices)
                # links are fine; without them (Python < 3.9.17) only plain files and directories are.
                unsafe = [
                    m.name
                    for m in members
                    if not _safe_name(m.name) or not (m.isfile() or m.isdir() or (filters and (m.issym() or m.islnk())))
                ]
                if unsafe:
                    raise BuildFailed(step, None, [f"members outside the archive or not plain files: {unsafe[:5]}"])
                _check_size(step, [m.size for m in members if m.isfile()])
                if filters:
                    tar.extractall(dest, filter="data")
                else:  # pragma: no cover - old Python 3.9; every member checked above
                    tar.extractall(dest)
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
        raise BuildFailed(step, None, [f"{type(exc).__name__}: {exc}"]) from None
    tops = [p for p in dest.iterdir() if p.is_dir()]
    projects = [p for p in tops if (p / "pyproject.toml").is_file() or (p / "setup.py").is_file()]
    if len(projects) != 1:
        raise BuildFailed(
            step, None, [f"expected one project directory at the top of {sdist.name}, found {len(projects)}"]
        )
    return projects[0]


def copy_artifacts(paths: Sequence[Path], outdir: Path) -> list[Path]:
    """Copy built artifacts into ``outdir`` (created if needed); return the copies."""
    outdir.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in paths:
        target = outdir / path.name
        shutil.copy2(path, target)
        copies.append(target)
    return copies
