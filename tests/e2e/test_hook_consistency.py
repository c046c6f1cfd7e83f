"""The wrapper's hooks agree with each other, called as a frontend's hook runner calls them.

pip, build and uv run each PEP 517 hook in a subprocess that imports the backend
and calls it; this does the same, in a venv holding only what the wheelhouse gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import Venv, clone, run
from tests.support.examples import BY_NAME

pytestmark = pytest.mark.e2e

CALL_HOOKS = r"""
import json, os, sys, zipfile
import sourcelift.build as backend

out, kind = sys.argv[1], sys.argv[2]
prepare = getattr(backend, f"prepare_metadata_for_build_{kind}", None)
build = getattr(backend, "build_wheel" if kind == "wheel" else "build_editable")
prepared = None
if prepare is not None:
    dist_info = prepare(os.path.join(out, "metadata"), {})
    with open(os.path.join(out, "metadata", dist_info, "METADATA"), encoding="utf-8") as f:
        prepared = f.read()
name = build(os.path.join(out, "wheel"), {}, None)
with zipfile.ZipFile(os.path.join(out, "wheel", name)) as wheel:
    built = next(wheel.read(n).decode() for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
print(json.dumps({"prepared": prepared, "built": built}))
"""


@pytest.mark.parametrize("example_name", ["project-in-git", "setuptools-vendored"])
@pytest.mark.parametrize("kind", ["wheel", "editable"])
def test_prepared_metadata_equals_the_built_wheels(
    example_name: str,
    kind: str,
    example_repo: Callable,
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    store_dir: Path,
    tmp_path: Path,
) -> None:
    example = BY_NAME[example_name]
    tree = clone(example_repo(example), tmp_path / "clone")
    venv = make_venv()
    run(venv.pip("install", "sourcelift", "hatchling", "setuptools", "editables"), env=offline_env, cwd=tmp_path)
    for directory in ("metadata", "wheel"):
        (tmp_path / "out" / directory).mkdir(parents=True)
    env = {k: v for k, v in offline_env.items() if k != "PIP_BUILD_TRACKER"}
    proc = run([venv.python, "-c", CALL_HOOKS, tmp_path / "out", kind], env=env, cwd=example.project_dir(tree))
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # hatchling and setuptools both offer prepare_metadata_* outside pip: the wrapper must too
    assert result["prepared"] is not None
    assert result["prepared"] == result["built"]
    assert f"Requires-Dist: prebuilt @ file://{store_dir}/sha256/" in result["built"]


def test_optional_hooks_exist_exactly_when_the_wrapped_backend_has_them(
    example_repo: Callable,
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    example = BY_NAME["project-in-git"]
    tree = clone(example_repo(example), tmp_path / "clone")
    venv = make_venv()
    run(venv.pip("install", "sourcelift", "hatchling"), env=offline_env, cwd=tmp_path)
    probe = (
        "import json, sourcelift.build as b, hatchling.build as h; "
        "print(json.dumps([[hasattr(b, n), hasattr(h, n)] for n in "
        "('prepare_metadata_for_build_wheel', 'build_editable', 'get_requires_for_build_editable')]))"
    )
    for tracker, hatchling_has_prepare in ((None, True), ("/tmp/tracker", False)):
        env = {k: v for k, v in offline_env.items() if k != "PIP_BUILD_TRACKER"}
        if tracker:
            env["PIP_BUILD_TRACKER"] = tracker
        pairs = json.loads(
            run([venv.python, "-c", probe], env=env, cwd=example.project_dir(tree))
            .stdout.strip()
            .replace("(", "[")
            .replace(")", "]")
            .replace("True", "true")
            .replace("False", "false")
        )
        assert pairs == [[hatchling_has_prepare, hatchling_has_prepare], [True, True], [True, True]]
