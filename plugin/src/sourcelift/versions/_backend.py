"""Running a project's own build backend for its metadata: pyproject-hooks, with a timeout on the whole tree.

``pyproject_hooks.BuildBackendHookCaller`` runs ``prepare_metadata_for_build_wheel`` in a fresh
interpreter (falling back to ``build_wheel`` when the backend lacks that hook), as pip and
build do.  The subprocess runner here adds what a build-inside-a-build needs: the project as
working directory, no byte code written (the project tree is never written to), a variable
that tells a nested sourcelift it is probing a version, hatchling's ``PIP_BUILD_TRACKER``
removed (it hides ``prepare_metadata_for_build_wheel`` under it), and a timeout after which
the child's whole process group is killed (a backend's own children included).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyproject_hooks import BuildBackendHookCaller, SubprocessRunner

__all__ = ["BackendFailed", "BackendTimeout", "dynamic_requires", "prepare_metadata"]

MAX_METADATA_BYTES = 1024 * 1024


class BackendFailed(Exception):
    """The backend could not be imported, or its hook failed; ``output`` is what it wrote."""

    def __init__(self, message: str, output: bytes = b"") -> None:
        super().__init__(message)
        self.message = message
        self.output = output


class BackendTimeout(BackendFailed):
    """The hook ran past the timeout; its process group was killed."""


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the child leads its own group: all of it goes
    else:  # pragma: no cover - Windows: no process groups to signal
        process.kill()


def _runner(environ: Mapping[str, str], timeout: float) -> SubprocessRunner:
    def run(cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None) -> None:
        env = {**environ, **(extra_environ or {})}
        with subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # backends print progress to both; the tail goes into messages
            start_new_session=os.name == "posix",
        ) as process:
            try:
                output, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                output, _ = process.communicate()
                raise BackendTimeout(f"it did not finish within {timeout:.0f} s", output) from None
            except BaseException:
                _kill_group(process)
                raise
        if process.returncode != 0:
            kept, error = _without_tracebacks(output.decode("utf-8", "replace"))
            what = f"the hook failed: {error}" if error else f"the hook failed (exit code {process.returncode})"
            raise BackendFailed(what, kept.encode())

    return run


def _without_tracebacks(text: str) -> tuple[str, str | None]:
    """``text`` without Python traceback frames (the exception line stays), and the last exception line."""
    kept: list[str] = []
    error = None
    in_traceback = False
    for line in text.splitlines():
        if line.startswith("Traceback (most recent call last):"):
            in_traceback = True
            continue
        if in_traceback:
            if line.startswith((" ", "\t")) or not line.strip():
                continue  # a frame, or the source line under it
            in_traceback = False
            error = line.strip()
        kept.append(line)
    return "\n".join(kept), error


def _caller(
    directory: Path,
    backend: str,
    backend_path: list[str],
    environ: Mapping[str, str],
    timeout: float,
    python: str | None,
) -> BuildBackendHookCaller:
    from pyproject_hooks import BuildBackendHookCaller

    env = dict(environ)
    env.pop("PIP_BUILD_TRACKER", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if python:
        # another environment (`sourcelift explain --isolated`): its scripts first on PATH, as a frontend
        # puts them, for backends that run a command their requirements install (maturin runs `maturin`)
        scripts = os.path.dirname(python)
        env["PATH"] = os.pathsep.join([scripts, env["PATH"]]) if env.get("PATH") else scripts
    return BuildBackendHookCaller(
        str(directory),
        backend,
        backend_path=[os.path.relpath(entry, directory) for entry in backend_path] or None,  # relative, as PEP 517
        runner=_runner(env, timeout),
        python_executable=python or sys.executable,
    )


def dynamic_requires(
    directory: Path,
    backend: str,
    backend_path: list[str],
    environ: Mapping[str, str],
    timeout: float,
    python: str | None = None,
) -> list[str]:
    """What the backend's ``get_requires_for_build_wheel`` asks for beyond ``build-system.requires``
    (PEP 517; an in-tree backend such as hatchling's own ``hatchling.ouroboros`` names its dependencies
    there); ``[]`` when the hook is missing or fails."""
    from pyproject_hooks import BackendUnavailable, HookMissing

    caller = _caller(directory, backend, backend_path, environ, timeout, python)
    try:
        found = caller.get_requires_for_build_wheel({})
    except (BackendFailed, BackendUnavailable, HookMissing, OSError):
        return []
    return [item for item in found if isinstance(item, str)] if isinstance(found, list) else []


def prepare_metadata(
    directory: Path,
    backend: str,
    backend_path: list[str],
    environ: Mapping[str, str],
    timeout: float,
    python: str | None = None,
) -> str:
    """The METADATA text the backend ``backend`` prepares for the project in ``directory``.

    ``python``: the interpreter to run it with (an isolated build environment); default: this one.
    Raises :class:`BackendFailed` (or :class:`BackendTimeout`) with what went wrong.
    """
    from pyproject_hooks import BackendUnavailable, HookMissing

    caller = _caller(directory, backend, backend_path, environ, timeout, python)
    with tempfile.TemporaryDirectory(prefix="sourcelift-version-") as scratch:
        try:
            name = caller.prepare_metadata_for_build_wheel(scratch, {})
        except BackendUnavailable as exc:
            lines = [line for line in exc.traceback.splitlines() if line.strip()]
            detail = lines[-1].strip() if lines else str(exc).split("\n", 1)[0]
            raise BackendFailed(f"cannot import the build backend `{backend}`: {detail}", b"") from None
        except HookMissing as exc:
            raise BackendFailed(f"the build backend has no `{exc.hook_name}` hook") from None
        except OSError as exc:
            raise BackendFailed(f"cannot start {python or sys.executable}: {exc.strerror or exc}") from None
        path = Path(scratch) / os.path.basename(str(name)) / "METADATA"
        try:
            with open(path, "rb") as stream:
                return stream.read(MAX_METADATA_BYTES).decode("utf-8", "replace")
        except OSError as exc:
            raise BackendFailed(f"the metadata it prepared has no readable METADATA ({exc.strerror or exc})") from None
