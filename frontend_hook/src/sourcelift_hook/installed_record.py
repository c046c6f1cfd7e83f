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


def parse_rows(text: str) -> list[Row]:
    return [row for line in text.splitlines() if line.strip() and (row := _split(line)) is not None]


def _field(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def update_record(text: str, dist_info: str, files: dict[str, bytes]) -> str:
    """RECORD ``text`` with the rows of ``dist_info/<name>`` set to the hash and size of ``files[name]``."""
    newline = "\r\n" if "\r\n" in text else "\n"
    wanted = {f"{dist_info}/{name}": data for name, data in files.items()}
    done: set[str] = set()
    lines = text.splitlines()
    out: list[str] = []
    for line in lines:
        row = _split(line) if line.strip() else None
        path = posixpath.normpath(row[0]) if row is not None else None
        if path is not None and path in wanted:
            if path in done:
                continue  # a duplicate row: keep one
            data = wanted[path]
            out.append(",".join((_field(row[0]), record_digest(data), str(len(data)))))  # type: ignore[index]
            done.add(path)
        else:
            out.append(line)
    # new rows go before RECORD's own row when it is last (the usual place), else at the end
    added = [
        ",".join((_field(path), record_digest(data), str(len(data))))
        for path, data in wanted.items()
        if path not in done
    ]
    if added:
        own = f"{dist_info}/RECORD"
        at = len(out)
        while at > 0 and not out[at - 1].strip():
            at -= 1
        if at > 0 and (row := _split(out[at - 1])) is not None and posixpath.normpath(row[0]) == own:
            at -= 1
        out[at:at] = added
    return newline.join(out) + newline


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
