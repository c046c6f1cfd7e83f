"""What an archive's file name says: project name and version (wheel or sdist)."""

from __future__ import annotations

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from .._dataclasses import slotted_dataclass

__all__ = ["ArchiveName", "InvalidArchiveName", "parse_archive_name"]

SDIST_SUFFIXES = (".tar.gz", ".zip")


class InvalidArchiveName(ValueError):
    pass


@slotted_dataclass
class ArchiveName:
    project: str
    """The project name as the file name spells it (``-`` and ``.`` become ``_`` there)."""
    canonical: str
    version: str
    kind: str
    """``"wheel"`` or ``"sdist"``."""


def parse_archive_name(filename: str) -> ArchiveName:
    """Parse a wheel or sdist file name.

    >>> parse_archive_name("prebuilt-0.1.0-py3-none-any.whl").version
    '0.1.0'
    """
    if filename.endswith(".whl"):
        try:
            name, version, _build, _tags = parse_wheel_filename(filename)
        except InvalidWheelFilename as exc:
            raise InvalidArchiveName(f"{filename!r} is not a valid wheel file name ({exc})") from None
        project = filename.split("-", 1)[0]
        return ArchiveName(project, str(name), str(version), "wheel")
    if filename.endswith(SDIST_SUFFIXES):
        try:
            name, version = parse_sdist_filename(filename)
        except InvalidSdistFilename as exc:
            raise InvalidArchiveName(f"{filename!r} is not a valid sdist file name ({exc})") from None
        project = filename.rsplit("-", 1)[0]
        return ArchiveName(project, str(name), str(version), "sdist")
    raise InvalidArchiveName(
        f"{filename!r} is neither a wheel (`name-version-tags.whl`) nor an sdist (`name-version.tar.gz`)"
    )
