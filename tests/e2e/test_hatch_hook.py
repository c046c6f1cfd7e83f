"""The native hatchling metadata hook, driven by real pip and build."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.support import init_repo, run
from tests.support.examples import BY_NAME
from tests.support.metadata import find_wheel, requires_dist, wheel_metadata_text

pytestmark = pytest.mark.e2e

WHEEL = "prebuilt-0.1.0-py3-none-any.whl"

HOOK_PROJECT = """
    [build-system]
    requires = ["hatchling", "sourcelift"]
    build-backend = "hatchling.build"

    [project]
    name = "hooked"
    {version}
    requires-python = ">=3.9"
    dependencies = ["prebuilt"]

    [tool.hatch.version]
    path = "src/hooked/__init__.py"

    [tool.hatch.metadata]
    allow-direct-references = true

    [tool.hatch.metadata.hooks.sourcelift]

    [tool.uv.sources]
    prebuilt = {{ path = "vendor/{wheel}" }}
"""


def hook_project(root: Path, version: str = 'dynamic = ["version"]') -> Path:
    (root / "src" / "hooked").mkdir(parents=True)
    (root / "src" / "hooked" / "__init__.py").write_text('__version__ = "0.3.0"\n')
    (root / "vendor").mkdir()
    shutil.copy2(BY_NAME["project-in-git"].path / "vendor" / WHEEL, root / "vendor" / WHEEL)
    (root / "pyproject.toml").write_text(textwrap.dedent(HOOK_PROJECT.format(version=version, wheel=WHEEL)))
    init_repo(root)
    return root


def test_hook_rewrites_sources_when_building_from_the_tree(
    offline_env: dict[str, str], store_dir: Path, tmp_path: Path
) -> None:
    tree = hook_project(tmp_path / "hooked")
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "out", tree], env=offline_env, cwd=tmp_path
    )
    (line,) = requires_dist(wheel_metadata_text(find_wheel(tmp_path / "out", "hooked")))
    assert line.startswith(f"prebuilt @ file://{store_dir}/sha256/") and line.endswith(WHEEL)


def test_hook_writes_one_line_for_a_source_of_the_extra_it_is_declared_in(
    offline_env: dict[str, str], store_dir: Path, tmp_path: Path
) -> None:
    """uv's `extra = "lib"` on the source of a requirement of the extra `lib`: the hook wrote
    `(extra == 'lib') and extra == 'lib'` and a plain line under `(extra != 'lib') and extra == 'lib'`."""
    tree = hook_project(tmp_path / "hooked")
    pyproject = tree / "pyproject.toml"
    text = pyproject.read_text()
    text = text.replace(
        'dependencies = ["prebuilt"]', 'dependencies = []\noptional-dependencies = { lib = ["prebuilt"] }'
    )
    text = text.replace(
        f'prebuilt = {{ path = "vendor/{WHEEL}" }}', f'prebuilt = {{ path = "vendor/{WHEEL}", extra = "lib" }}'
    )
    pyproject.write_text(text)
    run(["git", "commit", "-qam", "extra"], env=offline_env, cwd=tree)
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "out", tree], env=offline_env, cwd=tmp_path
    )
    lines = requires_dist(wheel_metadata_text(find_wheel(tmp_path / "out", "hooked")))
    (line,) = [str(Requirement(line)) for line in lines]
    assert line.startswith(f"prebuilt @ file://{store_dir}/sha256/"), lines
    assert line.endswith(f'{WHEEL} ; extra == "lib"'), lines


def failure(cmd: list[str | Path], env: dict[str, str], cwd: Path) -> str:
    proc = run(cmd, env=env, cwd=cwd, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "Traceback" not in output, output
    return output


def test_hook_refuses_to_be_skipped_when_dynamic_is_empty(offline_env: dict[str, str], tmp_path: Path) -> None:
    tree = hook_project(tmp_path / "hooked", version='version = "0.3.0"')
    output = failure(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "out", tree], offline_env, tmp_path
    )
    assert "`project.dynamic`: is empty, so hatchling will not run the metadata hook" in output
    assert 'build-backend = "sourcelift.build"' in output


def test_hook_refuses_wheel_from_sdist_where_hatchling_skips_it(offline_env: dict[str, str], tmp_path: Path) -> None:
    tree = hook_project(tmp_path / "hooked")
    output = failure([sys.executable, "-m", "build", "--outdir", tmp_path / "out", tree], offline_env, tmp_path)
    assert "every dynamic field (version) is already in this sdist's PKG-INFO" in output
    assert "build the wheel from the source tree (`pip wheel .`, `python -m build --wheel`" in output
    assert not list((tmp_path / "out").glob("*.whl"))


CYCLE_MEMBER = """
    [build-system]
    requires = ["hatchling", "sourcelift"]
    build-backend = "hatchling.build"

    [project]
    name = "{name}"
    dynamic = ["version"]
    dependencies = ["{other}"]

    [tool.hatch.version]
    path = "{name}/__init__.py"

    [tool.hatch.metadata]
    allow-direct-references = true

    [tool.hatch.metadata.hooks.sourcelift]

    [tool.sourcelift]
    mode = "publish"

    [tool.uv.sources]
    {other} = {{ path = "../{other}" }}
"""


@pytest.mark.parametrize("in_git", [False, True], ids=["no-git", "git"])
def test_a_cycle_between_members_is_reported_by_name_not_by_a_timeout(
    in_git: bool, offline_env: dict[str, str], tmp_path: Path
) -> None:
    """Publish mode, the native hook, dynamic versions: each member's version needs the other's metadata.
    Without git, backend runs used to spawn each other without end; in git, they deadlocked on the
    version cache's locks for 300 s. Now the cycle is named at once, before any lock is taken."""
    for name, other in (("ping", "pong"), ("pong", "ping")):
        (tmp_path / name / name).mkdir(parents=True)
        (tmp_path / name / name / "__init__.py").write_text('__version__ = "1.0"\n')
        (tmp_path / name / "pyproject.toml").write_text(textwrap.dedent(CYCLE_MEMBER.format(name=name, other=other)))
    if in_git:
        init_repo(tmp_path)
    proc = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "out", tmp_path / "ping"],
        env=offline_env,
        cwd=tmp_path,
        check=False,
        timeout=240,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "dependency cycle between members whose versions are dynamic: pong -> ping -> pong" in output, output
