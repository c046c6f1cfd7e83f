"""A strict PEP 517 backend: flit_core's builds, with scikit-build-core's and uv_build's checks.

- Every config setting must be one this backend knows (it knows none), as
  scikit-build-core demands: ``Unrecognized options in config-settings: ...``.
- A ``metadata_directory`` handed to ``build_wheel``/``build_editable`` must hold
  exactly the METADATA this backend builds, as uv_build and scikit-build-core check:
  ``Inconsistent metadata between prepare and build step``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from flit_core import buildapi as _flit

KNOWN_SETTINGS: frozenset[str] = frozenset()


class StrictBackendError(Exception):
    pass


def _check(config_settings: dict[str, Any] | None) -> None:
    unknown = sorted(set(config_settings or {}) - KNOWN_SETTINGS)
    if unknown:
        raise StrictBackendError(f"Unrecognized options in config-settings: {', '.join(unknown)}")


def _check_metadata(wheel: Path, metadata_directory: str | None) -> None:
    if metadata_directory is None:
        return
    prepared = next(Path(metadata_directory).glob("*.dist-info/METADATA"), None)
    if prepared is None:
        prepared = Path(metadata_directory) / "METADATA"
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        built = archive.read(name)
    if not prepared.is_file() or prepared.read_bytes() != built:
        raise StrictBackendError("Inconsistent metadata between prepare and build step: METADATA")


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    _check(config_settings)
    return list(_flit.get_requires_for_build_wheel(config_settings))


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    _check(config_settings)
    return list(_flit.get_requires_for_build_sdist(config_settings))


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    _check(config_settings)
    return list(_flit.get_requires_for_build_editable(config_settings))


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    _check(config_settings)
    return str(_flit.prepare_metadata_for_build_wheel(metadata_directory, config_settings))


def prepare_metadata_for_build_editable(metadata_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    _check(config_settings)
    return str(_flit.prepare_metadata_for_build_editable(metadata_directory, config_settings))


def build_wheel(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    _check(config_settings)
    name = str(_flit.build_wheel(wheel_directory, config_settings, None))
    _check_metadata(Path(wheel_directory) / name, metadata_directory)
    return name


def build_editable(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    _check(config_settings)
    name = str(_flit.build_editable(wheel_directory, config_settings, None))
    _check_metadata(Path(wheel_directory) / name, metadata_directory)
    return name


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    _check(config_settings)
    return str(_flit.build_sdist(sdist_directory, config_settings))
