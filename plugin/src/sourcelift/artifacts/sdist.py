"""Rewriting a built sdist: PKG-INFO lines, replaced and dropped members, and files sourcelift adds.

Backends write different tar dialects: ustar, GNU (``././@LongLink`` names) and PAX,
whose per-member records (``path``, ``size``, ``mtime``...) readers trust over the
ustar header (uv_build writes a ``size`` record for every member).  Re-serialising
members through :mod:`tarfile` loses or contradicts those records, so members are
copied here as raw blocks: an untouched member keeps every byte of its headers and
data; a replaced member keeps its headers except the sizes, which say what is now
there (the ustar field, the PAX ``size`` record and the extended header's own size),
and its checksums.  Added members use the dialect of the archive.
"""

from __future__ import annotations

import gzip
import tarfile
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional, cast

from ..errors import SourceliftError
from ._atomic import atomic_writer
from .metadata import Transform, add_requires_dist, rewrite_core_metadata

__all__ = [
    "Edit",
    "edit_sdist",
    "read_sdist_member",
    "read_sdist_pkg_info",
    "rewrite_sdist",
    "sdist_members",
]

BLOCK = tarfile.BLOCKSIZE
_EXTENDED = (
    tarfile.XHDTYPE,
    tarfile.SOLARIS_XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
)
_PER_MEMBER_PAX = (tarfile.XHDTYPE, tarfile.SOLARIS_XHDTYPE)
_COPY_CHUNK = 1 << 20

Edit = Callable[[bytes], Optional[bytes]]
"""New content of a member from its old content; ``None`` keeps it unchanged."""


def _top(names: list[str]) -> str:
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1:
        raise SourceliftError(f"the sdist has {len(tops)} top-level directories, expected 1")
    return tops.pop()


def sdist_members(sdist: Path) -> set[str]:
    """Member paths relative to the sdist's top directory."""
    with tarfile.open(sdist, "r:gz") as archive:
        names = archive.getnames()
    top = _top(names)
    return {name[len(top) + 1 :] for name in names if name.startswith(top + "/")}


def read_sdist_member(sdist: Path, relative: str) -> str:
    """A text file of an sdist, by its path relative to the top directory."""
    with tarfile.open(sdist, "r:gz") as archive:
        top = _top(archive.getnames())
        try:
            member = archive.extractfile(f"{top}/{relative}")
        except KeyError:
            member = None
        if member is None:
            raise SourceliftError(f"{sdist.name} has no {relative}")
        return member.read().decode("utf-8")


def read_sdist_pkg_info(sdist: Path) -> str:
    """The top-level PKG-INFO of an sdist."""
    return read_sdist_member(sdist, "PKG-INFO")


def is_pkg_info(relative: str) -> bool:
    """The sdist's own PKG-INFO, or the copy in a setuptools ``*.egg-info`` directory."""
    if relative == "PKG-INFO":
        return True
    parts = relative.split("/")
    return parts[-1] == "PKG-INFO" and len(parts) >= 2 and parts[-2].endswith(".egg-info")


def rewrite_sdist(
    sdist: Path,
    transform: Transform,
    *,
    mark_dynamic: bool,
    add: Mapping[str, bytes | Path],
    replace: Mapping[str, bytes | Edit] | None = None,
    drop: Collection[str] = (),
    complete: Sequence[str] = (),
) -> None:
    """Rewrite the Requires-Dist lines of PKG-INFO files, replace, drop and add members
    (paths relative to the top directory), atomically.  ``complete``: Requires-Dist values
    for the top-level PKG-INFO, whose backend wrote none."""
    edits: dict[str, bytes | Edit] = dict(replace or {})

    def edit(relative: str) -> Edit | None:
        if is_pkg_info(relative):

            def pkg_info(old: bytes) -> bytes | None:
                text = old.decode("utf-8")
                new = rewrite_core_metadata(text, transform, mark_dynamic=mark_dynamic)
                if complete and relative == "PKG-INFO":
                    new = add_requires_dist(new if new is not None else text, list(complete))
                return None if new is None else new.encode("utf-8")

            return pkg_info
        change = edits.get(relative)
        if change is None or callable(change):
            return change
        content = change
        return lambda _old: content

    edit_sdist(sdist, edit, add=add, drop=drop)


def edit_sdist(
    sdist: Path,
    edit: Callable[[str], Edit | None],
    *,
    add: Mapping[str, bytes | Path] | None = None,
    drop: Collection[str] = (),
) -> None:
    """Rewrite ``sdist`` atomically: ``edit(relative)`` says how to change each regular member
    (``None``: copy it as it is), members in ``drop`` go, and ``add`` (relative path -> content)
    is appended where no member of that path exists.  Untouched members are copied byte for byte."""
    if not sdist.name.endswith(".tar.gz"):
        raise SourceliftError(f"{sdist.name}: sourcelift rewrites .tar.gz sdists only")
    gzip_mtime, gzip_name = _gzip_header(sdist)
    with gzip.open(sdist, "rb") as plain_for_index, tarfile.open(fileobj=plain_for_index, mode="r:") as index:
        members = index.getmembers()
        end = index.offset  # where the end-of-archive blocks start
    top = _top([m.name for m in members])
    present = {m.name[len(top) + 1 :] for m in members}
    latest = max((int(m.mtime) for m in members), default=0)
    with (
        gzip.open(sdist, "rb") as plain,
        atomic_writer(sdist) as stream,
        gzip.GzipFile(filename=gzip_name, mode="wb", fileobj=stream, mtime=gzip_mtime) as out,
    ):
        reader = _Reader(plain)
        out.write(reader.read_to(members[0].offset if members else end))
        dialect = tarfile.USTAR_FORMAT
        template: tarfile.TarInfo | None = None
        for position, member in enumerate(members):
            stop = members[position + 1].offset if position + 1 < len(members) else end
            header = reader.read_to(member.offset_data)
            dialect = max(dialect, _dialect(header), key=_DIALECT_ORDER.index)
            relative = member.name[len(top) + 1 :]
            change = edit(relative) if member.isreg() else None
            if relative in drop and member.isreg():
                reader.read_to(member.offset_data + _blocks(member.size))
                reader.copy_to(stop, out)  # a global header before the next member, if any
                continue
            if change is None:
                out.write(header)
                reader.copy_to(stop, out)
            else:
                data_end = member.offset_data + _blocks(member.size)
                old = reader.read_to(member.offset_data + member.size)
                reader.read_to(data_end)
                new = change(old)
                if new is None:
                    out.write(header)
                    out.write(old)
                    out.write(_padding(len(old)))
                else:
                    out.write(_resized_headers(header, len(new), member.name))
                    out.write(new)
                    out.write(_padding(len(new)))
                reader.copy_to(stop, out)  # a global header before the next member, if any
            if template is None and member.isreg():
                template = member
        trailer = reader.read_rest()
        for relative, content in sorted((add or {}).items()):
            if relative in present:
                continue
            data = content.read_bytes() if isinstance(content, Path) else content
            out.write(_new_member(f"{top}/{relative}", data, latest, template, dialect))
            present.add(relative)
        out.write(trailer if len(trailer) >= 2 * BLOCK and not trailer.strip(b"\0") else bytes(2 * BLOCK))


_DIALECT_ORDER = [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT]


class _Reader:
    """Sequential reads of the decompressed tar stream by absolute offset."""

    def __init__(self, stream: gzip.GzipFile) -> None:
        self._stream = stream
        self.position = 0

    def read_to(self, offset: int) -> bytes:
        data = self._stream.read(offset - self.position)
        if len(data) != offset - self.position:
            raise SourceliftError("the sdist ends in the middle of a member")
        self.position = offset
        return data

    def copy_to(self, offset: int, out: gzip.GzipFile) -> None:
        while self.position < offset:
            out.write(self.read_to(min(offset, self.position + _COPY_CHUNK)))

    def read_rest(self) -> bytes:
        data = self._stream.read(64 * BLOCK)  # end-of-archive blocks and record padding, nothing more
        self.position += len(data)
        return data


def _gzip_header(sdist: Path) -> tuple[int, str]:
    """The gzip header's mtime and original file name (both kept in the rewrite)."""
    with open(sdist, "rb") as raw:
        header = raw.read(10)
        mtime = int.from_bytes(header[4:8], "little") if len(header) == 10 else 0
        name = b""
        flags = header[3] if len(header) == 10 else 0
        if flags & 0x04:  # FEXTRA
            length = int.from_bytes(raw.read(2), "little")
            raw.read(length)
        if flags & 0x08:  # FNAME
            while (byte := raw.read(1)) not in (b"\0", b""):
                name += byte
                if len(name) > 4096:
                    break
    return mtime, name.decode("latin-1")


def _blocks(size: int) -> int:
    return -(-size // BLOCK) * BLOCK


def _padding(size: int) -> bytes:
    return bytes(_blocks(size) - size)


def _dialect(header: bytes) -> int:
    """The tar dialect of one member's header blocks."""
    for start in range(0, len(header), BLOCK):
        typeflag = header[start + 156 : start + 157]
        if typeflag in _PER_MEMBER_PAX or typeflag == tarfile.XGLTYPE:
            return tarfile.PAX_FORMAT
        if typeflag in (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK):
            return tarfile.GNU_FORMAT
    last = header[-BLOCK:]
    return tarfile.GNU_FORMAT if last[257:265] == tarfile.GNU_MAGIC else tarfile.USTAR_FORMAT


def _resized_headers(header: bytes, size: int, name: str) -> bytes:
    """A member's header blocks with every size record saying ``size``; everything else kept."""
    out = bytearray()
    position = 0
    while position < len(header):
        block = header[position : position + BLOCK]
        typeflag = block[156:157]
        if typeflag in _EXTENDED and position + BLOCK < len(header):
            length = _number(block[124:136], name)
            data = header[position + BLOCK : position + BLOCK + length]
            position += BLOCK + _blocks(length)
            if typeflag in _PER_MEMBER_PAX:
                data = _pax_with_size(data, size, name)
                block = _with_size(block, len(data), name)
            out += block + data + _padding(len(data))
        else:
            out += _with_size(block, size, name)
            position += BLOCK
    return bytes(out)


def _number(field: bytes, name: str) -> int:
    """A numeric header field: octal digits, or GNU's base-256 with the high bit set."""
    if field[:1] in (b"\x80", b"\xff"):
        value = int.from_bytes(field[1:], "big")
        return value - 256 ** (len(field) - 1) if field[:1] == b"\xff" else value
    digits = field.split(b"\0", 1)[0].strip()
    try:
        return int(digits or b"0", 8)
    except ValueError:
        raise SourceliftError(f"{name}: unreadable number {field!r} in a tar header of the sdist") from None


def _with_size(block: bytes, size: int, name: str) -> bytes:
    """A header block with its size field (and so its checksum) set."""
    if size >= 8**11:
        raise SourceliftError(f"{name}: a rewritten member of {size} bytes is too large for a tar header")
    new = bytearray(block)
    new[124:136] = b"%011o\0" % size
    new[148:156] = b" " * 8
    new[148:156] = b"%06o\0 " % sum(new)
    return bytes(new)


def _pax_with_size(data: bytes, size: int, name: str) -> bytes:
    """PAX extended-header records with a ``size`` record, if there is one, set to ``size``."""
    records: list[bytes] = []
    position = 0
    while position < len(data) and data[position : position + 1] != b"\0":
        space = data.find(b" ", position)
        try:
            length = int(data[position:space])
        except ValueError:
            raise SourceliftError(f"{name}: unreadable PAX record in the sdist") from None
        record = data[position : position + length]
        keyword = record[len(data[position:space]) + 1 :].split(b"=", 1)[0]
        if keyword == b"size":
            record = _pax_record(b"size", str(size).encode("ascii"))
        records.append(record)
        position += length
    return b"".join(records)


def _pax_record(keyword: bytes, value: bytes) -> bytes:
    """One ``"<length> <keyword>=<value>\\n"`` record; the length counts its own digits."""
    body = len(keyword) + len(value) + 3  # " ", "=" and "\n"
    length = body + len(str(body))
    if len(str(length)) != len(str(body)):
        length = body + len(str(length))
    return b"%d %s=%s\n" % (length, keyword, value)


def _new_member(name: str, data: bytes, mtime: int, template: tarfile.TarInfo | None, dialect: int) -> bytes:
    """Header and data blocks of a file sourcelift adds, in the archive's dialect and with the
    ownership of the archive's other files."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    info.mtime = mtime
    if template is not None:
        info.uid, info.gid, info.uname, info.gname = template.uid, template.gid, template.uname, template.gname
    try:
        header = info.tobuf(cast(Any, dialect), "utf-8", "surrogateescape")
    except ValueError:  # a name ustar cannot hold, even split in prefix and name: PAX can
        header = info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
    return header + data + _padding(len(data))
