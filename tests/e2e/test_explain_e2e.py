"""`sourcelift explain` installed in a fresh venv without the project's build backend.

A project whose dependencies come from a hatchling metadata hook: without `--isolated` explain
says that hatchling is missing and what to do (never "add it to build-system.requires", where it
already is); with `--isolated` it runs the hook in a build environment pip makes from the
wheelhouse and shows the hook's dependencies in both modes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.support import Venv, create_venv, run

pytestmark = pytest.mark.e2e

APP = """
[project]
name = "app"
version = "0.1.0"
dynamic = ["dependencies"]
[tool.hatch.metadata.hooks.custom]
[tool.uv.sources]
lib-a = { path = "../lib-a" }
[tool.sourcelift]
backend = "hatchling.build"
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"
"""
HOOK = """
from hatchling.metadata.plugin.interface import MetadataHookInterface

class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata):
        metadata["dependencies"] = ["lib-a>=1", "requests"]
"""


def hook_venv(path: Path, env: Mapping[str, str], uv: str) -> Venv:
    venv = create_venv(path, env=env, uv=uv)
    run([uv, "pip", "install", "--no-index", "--python", venv.python, "sourcelift-hook"], env=env)
    return venv


def test_explain_isolated_runs_the_hook(tmp_path: Path, offline_env: dict[str, str], uv_bin: str) -> None:
    venv = hook_venv(tmp_path / "venv", offline_env, uv_bin)
    missing = run([venv.python, "-c", "import hatchling"], env=offline_env, check=False)
    assert missing.returncode != 0, "hatchling must not be importable where explain runs"
    app = tmp_path / "app"
    (app / "app").mkdir(parents=True)
    (app / "app" / "__init__.py").write_text("")
    (app / "pyproject.toml").write_text(APP)
    (app / "hatch_build.py").write_text(HOOK)
    (tmp_path / "lib-a").mkdir()
    (tmp_path / "lib-a" / "pyproject.toml").write_text('[project]\nname = "lib-a"\nversion = "1.2.0"\n')
    env = {**offline_env, "SOURCELIFT_CACHE_DIR": str(tmp_path / "cache")}

    plain = run([venv.bin("sourcelift"), "explain", app], env=env, check=False)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert 'lacks "hatchling"' in plain.stdout and "sourcelift explain --isolated" in plain.stdout
    assert "add" not in plain.stdout.split("to see them:")[1].split("\n")[0].split("or install")[0]

    isolated = run([venv.bin("sourcelift"), "explain", "--isolated", "--json", app], env=env)
    report = json.loads(isolated.stdout)
    assert report["hook"] == {"ran": True, "where": "isolated", "message": None, "fix": None}
    lib_a, requests = report["requirements"]
    assert (lib_a["origin"], lib_a["local"], lib_a["publish"]) == (
        "hook",
        [f"lib-a @ {(tmp_path / 'lib-a').as_uri()}"],
        ["lib-a==1.2.0,>=1"],
    )
    assert requests["origin"] == "hook" and requests["publish"] == ["requests"]
