"""Tiny projects built through ``sourcelift.build`` with each backend it wraps.

Each has one dependency, ``prebuilt``, on a wheel vendored in the project
(``[tool.uv.sources] prebuilt = { path = "vendor/..." }``), and a package
``app`` whose ``VALUE`` is ``prebuilt.hello()``.  ``long_names`` adds a file
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
    "pdm-pep517": ("pdm-pep517", "pdm.pep517.api"),
    # a test backend over hatchling (distribution `strict-backend`, see write_strict_backend): rejects
    # unknown config settings, and a prepared METADATA that differs from what it builds, as
    # scikit-build-core and uv_build do
    "strict": ("strict-backend", "strict_backend"),
    # a backend built on flit-core, as flit_scm's is (`flit_scm:buildapi`): the strict test backend of
    # tests/backends, which imports flit-core's and builds with it
    "flit-core underneath": ("fixture-backends", "fixture_backends.strict"),
}

HOOK = """from hatchling.metadata.plugin.interface import MetadataHookInterface


class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata):
        metadata["dependencies"] = {dependencies!r}
"""

STRICT_BACKEND = '''"""A backend that rejects what it does not know, like scikit-build-core."""

import os
import tempfile
import zipfile

import hatchling.build as hatchling

ALLOWED = {"strict-ok"}


def _check(config_settings):
    unknown = sorted(set(config_settings or {}) - ALLOWED)
    if unknown:
        raise ValueError(f"Unrecognized options in config-settings: {', '.join(unknown)}")


def get_requires_for_build_wheel(config_settings=None):
    _check(config_settings)
    return hatchling.get_requires_for_build_wheel()


def get_requires_for_build_sdist(config_settings=None):
    _check(config_settings)
    return hatchling.get_requires_for_build_sdist()


def get_requires_for_build_editable(config_settings=None):
    _check(config_settings)
    return hatchling.get_requires_for_build_editable()


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _check(config_settings)
    with tempfile.TemporaryDirectory() as scratch:
        wheel = os.path.join(scratch, hatchling.build_wheel(scratch))
        with zipfile.ZipFile(wheel) as archive:
            names = [n for n in archive.namelist() if ".dist-info/" in n and not n.endswith("/RECORD")]
            archive.extractall(metadata_directory, names)
            return names[0].split("/")[0]


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _check(config_settings)
    name = hatchling.build_wheel(wheel_directory)
    if metadata_directory is not None:
        with zipfile.ZipFile(os.path.join(wheel_directory, name)) as archive:
            built = archive.read(os.path.basename(metadata_directory) + "/METADATA")
        with open(os.path.join(metadata_directory, "METADATA"), "rb") as prepared:
            if prepared.read() != built:
                raise AssertionError("Metadata mismatch in METADATA")
    return name


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _check(config_settings)
    return hatchling.build_editable(wheel_directory)


def build_sdist(sdist_directory, config_settings=None):
    _check(config_settings)
    return hatchling.build_sdist(sdist_directory)
'''

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
    hook_dependencies: list[str] | None = None,
    extra_sources: str = "",
) -> Path:
    """Write a project built by ``sourcelift.build`` wrapping ``backend`` (a key of :data:`BACKENDS`)."""
    requirement, backend_object = BACKENDS[backend]
    package = dest / "src" / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""The app."""\n\nimport prebuilt\n\nVALUE = prebuilt.hello()\n')
    (dest / "vendor").mkdir()
    shutil.copy2(PREBUILT, dest / "vendor" / PREBUILT.name)
    if long_names:
        long_dir = package / LONG_DIRECTORY
        long_dir.mkdir(parents=True)
        (long_dir / LONG_FILE).write_text("long\n" * 40)
    if hook_dependencies is not None:  # hatchling only: a metadata hook fills `dependencies`
        dynamic_dependencies = True
        (dest / "hatch_build.py").write_text(HOOK.format(dependencies=hook_dependencies))
        extra_toml += "\n[tool.hatch.metadata.hooks.custom]\n"
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
{extra_sources}{_backend_toml(backend, name)}{extra_toml}"""
    )
    return dest


def _backend_toml(backend: str, name: str) -> str:
    if backend == "uv_build":
        return '\n[tool.uv.build-backend]\nmodule-name = "app"\nmodule-root = "src"\n'
    if backend in ("flit-core", "flit-core underneath"):
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


def write_strict_backend(dest: Path) -> Path:
    """The project of the ``strict-backend`` distribution (module ``strict_backend``), built by hatchling."""
    dest.mkdir(parents=True)
    (dest / "strict_backend.py").write_text(STRICT_BACKEND)
    (dest / "pyproject.toml").write_text(
        """[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "strict-backend"
version = "1.0"
dependencies = ["hatchling"]

[tool.hatch.build.targets.wheel]
include = ["strict_backend.py"]
"""
    )
    return dest
