"""Vendored wheel sets through real frontends: markers derived from tags, one pin in publish mode.

One git repository holds ``app`` (hatchling through the wrapper) with three vendored wheels of
``native`` 2.0, for Linux on this machine's architecture, macOS arm64 and Windows amd64, listed
as ``[tool.sourcelift.variants] native = "vendor/native/*.whl"``.  ``app`` is built by
``pip wheel``, ``python -m build`` and ``uv build`` in both modes; pip and uv install the local
wheel here (and get the Linux wheel); ``uv pip compile --python-platform`` picks the other two.
A hand-written ``[tool.uv.sources]`` list with a wrong marker stops the build.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from sourcelift.artifacts.wheel_tags import marker_for_tags, parse_wheel_name
from tests.support import init_repo, run
from tests.support.metadata import find_wheel, requires_dist, wheel_metadata_text
from tests.support.wheels import make_wheel

from .test_publish import build_cmd, pip_wheel_cmd, uv_build_cmd

pytestmark = pytest.mark.e2e

MACHINE = platform.machine()
LINUX = f"native-2.0-py3-none-manylinux_2_17_{MACHINE}.whl"
MAC = "native-2.0-py3-none-macosx_11_0_arm64.whl"
WINDOWS = "native-2.0-py3-none-win_amd64.whl"
WHEELS = (LINUX, MAC, WINDOWS)
FRONTENDS = ("pip", "build", "uv")
MODES = ("local", "publish")

APP = """\
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "1.0"
requires-python = ">=3.9"
dependencies = ["native>=2"]

[tool.hatch.build.targets.wheel]
packages = ["app"]
"""
VARIANTS = '\n[tool.sourcelift.variants]\nnative = "vendor/native/*.whl"\n'


def _project(root: Path, extra: str) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(APP + extra)
    for filename in WHEELS:
        make_wheel(root / "vendor" / "native", "native", "2.0", filename=filename,
                   files={"native/__init__.py": f"WHEEL = {filename!r}\n".encode()})
    init_repo(root)
    return root


@pytest.fixture(scope="module")
def variant_builds(
    build_once: Callable[[str, Callable[[Path], None]], Path], offline_env: dict[str, str], uv_bin: str
) -> Path:
    """``app`` built by every frontend in both modes: ``<dest>/<mode>/<frontend>/``."""

    def build(dest: Path) -> None:
        repo = _project(dest / "repo", VARIANTS)
        for mode in MODES:
            settings = (f"sourcelift-mode={mode}",)
            run(pip_wheel_cmd(dest / mode / "pip", [repo], settings), env=offline_env, cwd=dest)
            run(build_cmd(dest / mode / "build", repo, settings), env=offline_env, cwd=dest)
            run(uv_build_cmd(uv_bin, dest / mode / "uv", repo, settings), env=offline_env, cwd=dest)

    return build_once("variant-builds", build)


def _derived(filename: str) -> str:
    return str(marker_for_tags(parse_wheel_name(filename).tags).marker)


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_local_mode_emits_one_line_per_wheel_under_its_derived_marker(variant_builds: Path, frontend: str) -> None:
    lines = requires_dist(wheel_metadata_text(find_wheel(variant_builds / "local" / frontend, "app")))
    parsed = [Requirement(line) for line in lines]
    direct = {Path(r.url).name if r.url else None: r for r in parsed}
    for filename in WHEELS:
        requirement = direct[filename]
        assert requirement.name == "native" and str(requirement.marker) == _derived(filename), lines
    (fallback,) = [r for r in parsed if r.url is None]
    assert fallback.specifier == SpecifierSet(">=2")
    here = {"sys_platform": "linux", "platform_machine": MACHINE}
    assert not fallback.marker.evaluate(here)  # this machine has a wheel: no index lookup here
    assert fallback.marker.evaluate({"sys_platform": "linux", "platform_machine": "riscv64"})


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_publish_mode_pins_the_set_once(variant_builds: Path, frontend: str) -> None:
    lines = requires_dist(wheel_metadata_text(find_wheel(variant_builds / "publish" / frontend, "app")))
    (line,) = lines
    requirement = Requirement(line)
    assert requirement.name == "native" and requirement.url is None and requirement.marker is None
    assert requirement.specifier == SpecifierSet(">=2,==2.0")


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_pip_and_uv_install_this_machines_wheel(
    variant_builds: Path, make_venv: Callable[..., object], offline_env: dict[str, str], installer: str
) -> None:
    venv = make_venv()
    app = find_wheel(variant_builds / "local" / "pip", "app")
    install = venv.pip("install", app) if installer == "pip" else venv.uv_pip("install", app)  # type: ignore[attr-defined]
    run(install, env=offline_env)
    chosen = venv.run_python("import native; print(native.WHEEL)", env=offline_env).strip()  # type: ignore[attr-defined]
    assert chosen == LINUX


@pytest.mark.parametrize(
    ("python_platform", "expected"),
    [("aarch64-apple-darwin", MAC), ("x86_64-pc-windows-msvc", WINDOWS), (f"{MACHINE}-manylinux_2_17", LINUX)],
)
def test_uv_pip_compile_selects_each_platforms_wheel(
    variant_builds: Path, offline_env: dict[str, str], uv_bin: str, tmp_path: Path, python_platform: str,
    expected: str,
) -> None:
    app = find_wheel(variant_builds / "local" / "pip", "app")
    requirements = tmp_path / "requirements.in"
    requirements.write_text(f"app @ {app.as_uri()}\n")
    out = run(
        [uv_bin, "pip", "compile", "--no-index", "--no-header", "--python-platform", python_platform,
         "--python-version", "3.11", requirements],
        env=offline_env, cwd=tmp_path,
    ).stdout
    natives = [line.split(";")[0].strip() for line in out.splitlines() if line.strip().startswith("native")]
    assert len(natives) == 1 and natives[0].endswith(expected), out


def test_a_wrong_hand_written_marker_stops_the_build(offline_env: dict[str, str], tmp_path: Path) -> None:
    uv_list = (
        "\n[tool.uv.sources]\nnative = [\n"
        f'  {{ path = "vendor/native/{MAC}", marker = "sys_platform == \'linux\'" }},\n'
        f'  {{ path = "vendor/native/{WINDOWS}", marker = "sys_platform == \'win32\'" }},\n'
        "]\n"
    )
    repo = _project(tmp_path / "repo", uv_list)
    proc = run(pip_wheel_cmd(tmp_path / "out", [repo], ()), env=offline_env, cwd=tmp_path, check=False)
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "tool.uv.sources.native[0]" in text and MAC in text and "py3-none-macosx_11_0_arm64" in text, text
    assert "sys_platform == \"linux\"" in text or "sys_platform == 'linux'" in text, text
    assert "Traceback" not in text
    assert not list((tmp_path / "out").glob("*.whl"))
