"""What sourcelift changes, what it leaves alone, and how it fails."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.helpers import assert_runs, assert_source, assert_wheel_sources
from tests.support import (
    REPO_ROOT,
    Venv,
    clone,
    copy_tree,
    create_venv,
    init_repo,
    run,
    status_porcelain,
)
from tests.support.examples import BY_NAME, Example
from tests.support.metadata import find_wheel

pytestmark = pytest.mark.e2e

PROJECT_IN_GIT = BY_NAME["project-in-git"]
NOT_FOUND = "Could not find a version that satisfies the requirement prebuilt"


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path} no longer contains {old!r}; update the test"
    path.write_text(text.replace(old, new))


def plain_hatchling_copy(dest: Path) -> Path:
    """project-in-git with sourcelift taken out of [build-system]."""
    copy_tree(PROJECT_IN_GIT.path, dest)
    pyproject = dest / "pyproject.toml"
    rewrite(pyproject, 'requires = ["sourcelift", "hatchling"]', 'requires = ["hatchling"]')
    rewrite(pyproject, 'build-backend = "sourcelift.build"', 'build-backend = "hatchling.build"')
    init_repo(dest)
    return dest


def test_plain_hatchling_cannot_install_vendored_wheel(offline_env: dict[str, str], tmp_path: Path) -> None:
    """The problem sourcelift solves: without it, pip sees a bare ``prebuilt``."""
    tree = plain_hatchling_copy(tmp_path / "project-in-git")
    proc = run(
        [sys.executable, "-m", "pip", "wheel", "--wheel-dir", tmp_path / "out", tree],
        env=offline_env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert NOT_FOUND in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_uv_sync_in_clone(
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    uv_bin: str,
    tmp_path: Path,
) -> None:
    tree = clone(example_repo(PROJECT_IN_GIT), tmp_path / "clone")
    run(
        [uv_bin, "sync", "--no-index", "--python", sys.executable],
        env=offline_env,
        cwd=tree,
    )
    assert_runs(PROJECT_IN_GIT, Venv(tree / ".venv"), offline_env, tmp_path)


def test_uv_lock_then_frozen_sync_of_a_workspace(
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    store_dir: Path,
    uv_bin: str,
    tmp_path: Path,
) -> None:
    """A uv workspace whose members build with sourcelift (sources inherited from the root, a version from
    a git tag): `uv lock`, then `uv sync --frozen --all-packages` installs every member editable, and the
    lines the members' metadata records are sourcelift's; uv writes only its lock file and venv."""
    example = BY_NAME["uv-workspace"]
    tree = clone(example_repo(example), tmp_path / "clone")
    run([uv_bin, "lock", "--no-index", "--python", sys.executable], env=offline_env, cwd=tree)
    sync = [uv_bin, "sync", "--frozen", "--all-packages", "--no-index", "--python", sys.executable]
    run(sync, env=offline_env, cwd=tree)
    changed = [line for line in status_porcelain(tree).splitlines() if not line.startswith("!! .venv/")]
    assert changed == ["?? uv.lock"], changed
    venv = Venv(tree / ".venv")
    assert_runs(example, venv, offline_env, tmp_path)
    site = venv.site_packages(offline_env)
    for distribution, dependencies in example.sources.items():
        [metadata] = site.glob(f"{distribution.replace('-', '_')}-*.dist-info/METADATA")
        for dependency, source in dependencies.items():
            assert_source(metadata.parent.name, metadata.read_text(), dependency, source, tree=tree, store=store_dir)


@pytest.mark.parametrize("name", ["project-in-git", "uv-workspace", "hatch-root-uri"])
def test_builds_leave_the_tree_untouched(
    name: str,
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    store_dir: Path,
    tmp_path: Path,
) -> None:
    """pip wheel and python -m build write nothing into a hatchling project's tree."""
    example = BY_NAME[name]
    tree = clone(example_repo(example), tmp_path / "clone")
    assert status_porcelain(tree) == ""
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--wheel-dir",
            tmp_path / "pip-out",
            example.project_dir(tree),
        ],
        env=offline_env,
        cwd=tmp_path,
    )
    run(
        [
            sys.executable,
            "-m",
            "build",
            "--outdir",
            tmp_path / "build-out",
            example.project_dir(tree),
        ],
        env=offline_env,
        cwd=tmp_path,
    )
    # the builds did happen, through sourcelift
    top = {example.distribution: example.sources[example.distribution]}
    for out in ("pip-out", "build-out"):
        assert_wheel_sources(example, tmp_path / out, tree=tree, store=store_dir, distributions=top)
    assert status_porcelain(tree) == ""


@pytest.mark.parametrize("frontend", ["pip wheel", "python -m build"])
def test_missing_vendored_archive_is_a_clear_error(frontend: str, offline_env: dict[str, str], tmp_path: Path) -> None:
    tree = copy_tree(PROJECT_IN_GIT.path, tmp_path / "project-in-git")
    rewrite(
        tree / "pyproject.toml",
        'prebuilt = { path = "vendor/prebuilt-0.1.0-py3-none-any.whl" }',
        'prebuilt = { path = "vendor/missing.whl" }',
    )
    init_repo(tree)
    if frontend == "pip wheel":
        cmd = [sys.executable, "-m", "pip", "wheel", "--wheel-dir", tmp_path / "out", tree]
    else:
        cmd = [sys.executable, "-m", "build", "--outdir", tmp_path / "out", tree]
    proc = run(cmd, env=offline_env, cwd=tmp_path, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    lines = [m.group(0) for m in re.finditer(r"(?m)^[\s│|]*sourcelift:.*$", proc.stderr)]
    assert lines, f"no line starting with 'sourcelift:' on stderr:\n{proc.stderr}"
    message = proc.stderr[proc.stderr.index(lines[0].strip()) :]
    assert "prebuilt" in message, output
    assert "tool.uv.sources.prebuilt" in message, output
    assert "Traceback" not in output, output
    assert not list((tmp_path / "out").glob("project_in_git-*.whl")), output


@pytest.mark.parametrize("frontend", ["pip wheel", "python -m build", "uv build"])
def test_a_mistyped_mode_setting_stops_the_build(
    frontend: str, offline_env: dict[str, str], uv_bin: str, tmp_path: Path
) -> None:
    """`-C sourcelift.mode=publish` once went unread, and the "publish" wheel carried local direct references."""
    tree = copy_tree(PROJECT_IN_GIT.path, tmp_path / "project-in-git")
    init_repo(tree)
    out = tmp_path / "out"
    setting = "sourcelift.mode=publish"
    cmd = {
        "pip wheel": [sys.executable, "-m", "pip", "wheel", "--wheel-dir", out, "--config-settings", setting, tree],
        "python -m build": [sys.executable, "-m", "build", "--outdir", out, "-C", setting, tree],
        "uv build": [uv_bin, "build", "--out-dir", out, "--config-setting", setting, tree],
    }[frontend]
    proc = run(cmd, env=offline_env, cwd=tmp_path, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "the config setting `sourcelift.mode` is not one of sourcelift's" in output, output
    assert "did you mean `sourcelift-mode`?" in output and "Traceback" not in output, output
    assert not list(out.glob("project_in_git-*")), output


def pip_wheel_install_and_run(repo: Path, venv: Venv, env: dict[str, str], store: Path, tmp_path: Path) -> None:
    """A clone's wheel through the venv's pip, its lines checked, then installed and run."""
    tree = clone(repo, tmp_path / "clone")
    out = tmp_path / "wheels"
    run(venv.pip("wheel", "--wheel-dir", out, tree), env=env, cwd=tmp_path)
    assert_wheel_sources(PROJECT_IN_GIT, out, tree=tree, store=store)
    run(venv.pip("install", find_wheel(out, PROJECT_IN_GIT.distribution)), env=env, cwd=tmp_path)
    assert_runs(PROJECT_IN_GIT, venv, env, tmp_path)


@pytest.mark.py39
def test_python39_pip_wheel_and_install(
    example_repo: Callable[[Example], Path],
    python39: str,
    offline_env39: dict[str, str],
    store_dir: Path,
    uv_bin: str,
    tmp_path: Path,
) -> None:
    """The plugin (and its tomli fallback) works under the oldest supported Python."""
    venv = create_venv(tmp_path / "venv39", env=offline_env39, python=python39, uv=uv_bin)
    version = venv.run_python("import sys; print('%d.%d' % sys.version_info[:2])", env=offline_env39)
    assert version.strip() == "3.9"
    pip_wheel_install_and_run(example_repo(PROJECT_IN_GIT), venv, offline_env39, store_dir, tmp_path)


def test_the_newest_python_here_builds_and_installs(
    example_repo: Callable[[Example], Path],
    newest_python: str,
    offline_env: dict[str, str],
    store_dir: Path,
    uv_bin: str,
    tmp_path: Path,
) -> None:
    """The plugin under the newest CPython on this machine (3.13 here), as under the oldest: a clone's
    wheel through pip, installed and run (its build environment: the same pure wheels)."""
    venv = create_venv(tmp_path / "venv-newest", env=offline_env, python=newest_python, uv=uv_bin)
    version = venv.run_python("import sys; print(sys.version_info[1])", env=offline_env)
    assert int(version) > sys.version_info[1], version
    pip_wheel_install_and_run(example_repo(PROJECT_IN_GIT), venv, offline_env, store_dir, tmp_path)


def test_explain_command_from_installed_hook(
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    """sourcelift-hook installs from the wheelhouse with its pinned sourcelift and explains."""
    venv = make_venv()
    run(venv.pip("install", "sourcelift-hook"), env=offline_env, cwd=tmp_path)
    repo = example_repo(PROJECT_IN_GIT)
    proc = run([venv.bin("sourcelift"), "explain", repo], env=offline_env, cwd=tmp_path)
    assert "prebuilt" in proc.stdout, proc.stdout
    assert "tool.uv.sources.prebuilt" in proc.stdout, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    # the console script follows the same conventions as main([...])
    version = run([venv.bin("sourcelift"), "-V"], env=offline_env, cwd=tmp_path).stdout
    assert re.fullmatch(r"sourcelift-hook \S+ \(the command\), sourcelift \S+ \(the plugin\); Python 3\S+\n", version)
    proc = run([venv.bin("sourcelift"), "explain", repo, "--json", "-q"], env=offline_env, cwd=tmp_path)
    assert json.loads(proc.stdout)["project"] == "project-in-git"
    proc = run([venv.bin("sourcelift"), "explain", "--format", "xml"], env=offline_env, cwd=tmp_path, check=False)
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.startswith("sourcelift: error: argument --format")
    proc = run([venv.bin("sourcelift"), "record", "--path", tmp_path], env=offline_env, cwd=tmp_path)
    assert proc.stdout.startswith("sourcelift: nothing to record: ") and proc.stderr == ""


def test_both_distributions_describe_themselves(wheelhouse: Path) -> None:
    """Each wheel carries a real long description, project URLs and the MIT LICENSE (License-File)."""
    import zipfile

    license_text = (REPO_ROOT / "LICENSE").read_text()
    for name in ("sourcelift", "sourcelift_hook"):
        [wheel] = wheelhouse.glob(f"{name}-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            [metadata] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
            text = archive.read(metadata).decode()
            assert archive.read(metadata.replace("METADATA", "licenses/LICENSE")).decode() == license_text
        headers, _, description = text.partition("\n\n")
        assert "\nLicense-Expression: MIT\n" in headers and "\nLicense-File: LICENSE\n" in headers
        assert "\nProject-URL: Documentation, " in headers and "\nProject-URL: Source, " in headers
        assert "../" not in description and len(description.splitlines()) > 20, description


def test_builds_without_isolation_name_what_to_install(
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    store_dir: Path,
    uv_bin: str,
    tmp_path: Path,
) -> None:
    """`pip wheel --no-build-isolation` and `uv build --no-build-isolation` run sourcelift in the environment
    as it is: the wrapped backend missing there, or one of sourcelift's own dependencies, is named with what
    to install (they once read "add hatchling to `build-system.requires`", which lists it, and "internal
    error: a bug in sourcelift"); with both installed the wheel gets its lines, as in an isolated build."""
    tree = clone(example_repo(PROJECT_IN_GIT), tmp_path / "clone")
    venv = make_venv()
    run(venv.uv_pip("install", "--no-index", "sourcelift"), env=offline_env, cwd=tmp_path)
    out = tmp_path / "out"
    wheel = venv.pip("wheel", "--no-build-isolation", "--no-deps", "--wheel-dir", out, tree)
    proc = run(wheel, env=offline_env, cwd=tmp_path, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in output, output
    assert "cannot import the build backend `hatchling.build`" in output, output
    assert "`build-system.requires` lists `hatchling`, but a build without isolation" in output, output
    assert f'fix: install it there (`{venv.python} -m pip install "hatchling"`)' in output, output

    run(venv.uv_pip("install", "--no-index", "hatchling"), env=offline_env, cwd=tmp_path)
    run(wheel, env=offline_env, cwd=tmp_path)
    assert_wheel_sources(PROJECT_IN_GIT, out, tree=tree, store=store_dir)

    run(venv.uv_pip("uninstall", "tomlkit"), env=offline_env, cwd=tmp_path)
    sdist = [uv_bin, "build", "--no-index", "--no-build-isolation", "--python", venv.python, "--sdist", "-o", out, tree]
    proc = run(sdist, env={**offline_env, "SOURCELIFT_MODE": "publish"}, cwd=tmp_path, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in output and "internal error" not in output, output
    assert "sourcelift needs `tomlkit>=0.11`, which the Python that runs this build cannot import" in output, output
    assert f'fix: install it there (`{venv.python} -m pip install "tomlkit>=0.11"`' in output, output
    assert not list(out.glob("*.tar.gz")), output
    assert status_porcelain(tree) == ""
