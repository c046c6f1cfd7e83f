#!/usr/bin/env python3
"""Developer tasks for sourcelift. Standard library only; Python 3.9+.

python3 tasks.py test [PYTEST ARGS...]
    Create or update .venv (pip >= 25.1, then ``pip install --group dev``),
    and .venv-oldest (the oldest Python the distributions declare, with the
    ``typecheck`` group resolved by that Python's own pip), then run
    ``ruff check``, ``mypy`` (against .venv-oldest's libraries, so the code is
    checked the way the oldest supported Python sees it) and
    ``pytest -n 2 [PYTEST ARGS...]``, stopping at the first failure with a
    non-zero exit code.  pytest collecting no test at all (exit code 5) is a
    failure too.

python3 tasks.py bench [--quick] [--only NAME ...] [--markdown]
    Run every benchmark under bench/ (bench/run_all.py, with .venv) and print
    one table: each figure's median, its baseline's median from the same run,
    the ratio and the target.

python3 tasks.py demo [--keep]
    The reproduction, end to end, on example-projects/project-in-git:
    plain hatchling cannot install the vendored wheel from git; with
    sourcelift, ``pip install git+file://...`` works.  Needs only Python
    and git; every install comes from a local wheelhouse built first.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import re
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
OLDEST_VENV = ROOT / ".venv-oldest"
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


def group_digest(interpreter: str) -> str:
    digest = hashlib.sha256()
    digest.update((ROOT / "pyproject.toml").read_bytes())
    digest.update(interpreter.encode())
    return digest.hexdigest()


def ensure_venv(venv: Path, group: str, interpreter: str, version: str) -> Path:
    """``venv`` made by ``interpreter`` with dependency group ``group`` installed by that
    interpreter's own pip; reinstalled when pyproject.toml or the interpreter changes."""
    python = venv_python(venv)
    stamp = venv / f".tasks-{group}-group.sha256"
    if python.exists() and subprocess.call([python, "-c", "pass"]) != 0:
        print(f"{venv} is broken; recreating it", flush=True)
        shutil.rmtree(venv)
    if not python.exists():
        heading(f"Creating {venv.name} with {interpreter} ({version})")
        must([interpreter, "-m", "venv", venv], what=f"creating {venv.name}")
    digest = group_digest(f"{interpreter} {version}")
    if stamp.exists() and stamp.read_text().strip() == digest:
        print(f"{venv.name} is up to date with pyproject.toml", flush=True)
        return python
    heading(f"Installing the {group} dependency group into {venv.name}")
    must([python, "-m", "pip", "install", "--upgrade", MIN_PIP], what=f"upgrading pip in {venv.name}")
    must(
        [python, "-m", "pip", "install", "--upgrade", "--group", group],
        what=f"pip install --group {group} ({venv.name})",
    )
    stamp.write_text(digest + "\n")
    return python


def ensure_dev_venv() -> Path:
    """.venv with the `dev` dependency group, made by the Python running this script."""
    return ensure_venv(VENV, "dev", sys.executable, sys.version.split()[0])


def oldest_declared_python() -> tuple[int, int]:
    """The lowest ``requires-python`` floor among the two distributions (``>=3.X``)."""
    floors = []
    for dist in ("plugin", "frontend_hook"):
        text = (ROOT / dist / "pyproject.toml").read_text(encoding="utf-8")
        match = re.search(r'^requires-python\s*=\s*">=\s*(\d+)\.(\d+)', text, re.MULTILINE)
        if match is None:
            raise TaskError(f'{dist}/pyproject.toml: requires-python must read ">=3.X"')
        floors.append((int(match[1]), int(match[2])))
    return min(floors)


def find_interpreter(major: int, minor: int) -> str:
    """A CPython ``major.minor`` on this machine: $SOURCELIFT_OLDEST_PYTHON, ``pythonX.Y`` on
    PATH, or a pyenv installation."""
    wanted = f"{major}.{minor}"
    candidates = [
        os.environ.get("SOURCELIFT_OLDEST_PYTHON", ""),
        shutil.which(f"python{wanted}") or "",
        *sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{wanted}.*/bin/python")), reverse=True),
    ]
    probe = "import sys; print('%d.%d' % sys.version_info[:2])"
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        proc = subprocess.run([candidate, "-c", probe], capture_output=True, text=True, check=False)
        if proc.returncode == 0 and proc.stdout.strip() == wanted:
            return candidate
    raise TaskError(
        f"mypy checks the code against the oldest Python the distributions declare ({wanted}), "
        f"but no Python {wanted} was found: install one (pyenv install {wanted}, or your system's "
        f"python{wanted}) or point SOURCELIFT_OLDEST_PYTHON at its interpreter"
    )


def ensure_oldest_venv() -> Path:
    """.venv-oldest: the `oldest` group (`typecheck` and the test runner) as the oldest supported Python
    resolves it.

    mypy runs from .venv but reads third-party code from here (``--python-executable``):
    a library release that drops that Python (packaging 26.4 and 3.9) is simply not
    chosen here, so it can never break the type check of code that must run on it.  The
    unit tests run here too: what the type check cannot see (the standard library's
    behaviour on that Python) they do.
    """
    major, minor = oldest_declared_python()
    interpreter = find_interpreter(major, minor)
    return ensure_venv(OLDEST_VENV, "oldest", interpreter, f"{major}.{minor}")


def task_test(pytest_args: Sequence[str]) -> None:
    started = time.monotonic()
    python = ensure_dev_venv()
    oldest = ensure_oldest_venv()
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join([str(bindir(VENV)), env.get("PATH", os.defpath)])
    timings: list[str] = []
    steps: list[tuple[str, list[object]]] = [
        ("ruff check", [python, "-m", "ruff", "check"]),
        ("mypy", [python, "-m", "mypy", "--python-executable", oldest]),
        ("pytest", [python, "-m", "pytest", "-n", "2", *pytest_args]),
    ]
    if not pytest_args:  # the whole suite: the unit tests on the oldest declared Python as well
        steps.append(("pytest, unit tests, oldest Python", [oldest, "-m", "pytest", "-n", "2", "-q", "tests/unit"]))
    for name, cmd in steps:
        heading(name)
        step_start = time.monotonic()
        code = call(cmd, env=env)
        timings.append(f"{name}: {time.monotonic() - step_start:.1f}s")
        if name.startswith("pytest") and code == 5:
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


# --------------------------------------------------------------------- bench


def task_bench(args: list[str]) -> None:
    """Every benchmark, one table at the end (bench/run_all.py), with .venv's interpreter."""
    ensure_dev_venv()
    must([venv_python(VENV), ROOT / "bench" / "run_all.py", *args], what="bench/run_all.py")


# --------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="tasks.py",
        description="sourcelift developer tasks",
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("task", choices=["test", "demo", "bench"])
    if not args or args[0] not in ("test", "demo", "bench"):
        parser.parse_args(args)  # prints usage and exits
        return 2
    task, rest = args[0], args[1:]
    try:
        if task == "test":
            # everything after `test` goes to pytest unchanged
            task_test(rest)
        elif task == "bench":
            task_bench(rest)
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
