"""Compiled projects: sourcelift wrapping real meson-python and scikit-build-core.

A project with a C extension module (``app._speed``) and a wheel vendored in its git checkout,
built by the real backend through ``sourcelift.build`` with ``python -m build`` (sdist, then the
wheel from it): the wheel is platform-tagged (``Root-Is-Purelib: false``), the extension is
compiled by meson and ninja or by CMake, and the sdist is what ``meson dist`` (committed files
only) or scikit-build-core packs.  The rewrite must keep all of that intact: every RECORD row
holds, the wheel installs and imports, and in publish mode both artifacts are publishable.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from sourcelift_hook.check import read_archive, run_checks
from tests.e2e.wrapped_projects import PREBUILT
from tests.support import Venv, add_pushed_remote, file_url, init_repo, run
from tests.support.metadata import (
    find_sdist,
    find_wheel,
    requires_dist,
    sdist_pkg_info_text,
    unpack_sdist,
    wheel_metadata_text,
)
from tests.support.trees import write_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.e2e

SPEED_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&module); }
"""

INIT = 'import prebuilt\n\nfrom ._speed import answer\n\nVALUE = f"{prebuilt.hello()} / {answer()}"\n'

# backend: (build-system requirement, backend object, files of its own, extra pyproject text)
COMPILED: dict[str, tuple[str, str, dict[str, str], str]] = {
    "meson-python": (
        "meson-python",
        "mesonpy",
        {
            "meson.build": (
                "project('app', 'c', version: '1.0')\n"
                "py = import('python').find_installation(pure: false)\n"
                "py.extension_module('_speed', 'src/app/_speed.c', install: true, subdir: 'app')\n"
                "py.install_sources('src/app/__init__.py', subdir: 'app')\n"
            )
        },
        "",
    ),
    "scikit-build-core": (
        "scikit-build-core",
        "scikit_build_core.build",
        {
            "CMakeLists.txt": (
                "cmake_minimum_required(VERSION 3.15...3.30)\n"
                "project(${SKBUILD_PROJECT_NAME} LANGUAGES C)\n"
                "find_package(Python COMPONENTS Interpreter Development.Module REQUIRED)\n"
                "python_add_library(_speed MODULE src/app/_speed.c WITH_SOABI)\n"
                "install(TARGETS _speed DESTINATION app)\n"
            )
        },
        '\n[tool.scikit-build]\nwheel.packages = ["src/app"]\n',
    ),
}
REMOTE = "https://example.com/acme/app.git"


def write_compiled_project(dest: Path, backend: str) -> Path:
    """The project as a committed git checkout whose HEAD is on its remote (``meson dist`` packs
    committed files only)."""
    requirement, backend_object, files, extra = COMPILED[backend]
    write_tree(
        dest,
        {
            "pyproject.toml": f"""[build-system]
requires = ["sourcelift", "{requirement}"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "1.0"
description = "A compiled app built by {backend} through sourcelift"
requires-python = ">=3.9"
dependencies = ["prebuilt"]

[tool.sourcelift]
backend = "{backend_object}"

[tool.uv.sources]
prebuilt = {{ path = "vendor/{PREBUILT.name}" }}
{extra}""",
            "src/app/__init__.py": INIT,
            "src/app/_speed.c": SPEED_C,
            **files,
        },
    )
    (dest / "vendor").mkdir()
    shutil.copy2(PREBUILT, dest / "vendor" / PREBUILT.name)
    init_repo(dest)
    add_pushed_remote(dest, REMOTE)
    return dest


def assert_record_holds(wheel: Path) -> list[str]:
    """Every file of the wheel has its RECORD row, with the right hash and size; the names."""
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        (record_name,) = [n for n in names if n.endswith(".dist-info/RECORD")]
        rows = {row.split(",")[0]: row.split(",")[1:] for row in archive.read(record_name).decode().splitlines() if row}
        for name in names:
            if name == record_name:
                continue
            data = archive.read(name)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert rows.get(name) == [f"sha256={digest}", str(len(data))], (name, rows.get(name))
        assert set(rows) == set(names), (sorted(rows), sorted(names))
        wheel_file = archive.read(record_name.replace("RECORD", "WHEEL")).decode()
    assert "Root-Is-Purelib: false" in wheel_file, wheel_file
    return names


def build(tree: Path, out: Path, env: dict[str, str], mode: str) -> tuple[Path, Path, str]:
    """``python -m build`` of the tree: the sdist, then the wheel from it; and what the build printed."""
    env = dict(env, SOURCELIFT_MODE=mode)
    done = run([sys.executable, "-m", "build", "-o", out, tree], env=env, cwd=tree.parent, timeout=600)
    return find_sdist(out, "app"), find_wheel(out, "app"), done.stdout + done.stderr


@pytest.mark.parametrize("backend", sorted(COMPILED))
def test_a_compiled_wheel_keeps_its_extension_and_installs_in_local_mode(
    backend: str, offline_env: dict[str, str], make_venv: Callable[..., Venv], store_dir: Path, tmp_path: Path
) -> None:
    tree = write_compiled_project(tmp_path / "app", backend)
    sdist, wheel, _ = build(tree, tmp_path / "dist", offline_env, "local")
    assert not wheel.name.endswith("-none-any.whl"), wheel.name  # a platform wheel, from the sdist
    names = assert_record_holds(wheel)
    assert any(n.startswith("app/_speed.") and n.endswith(".so") for n in names), names
    assert "app-1.0.dist-info/sourcelift-provenance.json" in names, names
    (line,) = requires_dist(wheel_metadata_text(wheel))
    assert line.startswith(f"prebuilt @ {file_url(store_dir)}/sha256/"), line
    assert requires_dist(sdist_pkg_info_text(sdist)) == [line]
    venv = make_venv()
    run([*venv.pip("install", wheel)], env=offline_env, cwd=tmp_path)
    value = venv.run_python("import app; print(app.VALUE)", env=offline_env, cwd=tmp_path).strip()
    assert value == "hello from prebuilt 0.1.0 / 42"
    assert run(["git", "status", "--porcelain", "--ignored"], cwd=tree).stdout == ""  # the tree as it was


@pytest.mark.parametrize("backend", sorted(COMPILED))
def test_a_compiled_projects_publish_artifacts_are_publishable(
    backend: str, offline_env: dict[str, str], tmp_path: Path
) -> None:
    tree = write_compiled_project(tmp_path / "app", backend)
    sdist, wheel, output = build(tree, tmp_path / "dist", offline_env, "publish")
    assert "sourcelift: note" not in output, output  # the mode from the environment reaches no backend
    assert_record_holds(wheel)
    assert requires_dist(wheel_metadata_text(wheel)) == ["prebuilt==0.1.0"]
    assert requires_dist(sdist_pkg_info_text(sdist)) == ["prebuilt==0.1.0"]
    written = tomllib.loads((unpack_sdist(sdist, tmp_path / "unpacked") / "pyproject.toml").read_text())
    assert written["build-system"]["build-backend"] == COMPILED[backend][1]
    assert "sourcelift" not in str(written["build-system"]["requires"])
    assert "sources" not in written.get("tool", {}).get("uv", {})
    findings, _ = run_checks([read_archive(sdist), read_archive(wheel)])
    assert [f for f in findings if f.level == "error"] == [], findings


def test_the_mode_setting_a_strict_backend_will_refuse_is_announced_with_the_remedy(
    offline_env: dict[str, str], tmp_path: Path
) -> None:
    """``python -m build -C sourcelift-mode=publish`` hands the setting to the wheel it builds from the
    publish sdist too, where meson-python itself refuses it (README, limitations): the sdist's build says
    so, and how to build instead."""
    tree = write_compiled_project(tmp_path / "app", "meson-python")
    command = [sys.executable, "-m", "build", "-C", "sourcelift-mode=publish", "-o", tmp_path / "dist", tree]
    failed = run(command, env=offline_env, cwd=tmp_path, check=False, timeout=600)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    note = "sourcelift: note: this publish sdist is built by `mesonpy` alone"
    assert note in output and "SOURCELIFT_MODE=publish" in output, output
    assert 'Unknown option "sourcelift-mode"' in output, output  # meson-python's own refusal, in the wheel's build
    sdist = find_sdist(tmp_path / "dist", "app")
    assert requires_dist(sdist_pkg_info_text(sdist)) == ["prebuilt==0.1.0"]
