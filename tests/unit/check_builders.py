"""Small wheels and sdists made in memory for the `sourcelift check` unit tests (zipfile, tarfile).

Everything is deterministic (fixed timestamps, sorted members), so that golden
outputs can name the files.  A wheel's RECORD is computed from what it holds,
unless a test edits the rows (``record_rows``) or the text (``record``).
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from tests.support import wheels
from tests.support.wheels import STAMP, record_hash

__all__ = ["make_sdist", "make_wheel", "metadata", "pyproject", "record_hash"]

MTIME = 1704067200


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


def make_wheel(
    directory: Path, name: str = "demo", version: str = "1.0", *, meta: str | None = None, **options: object
) -> Path:
    """The suite's one wheel builder, with check's default METADATA (2.4, a body)."""
    text = metadata(name, version) if meta is None else meta
    return wheels.make_wheel(directory, name, version, meta=text, **options)


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
