"""RECORD of an installed distribution: parsed, rewritten row by row, checked against the files.

Rewriting touches only the rows of the files ``sourcelift record`` writes (replaced in place,
or appended); every other line stays byte for byte as the installer wrote it, with its line
endings.
"""

from __future__ import annotations

import posixpath

from .environment import Dist, record_digest

__all__ = ["Row", "check_files", "parse_rows", "update_record"]

Row = tuple[str, str, str]
"""(path relative to the installation root, ``sha256=...`` or ``""``, size or ``""``)."""


def _split(line: str) -> Row | None:
    if '"' in line:
        import csv

        fields = next(csv.reader([line]), [])
    else:
        fields = line.rsplit(",", 2) if line.count(",") >= 2 else line.split(",")
    if not fields or not fields[0]:
        return None
    while len(fields) < 3:
        fields.append("")
    return fields[0], fields[1], fields[2]


def _lines(text: str) -> list[str]:
    """RECORD's rows: split at line feeds only (a CSV row ends there; U+2028 or a form feed inside a
    path is part of the path), without their carriage returns."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def parse_rows(text: str) -> list[Row]:
    return [row for line in _lines(text) if line.strip() and (row := _split(line)) is not None]


def _field(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _path_of(line: bytes) -> str | None:
    """The normalized path of a raw RECORD row (bytes that are not UTF-8 kept as surrogates)."""
    text = line.decode("utf-8", "surrogateescape")
    row = _split(text[:-1] if text.endswith("\r") else text) if text.strip() else None
    return posixpath.normpath(row[0]) if row is not None else None


def update_record(data: bytes, dist_info: str, files: dict[str, bytes]) -> bytes:
    """RECORD ``data`` with the rows of ``dist_info/<name>`` set to the hash and size of ``files[name]``.

    Byte-exact: every row it does not change stays as it was, whatever its bytes (not UTF-8, a
    U+2028 or a form feed in a path, its own line ending); rows are split at line feeds only.
    """
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    wanted = {f"{dist_info}/{name}": content for name, content in files.items()}
    done: set[str] = set()
    lines = data.split(b"\n")
    ended = lines[-1] == b""  # the usual case: the last row has its line feed
    if ended:
        lines.pop()
    out: list[bytes] = []
    for line in lines:
        path = _path_of(line)
        if path is not None and path in wanted:
            if path in done:
                continue  # a duplicate row: keep one
            content = wanted[path]
            row = ",".join((_field(path), record_digest(content), str(len(content))))
            ending = b"\r" if line.endswith(b"\r") else b""
            out.append(row.encode("utf-8") + ending)
            done.add(path)
        else:
            out.append(line)
    # new rows go before RECORD's own row when it is last (the usual place), else at the end
    added = [
        ",".join((_field(path), record_digest(content), str(len(content)))).encode("utf-8") + newline[:-1]
        for path, content in wanted.items()
        if path not in done
    ]
    if added:
        own = f"{dist_info}/RECORD"
        at = len(out)
        while at > 0 and not out[at - 1].strip():
            at -= 1
        if at > 0 and _path_of(out[at - 1]) == own:
            at -= 1
        out[at:at] = added
    return b"\n".join(out) + (b"\n" if ended or added else b"")


def check_files(dist: Dist) -> tuple[int, list[str], list[str], list[str]]:
    """Check the installed files against the RECORD hashes.

    Returns (files checked, modified, missing, not checkable).  Rows without a hash
    (RECORD itself, and files an installer chose not to hash) are not counted.
    """
    text = dist.text("RECORD")
    if text is None:
        return 0, [], [], []
    checked = 0
    modified: list[str] = []
    missing: list[str] = []
    unverifiable: list[str] = []
    for path, digest, size in parse_rows(text):
        if not digest:
            continue
        if not digest.startswith("sha256="):
            unverifiable.append(path)
            continue
        found = dist.tree.digest(dist.root, path)
        checked += 1
        if found is None:
            missing.append(path)
        elif found[0] != digest or (size.isdigit() and int(size) != found[1]):
            modified.append(path)
    return checked, modified, missing, unverifiable
