"""Sdist rewriting is byte-correct for every tar dialect backends write (issue 9, point 2).

The archives here are made with :mod:`tarfile` in each dialect, with PAX
per-member records like uv_build's (``path`` and ``size`` on every member), a
global PAX header, float mtimes, and names longer than ustar's 100 characters;
and with GNU tar itself.  Each is rewritten with a longer PKG-INFO, a shorter
pyproject.toml, a dropped member and an added one, then read back with
``tarfile`` and with GNU ``tar``.
"""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from sourcelift.artifacts.sdist import rewrite_sdist

TOP = "app-1.0"
PKG_INFO = b"Metadata-Version: 2.1\nName: app\nVersion: 1.0\nRequires-Dist: lib\nRequires-Dist: other\n"
PYPROJECT = b'[project]\nname = "app"\nversion = "1.0"\ndependencies = ["lib", "other"]\n' + b"# padding\n" * 20
LONG = f"{TOP}/src/app/" + "a-directory-with-a-long-name/" * 4 + "a-file-whose-name-is-long-too.txt"
FILES = {
    f"{TOP}/PKG-INFO": PKG_INFO,
    f"{TOP}/pyproject.toml": PYPROJECT,
    f"{TOP}/src/app/__init__.py": b"VALUE = 1\n" * 100,
    LONG: b"long\n" * 300,
    f"{TOP}/pyproject.toml.orig": b"original\n",
    f"{TOP}/README.md": b"",
}
NEW_PYPROJECT = b'[project]\nname = "app"\nversion = "1.0"\n'
RECORD = f"{TOP}/.sourcelift/" + "a-record-whose-path-is-long-" * 4 + ".json"


def lines(value: str) -> list[str] | None:
    return ["lib @ file:///store/sha256/" + "0" * 64 + "/lib-1.0-py3-none-any.whl"] if value == "lib" else None


def write_archive(path: Path, dialect: int, *, uv_build_records: bool = False, global_header: bool = False) -> None:
    pax = {"comment": "made by a test"} if global_header else {}
    with (
        gzip.GzipFile(path, "wb", mtime=0) as raw,
        tarfile.open(fileobj=raw, mode="w", format=dialect, pax_headers=pax) as archive,
    ):
        directory = tarfile.TarInfo(TOP)
        directory.type, directory.mode = tarfile.DIRTYPE, 0o755
        archive.addfile(directory)
        for index, (name, data) in enumerate(FILES.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            info.mtime = 1_700_000_000.25 + index if dialect == tarfile.PAX_FORMAT else 1_700_000_000 + index
            info.uname = info.gname = "builder"
            if uv_build_records:  # what uv_build writes for every member
                info.pax_headers = {"path": name, "size": str(len(data))}
            archive.addfile(info, io.BytesIO(data))


def gnu_tar_archive(path: Path, tmp: Path, tar_format: str) -> None:
    tree = tmp / "tree"
    for name, data in FILES.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    options = ["--pax-option=exthdr.name=%d/PaxHeaders/%f,atime:=0,ctime:=0"] if tar_format == "posix" else []
    subprocess.run(
        ["tar", f"--format={tar_format}", *options, "--sort=name", "-czf", str(path), "-C", str(tree), TOP],
        check=True,
    )


def plain_tar(path: Path) -> bytes:
    with gzip.open(path, "rb") as stream:
        return stream.read()


def raw_members(path: Path) -> dict[str, bytes]:
    """Each member's raw blocks (extended headers, header, data) by name."""
    plain = plain_tar(path)
    with tarfile.open(fileobj=io.BytesIO(plain)) as archive:
        members = archive.getmembers()
        end = archive.offset
    out = {}
    for index, member in enumerate(members):
        stop = members[index + 1].offset if index + 1 < len(members) else end
        out[member.name] = plain[member.offset : stop]
    return out


def check_rewrite(sdist: Path, tmp_path: Path) -> None:
    before = raw_members(sdist)
    rewrite_sdist(
        sdist,
        lines,
        mark_dynamic=True,
        add={RECORD[len(TOP) + 1 :]: b'{"record": true}\n'},
        replace={"pyproject.toml": NEW_PYPROJECT},
        drop={"pyproject.toml.orig"},
    )
    expected = dict(FILES)
    expected[f"{TOP}/PKG-INFO"] = (
        PKG_INFO.replace(b"Metadata-Version: 2.1", b"Metadata-Version: 2.2").replace(
            b"Requires-Dist: lib\n",
            f"Requires-Dist: {lines('lib')[0]}\n".encode(),  # type: ignore[index]
        )
        + b"Dynamic: Requires-Dist\n"
    )
    expected[f"{TOP}/pyproject.toml"] = NEW_PYPROJECT
    del expected[f"{TOP}/pyproject.toml.orig"]
    expected[RECORD] = b'{"record": true}\n'

    # tarfile reads every member back, with the content now there
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        files = {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}  # type: ignore[union-attr]
        for member in archive.getmembers():
            if "size" in member.pax_headers:
                assert int(member.pax_headers["size"]) == member.size, member.name
    assert files == expected

    # untouched members keep every byte of their headers and data
    after = raw_members(sdist)
    for name, raw in before.items():
        if name not in (f"{TOP}/PKG-INFO", f"{TOP}/pyproject.toml", f"{TOP}/pyproject.toml.orig"):
            assert after[name] == raw, name

    # GNU tar lists and extracts the same
    listed = subprocess.run(["tar", "-tzf", str(sdist)], check=True, capture_output=True, text=True)
    # (Python 3.9's tarfile keeps the slash of a directory with a GNU long name: compared without it)
    assert [n.rstrip("/") for n in listed.stdout.splitlines()] == [n.rstrip("/") for n in names], listed.stderr
    assert listed.stderr == ""
    out = tmp_path / "extracted"
    out.mkdir()
    extracted = subprocess.run(["tar", "-xzf", str(sdist), "-C", str(out)], check=True, capture_output=True, text=True)
    assert extracted.stderr == ""
    for name, data in expected.items():
        assert (out / name).read_bytes() == data, name


@pytest.mark.parametrize(
    ("dialect", "uv_build_records", "global_header"),
    [
        (tarfile.USTAR_FORMAT, False, False),
        (tarfile.GNU_FORMAT, False, False),
        (tarfile.PAX_FORMAT, False, False),
        (tarfile.PAX_FORMAT, True, False),
        (tarfile.PAX_FORMAT, True, True),
    ],
    ids=["ustar", "gnu", "pax", "pax-per-member-size-and-path", "pax-with-global-header"],
)
def test_rewrite_is_byte_correct(dialect: int, uv_build_records: bool, global_header: bool, tmp_path: Path) -> None:
    sdist = tmp_path / f"{TOP}.tar.gz"
    write_archive(sdist, dialect, uv_build_records=uv_build_records, global_header=global_header)
    check_rewrite(sdist, tmp_path)


@pytest.mark.skipif(shutil.which("tar") is None, reason="GNU tar is not installed")
@pytest.mark.parametrize("tar_format", ["gnu", "ustar", "posix"])
def test_rewrite_of_gnu_tar_archives(tar_format: str, tmp_path: Path) -> None:
    sdist = tmp_path / f"{TOP}.tar.gz"
    if tar_format == "ustar":
        del FILES[LONG]  # ustar cannot hold it; put back below
    try:
        gnu_tar_archive(sdist, tmp_path, tar_format)
        check_rewrite(sdist, tmp_path)
    finally:
        FILES[LONG] = b"long\n" * 300


def test_a_replaced_members_pax_size_record_says_the_new_size(tmp_path: Path) -> None:
    """uv_build's case: the PAX ``size`` record used to keep the old size, cutting PKG-INFO short."""
    sdist = tmp_path / f"{TOP}.tar.gz"
    write_archive(sdist, tarfile.PAX_FORMAT, uv_build_records=True)
    rewrite_sdist(sdist, lines, mark_dynamic=False, add={}, replace={"pyproject.toml": NEW_PYPROJECT})
    with tarfile.open(sdist) as archive:
        pkg_info = archive.getmember(f"{TOP}/PKG-INFO")
        pyproject = archive.getmember(f"{TOP}/pyproject.toml")
        assert pkg_info.pax_headers["size"] == str(pkg_info.size)
        assert pyproject.pax_headers == {  # every record kept, the size one says what is there now
            "path": f"{TOP}/pyproject.toml",
            "size": str(len(NEW_PYPROJECT)),
            "mtime": "1700000001.25",
        }
        assert archive.extractfile(pyproject).read() == NEW_PYPROJECT  # type: ignore[union-attr]
        assert archive.extractfile(pkg_info).read().endswith(b"lib-1.0-py3-none-any.whl\nRequires-Dist: other\n")  # type: ignore[union-attr]


def test_gzip_header_is_kept(tmp_path: Path) -> None:
    sdist = tmp_path / f"{TOP}.tar.gz"
    write_archive(sdist, tarfile.PAX_FORMAT)
    header = sdist.read_bytes()[:10]
    rewrite_sdist(sdist, lines, mark_dynamic=True, add={})
    assert sdist.read_bytes()[:10][4:8] == header[4:8]
