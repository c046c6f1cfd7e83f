"""Tiny projects built through ``sourcelift.build`` with each backend it wraps.

Each has one dependency, ``prebuilt``, on a wheel vendored in the project
(``[tool.uv.sources] prebuilt = { path = "vendor/..." }``), and a package
``app`` whose ``VALUE`` reads ``prebuilt.VALUE``.  ``long_names`` adds a file
whose path is longer than ustar's 100 characters, so every backend's tar
dialect for long names shows up in its sdist.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.examples import BY_NAME

BACKENDS: dict[str, tuple[str, str]] = {
    # name: (build-system requirement, backend object)
    "hatchling": ("hatchling", "hatchling.build"),
    "setuptools": ("setuptools>=77", "setuptools.build_meta"),
    "pdm-backend": ("pdm-backend", "pdm.backend"),
    "flit-core": ("flit-core>=3.12", "flit_core.buildapi"),
    "poetry-core": ("poetry-core>=2", "poetry.core.masonry.api"),
    "uv_build": ("uv-build", "uv_build"),
}

PREBUILT = BY_NAME["project-in-git"].path / "vendor" / "prebuilt-0.1.0-py3-none-any.whl"
LONG_DIRECTORY = "a-directory-whose-name-is-long-enough/" * 3
LONG_FILE = "data-file-whose-path-is-longer-than-ustar-allows.txt"


def write_project(
    dest: Path,
    backend: str,
    *,
    name: str = "app",
    dependencies: str = '"prebuilt"',
    extra_toml: str = "",
    long_names: bool = True,
    dynamic_dependencies: bool = False,
) -> Path:
    """Write a project built by ``sourcelift.build`` wrapping ``backend`` (a key of :data:`BACKENDS`)."""
    requirement, backend_object = BACKENDS[backend]
    package = dest / "src" / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""The app."""\n\nimport prebuilt\n\nVALUE = prebuilt.VALUE\n')
    (dest / "vendor").mkdir()
    shutil.copy2(PREBUILT, dest / "vendor" / PREBUILT.name)
    if long_names:
        long_dir = package / LONG_DIRECTORY
        long_dir.mkdir(parents=True)
        (long_dir / LONG_FILE).write_text("long\n" * 40)
    dependencies_line = "" if dynamic_dependencies else f"dependencies = [{dependencies}]\n"
    dynamic_line = 'dynamic = ["dependencies"]\n' if dynamic_dependencies else ""
    (dest / "pyproject.toml").write_text(
        f"""[build-system]
requires = ["sourcelift", "{requirement}"]
build-backend = "sourcelift.build"

[project]
name = "{name}"
version = "1.0"
description = "An app built by {backend} through sourcelift"
requires-python = ">=3.9"
{dependencies_line}{dynamic_line}
[tool.sourcelift]
backend = "{backend_object}"

[tool.uv.sources]
prebuilt = {{ path = "vendor/{PREBUILT.name}" }}
{_backend_toml(backend, name)}{extra_toml}"""
    )
    return dest


def _backend_toml(backend: str, name: str) -> str:
    if backend == "uv_build":
        return '\n[tool.uv.build-backend]\nmodule-name = "app"\nmodule-root = "src"\n'
    if backend == "flit-core":
        return '\n[tool.flit.module]\nname = "app"\n'
    if backend == "poetry-core":
        return '\n[tool.poetry]\npackages = [{ include = "app", from = "src" }]\n'
    if backend == "setuptools":
        return (
            '\n[tool.setuptools.packages.find]\nwhere = ["src"]\n\n[tool.setuptools.package-data]\n"*" = ["**/*.txt"]\n'
        )
    if backend == "hatchling" and name != "app":
        return '\n[tool.hatch.build.targets.wheel]\npackages = ["src/app"]\n'
    return ""
