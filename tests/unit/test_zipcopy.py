"""Rewriting a wheel copies every member it does not change byte for byte (artifacts/_zipcopy.py), and
falls back to zipfile for a layout it does not copy: both give the same members."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from sourcelift.artifacts import _zipcopy
from sourcelift.artifacts import wheel as wheel_module
from sourcelift.artifacts.wheel import rewrite_wheel
from tests.support.wheels import record_hash

DIST_INFO = "app-1.0.dist-info"
METADATA = "Metadata-Version: 2.1\nName: app\nVersion: 1.0\nRequires-Dist: lib>=1\n\n"
# compressible text, on which deflate's levels give different bytes: a member compressed again shows
PAYLOAD = " ".join(f"{n * 7919 % 10007:x}" for n in range(20000)).encode()


def to_file(value: str) -> list[str] | None:
    return ["lib @ file:///s/lib-1.0-py3-none-any.whl"] if value.startswith("lib") else None


def members() -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Members as a backend may write them: several compressions and levels, modes, times, a UTF-8 name,
    an empty file and a directory entry."""
    out = []
    for name, data, compression, mode in [
        ("app/__init__.py", b"", zipfile.ZIP_DEFLATED, 0o644),
        ("app/", b"", zipfile.ZIP_STORED, 0o755 | 0o040000),
        ("app/data.bin", PAYLOAD, zipfile.ZIP_DEFLATED, 0o644),
        ("app/stored.bin", PAYLOAD, zipfile.ZIP_STORED, 0o644),
        ("app/run.sh", b"#!/bin/sh\n", zipfile.ZIP_DEFLATED, 0o755),
        ("app/dönüş.txt", "ü".encode(), zipfile.ZIP_DEFLATED, 0o644),
        (f"{DIST_INFO}/METADATA", METADATA.encode(), zipfile.ZIP_DEFLATED, 0o644),
        (f"{DIST_INFO}/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n", 8, 0o644),
    ]:
        info = zipfile.ZipInfo(name, (2020, 2, 29, 13, 37, 42))
        info.compress_type = compression
        # the level ZipFile.open(info) compresses with (`compress_level` since Python 3.13)
        setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", 1)
        info.external_attr = mode << 16
        out.append((info, data))
    return out


class Unseekable(io.RawIOBase):
    """A pipe-like output: zipfile writes a data descriptor after each member."""

    def __init__(self) -> None:
        self.written = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self.written.write(data)


def write_wheel(
    path: Path, *, comment: bytes = b"", prefix: bytes = b"", zip64: bool = False, zip64_end: bool = False
) -> None:
    """A wheel as a streaming backend writes it (data descriptors), its deflated members at level 1 (not what
    zipfile's default would write again).  ``zip64``: zip64 local headers; ``zip64_end``: zip64 end records
    (as past 65535 members)."""
    rows = "".join(f"{info.filename},{record_hash(data)},{len(data)}\n" for info, data in members())
    output = Unseekable()
    output.write(prefix)
    with pytest.MonkeyPatch.context() as patch, zipfile.ZipFile(output, "w") as archive:
        if zip64_end:
            patch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
        for info, data in members():
            with archive.open(info, "w", force_zip64=zip64) as stream:
                stream.write(data)
        archive.writestr(f"{DIST_INFO}/RECORD", rows + f"{DIST_INFO}/RECORD,,\n")
        archive.comment = comment
    path.write_bytes(output.written.getvalue())


def raw_members(path: Path) -> dict[str, bytes]:
    """Each member's local header, data and descriptor, as stored."""
    with zipfile.ZipFile(path) as archive:
        infos = sorted(archive.infolist(), key=lambda info: info.header_offset)
        ends = [info.header_offset for info in infos[1:]] + [archive.start_dir]
    data = path.read_bytes()
    return {info.filename: data[info.header_offset : end] for info, end in zip(infos, ends)}


def described(path: Path) -> list[tuple[str, bytes, tuple[int, ...], int, int]]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return [
            (info.filename, archive.read(info), info.date_time, info.external_attr, info.compress_type)
            for info in archive.infolist()
        ]


def test_unchanged_members_are_copied_byte_for_byte(tmp_path: Path) -> None:
    wheel = tmp_path / "app-1.0-py3-none-any.whl"
    write_wheel(wheel)
    before = raw_members(wheel)
    assert rewrite_wheel(wheel, to_file, add={"sourcelift-provenance.json": b"{}\n"})
    after = raw_members(wheel)
    changed = {f"{DIST_INFO}/METADATA", f"{DIST_INFO}/RECORD"}
    for name, raw in before.items():
        if name not in changed:
            assert after[name] == raw, name  # level-1 deflate kept: nothing was compressed again
    names = [name for name, *_ in described(wheel)]
    assert names == [info.filename for info, _ in members()] + [
        f"{DIST_INFO}/sourcelift-provenance.json",
        f"{DIST_INFO}/RECORD",
    ]
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-tq", str(wheel)], check=True, capture_output=True)


@pytest.mark.parametrize(
    "layout",
    [
        {},
        {"comment": b"an archive comment"},
        {"prefix": b"#!/usr/bin/env python\n"},  # bytes before the first member
        {"zip64": True},
        {"zip64_end": True},
    ],
    ids=["common", "comment", "prefix", "zip64-members", "zip64-end"],
)
def test_the_copy_and_the_fallback_give_the_same_members(tmp_path: Path, layout: dict[str, object]) -> None:
    fast, slow = tmp_path / "fast" / "app-1.0-py3-none-any.whl", tmp_path / "slow" / "app-1.0-py3-none-any.whl"
    for path in (fast, slow):
        path.parent.mkdir()
        write_wheel(path, **layout)  # type: ignore[arg-type]
    rewrite_wheel(fast, to_file, add={"sourcelift-provenance.json": b"{}\n"})
    with pytest.MonkeyPatch.context() as patch:

        def unsupported(*args: object) -> None:
            raise _zipcopy.Unsupported("forced")

        patch.setattr(wheel_module, "copy_with_changes", unsupported)
        rewrite_wheel(slow, to_file, add={"sourcelift-provenance.json": b"{}\n"})
    assert described(fast) == described(slow)
    assert "lib @ file:///s/" in dict((n, d) for n, d, *_ in described(fast))[f"{DIST_INFO}/METADATA"].decode()


@pytest.mark.parametrize(
    ("layout", "copied"),
    [({}, True), ({"zip64": True}, True), ({"prefix": b"junk"}, False), ({"zip64_end": True}, False)],
)
def test_uncommon_layouts_are_refused_before_anything_is_written(
    tmp_path: Path, layout: dict[str, object], copied: bool
) -> None:
    wheel = tmp_path / "app-1.0-py3-none-any.whl"
    write_wheel(wheel, **layout)  # type: ignore[arg-type]
    target = io.BytesIO()
    name = f"{DIST_INFO}/RECORD".encode()
    with wheel.open("rb") as source:
        if copied:
            _zipcopy.copy_with_changes(source, target, {}, [], name)
            assert target.getvalue() == wheel.read_bytes()  # nothing changed: the same archive
        else:
            with pytest.raises(_zipcopy.Unsupported):
                _zipcopy.copy_with_changes(source, target, {}, [], name)
            assert target.getvalue() == b""
