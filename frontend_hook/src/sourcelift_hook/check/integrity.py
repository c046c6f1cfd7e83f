"""SL6xx: the wheel's RECORD lists every file with its real hash and size, and nothing else; no member of a
wheel or sdist lands outside the directory it is unpacked into (SL608).

The hashes were computed while the archive was read (each member decompressed
once, with the algorithm its RECORD row names); this module only compares.
"""

from __future__ import annotations

import csv

from sourcelift.record_file import is_hex_form, parse_strict

from .archives import MAX_NAME_PART, Archive, longest_name_part, member_path_escapes
from .model import Finding, finding

__all__ = ["check_record_integrity"]

_STRONG = {"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s"}


def check_record_integrity(archive: Archive) -> list[Finding]:
    if archive.kind == "sdist":
        return [finding("SL608", archive.display, message, location=member) for member, message in archive.unsafe]
    if archive.dist_info is None:
        return []
    out: list[Finding] = []
    display = archive.display
    record_name = f"{archive.dist_info}/RECORD"
    for name in archive.members:
        if member_path_escapes(name):
            out.append(
                finding("SL608", display, f"the archive member {name!r} points outside the archive", location=name)
            )
        elif longest_name_part(name) > MAX_NAME_PART:
            message = f"the member has a name of {longest_name_part(name)} bytes in its path: no common file system "
            message += f"holds more than {MAX_NAME_PART}, so installers cannot unpack it"
            out.append(finding("SL608", display, message, location=name))
    if archive.record is None:
        if record_name not in archive.files:
            out.append(finding("SL601", display, f"the wheel has no {record_name}", location=record_name))
        return out  # an unreadable RECORD is SL100
    try:
        rows = parse_strict(archive.record)
    except csv.Error as exc:
        out.append(finding("SL601", display, f"RECORD does not parse as CSV: {exc}", location=record_name))
        return out
    listed: dict[str, int] = {}
    hexadecimal: list[str] = []
    for number, row in enumerate(rows, 1):
        where = f"RECORD line {number}"
        if len(row) != 3:
            out.append(
                finding("SL601", display, f"{where} has {len(row)} fields, not 3 (path, hash, size)", location=where)
            )
            continue
        path, hash_value, size = row
        if member_path_escapes(path):
            out.append(finding("SL608", display, f"{where} names {path!r}, outside the archive", location=where))
            listed.setdefault(path, number)  # reported once, not again as unlisted
            continue
        name = path.replace("\\", "/")
        if name in listed:
            out.append(
                finding(
                    "SL601", display, f"{where} lists {name!r} again (first on line {listed[name]})", location=where
                )
            )
            continue
        listed[name] = number
        if name == record_name:
            if hash_value or size:
                out.append(
                    finding("SL607", display, f"{where}: RECORD lists a hash or size for itself", location=where)
                )
            continue
        if _check_row(archive, out, where, name, hash_value, size):
            hexadecimal.append(where)
    if hexadecimal:
        hashed = sum(1 for row in rows if len(row) == 3 and row[1])
        out.append(
            finding(
                "SL609",
                display,
                f"RECORD writes {len(hexadecimal)} of its {hashed} hashes in hexadecimal, not in the urlsafe "
                "base64 the wheel specification requires (the hashes themselves are right: uv_build before "
                "0.8.13 writes them so, astral-sh/uv#15398); pip and uv install the wheel, a tool that verifies "
                "RECORD reports every file as modified",
                location=hexadecimal[0],
            )
        )
    exempt = {record_name, f"{record_name}.jws", f"{record_name}.p7s"}
    unlisted = sorted(name for name in archive.files - set(listed) - exempt)
    for name in unlisted:
        out.append(finding("SL602", display, f"{name!r} is in the wheel but not in RECORD", location=name))
    return out


def _check_row(archive: Archive, out: list[Finding], where: str, name: str, hash_value: str, size: str) -> bool:
    """Check one row; whether its hash is right but written in hexadecimal (SL609, reported once per wheel)."""
    display = archive.display
    if name not in archive.files:
        out.append(
            finding("SL603", display, f"{where} names {name!r}, which the wheel does not contain", location=where)
        )
        return False
    algorithm, sep, expected = hash_value.partition("=")
    algorithm = algorithm.lower()
    if not sep or not expected:
        out.append(finding("SL606", display, f"{where}: {name!r} has no hash", location=where))
    elif algorithm not in _STRONG:
        out.append(
            finding(
                "SL606", display, f"{where}: {name!r} is hashed with {algorithm}, weaker than sha256", location=where
            )
        )
    digest = archive.digests.get(name)
    if digest is None:
        return False  # unreadable: SL100
    differs = bool(sep and expected) and algorithm == digest.algorithm and expected != digest.value
    hexadecimal = differs and is_hex_form(expected, digest.value)
    if differs and not hexadecimal:
        out.append(
            finding(
                "SL604",
                display,
                f"{where}: {name!r} hashes to {algorithm}={digest.value}, RECORD says {hash_value}",
                location=where,
            )
        )
    if size:
        try:
            listed_size = int(size)
        except ValueError:
            out.append(
                finding("SL601", display, f"{where}: the size {size!r} of {name!r} is not a number", location=where)
            )
            return hexadecimal
        if listed_size != digest.size:
            out.append(
                finding(
                    "SL605",
                    display,
                    f"{where}: {name!r} is {digest.size} bytes, RECORD says {listed_size}",
                    location=where,
                )
            )
    elif sep and expected:
        out.append(finding("SL606", display, f"{where}: {name!r} has a hash but no size", location=where))
    return hexadecimal
