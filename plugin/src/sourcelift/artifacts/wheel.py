"""Rewriting a built wheel in place, atomically: its METADATA, files sourcelift adds to .dist-info, RECORD."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from .._files import read_zip
from ..errors import SourceliftError
from ..record_file import update_rows
from ._atomic import atomic_writer
from ._zipcopy import Unsupported, copy_with_changes
from .metadata import Transform, rewrite_core_metadata

_NAME_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

__all__ = ["dist_info_dir", "read_wheel_metadata", "rewrite_metadata_file", "rewrite_wheel"]


def dist_info_dir(names: list[str]) -> str:
    """The wheel's ``.dist-info`` directory: the top-level one holding METADATA and WHEEL."""
    candidates = {name.split("/", 1)[0] for name in names if name.count("/") == 1 and name.endswith("/WHEEL")}
    candidates = {c for c in candidates if c.endswith(".dist-info") and f"{c}/METADATA" in names}
    if len(candidates) != 1:
        raise SourceliftError(f"the wheel has {len(candidates)} .dist-info directories with METADATA, expected 1")
    return candidates.pop()


def read_wheel_metadata(wheel: Path) -> str:
    with read_zip(wheel) as archive:
        return archive.read(f"{dist_info_dir(archive.namelist())}/METADATA").decode("utf-8")


def rewrite_wheel(wheel: Path, transform: Transform, *, add: Mapping[str, bytes] | None = None) -> bool:
    """Rewrite the wheel's Requires-Dist lines and add files to its ``.dist-info``; return whether anything changed.

    ``add`` maps file names inside ``.dist-info`` (no directories) to their content; each gets
    its RECORD row (sha256 and size).  The wheel is replaced atomically, or left as it was.
    """
    extra = dict(add or {})
    for name in extra:
        if not name or name.strip(_NAME_CHARACTERS) or name in (".", "..", "METADATA", "RECORD", "WHEEL"):
            raise SourceliftError(f"cannot add {name!r} to a wheel's .dist-info")
    with read_zip(wheel) as source:
        names = source.namelist()
        dist_info = dist_info_dir(names)
        metadata_name = f"{dist_info}/METADATA"
        record_name = f"{dist_info}/RECORD"
        text = source.read(metadata_name).decode("utf-8")
        new_text = rewrite_core_metadata(text, transform)
        if new_text is None and not extra:
            return False
        metadata = new_text.encode("utf-8") if new_text is not None else text.encode("utf-8")
        added = {f"{dist_info}/{name}": data for name, data in extra.items()}
        replaced = {metadata_name: metadata} if new_text is not None else {}
        record = update_rows(source.read(record_name), {**replaced, **added}, record_name)
        stamp = source.getinfo(metadata_name).date_time
        changed = {**replaced, record_name: record}
        with atomic_writer(wheel) as stream:
            try:
                _copy_members(wheel, stream, source, changed, added, record_name, stamp)
            except Unsupported:  # an uncommon layout: through zipfile, every member compressed again
                stream.seek(0)
                stream.truncate()
                _recompress_members(stream, source, changed, added, record_name, stamp)
    return True


def _copy_members(
    wheel: Path,
    stream: BinaryIO,
    source: zipfile.ZipFile,
    changed: Mapping[str, bytes],
    added: Mapping[str, bytes],
    record_name: str,
    stamp: tuple[int, int, int, int, int, int],
) -> None:
    """The wheel with ``changed`` members replaced and ``added`` ones before RECORD; every other member's
    bytes copied as the backend wrote them (see :mod:`._zipcopy`)."""
    if not set(added).isdisjoint(source.namelist()):
        raise Unsupported("a member to add is there already")
    replaced = {}
    for name, data in changed.items():
        info = source.getinfo(name)
        deflate = info.compress_type == zipfile.ZIP_DEFLATED
        replaced[name.encode("utf-8")] = (name, data, info.date_time, deflate, info.external_attr >> 16)
    with open(wheel, "rb") as raw:
        copy_with_changes(
            raw, stream, replaced, [(name, data, stamp) for name, data in added.items()], record_name.encode("utf-8")
        )


def _recompress_members(
    stream: BinaryIO,
    source: zipfile.ZipFile,
    changed: Mapping[str, bytes],
    added: Mapping[str, bytes],
    record_name: str,
    stamp: tuple[int, int, int, int, int, int],
) -> None:
    with zipfile.ZipFile(stream, "w") as target:
        for info in source.infolist():
            if info.filename in added:
                continue  # replaced below
            if info.filename == record_name:
                for name, data in added.items():  # before RECORD, which stays last
                    new = zipfile.ZipInfo(name, stamp)
                    new.compress_type = zipfile.ZIP_DEFLATED
                    new.external_attr = 0o644 << 16
                    target.writestr(new, data)
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            copy.comment = info.comment
            copy.extra = info.extra
            if info.filename in changed:
                target.writestr(copy, changed[info.filename])
            else:
                copy.file_size = info.file_size
                with source.open(info) as src, target.open(copy, "w", force_zip64=info.file_size > 2**31) as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)


def rewrite_metadata_file(path: Path, transform: Transform) -> bool:
    """Rewrite a METADATA file on disk (``prepare_metadata_for_build_*`` output)."""
    new_text = rewrite_core_metadata(path.read_text(encoding="utf-8"), transform)
    if new_text is None:
        return False
    with atomic_writer(path) as stream:
        stream.write(new_text.encode("utf-8"))
    return True
