"""Installs from git that last: a directory source committed in the repository is named by its place in
the repository (``git+URL@COMMIT#subdirectory=PATH``), not by the temporary clone pip or uv built in.

The uv-workspace example is pushed to a bare repository; ``app`` (in ``packages/app``) depends on
``lib-a`` (``packages/lib-a``), which depends on ``lib-b`` (``packages/lib-b``, version from a tag
through hatch-vcs).  After ``pip install git+file://...`` or ``uv pip install git+file://...`` the
installed Requires-Dist must name the bare repository at its commit, and reinstalling from those
lines (``pip install --force-reinstall``) must work once the clone and uv's cache are gone.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sourcelift.explain import explain, format_report
from tests.support import Venv, bare_clone, clone, emitted_repository, file_url, git, git_url, run
from tests.support.examples import BY_NAME, Example

pytestmark = pytest.mark.e2e

EXAMPLE = BY_NAME["uv-workspace"]

REQUIRES = r"""
import importlib.metadata as m, json, sys
print(json.dumps({name: m.distribution(name).requires or [] for name in sys.argv[1:]}))
"""


@pytest.fixture
def bare(example_repo: Callable[[Example], Path], tmp_path: Path) -> Path:
    return bare_clone(example_repo(EXAMPLE), tmp_path / "uv-workspace.git")


def expected_lines(bare: Path) -> dict[str, list[str]]:
    commit = git("rev-parse", "HEAD", cwd=bare).strip()
    at = f"git+{emitted_repository(str(bare))}@{commit}"
    return {
        "app": [f"lib-a @ {at}#subdirectory=packages/lib-a"],
        "lib-a": [f"lib-b @ {at}#subdirectory=packages/lib-b"],
    }


def installed_requires(venv: Venv, env: dict[str, str], cwd: Path) -> dict[str, list[str]]:
    out = run([venv.python, "-I", "-c", REQUIRES, "app", "lib-a"], env=env, cwd=cwd).stdout
    found: dict[str, list[str]] = json.loads(out)
    return found


def reinstall_from_installed_lines(venv: Venv, lines: dict[str, list[str]], env: dict[str, str], cwd: Path) -> None:
    """What a later reinstall does with the recorded requirements: install them again, dependencies resolved."""
    for requirement in [line for values in lines.values() for line in values]:
        run(venv.pip("install", "--force-reinstall", requirement), env=env, cwd=cwd)
    run(venv.pip("check"), env=env, cwd=cwd)


def test_pip_install_from_git_records_the_repository_not_the_clone(
    bare: Path, offline_env: dict[str, str], make_venv: Callable[..., Venv], tmp_path: Path
) -> None:
    venv = make_venv()
    run(venv.pip("install", f"app @ {git_url(bare, subdirectory='packages/app')}"), env=offline_env, cwd=tmp_path)
    lines = installed_requires(venv, offline_env, tmp_path)
    assert lines == expected_lines(bare)
    assert "pip-" not in json.dumps(lines)  # no temporary clone of pip's anywhere
    reinstall_from_installed_lines(venv, lines, offline_env, tmp_path)
    assert installed_requires(venv, offline_env, tmp_path) == lines


def test_the_pip_python_m_venv_installs_reads_the_lines_of_a_local_repository(
    bare: Path, offline_env: dict[str, str], tmp_path: Path
) -> None:
    """Found on watchmen (a poetry monorepo): pip 23.2.1, which ``python -m venv`` installs on Python
    3.11 (its packaging 21.3 wants a host in a ``git+`` URL), stopped with a traceback at
    ``lib-a @ git+file:///...``; sourcelift writes ``git+file://localhost/...``, which every pip reads."""
    import ensurepip

    from packaging.version import Version

    if Version(ensurepip.version()) >= Version("24.1"):
        pytest.skip(f"this interpreter's ensurepip has pip {ensurepip.version()}, which reads both spellings")
    run([sys.executable, "-m", "venv", tmp_path / "old-pip"], env=offline_env)
    venv = Venv(tmp_path / "old-pip")
    assert run(venv.pip("--version"), env=offline_env).stdout.startswith(f"pip {ensurepip.version()} ")
    # the project itself given as a bare URL, as pip 23 reads it (`app @ git+file:///` is a requirement)
    run(venv.pip("install", git_url(bare, subdirectory="packages/app")), env=offline_env, cwd=tmp_path)
    assert installed_requires(venv, offline_env, tmp_path) == expected_lines(bare)


def test_uv_pip_install_from_git_records_the_repository_its_cache_was_fetched_from(
    bare: Path, offline_env: dict[str, str], make_venv: Callable[..., Venv], uv_bin: str, tmp_path: Path
) -> None:
    venv = make_venv()
    url = git_url(bare, subdirectory="packages/app")
    run(
        [uv_bin, "pip", "install", "--no-index", "--python", venv.python, f"app @ {url}"], env=offline_env, cwd=tmp_path
    )
    lines = installed_requires(venv, offline_env, tmp_path)
    assert lines == expected_lines(bare)  # recovered from the cached clone's FETCH_HEAD
    run([uv_bin, "cache", "clean"], env=offline_env, cwd=tmp_path)
    reinstall_from_installed_lines(venv, lines, offline_env, tmp_path)
    assert installed_requires(venv, offline_env, tmp_path) == lines


def test_explain_shows_the_form_a_build_from_a_clone_emits(bare: Path, tmp_path: Path) -> None:
    tree = clone(bare, tmp_path / "clone")
    app = tree / "packages" / "app"
    commit = git("rev-parse", "HEAD", cwd=tree).strip()
    report = explain(app)
    (lib_a,) = [r for r in report["requirements"] if r["requirement"].startswith("lib-a")]
    assert lib_a["local"] == [f"lib-a @ git+{emitted_repository(str(bare))}@{commit}#subdirectory=packages/lib-a"]
    assert "git+" in format_report(report)
    (tree / "packages" / "lib-a" / "notes.txt").write_text("not committed\n")
    (lib_a,) = [r for r in explain(app)["requirements"] if r["requirement"].startswith("lib-a")]
    assert lib_a["local"] == [f"lib-a @ {file_url((tree / 'packages' / 'lib-a').resolve())}"]
