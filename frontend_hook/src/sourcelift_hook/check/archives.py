"""Reading wheels and sdists in place, once, with bounded reads: the in-memory model the checks run on.

Nothing is extracted.  A ``.tar.gz`` is read as a stream (``r|gz``), so it is
decompressed exactly once whatever it holds; a wheel's members are each
decompressed once too, the texts the checks need (METADATA, RECORD, the
provenance document) kept and every other file hashed as it streams by, with
the algorithm its RECORD row names.  Texts larger than :data:`MAX_TEXT` are
not read.
"""

from __future__ import annotations

import csv
import hashlib
import posixpath
import tarfile
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename

from sourcelift._compat import tomllib
from sourcelift.artifacts.wheel_tags import parse_wheel_name
from sourcelift.provenance_document import SDIST_PATH, WHEEL_FILE
from sourcelift.record_file import encode_digest, parse_strict

__all__ = [
    "MAX_NAME_PART",
    "MAX_TEXT",
    "SDIST_PROVENANCE",
    "WHEEL_PROVENANCE",
    "Archive",
    "Digest",
    "archive_kind",
    "longest_name_part",
    "member_path_escapes",
    "parse_pyproject",
    "read_archive",
    "record_digest",
    "sdist_name_version",
]

MAX_TEXT = 32 * 1024 * 1024
"""The largest METADATA, PKG-INFO, RECORD, pyproject.toml or provenance document read (bytes)."""
_CHUNK = 1024 * 1024
_GZIP_PIECE = 8 * 1024
_GZIP_OUT = 32 * 1024

# Where sourcelift's build writes its provenance document.
WHEEL_PROVENANCE = WHEEL_FILE
SDIST_PROVENANCE = SDIST_PATH

_SDIST_TEXTS = ("PKG-INFO", "pyproject.toml", SDIST_PROVENANCE)
MAX_MEMBER_PYPROJECT = 1024 * 1024
"""The largest pyproject.toml below an sdist's top directory whose project name is read (bytes)."""


@dataclass(frozen=True)
class Digest:
    """What a wheel member really holds: its hash under one algorithm (RECORD's encoding) and its size."""

    algorithm: str
    value: str
    size: int


@dataclass
class Archive:
    """One wheel or sdist, as the checks see it."""

    path: Path
    display: str
    kind: str
    """``"wheel"`` or ``"sdist"``."""
    built: bool = False
    metadata: str | None = None
    """METADATA (wheel) or the top-level PKG-INFO (sdist), decoded."""
    metadata_member: str | None = None
    members: list[str] = field(default_factory=list)
    """Every member name as stored (directories end with ``/`` in wheels; sdist names include the top directory)."""
    files: set[str] = field(default_factory=set)
    """Regular files: wheel member names, or sdist paths relative to the top directory."""
    directories: set[str] = field(default_factory=set)
    """sdist directories relative to the top directory (also those only implied by a file's path)."""
    tops: list[str] = field(default_factory=list)
    """sdist: the top-level directories, in order of appearance."""
    dist_info: str | None = None
    """wheel: the ``.dist-info`` directory holding METADATA."""
    pyproject: str | None = None
    """sdist: its top-level pyproject.toml, decoded."""
    project_names: dict[str, str] = field(default_factory=dict)
    """sdist: the ``[project] name`` of each pyproject.toml below the top directory, by that file's directory
    (the workspace members a workspace root's sdist ships)."""
    documents: dict[str, str] = field(default_factory=dict)
    """sourcelift provenance documents by member name, decoded."""
    record: str | None = None
    """wheel: RECORD, decoded."""
    wheel_file: str | None = None
    """wheel: the .dist-info's WHEEL file, decoded (its ``Generator`` names the backend that built it)."""
    digests: dict[str, Digest] = field(default_factory=dict)
    """wheel: every regular member but RECORD, hashed with the algorithm its RECORD row names (else sha256)."""
    unreadable: list[str] = field(default_factory=list)
    """Why parts of the archive could not be read (reported as SL100)."""
    unsafe: list[tuple[str, str]] = field(default_factory=list)
    """sdist: (member, what is wrong) for each member an installer refuses to unpack: a path outside the
    archive, a link leading out of it, a device or FIFO (reported as SL608)."""

    @property
    def filename(self) -> str:
        return self.path.name


def archive_kind(filename: str) -> str | None:
    """``"wheel"``, ``"sdist"`` or ``None`` for a file that is neither, by its name."""
    lowered = filename.lower()
    if lowered.endswith(".whl"):
        return "wheel"
    if lowered.endswith((".tar.gz", ".zip")):
        return "sdist"
    return None


def record_digest(algorithm: str, data: bytes) -> str:
    """RECORD's encoding of a hash: urlsafe base64 without padding."""
    return encode_digest(hashlib.new(algorithm, data).digest())


def read_archive(path: Path, *, display: str | None = None, built: bool = False, digests: bool = True) -> Archive:
    """Read ``path`` (a wheel, or an sdist as ``.tar.gz`` or ``.zip``) into an :class:`Archive`.

    ``digests=False`` skips hashing a wheel's files (when RECORD is not checked).
    Never raises for a broken archive: what could not be read is in ``unreadable``.
    """
    kind = archive_kind(path.name)
    if kind is None:
        raise ValueError(f"{path.name} is neither a wheel (.whl) nor an sdist (.tar.gz)")
    archive = Archive(path=path, display=display if display is not None else str(path), kind=kind, built=built)
    if path.exists() and not path.is_file():  # a FIFO would block the read for ever
        archive.unreadable.append(f"{path.name} is not a regular file (a directory, FIFO, socket or device)")
        return archive
    try:
        if kind == "wheel":
            _read_wheel(archive, digests=digests)
        elif path.name.lower().endswith(".zip"):
            _read_zip_sdist(archive)
        else:
            _read_tar_sdist(archive)
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, ValueError, RuntimeError) as exc:
        archive.unreadable.append(f"{path.name} cannot be read: {_describe(exc)}")
    return archive


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _decode(data: bytes, what: str, archive: Archive) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        archive.unreadable.append(f"{what} is not UTF-8 ({exc.reason} at byte {exc.start})")
        return None


# --------------------------------------------------------------------------- wheels


def _wheel_dist_info(archive: Archive, names: list[str]) -> str | None:
    candidates = sorted(
        {
            name.split("/", 1)[0]
            for name in names
            if name.count("/") == 1 and name.endswith("/METADATA") and name.split("/", 1)[0].endswith(".dist-info")
        }
    )
    if len(candidates) == 1:
        return candidates[0]
    expected = None
    try:
        parse_wheel_name(archive.filename)  # PEP 825 variant wheels too
        project, version = archive.filename.split("-")[:2]
        expected = f"{project}-{version}.dist-info"
    except (InvalidWheelFilename, ValueError):
        pass
    if not candidates:
        archive.unreadable.append("the wheel has no `*.dist-info/METADATA`")
    else:  # installers refuse it (pip: "multiple .dist-info directories"), even when one fits the name
        archive.unreadable.append(f"the wheel has {len(candidates)} .dist-info directories: {', '.join(candidates)}")
    return expected if expected in candidates else None


def _read_wheel(archive: Archive, *, digests: bool) -> None:
    with zipfile.ZipFile(archive.path) as zf:
        infos = zf.infolist()
        archive.members = [info.filename for info in infos]
        _note_duplicates_of(archive, archive.members)
        archive.files = {info.filename for info in infos if not info.is_dir()}
        dist_info = _wheel_dist_info(archive, archive.members)
        archive.dist_info = dist_info
        record_name = f"{dist_info}/RECORD" if dist_info else None
        texts: dict[str, str] = {}
        if dist_info is not None:
            texts = {
                f"{dist_info}/METADATA": "metadata",
                f"{dist_info}/{WHEEL_PROVENANCE}": "document",
                f"{dist_info}/WHEEL": "wheel",
            }
        algorithms: dict[str, str] = {}
        if record_name is not None and record_name in archive.files:
            data = _read_bounded_zip(zf, zf.getinfo(record_name), archive)
            archive.record = None if data is None else _decode(data, record_name, archive)
            if archive.record is not None:
                algorithms = _record_algorithms(archive.record)
        for info in infos:
            if info.is_dir() or info.filename == record_name:
                continue
            algorithm = algorithms.get(info.filename, "sha256")
            role = texts.get(info.filename)
            try:
                if role is not None:
                    data = _read_bounded_zip(zf, info, archive)
                    if data is None:
                        continue
                    archive.digests[info.filename] = Digest(algorithm, record_digest(algorithm, data), len(data))
                    text = _decode(data, info.filename, archive)
                    if text is None:
                        continue
                    if role == "metadata":
                        archive.metadata, archive.metadata_member = text, info.filename
                    elif role == "wheel":
                        archive.wheel_file = text
                    else:
                        archive.documents[info.filename] = text
                elif digests:
                    archive.digests[info.filename] = _stream_digest(zf, info, algorithm)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
                archive.unreadable.append(f"{info.filename} cannot be read: {_describe(exc)}")


def _note_duplicates_of(archive: Archive, names: list[str]) -> None:
    """A zip member name held more than once: installers unpack one copy or the other, and PyPI refuses it."""
    counts = Counter(names)
    for name, count in counts.items():
        if count > 1:
            archive.unreadable.append(
                f"the archive holds {name!r} {count} times: installers may unpack either copy (PyPI refuses "
                "such an upload: duplicate filename)"
            )


def _read_bounded_zip(zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: Archive) -> bytes | None:
    if info.file_size > MAX_TEXT:
        archive.unreadable.append(f"{info.filename} is {info.file_size} bytes, more than the {MAX_TEXT} read")
        return None
    with zf.open(info) as stream:
        return stream.read(MAX_TEXT)


def _stream_digest(zf: zipfile.ZipFile, info: zipfile.ZipInfo, algorithm: str) -> Digest:
    digest = hashlib.new(algorithm)
    size = 0
    with zf.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    value = encode_digest(digest.digest())
    return Digest(algorithm, value, size)


def _record_algorithms(text: str) -> dict[str, str]:
    """The hash algorithm each RECORD row names, when hashlib has it."""
    try:
        rows = parse_strict(text)
    except csv.Error:
        return {}
    out: dict[str, str] = {}
    for row in rows:
        if len(row) >= 2 and "=" in row[1]:
            algorithm = row[1].split("=", 1)[0].lower()
            if algorithm in hashlib.algorithms_guaranteed and not algorithm.startswith("shake"):
                out[row[0]] = algorithm
    return out


# --------------------------------------------------------------------------- sdists


def _note_path(archive: Archive, relative: str, *, is_dir: bool) -> None:
    parts = relative.rstrip("/").split("/")
    for end in range(1, len(parts)):
        archive.directories.add("/".join(parts[:end]))
    if is_dir:
        archive.directories.add("/".join(parts))
    else:
        archive.files.add("/".join(parts))


def _sdist_member(archive: Archive, name: str, *, is_dir: bool) -> str | None:
    """Record a member; return its path relative to the top directory (``None`` for the top itself)."""
    archive.members.append(name)
    clean = name[2:] if name.startswith("./") else name
    top, _, relative = clean.partition("/")
    if top not in archive.tops:
        archive.tops.append(top)
    relative = relative.rstrip("/")
    if not relative:
        return None
    if top == archive.tops[0]:
        _note_path(archive, relative, is_dir=is_dir)
    return relative if top == archive.tops[0] else None


def _keep_text(archive: Archive, relative: str, data: bytes, member: str) -> None:
    text = _decode(data, member, archive)
    if text is None:
        return
    if relative == "PKG-INFO":
        archive.metadata, archive.metadata_member = text, member
    elif relative == "pyproject.toml":
        archive.pyproject = text
    else:
        archive.documents[member] = text


def parse_pyproject(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """An sdist's pyproject.toml parsed, or ``None`` and why it does not parse.

    Nesting deeper than the parser can follow (``x = [[[[...]]]]`` a thousand deep) is a reason like
    a syntax error, not an internal error.
    """
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        return None, f"pyproject.toml is not valid TOML: {exc}"
    except RecursionError:
        return None, "pyproject.toml is nested too deeply to read (arrays or tables inside each other)"


def _keep_project_name(archive: Archive, relative: str, data: bytes) -> None:
    """The project name of a pyproject.toml below the top directory; one that does not parse names nothing."""
    try:
        parsed, _ = parse_pyproject(data.decode("utf-8"))
    except UnicodeDecodeError:
        return
    project = parsed.get("project") if parsed is not None else None
    name = project.get("name") if isinstance(project, dict) else None
    if isinstance(name, str):
        archive.project_names[posixpath.dirname(relative)] = name


MAX_NAME_PART = 255
"""The longest file name (bytes) common file systems hold: ext4, APFS, NTFS (in UTF-16 units), tmpfs."""


def _too_long(name: str) -> str:
    shown = name if len(name) <= 80 else f"{name[:60]}...{name[-15:]}"
    return (
        f"the member {shown!r} has a name of {longest_name_part(name)} bytes in its path: no common file system "
        f"holds more than {MAX_NAME_PART}, so installers cannot unpack it"
    )


def _link_target(member: tarfile.TarInfo) -> str | None:
    """Where a link member leads, relative to the archive's root (``None`` when it is no link)."""
    if member.issym():
        return posixpath.join(posixpath.dirname(member.name), member.linkname)
    if member.islnk():  # a hard link names another member
        return member.linkname
    return None


def longest_name_part(name: str) -> int:
    """The length in bytes of the longest part of a member's path (file systems hold 255 at most)."""
    return max((len(part.encode("utf-8", "surrogateescape")) for part in name.split("/")), default=0)


def _note_unsafe(archive: Archive, member: tarfile.TarInfo) -> None:
    """What tarfile's ``data`` filter (pip and build unpack sdists with it) or pip's own checks refuse."""
    name = member.name
    if member_path_escapes(name):
        archive.unsafe.append((name, f"the sdist member {name!r} points outside the archive"))
    elif longest_name_part(name) > MAX_NAME_PART:
        archive.unsafe.append((name, _too_long(name)))
    elif member.ischr() or member.isblk() or member.isfifo():
        what = "FIFO" if member.isfifo() else "device file"
        archive.unsafe.append((name, f"the sdist member {name!r} is a {what}, which installers refuse to unpack"))
    else:
        target = _link_target(member)
        if target is not None and (member.linkname.startswith("/") or member_path_escapes(target)):
            archive.unsafe.append(
                (name, f"the sdist member {name!r} is a link to {member.linkname!r}, outside the archive")
            )


class _CheckedGzip:
    """A gzip file read as one stream for tarfile's ``r|`` mode, with every member's CRC and length checked.

    tarfile's own ``r|gz`` never looks at gzip's trailer, and the tar ends before it: a truncated or
    damaged file read fine.  zlib checks the trailer itself (``wbits=31``).  :meth:`read` returns
    what one piece of the file decompresses to, at most :data:`_GZIP_OUT` bytes (tarfile buffers it):
    as cheap as tarfile's own reading, and bounded for a file that decompresses a thousandfold.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._zlib = zlib.decompressobj(31)
        self._read_any = False

    def read(self, size: int = -1) -> bytes:
        while True:
            if self._zlib.eof:  # a member ended: another may follow, after zero padding
                data = self._zlib.unused_data.lstrip(b"\0")
                while not data:
                    more = self._raw.read(_GZIP_PIECE)
                    if not more:
                        return b""
                    data = more.lstrip(b"\0")
                self._zlib = zlib.decompressobj(31)
            else:
                data = self._zlib.unconsumed_tail or self._raw.read(_GZIP_PIECE)
                if not data:
                    raise EOFError(
                        "the gzip stream ends before its end-of-stream marker: the file is truncated"
                        if self._read_any
                        else "empty file"
                    )
            self._read_any = True
            try:
                chunk = self._zlib.decompress(data, _GZIP_OUT)
            except zlib.error as exc:
                raise OSError(f"the gzip stream is damaged: {exc}") from None
            if chunk:
                return chunk


def _read_tar_sdist(archive: Archive) -> None:
    with open(archive.path, "rb") as raw:
        if raw.read(4) == b"PK\x03\x04":
            archive.unreadable.append(f"{archive.filename} is a zip archive, not a gzip-compressed tar")
            return
        raw.seek(0)
        stream = _CheckedGzip(raw)
        _read_tar_members(archive, stream)
        # gzip's CRC and length come at the end of its stream, after the tar's own end: a truncated or
        # damaged file is only noticed there
        try:
            while stream.read(_CHUNK):
                pass
        except (OSError, EOFError) as exc:
            archive.unreadable.append(
                f"{archive.filename} is truncated or damaged: its gzip stream fails the check at its end "
                f"({_describe(exc)})"
            )
    _require_pkg_info(archive)


def _read_tar_members(archive: Archive, stream: _CheckedGzip) -> None:
    with tarfile.open(fileobj=stream, mode="r|") as tar:  # type: ignore[call-overload]
        for member in tar:
            _note_unsafe(archive, member)
            relative = _sdist_member(archive, member.name, is_dir=member.isdir())
            if relative is not None and relative.endswith("/pyproject.toml") and member.isfile():
                found = tar.extractfile(member) if member.size <= MAX_MEMBER_PYPROJECT else None
                if found is not None:
                    _keep_project_name(archive, relative, found.read(MAX_MEMBER_PYPROJECT))
                continue
            if relative not in _SDIST_TEXTS or not member.isfile():
                continue
            if member.size > MAX_TEXT:
                archive.unreadable.append(f"{member.name} is {member.size} bytes, more than the {MAX_TEXT} read")
                continue
            data = tar.extractfile(member)
            if data is not None:
                _keep_text(archive, relative, data.read(MAX_TEXT), member.name)


def _read_zip_sdist(archive: Archive) -> None:
    with zipfile.ZipFile(archive.path) as zf:
        _note_duplicates_of(archive, [info.filename for info in zf.infolist()])
        for info in zf.infolist():
            if member_path_escapes(info.filename):
                archive.unsafe.append((info.filename, f"the sdist member {info.filename!r} points outside the archive"))
            elif longest_name_part(info.filename) > MAX_NAME_PART:
                archive.unsafe.append((info.filename, _too_long(info.filename)))
            relative = _sdist_member(archive, info.filename, is_dir=info.is_dir())
            if relative is not None and relative.endswith("/pyproject.toml") and not info.is_dir():
                if info.file_size <= MAX_MEMBER_PYPROJECT:
                    with zf.open(info) as stream:
                        _keep_project_name(archive, relative, stream.read(MAX_MEMBER_PYPROJECT))
                continue
            if relative not in _SDIST_TEXTS or info.is_dir():
                continue
            data = _read_bounded_zip(zf, info, archive)
            if data is not None:
                _keep_text(archive, relative, data, info.filename)
    _require_pkg_info(archive)


def _require_pkg_info(archive: Archive) -> None:
    if archive.metadata is None and not archive.unreadable:
        top = archive.tops[0] if archive.tops else "<top>"
        archive.unreadable.append(f"the sdist has no `{top}/PKG-INFO`")
    tops = [top for top in archive.tops if top not in ("", ".", "..")]  # `/x` and `../x` are SL608
    if len(tops) > 1:  # pip unpacks it as it is, and finds no project at its root
        shown = ", ".join(repr(top) for top in tops[:5]) + (", ..." if len(tops) > 5 else "")
        archive.unreadable.append(
            f"the sdist has {len(tops)} top-level entries ({shown}): installers expect one directory, "
            "`{name}-{version}`, holding the project, and find no project at its root"
        )


def sdist_name_version(filename: str) -> tuple[str, str] | None:
    """The normalized name and version an sdist's file name says, if it parses."""
    try:
        name, version = parse_sdist_filename(filename)
    except InvalidSdistFilename:
        return None
    return str(name), str(version)


def member_path_escapes(name: str) -> bool:
    """True for an archive member or RECORD path that is absolute, has ``..``, or a drive letter."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    normalized = posixpath.normpath(name.replace("\\", "/"))
    return normalized == ".." or normalized.startswith("../")
