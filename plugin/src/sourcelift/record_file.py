"""RECORD, the file list of a wheel and of an installed distribution: rows read, hashes, rows updated.

One home for both distributions: the wrapper backend updates a built wheel's RECORD, ``sourcelift
record`` an installed one's, ``sourcelift check`` reads a wheel's strictly.  An update touches
only the rows of the files it names (replaced in place, or inserted); every other line stays
byte for byte as it was, whatever its bytes (not UTF-8, a form feed, U+2028) and its line
ending.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

__all__ = ["Row", "encode_digest", "is_hex_form", "parse_rows", "parse_strict", "record_hash", "update_rows"]

Row = tuple[str, str, str]
"""(path relative to the installation root, ``sha256=...`` or ``""``, size or ``""``)."""


def encode_digest(raw: bytes) -> str:
    """RECORD's encoding of a digest: urlsafe base64 without padding."""
    import base64  # here, not at the top: the command's light paths never hash

    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def is_hex_form(written: str, encoded: str) -> bool:
    """Whether ``written``, a RECORD digest, is the digest ``encoded`` (RECORD's urlsafe base64, as
    :func:`encode_digest` gives it) written in hexadecimal: what uv_build before 0.8.13 wrote
    (astral-sh/uv#15398).  Such a wheel installs with pip and uv, which copy the rows as they are.

    >>> is_hex_form("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ...             "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU")
    True
    """
    import base64
    import binascii

    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return False
    return written.lower() == raw.hex()


def record_hash(data: bytes) -> str:
    """The RECORD hash field of ``data``: ``sha256=<urlsafe base64, no padding>``.

    >>> record_hash(b"")
    'sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'
    """
    import hashlib

    return "sha256=" + encode_digest(hashlib.sha256(data).digest())


def _split(line: str) -> Row | None:
    """One row, tolerantly: an unquoted path may hold commas (the last two fields are hash and size)."""
    if '"' in line:
        import csv

        try:
            fields = next(csv.reader([line]), [])
        except csv.Error:
            return None
    else:
        fields = line.rsplit(",", 2) if line.count(",") >= 2 else line.split(",")
    if not fields or not fields[0]:
        return None
    while len(fields) < 3:
        fields.append("")
    return fields[0], fields[1], fields[2]


def _lines(data: bytes) -> list[bytes]:
    """The lines of ``data``, each with its own ending; only ``\\n``, ``\\r\\n`` and ``\\r`` end a line."""
    return data.splitlines(keepends=True)


def parse_rows(data: bytes | str) -> list[Row]:
    """Every row of a RECORD, tolerantly (blank and unparsable lines skipped; bytes not UTF-8 kept escaped)."""
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    rows = []
    for line in _lines(raw):
        text = line.decode("utf-8", "surrogateescape").rstrip("\r\n")
        if text.strip() and (row := _split(text)) is not None:
            rows.append(row)
    return rows


def parse_strict(text: str) -> list[list[str]]:
    """RECORD's rows as CSV reads them (for checking); raises :class:`csv.Error` when it does not parse."""
    import csv
    import io

    return [row for row in csv.reader(io.StringIO(text, newline="")) if row]


def _field(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _row(path: str, data: bytes) -> bytes:
    return ",".join((_field(path), record_hash(data), str(len(data)))).encode("utf-8", "surrogateescape")


def update_rows(record: bytes, files: Mapping[str, bytes], own: str) -> bytes:
    """``record`` with the rows of ``files`` (path -> new content) set to its hash and size.

    A file's first row is replaced in place (further rows for it are dropped); a file without
    a row gets one, before RECORD's own row ``own`` when there is one, else at the end.  Paths
    are compared normalized (``a/./b`` is ``a/b``).  Every other line is kept as it is.
    """
    lines = _lines(record)
    newline = b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"
    wanted = {posixpath.normpath(path): (path, data) for path, data in files.items()}
    own = posixpath.normpath(own)
    done: set[str] = set()
    out: list[bytes] = []
    at_own: int | None = None
    for line in lines:
        text = line.decode("utf-8", "surrogateescape").rstrip("\r\n")
        row = _split(text) if text.strip() else None
        path = posixpath.normpath(row[0]) if row is not None else None
        if path is not None and path in wanted:
            if path not in done:
                ending = line[len(line.rstrip(b"\r\n")) :] or newline
                out.append(_row(row[0], wanted[path][1]) + ending)  # type: ignore[index]
                done.add(path)
            continue
        if path == own and at_own is None:
            at_own = len(out)
        out.append(line)
    added = [_row(name, data) + newline for key, (name, data) in wanted.items() if key not in done]
    if added:
        at = len(out) if at_own is None else at_own
        if at == len(out) and out and not out[-1].endswith((b"\n", b"\r")):
            out[-1] += newline  # the last line had no ending: it gets one before the new rows
        out[at:at] = added
    return b"".join(out)
