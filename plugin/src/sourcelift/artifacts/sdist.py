"""Rewriting a built sdist: PKG-INFO lines, and files sourcelift adds (archives, its sources file)."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

from .._files import open_regular
from ..errors import SourceliftError
from ._atomic import atomic_writer
from .metadata import Transform, rewrite_core_metadata
from .store import MAX_ARCHIVE_BYTES

__all__ = ["read_sdist_member", "read_sdist_pkg_info", "rewrite_sdist", "sdist_members"]


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


def _is_pkg_info(relative: str) -> bool:
    if relative == "PKG-INFO":
        return True
    parts = relative.split("/")
    return parts[-1] == "PKG-INFO" and len(parts) >= 2 and parts[-2].endswith(".egg-info")


def rewrite_sdist(
    sdist: Path,
    transform: Transform,
    *,
    mark_dynamic: bool,
    add: dict[str, bytes | Path],
    replace: dict[str, bytes] | None = None,
) -> None:
    """Rewrite PKG-INFO files, replace and add files (relative to the top directory), atomically."""
    replace = replace or {}
    if not sdist.name.endswith(".tar.gz"):
        raise SourceliftError(f"{sdist.name}: sourcelift rewrites .tar.gz sdists only")
    with open(sdist, "rb") as raw:
        header = raw.read(10)
    gzip_mtime = int.from_bytes(header[4:8], "little") if len(header) == 10 else 0
    with tarfile.open(sdist, "r:gz") as source:
        members = source.getmembers()
        top = _top([m.name for m in members])
        latest = max((m.mtime for m in members), default=0)
        with (
            atomic_writer(sdist) as stream,
            gzip.GzipFile(filename="", mode="wb", fileobj=stream, mtime=gzip_mtime) as compressed,
            tarfile.open(fileobj=compressed, mode="w", format=source.format) as target,
        ):
            present: set[str] = set()
            for member in members:
                relative = member.name[len(top) + 1 :]
                present.add(relative)
                extracted = source.extractfile(member) if member.isfile() else None
                if extracted is not None and _is_pkg_info(relative):
                    text = extracted.read().decode("utf-8")
                    new = rewrite_core_metadata(text, transform, mark_dynamic=mark_dynamic)
                    data = (new if new is not None else text).encode("utf-8")
                    member.size = len(data)
                    target.addfile(member, io.BytesIO(data))
                elif extracted is not None and relative in replace:
                    member.size = len(replace[relative])
                    target.addfile(member, io.BytesIO(replace[relative]))
                else:
                    target.addfile(member, extracted)
            for relative, content in sorted(add.items()):
                if relative in present:
                    continue
                info = tarfile.TarInfo(f"{top}/{relative}")
                info.mode = 0o644
                info.mtime = latest
                if isinstance(content, Path):  # streamed: an archive is never read whole into memory
                    with open_regular(content) as stream:
                        info.size = os.fstat(stream.fileno()).st_size
                        if info.size > MAX_ARCHIVE_BYTES:
                            raise SourceliftError(f"{content} is larger than {MAX_ARCHIVE_BYTES} bytes")
                        target.addfile(info, stream)
                else:
                    info.size = len(content)
                    target.addfile(info, io.BytesIO(content))
                present.add(relative)
