#!/usr/bin/env python3
"""Developer tasks for sourcelift. Standard library only; Python 3.9+.

python3 tasks.py test [PYTEST ARGS...]
    Create or update .venv (pip >= 25.1, then ``pip install --group dev``),
    then run ``ruff check``, ``mypy`` and ``pytest -n 2 [PYTEST ARGS...]``,
    stopping at the first failure with a non-zero exit code.  pytest
    collecting no test at all (exit code 5) is a failure too.

python3 tasks.py demo [--keep]
    The reproduction, end to end, on example-projects/project-in-git:
    plain hatchling cannot install the vendored wheel from git; with
    sourcelift, ``pip install git+file://...`` works.  Needs only Python
    and git; every install comes from a local wheelhouse built first.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".tasks-dev-group.sha256"
MIN_PIP = "pip>=25.1"  # first pip with `pip install --group`


class TaskError(Exception):
    """A step failed; the message says which and why."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def heading(text: str) -> None:
    bar = "=" * max(len(text) + 4, 72)
    print(f"\n{bar}\n  {text}\n{bar}", flush=True)


def bindir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def venv_python(venv: Path) -> Path:
    return bindir(venv) / ("python.exe" if os.name == "nt" else "python")


def call(cmd: Sequence[object], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> int:
    """Run a command with inherited stdout/stderr; return its exit code."""
    argv = [os.fspath(c) if isinstance(c, Path) else str(c) for c in cmd]
    print(f"$ {shlex.join(argv)}", flush=True)
    return subprocess.call(argv, cwd=cwd, env=env)


def must(cmd: Sequence[object], *, what: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    code = call(cmd, cwd=cwd, env=env)
    if code != 0:
        raise TaskError(f"{what} failed (exit code {code})", code)


# --------------------------------------------------------------------- test


def dev_group_digest() -> str:
    digest = hashlib.sha256()
    digest.update((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_dev_venv() -> Path:
    """.venv with the `dev` dependency group installed; reinstalled when pyproject changes."""
    python = venv_python(VENV)
    if python.exists() and subprocess.call([python, "-c", "pass"]) != 0:
        print(f"{VENV} is broken; recreating it", flush=True)
        shutil.rmtree(VENV)
    if not python.exists():
        heading(f"Creating {VENV.name} with {sys.executable} ({sys.version.split()[0]})")
        must([sys.executable, "-m", "venv", VENV], what="creating the virtual environment")
    digest = dev_group_digest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        print(f"{VENV.name} is up to date with pyproject.toml", flush=True)
        return python
    heading(f"Installing the dev dependency group into {VENV.name}")
    must([python, "-m", "pip", "install", "--upgrade", MIN_PIP], what="upgrading pip")
    must(
        [python, "-m", "pip", "install", "--upgrade", "--group", "dev"],
        what="pip install --group dev",
    )
    STAMP.write_text(digest + "\n")
    return python


def task_test(pytest_args: Sequence[str]) -> None:
    started = time.monotonic()
    python = ensure_dev_venv()
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join([str(bindir(VENV)), env.get("PATH", os.defpath)])
    timings: list[str] = []
    steps: list[tuple[str, list[object]]] = [
        ("ruff check", [python, "-m", "ruff", "check"]),
        ("mypy", [python, "-m", "mypy"]),
        ("pytest", [python, "-m", "pytest", "-n", "2", *pytest_args]),
    ]
    for name, cmd in steps:
        heading(name)
        step_start = time.monotonic()
        code = call(cmd, env=env)
        timings.append(f"{name}: {time.monotonic() - step_start:.1f}s")
        if name == "pytest" and code == 5:
            raise TaskError("pytest collected no tests (exit code 5)", 5)
        if code != 0:
            raise TaskError(f"{name} failed (exit code {code})", code)
    heading("All checks passed")
    print("\n".join([*timings, f"total: {time.monotonic() - started:.1f}s"]), flush=True)


# --------------------------------------------------------------------- demo

EXAMPLE = "project-in-git"
NOT_FOUND = "Could not find a version that satisfies the requirement prebuilt"


def task_demo(keep: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support import (
        CommandError,
        copy_tree,
        create_venv,
        git_url,
        index_environ,
        init_repo,
        offline_environ,
        repo_from_dir,
        run,
    )
    from tests.support.wheelhouse import build_wheelhouse

    work = Path(tempfile.mkdtemp(prefix="sourcelift-demo-")).resolve()
    example = ROOT / "example-projects" / EXAMPLE
    print(f"working directory: {work}")
    try:
        heading("1. Building the local wheelhouse (the only step that uses the public index)")
        tools = work / "tools-venv"
        run([sys.executable, "-m", "venv", tools], env=index_environ())
        run(
            [venv_python(tools), "-m", "pip", "install", "--isolated", "--upgrade", "pip"],
            env=index_environ(),
        )
        wheelhouse = build_wheelhouse(
            work / "wheelhouse", scratch=work / "wheelhouse-scratch", python=str(venv_python(tools))
        )
        for wheel in sorted(wheelhouse.glob("*.whl")):
            print(f"  {wheel.name}")
        store = work / "store"
        env = offline_environ(find_links=[wheelhouse], scratch=work / "scratch", store=store)
        print(f"from here on: no index, only {wheelhouse}; SOURCELIFT_STORE_DIR={store}")

        heading(f"2. Copying example-projects/{EXAMPLE} into a fresh git repository")
        repo = repo_from_dir(example, work / "repo" / EXAMPLE)
        print(run(["git", "log", "--stat", "--format=%H %s"], cwd=repo, env=env).stdout)
        print((repo / "pyproject.toml").read_text())

        heading("3. Without sourcelift: plain hatchling, `pip wheel` (expected to FAIL)")
        plain = copy_tree(example, work / "plain" / EXAMPLE)
        pyproject = plain / "pyproject.toml"
        text = pyproject.read_text()
        text = text.replace('requires = ["sourcelift", "hatchling"]', 'requires = ["hatchling"]')
        text = text.replace('build-backend = "sourcelift.build"', 'build-backend = "hatchling.build"')
        if "sourcelift" in text.split("[project]")[0]:
            raise TaskError("could not switch the copy's [build-system] to plain hatchling")
        pyproject.write_text(text)
        init_repo(plain)
        proc = run(
            [venv_python(tools), "-m", "pip", "wheel", "--wheel-dir", work / "plain-out", plain],
            env=env,
            check=False,
        )
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln]
        print("\n".join(lines) or proc.stderr)
        if proc.returncode == 0 or NOT_FOUND not in proc.stdout + proc.stderr:
            raise TaskError(f"plain hatchling was expected to fail with {NOT_FOUND!r}")
        print(f"-> failed as expected (exit code {proc.returncode})")

        heading(f"4. With sourcelift: pip install {git_url(repo)} into a fresh venv")
        venv = create_venv(work / "venv", env=env)
        proc = run([venv.python, "-m", "pip", "install", f"{EXAMPLE} @ {git_url(repo)}"], env=env)
        print(proc.stdout.strip())

        heading("5. Running the installed code")
        code = "import project_in_git; print(project_in_git.greet())"
        print(f"$ python -c {shlex.quote(code)}")
        print(run([venv.python, "-I", "-c", code], env=env, cwd=work).stdout.strip())

        heading("6. Requires-Dist of the installed project-in-git")
        show = (
            "import importlib.metadata as m\n"
            f"for line in m.distribution({EXAMPLE!r}).metadata.get_all('Requires-Dist') or []:\n"
            "    print('Requires-Dist:', line)\n"
        )
        print(run([venv.python, "-I", "-c", show], env=env, cwd=work).stdout.strip())

        heading(f"7. sourcelift explain {repo}")
        proc = run([venv.python, "-m", "pip", "install", "sourcelift-hook"], env=env, check=False)
        explain = venv.bin("sourcelift")
        if proc.returncode != 0 or not explain.exists():
            print("(sourcelift-hook could not be installed; skipping)\n" + proc.stderr.strip())
        else:
            proc = run([explain, "explain", repo], env=env, cwd=work, check=False)
            if proc.returncode == 0:
                print(proc.stdout.rstrip())
            else:
                print(
                    f"(`sourcelift explain` is not available yet: exit code {proc.returncode})\n"
                    + (proc.stdout + proc.stderr).strip()
                )

        heading("Demo finished: sourcelift made the git install work")
    except CommandError as exc:
        raise TaskError(str(exc)) from None
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="tasks.py",
        description="sourcelift developer tasks",
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("task", choices=["test", "demo"])
    if not args or args[0] not in ("test", "demo"):
        parser.parse_args(args)  # prints usage and exits
        return 2
    task, rest = args[0], args[1:]
    try:
        if task == "test":
            # everything after `test` goes to pytest unchanged
            task_test(rest)
        else:
            demo = argparse.ArgumentParser(prog="tasks.py demo")
            demo.add_argument("--keep", action="store_true", help="keep the temporary directory")
            task_demo(demo.parse_args(rest).keep)
    except TaskError as exc:
        print(f"\ntasks.py {task}: FAILED: {exc}", file=sys.stderr, flush=True)
        return exc.code or 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
