"""The version a vendored wheel or sdist holds, read in place from its core metadata.

Nothing is extracted and every read is bounded: only the zip central directory
(whose entry count is checked before it is loaded) or the tar headers are
scanned, and the one metadata member read is capped at :data:`MAX_METADATA_BYTES`.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from .._files import open_regular, read_zip
from .._patterns import is_top_member
from ..core_metadata import first_values
from .errors import VersionError

__all__ = ["MAX_MEMBERS", "MAX_METADATA_BYTES", "MAX_SCAN_BYTES", "archive_version"]

MAX_METADATA_BYTES = 1024 * 1024
"""A METADATA or PKG-INFO larger than this is refused (real ones are a few kB, long READMEs included)."""
MAX_MEMBERS = 200_000
"""An archive with more members than this is refused (before its member list is loaded)."""
MAX_SCAN_BYTES = 4 * 1024**3
"""How far into an sdist's decompressed tar stream the scan for PKG-INFO may go."""
_MAX_CENTRAL_DIRECTORY = 256 * 1024 * 1024


def _is_wheel_metadata(name: str) -> bool:
    return is_top_member(name, ".dist-info", "METADATA")


def _is_sdist_pkg_info(name: str) -> bool:
    return is_top_member(name, "", "PKG-INFO")


_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"

_FIX_BROKEN = "vendor an intact release of the project (as its build backend or the index made it)"


def archive_version(path: Path) -> str:
    """The version in a wheel's ``*.dist-info/METADATA`` or an sdist's ``PKG-INFO``.

    The metadata must name the project and the version the file name names
    (both compared normalized).  Returns the normalized version.

    >>> archive_version(Path("vendor/prebuilt-0.1.0-py3-none-any.whl"))  # doctest: +SKIP
    '0.1.0'
    """
    # packaging.utils pulls in packaging.tags (logging, sysconfig...): imported when an archive is read
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    from ..artifacts.filenames import InvalidArchiveName, parse_archive_name

    try:
        name = parse_archive_name(path.name)
    except InvalidArchiveName as exc:
        raise VersionError(
            f"{path}: {exc}", "vendor a wheel (.whl) or sdist (.tar.gz, .zip) under its standard file name"
        ) from None
    try:
        if path.name.endswith(".tar.gz"):
            text = _read_from_tar(path)
        else:
            text = _read_from_zip(path, wheel=name.kind == "wheel")
    except OSError as exc:
        raise VersionError(f"{path}: cannot be read ({exc})", "check that the file exists and is readable") from None
    member = "METADATA" if name.kind == "wheel" else "PKG-INFO"
    fields = first_values(text)
    found_name = fields.get("name")
    found_version = fields.get("version")
    if not found_name or not found_version:
        missing = " and ".join(
            f"`{key}`" for key, value in (("Name", found_name), ("Version", found_version)) if not value
        )
        raise VersionError(f"{path}: its {member} has no {missing} field", _FIX_BROKEN)
    try:
        version = Version(found_version)
    except InvalidVersion:
        raise VersionError(
            f"{path}: its {member} says `Version: {found_version}`, which is not a valid version (PEP 440)",
            _FIX_BROKEN,
        ) from None
    if canonicalize_name(found_name) != name.canonical or version != Version(name.version):
        raise VersionError(
            f"{path}: the file name says {name.canonical} {name.version}, but its {member} says "
            f"{found_name} {found_version}",
            "rename the file after what its metadata says, or vendor the release the file name names",
        )
    return str(version)


def _too_large(path: Path, member: str) -> VersionError:
    return VersionError(
        f"{path}: its {member} is larger than {MAX_METADATA_BYTES} bytes; sourcelift refuses to read it", _FIX_BROKEN
    )


def _decode(path: Path, member: str, data: bytes) -> str:
    if len(data) > MAX_METADATA_BYTES:
        raise _too_large(path, member)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VersionError(f"{path}: its {member} is not UTF-8 text ({exc})", _FIX_BROKEN) from None


def _zip_entry_count(stream: BinaryIO, path: Path) -> int:
    """The entry count the end of central directory record declares (zip64 included)."""
    stream.seek(0, 2)
    size = stream.tell()
    tail_size = min(size, _EOCD.size + 0xFFFF + _ZIP64_LOCATOR.size)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    position = tail.rfind(_EOCD_SIGNATURE)
    while position >= 0:
        if position + _EOCD.size <= len(tail):
            record = _EOCD.unpack_from(tail, position)
            if position + _EOCD.size + record[7] == len(tail):
                break
        position = tail.rfind(_EOCD_SIGNATURE, 0, position)
    if position < 0:
        raise VersionError(f"{path}: not a zip archive (no end of central directory record)", _FIX_BROKEN)
    _sig, _disk, _cd_disk, _on_disk, entries, cd_size, _cd_offset, _comment = _EOCD.unpack_from(tail, position)
    locator = position - _ZIP64_LOCATOR.size
    if locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR_SIGNATURE:
        _sig, _disk, eocd64_offset, _disks = _ZIP64_LOCATOR.unpack_from(tail, locator)
        stream.seek(eocd64_offset)
        raw = stream.read(_ZIP64_EOCD.size)
        if len(raw) != _ZIP64_EOCD.size or raw[:4] != _ZIP64_EOCD_SIGNATURE:
            raise VersionError(f"{path}: its zip64 end of central directory record is damaged", _FIX_BROKEN)
        record64 = _ZIP64_EOCD.unpack(raw)
        entries, cd_size = record64[7], record64[8]
    if cd_size > _MAX_CENTRAL_DIRECTORY:
        raise VersionError(
            f"{path}: its zip central directory is {cd_size} bytes; sourcelift refuses to read it", _FIX_BROKEN
        )
    return int(entries)


def _too_many(path: Path, count: int) -> VersionError:
    return VersionError(
        f"{path}: has more than {MAX_MEMBERS} members ({count}); sourcelift refuses to scan it", _FIX_BROKEN
    )


def _read_from_zip(path: Path, *, wheel: bool) -> str:
    import zipfile
    import zlib

    member_kind = "METADATA" if wheel else "PKG-INFO"
    wanted = _is_wheel_metadata if wheel else _is_sdist_pkg_info
    with open_regular(path) as stream:
        count = _zip_entry_count(stream, path)
        if count > MAX_MEMBERS:
            raise _too_many(path, count)
        stream.seek(0)
        try:
            archive = read_zip(stream)
        except zipfile.BadZipFile as exc:
            raise VersionError(f"{path}: not a valid zip archive ({exc})", _FIX_BROKEN) from None
        with archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:  # the record understated its count
                raise _too_many(path, len(infos))
            matches = [info for info in infos if wanted(info.filename)]
            where = "*.dist-info/METADATA" if member_kind == "METADATA" else "<top directory>/PKG-INFO"
            if not matches:
                raise VersionError(f"{path}: has no {where}", _FIX_BROKEN)
            if len(matches) > 1:
                names = ", ".join(info.filename for info in matches)
                raise VersionError(f"{path}: has more than one {where} ({names})", _FIX_BROKEN)
            info = matches[0]
            if info.file_size > MAX_METADATA_BYTES:
                raise _too_large(path, info.filename)
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_METADATA_BYTES + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
                raise VersionError(f"{path}: cannot read {info.filename} ({exc})", _FIX_BROKEN) from None
            return _decode(path, info.filename, data)


def _read_from_tar(path: Path) -> str:
    import gzip
    import tarfile
    import zlib

    try:
        with open_regular(path) as raw, tarfile.open(fileobj=raw, mode="r:gz") as archive:
            count = 0
            while True:
                member = archive.next()
                if member is None:
                    break
                count += 1
                if count > MAX_MEMBERS:
                    raise _too_many(path, count)
                if member.offset_data + member.size > MAX_SCAN_BYTES:
                    raise VersionError(
                        f"{path}: no PKG-INFO within its first {MAX_SCAN_BYTES} bytes; sourcelift stops reading there",
                        _FIX_BROKEN,
                    )
                if not _is_sdist_pkg_info(member.name):
                    continue
                if not member.isreg():
                    raise VersionError(f"{path}: its {member.name} is not a regular file", _FIX_BROKEN)
                if member.size > MAX_METADATA_BYTES:
                    raise _too_large(path, member.name)
                stream = archive.extractfile(member)
                if stream is None:  # pragma: no cover - regular members always have a stream
                    break
                return _decode(path, member.name, stream.read(MAX_METADATA_BYTES + 1))
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise VersionError(f"{path}: not a valid .tar.gz archive ({exc})", _FIX_BROKEN) from None
    raise VersionError(f"{path}: has no <top directory>/PKG-INFO", _FIX_BROKEN)
