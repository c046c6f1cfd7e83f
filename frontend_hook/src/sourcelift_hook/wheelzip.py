"""The RECORD of a wheel held in memory, read without :mod:`zipfile` when the archive is plain.

``provenance`` and ``freeze`` compare wheels with installed files by their RECORD; importing
``zipfile`` (it imports ``shutil``, ``bz2``, ``lzma``, ``threading``, ``pathlib``) costs them
more than reading every RECORD they need.  :func:`plain_record` reads the central directory
and the one member itself, and answers only for an archive where ``zipfile`` cannot answer
anything else: no archive comment, no ZIP64, nothing before the archive, every entry with an
ASCII name, no extra field and a version ``zipfile`` reads; the RECORD member stored or
deflated, not encrypted, within its entry, its name the same in its local header, its size and
CRC-32 right.  For any other archive it says so, and the caller asks ``zipfile``.
"""

from __future__ import annotations

import os

__all__ = ["plain_record"]

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_MAX_EXTRACT_VERSION = 63  # zipfile.MAX_EXTRACT_VERSION
_FLAGS_READ = 0x2 | 0x4 | 0x8 | 0x800  # deflate options, data descriptor, UTF-8 names: nothing to decode
_SEP = os.sep.encode() if os.sep != "/" else b"\0"  # zipfile turns os.sep into "/" in names (and cuts them at NUL)


def _u16(data: bytes, at: int) -> int:
    return data[at] | data[at + 1] << 8


def _u32(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little")


def plain_record(data: bytes, max_size: int) -> tuple[bool, str | None]:
    """``(True, RECORD text)`` of the wheel ``data`` when the archive is plain (see the module), or
    ``(True, None)`` when it has no single ``*.dist-info/RECORD`` at its top, one larger than
    ``max_size`` bytes or one that is not UTF-8; ``(False, None)``: not plain, ask ``zipfile``."""
    import zlib

    size = len(data)
    end = size - 22
    if size < 42 or data[end : end + 4] != _END or data[-2:] != b"\0\0" or data[end - 20 : end - 16] == _END64_LOCATOR:
        return False, None
    if _u16(data, end + 4) or _u16(data, end + 6):
        return False, None  # another disk
    directory_size, directory_start = _u32(data, end + 12), _u32(data, end + 16)
    if directory_start + directory_size != end:
        return False, None  # something before the archive, or a directory that does not end at its end record
    offsets: list[int] = []
    records: list[tuple[bytes, int, int, int, int, int, int]] = []
    at = directory_start
    while at < end:
        if at + 46 > end or data[at : at + 4] != _CENTRAL or data[at + 6] > _MAX_EXTRACT_VERSION:
            return False, None
        name_size, extra_size, comment_size = _u16(data, at + 28), _u16(data, at + 30), _u16(data, at + 32)
        name = data[at + 46 : at + 46 + name_size]
        if extra_size or len(name) != name_size or not name.isascii() or b"\0" in name or _SEP in name:
            return False, None
        offset = _u32(data, at + 42)
        offsets.append(offset)
        if name.count(b"/") == 1 and name.endswith(b".dist-info/RECORD"):
            flags, method, crc = _u16(data, at + 8), _u16(data, at + 10), _u32(data, at + 16)
            records.append((name, flags, method, crc, _u32(data, at + 20), _u32(data, at + 24), offset))
        at += 46 + name_size + comment_size
    if at != end or len(set(offsets)) != len(offsets) or any(offset >= directory_start for offset in offsets):
        return False, None
    if len(records) != 1:
        return True, None
    name, flags, method, crc, packed_size, file_size, offset = records[0]
    if file_size > max_size:
        return True, None
    if flags & ~_FLAGS_READ or method not in (0, 8) or data[offset : offset + 4] != _LOCAL:
        return False, None
    following = [other for other in offsets if other > offset]
    limit = min(following) if following else directory_start  # where the entry must end (zipfile: "overlapped")
    local_name_size, local_extra_size = _u16(data, offset + 26), _u16(data, offset + 28)
    start = offset + 30 + local_name_size + local_extra_size
    if data[offset + 30 : offset + 30 + local_name_size] != name or start + packed_size > limit:
        return False, None
    content = data[start : start + packed_size]
    if method == 8:
        decompressor = zlib.decompressobj(-15)
        try:
            # bounded: a stream that inflates past its declared size (a bomb) stops one byte after it
            content = decompressor.decompress(content, file_size + 1)
        except zlib.error:
            return False, None
        if not decompressor.eof or decompressor.unused_data or decompressor.unconsumed_tail:
            return False, None
    if len(content) != file_size or zlib.crc32(content) != crc:
        return False, None
    try:
        return True, content.decode("utf-8")
    except UnicodeDecodeError:
        return True, None
