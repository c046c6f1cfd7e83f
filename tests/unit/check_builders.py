"""Small wheels and sdists made in memory for the `sourcelift check` unit tests (zipfile, tarfile).

Everything is deterministic (fixed timestamps, sorted members), so that golden
outputs can name the files.  A wheel's RECORD is computed from what it holds,
unless a test edits the rows (``record_rows``) or the text (``record``).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import tarfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

STAMP = (2024, 1, 1, 0, 0, 0)
MTIME = 1704067200

Rows = list[list[str]]


def metadata(
    name: str = "demo",
    version: str = "1.0",
    *,
    metadata_version: str = "2.4",
    fields: Sequence[tuple[str, str]] = (),
    body: str = "Demo.\n",
    drop: Sequence[str] = (),
) -> str:
    """A core metadata text: Metadata-Version, Name, Version, then ``fields`` in order, then the body."""
    items = [("Metadata-Version", metadata_version), ("Name", name), ("Version", version), *fields]
    lines = [f"{key}: {value}" for key, value in items if key not in drop]
    return "\n".join(lines) + "\n\n" + body


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(
    directory: Path,
    name: str = "demo",
    version: str = "1.0",
    *,
    meta: str | None = None,
    files: dict[str, bytes] | None = None,
    dist_info_files: dict[str, bytes] | None = None,
    filename: str | None = None,
    dist_info: str | None = None,
    record_rows: Callable[[Rows], Rows] | None = None,
    record: str | None = None,
    unrecorded: dict[str, bytes] | None = None,
) -> Path:
    """A wheel with a package module, METADATA, WHEEL, extra .dist-info files, and a correct RECORD."""
    stem = name.replace("-", "_")
    dist_info = dist_info or f"{stem}-{version}.dist-info"
    members: dict[str, bytes] = dict(files if files is not None else {f"{stem}/__init__.py": b"VALUE = 1\n"})
    members[f"{dist_info}/METADATA"] = (meta if meta is not None else metadata(name, version)).encode()
    members[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
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
    path = directory / (filename or f"{stem}-{version}-py3-none-any.whl")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in [*members.items(), *(unrecorded or {}).items(), (record_name, record.encode())]:
            info = zipfile.ZipInfo(member, STAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "NAME"
version = "VERSION"
dependencies = []
"""


def pyproject(name: str = "demo", version: str = "1.0", extra: str = "") -> str:
    return PYPROJECT.replace("NAME", name).replace("VERSION", version) + extra


def make_sdist(
    directory: Path,
    name: str = "demo",
    version: str = "1.0",
    *,
    pkg_info: str | None = None,
    project: str | None = None,
    files: dict[str, bytes] | None = None,
    filename: str | None = None,
    top: str | None = None,
    raw_members: dict[str, bytes] | None = None,
) -> Path:
    """A .tar.gz (or .zip, by ``filename``) sdist: PKG-INFO, pyproject.toml, a module and ``files``."""
    stem = name.replace("-", "_").lower()
    top = top or f"{stem}-{version}"
    members: dict[str, bytes] = {
        "PKG-INFO": (pkg_info if pkg_info is not None else metadata(name, version)).encode(),
        "pyproject.toml": (project if project is not None else pyproject(name, version)).encode(),
        f"src/{stem}/__init__.py": b"VALUE = 1\n",
    }
    members.update(files or {})
    named = {f"{top}/{relative}": data for relative, data in members.items()}
    named.update(raw_members or {})
    path = directory / (filename or f"{stem}-{version}.tar.gz")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as zf:
            for member, data in sorted(named.items()):
                zf.writestr(zipfile.ZipInfo(member, STAMP), data)
        return path
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for member, data in sorted(named.items()):
            info = tarfile.TarInfo(member)
            info.size, info.mtime, info.mode = len(data), MTIME, 0o644
            tar.addfile(info, io.BytesIO(data))
    return path
