"""The one wheel builder and the one RECORD hasher of the test suite (standard library only).

Wheels are written in memory, deterministically (fixed timestamps, members in the order given),
with a RECORD computed from what they hold unless a test edits its rows (``record_rows``) or
its text (``record``): a RECORD that lies is then a deliberate part of the test.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["STAMP", "WHEEL_FILE", "Rows", "make_wheel", "record_hash", "wheel_bytes", "write_zip"]

STAMP = (2024, 1, 1, 0, 0, 0)
WHEEL_FILE = b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"

Rows = list[list[str]]


def record_hash(data: bytes) -> str:
    """The hash column of a RECORD row: ``sha256=`` and the urlsafe base64 digest without padding.

    >>> record_hash(b"")
    'sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'
    """
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _metadata(name: str, version: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n"


def wheel_bytes(
    name: str = "demo",
    version: str = "1.0",
    *,
    meta: str | bytes | None = None,
    files: Mapping[str, bytes] | None = None,
    dist_info_files: Mapping[str, bytes] | None = None,
    dist_info: str | None = None,
    record_rows: Callable[[Rows], Rows] | None = None,
    record: str | None = None,
    unrecorded: Mapping[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A wheel: ``files`` (default: a package module), METADATA, WHEEL, extra .dist-info files, RECORD."""
    stem = name.replace("-", "_")
    dist_info = dist_info or f"{stem}-{version}.dist-info"
    members: dict[str, bytes] = dict(files if files is not None else {f"{stem}/__init__.py": b"VALUE = 1\n"})
    text = meta if meta is not None else _metadata(name, version)
    members[f"{dist_info}/METADATA"] = text.encode() if isinstance(text, str) else text
    members[f"{dist_info}/WHEEL"] = WHEEL_FILE
    for relative, data in (dist_info_files or {}).items():
        members[f"{dist_info}/{relative}"] = data
    record_name = f"{dist_info}/RECORD"
    rows: Rows = [[path, record_hash(data), str(len(data))] for path, data in members.items()]
    rows.append([record_name, "", ""])
    if record_rows is not None:
        rows = record_rows(rows)
    if record is None:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        record = out.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for member, data in [*members.items(), *(unrecorded or {}).items(), (record_name, record.encode())]:
            info = zipfile.ZipInfo(member, STAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = compression
            zf.writestr(info, data)
    return buffer.getvalue()


def make_wheel(
    directory: Path, name: str = "demo", version: str = "1.0", *, filename: str | None = None, **options: object
) -> Path:
    """:func:`wheel_bytes` written to ``directory`` (created), under its standard file name by default."""
    path = directory / (filename or f"{name.replace('-', '_')}-{version}-py3-none-any.whl")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(wheel_bytes(name, version, **options))  # type: ignore[arg-type]
    return path


def write_zip(path: Path, members: Mapping[str, str | bytes]) -> Path:
    """A zip of exactly ``members``, nothing added: for archives that are broken on purpose."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path
