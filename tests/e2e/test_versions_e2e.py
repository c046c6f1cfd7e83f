"""Version discovery with real version plugins: hatch-vcs and setuptools-scm, from git tags.

The discovery runs inside a venv that holds sourcelift and the plugins, installed
from the offline wheelhouse, as it runs inside a build environment; each call is
a fresh process, so the version cache is exercised across processes.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.support import Venv, create_venv, git, init_repo, run, status_porcelain
from tests.support.metadata import find_wheel, requires_dist, wheel_metadata_text

pytestmark = pytest.mark.e2e

DISCOVER = """
import json, sys
from pathlib import Path
from sourcelift.versions import VersionCache, VersionError, directory_version, dynamic_build_requires
project = Path(sys.argv[1])
try:
    found = directory_version(project, VersionCache.from_environment())
except VersionError as error:
    print(json.dumps({"error": error.message, "fix": error.fix}))
else:
    print(json.dumps({"version": found.version, "how": found.how, "requires": dynamic_build_requires(project)}))
"""

HATCH_VCS = """\
[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"

[project]
name = "vcs-lib"
dynamic = ["version"]

[tool.hatch.version]
source = "vcs"
raw-options = { search_parent_directories = true }
"""

SETUPTOOLS_SCM = """\
[build-system]
requires = ["setuptools>=64", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "scm-lib"
dynamic = ["version"]

[tool.setuptools_scm]
"""


def tagged_repo(root: Path, member: str, pyproject: str, package: str) -> Path:
    """A repository whose project at ``member`` ("." for the root) is versioned by a plugin; HEAD is tagged v1.2.0."""
    project = (root / member).absolute()
    (project / "src" / package).mkdir(parents=True)
    (project / "src" / package / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(textwrap.dedent(pyproject))
    (root / ".gitignore").write_text("__pycache__/\n")
    init_repo(root)
    git("tag", "v1.2.0", cwd=root)
    return project


def discover(venv: Venv, project: Path, env: Mapping[str, str]) -> dict[str, object]:
    out = run([venv.python, "-c", DISCOVER, project], env=env, cwd=project.parent).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory, offline_env: dict[str, str], uv_bin: str) -> Venv:
    """sourcelift with hatchling, hatch-vcs, setuptools and setuptools-scm, from the wheelhouse only."""
    venv = create_venv(tmp_path_factory.mktemp("versions") / "venv", env=offline_env, uv=uv_bin)
    run(venv.pip("install", "sourcelift", "hatchling", "hatch-vcs", "setuptools", "setuptools-scm"), env=offline_env)
    return venv


@pytest.fixture
def env(offline_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {**offline_env, "SOURCELIFT_CACHE_DIR": str(tmp_path / "cache")}


def test_hatch_vcs_version_from_a_tag_is_cached_until_the_next_commit(
    plugin_venv: Venv, env: dict[str, str], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    project = tagged_repo(repo, "packages/vcs-lib", HATCH_VCS, "vcs_lib")
    first = discover(plugin_venv, project, env)
    assert first == {"version": "1.2.0", "how": "backend", "requires": ["hatchling", "hatch-vcs"]}
    assert discover(plugin_venv, project, env)["how"] == "cache"  # another process, the same answer
    assert status_porcelain(repo) == ""  # neither the backend run nor the cache wrote into the tree
    (repo / "README").write_text("one more commit\n")
    git("add", "README", cwd=repo)
    git("commit", "--quiet", "--no-gpg-sign", "-m", "after the tag", cwd=repo)
    after = discover(plugin_venv, project, env)
    assert after["how"] == "backend", after
    assert str(after["version"]).startswith("1.2.1.dev1+g"), after  # hatch-vcs' next version, never the stale 1.2.0


def test_dirty_tree_is_never_served_from_the_cache(plugin_venv: Venv, env: dict[str, str], tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    project = tagged_repo(repo, "vcs-lib", HATCH_VCS, "vcs_lib")
    assert discover(plugin_venv, project, env)["version"] == "1.2.0"
    (project / "src" / "vcs_lib" / "__init__.py").write_text("changed = True\n")
    dirty = discover(plugin_venv, project, env)
    assert dirty["how"] == "backend" and dirty["version"] != "1.2.0", dirty  # setuptools-scm marks it dirty


def test_setuptools_scm_version_from_a_tag(plugin_venv: Venv, env: dict[str, str], tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    project = tagged_repo(repo, ".", SETUPTOOLS_SCM, "scm_lib")  # setuptools-scm looks for .git in the project
    assert discover(plugin_venv, project, env) == {
        "version": "1.2.0",
        "how": "backend",
        "requires": ["setuptools>=64", "setuptools-scm>=8"],
    }
    assert discover(plugin_venv, project, env)["how"] == "cache"
    assert status_porcelain(repo) == ""  # no egg-info, build/ or __pycache__ left in the project


def test_missing_version_plugin_is_named(
    offline_env: dict[str, str], env: dict[str, str], uv_bin: str, tmp_path: Path
) -> None:
    """Without hatch-vcs in the environment the error says what to add (the wrapper asks the frontend for it)."""
    venv = create_venv(tmp_path / "venv", env=offline_env, uv=uv_bin)
    run(venv.pip("install", "sourcelift", "hatchling"), env=offline_env)
    project = tagged_repo(tmp_path / "repo", "vcs-lib", HATCH_VCS, "vcs_lib")
    result = discover(venv, project, env)
    assert '"hatch-vcs"' in str(result.get("error")), result
    assert "build-system.requires" in str(result.get("fix")), result


@pytest.mark.py39
def test_python39_discovers_a_hatch_vcs_version(
    python39: str, offline_env39: dict[str, str], uv_bin: str, tmp_path: Path
) -> None:
    """The discovery and its child process run on the oldest supported Python."""
    venv = create_venv(tmp_path / "venv39", env=offline_env39, python=python39, uv=uv_bin)
    assert venv.run_python("import sys; print(sys.version_info[:2])", env=offline_env39).strip() == "(3, 9)"
    run(venv.pip("install", "sourcelift", "hatchling", "hatch-vcs"), env=offline_env39)
    env = {**offline_env39, "SOURCELIFT_CACHE_DIR": str(tmp_path / "cache")}
    project = tagged_repo(tmp_path / "repo", "vcs-lib", HATCH_VCS, "vcs_lib")
    assert discover(venv, project, env)["version"] == "1.2.0"
    assert discover(venv, project, env)["how"] == "cache"


LOCAL_APP = """\
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "0.1.0"
dependencies = ["{requirement}"]

[tool.hatch.build.targets.wheel]
bypass-selection = true

[tool.uv.sources]
vcs-lib = {{ path = "../repo/vcs-lib" }}
"""


def test_local_mode_reports_a_version_the_cache_holds_that_misses_the_specifier(
    offline_env: dict[str, str], tmp_path: Path
) -> None:
    """A publish-mode ``pip wheel`` computes vcs-lib's version from its tag (1.2.0) into the version cache;
    once the requirement says ``>=2``, a local-mode ``pip wheel`` stops on the mismatch, told by the cache.
    It never runs vcs-lib's backend for it: with the cache bypassed, the same build goes through."""
    env = {**offline_env, "SOURCELIFT_CACHE_DIR": str(tmp_path / "cache")}
    lib = tagged_repo(tmp_path / "repo", "vcs-lib", HATCH_VCS, "vcs_lib")
    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(LOCAL_APP.format(requirement="vcs-lib>=1"))

    def pip_wheel(out: str, *options: str, environ: dict[str, str] = env, check: bool = True) -> tuple[int, str]:
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", tmp_path / out, *options, app]
        proc = run(command, env=environ, cwd=tmp_path, check=check)
        return proc.returncode, proc.stdout + proc.stderr

    pip_wheel("publish", "--config-settings", "sourcelift-mode=publish")
    assert requires_dist(wheel_metadata_text(find_wheel(tmp_path / "publish", "app"))) == ["vcs-lib==1.2.0,>=1"]
    assert len(list((tmp_path / "cache").glob("versions/v1/*/*.json"))) == 1

    (app / "pyproject.toml").write_text(LOCAL_APP.format(requirement="vcs-lib>=2"))
    code, output = pip_wheel("local", check=False)
    assert code != 0 and "Traceback" not in output, output
    assert "dependency `vcs-lib` (`tool.uv.sources.vcs-lib`)" in output, output
    assert (
        f"the project in {lib} has version 1.2.0 (its dynamic version, as the version cache holds it), "
        "which does not satisfy `vcs-lib>=2` (project.dependencies[0])"
    ) in output, output
    assert "fix: change the requirement's specifier to admit 1.2.0" in output, output
    assert not list((tmp_path / "local").glob("*.whl"))

    pip_wheel("bypassed", environ={**env, "SOURCELIFT_NO_CACHE": "1"})
    assert requires_dist(wheel_metadata_text(find_wheel(tmp_path / "bypassed", "app"))) == [f"vcs-lib @ {lib.as_uri()}"]
    assert status_porcelain(tmp_path / "repo") == ""
