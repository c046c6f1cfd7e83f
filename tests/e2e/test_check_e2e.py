"""`sourcelift check` end to end: the installed command, real pypa/build in isolated environments, offline.

One venv (module-scoped) gets sourcelift-hook from the session wheelhouse, the
way a user installs it; every check below runs its ``sourcelift`` command.
Its isolated builds find sourcelift and the backends through ``PIP_FIND_LINKS``
of the offline environment.  The examples are checked once, concurrently, in
a module-scoped fixture; the tests read the JSON reports.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import tarfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

from tests.support import REPO_ROOT, Venv, clone, create_venv, run
from tests.support.examples import BY_NAME, Example
from tests.support.metadata import find_sdist, find_wheel

pytestmark = pytest.mark.e2e

# (example, project directory inside its repository)
PROJECTS: dict[str, tuple[str, str]] = {
    "project-in-git": ("project-in-git", ""),
    "hatch-root-uri": ("hatch-root-uri", ""),
    "pdm-project-root": ("pdm-project-root", ""),
    "setuptools-vendored": ("setuptools-vendored", ""),
    "uv-workspace/app": ("uv-workspace", "packages/app"),
    # versioned by hatch-vcs from the repository's tag
    "uv-workspace/lib-b": ("uv-workspace", "packages/lib-b"),
}


@pytest.fixture(scope="module")
def env(offline_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    scratch = tmp_path_factory.mktemp("check-env")
    return dict(offline_env, SOURCELIFT_CACHE_DIR=str(scratch / "sourcelift-cache"), NO_COLOR="1")


@pytest.fixture(scope="module")
def hook_venv(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str], wheelhouse: Path, uv_bin: str) -> Venv:
    """A fresh venv with sourcelift-hook (and so `build`, `trove-classifiers`) installed from the wheelhouse."""
    venv = create_venv(tmp_path_factory.mktemp("hook-venv") / "venv", env=env, uv=uv_bin)
    run(venv.pip("install", "sourcelift-hook"), env=env)
    return venv


def sourcelift(venv: Venv, *args: str | Path, env: dict[str, str], cwd: Path) -> CompletedProcess[str]:
    return run([venv.bin("sourcelift"), *args], env=env, cwd=cwd, check=False, timeout=900)


def report_of(proc: CompletedProcess[str]) -> dict[str, Any]:
    assert proc.stdout.strip(), f"no report (exit {proc.returncode}):\n{proc.stderr}"
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def found(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["id"], f["artifact"]) for f in report["findings"]]


@pytest.fixture(scope="module")
def example_checks(
    hook_venv: Venv,
    env: dict[str, str],
    example_repo: Callable[[Example], Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, CompletedProcess[str]]:
    """`sourcelift check --format json --outdir OUT PROJECT` of each project, from its own clone."""
    root = tmp_path_factory.mktemp("check-examples")
    clones = {name: clone(example_repo(BY_NAME[name]), root / name) for name in {e for e, _ in PROJECTS.values()}}

    def one(key: str) -> CompletedProcess[str]:
        name, subdirectory = PROJECTS[key]
        project = clones[name] / subdirectory if subdirectory else clones[name]
        out = root / "out" / key.replace("/", "-")
        return sourcelift(hook_venv, "check", "--format", "json", "--outdir", out, project, env=env, cwd=root)

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(PROJECTS, pool.map(one, PROJECTS)))


@pytest.mark.parametrize("key", list(PROJECTS))
def test_publish_mode_build_of_each_example_checks_clean(
    example_checks: dict[str, CompletedProcess[str]], key: str
) -> None:
    proc = example_checks[key]
    report = report_of(proc)
    assert (proc.returncode, report["findings"]) == (0, []), proc.stdout + proc.stderr
    kinds = sorted((a["kind"], a["built"]) for a in report["artifacts"])
    assert kinds == [("sdist", True), ("wheel", True)], report["artifacts"]
    assert report["project"] and report["notes"][-1].startswith("the built artifacts are in ")
    # progress on stderr: a line per step with the seconds it took, no spinner off a terminal
    assert "building the sdist of" in proc.stderr and "sourcelift unavailable): done in" in proc.stderr
    assert "\r" not in proc.stderr


def test_lib_b_version_comes_from_the_tag(example_checks: dict[str, CompletedProcess[str]]) -> None:
    report = report_of(example_checks["uv-workspace/lib-b"])
    assert {(a["name"], a["version"]) for a in report["artifacts"]} == {("lib-b", BY_NAME["uv-workspace"].tags[0][1:])}


def test_local_mode_artifacts_fail_on_direct_references(
    hook_venv: Venv,
    env: dict[str, str],
    example_repo: Callable[[Example], Path],
    wheelhouse: Path,
    tmp_path: Path,
) -> None:
    """A local-mode build (the default) of project-in-git: its wheel and sdist name the store by file URL."""
    tree = clone(example_repo(BY_NAME["project-in-git"]), tmp_path / "tree")
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--outdir", dist, tree], env=env, cwd=tmp_path)
    wheel, sdist = find_wheel(dist, "project-in-git"), find_sdist(dist, "project-in-git")
    proc = sourcelift(hook_venv, "check", "--format", "json", wheel, sdist, env=env, cwd=tmp_path)
    report = report_of(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("SL101", str(wheel)) in found(report) and ("SL101", str(sdist)) in found(report)
    # the local-mode sdist says it needs sourcelift, and builds with it (the wheelhouse has it)
    assert ("SL302", str(sdist)) in found(report)
    assert "building a wheel from project_in_git-0.1.0.tar.gz (with a plain frontend): done" in proc.stderr
    human = sourcelift(hook_venv, "check", "--ignore", "SL3", wheel, env=env, cwd=tmp_path)
    assert human.returncode == 1 and "SL101 error: Requires-Dist `prebuilt @ file://" in human.stdout
    # where the builder cannot get sourcelift (a user's index without it), the rebuild cannot run: that is
    # a finding with a fix, and every finding about the artifacts themselves is still reported
    links = tmp_path / "links-without-sourcelift"
    links.mkdir()
    for file in wheelhouse.glob("*.whl"):
        if not file.name.startswith("sourcelift"):
            (links / file.name).symlink_to(file)
    no_sourcelift = dict(env, PIP_FIND_LINKS=str(links), UV_FIND_LINKS=str(links))
    proc = sourcelift(hook_venv, "check", "--format", "json", wheel, sdist, env=no_sourcelift, cwd=tmp_path)
    report = report_of(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("SL101", str(wheel)) in found(report) and ("SL101", str(sdist)) in found(report)
    assert ("SL302", str(sdist)) in found(report) and ("SL303", str(sdist)) in found(report)
    [cannot] = [f for f in report["findings"] if f["id"] == "SL303"]
    assert "cannot install `sourcelift" in cannot["message"] and "PIP_FIND_LINKS" in cannot["fix"], cannot
    assert "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def own_sdists(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdists of plugin/ and frontend_hook/ by `python -m build --sdist`, from copies of the tree."""
    root = tmp_path_factory.mktemp("own-sdists")
    for project in ("plugin", "frontend_hook"):
        source = shutil.copytree(
            REPO_ROOT / project, root / "src" / project, ignore=shutil.ignore_patterns("__pycache__", "dist", "build")
        )
        run([sys.executable, "-m", "build", "--sdist", "--outdir", root / "dist", source], env=env, cwd=root)
    return root / "dist"


def test_own_distributions_check_clean(
    hook_venv: Venv, env: dict[str, str], wheelhouse: Path, own_sdists: Path, tmp_path: Path
) -> None:
    wheels = [find_wheel(wheelhouse, "sourcelift"), find_wheel(wheelhouse, "sourcelift-hook")]
    sdists = [find_sdist(own_sdists, "sourcelift"), find_sdist(own_sdists, "sourcelift-hook")]
    proc = sourcelift(hook_venv, "check", "--format", "json", *wheels, *sdists, env=env, cwd=tmp_path)
    report = report_of(proc)
    assert (proc.returncode, report["findings"], report["notes"]) == (0, [], []), proc.stdout + proc.stderr
    assert proc.stderr.count("sourcelift unavailable): done in") == 2  # each sdist built without sourcelift


# --------------------------------------------------------------------------- SL301: an sdist that needs sourcelift


BACKEND = """
import base64, hashlib, zipfile

WHEEL = b"Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"

def get_requires_for_build_wheel(config_settings=None):
    return REQUIRES

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "needs_it-1.0-py3-none-any.whl"
    files = {
        "needs_it/__init__.py": b"",
        "needs_it-1.0.dist-info/METADATA": open("PKG-INFO", "rb").read(),
        "needs_it-1.0.dist-info/WHEEL": WHEEL,
    }
    rows = []
    with zipfile.ZipFile(wheel_directory + "/" + name, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{path},sha256={digest},{len(data)}")
        rows.append("needs_it-1.0.dist-info/RECORD,,")
        zf.writestr("needs_it-1.0.dist-info/RECORD", "\\n".join(rows) + "\\n")
    return name
"""
PYPROJECT = """\
[build-system]
requires = []
build-backend = "backend"
backend-path = ["."]

[project]
name = "needs-it"
version = "1.0"
"""
PKG_INFO = "Metadata-Version: 2.4\nName: needs-it\nVersion: 1.0\n"


def in_tree_backend_sdist(directory: Path, requires: list[str]) -> Path:
    """An sdist whose in-tree backend asks for ``requires`` in get_requires_for_build_wheel."""
    directory.mkdir(parents=True)
    path = directory / "needs_it-1.0.tar.gz"
    files = {
        "PKG-INFO": PKG_INFO,
        "pyproject.toml": PYPROJECT,
        "backend.py": BACKEND.replace("REQUIRES", repr(requires)),
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"needs_it-1.0/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_sdist_that_asks_for_sourcelift_without_declaring_it(
    hook_venv: Venv, env: dict[str, str], tmp_path: Path
) -> None:
    bad = in_tree_backend_sdist(tmp_path / "bad", ["sourcelift"])
    # with sourcelift on the index (the wheelhouse), a frontend builds it ...
    run([sys.executable, "-m", "build", "--wheel", "--outdir", tmp_path / "wheels", bad], env=env, cwd=tmp_path)
    # ... but a user whose index lacks sourcelift cannot: SL301
    proc = sourcelift(hook_venv, "check", "--format", "json", bad, env=env, cwd=tmp_path)
    report = report_of(proc)
    assert proc.returncode == 1 and [f["id"] for f in report["findings"]] == ["SL301"], proc.stdout + proc.stderr
    assert "sourcelift===0+sourcelift.check.unavailable" in report["findings"][0]["message"]
    good = in_tree_backend_sdist(tmp_path / "good", [])
    proc = sourcelift(hook_venv, "check", "--format", "json", good, env=env, cwd=tmp_path)
    assert (proc.returncode, report_of(proc)["findings"]) == (0, []), proc.stdout + proc.stderr


def test_failed_build_is_a_finding_with_the_builders_last_lines(
    hook_venv: Venv, env: dict[str, str], tmp_path: Path
) -> None:
    project = tmp_path / "broken"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "no_such_backend"\n\n'
        '[project]\nname = "broken"\nversion = "1"\n'
    )
    proc = sourcelift(hook_venv, "check", "--format", "json", project, env=env, cwd=tmp_path)
    report = report_of(proc)
    assert proc.returncode == 1 and report["artifacts"] == [], proc.stdout + proc.stderr
    [failed] = report["findings"]
    assert failed["id"] == "SL304" and failed["artifact"] == str(project)
    assert "building the sdist of" in failed["message"] and "failed (exit code 1)" in failed["message"]
    assert "no_such_backend" in failed["message"]
