"""The mechanisms behind issue 13, unit by unit: value checks, the store's permission bits and
self-repair, stale temporary files, special files, cycles between members, process groups."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from sourcelift._files import NotARegularFile, open_regular, read_bounded
from sourcelift.artifacts.store import STALE_PART_SECONDS, Store, remove_stale_parts, sha256_file
from sourcelift.values import check_path, check_rev, check_subdirectory, check_url, render_requirement
from sourcelift.versions import VersionError, directory_version
from sourcelift.versions import directories as version_directories
from tests.support import source_environ
from tests.support.wheels import wheel_bytes


@pytest.mark.parametrize(
    ("url", "kind", "problem"),
    [
        ("https://h.example/p-1.0.tar.gz", "url", None),
        ("file:///srv/p-1.0.tar.gz", "url", None),
        ("https://h.example/p.tar.gz#sha256=" + "0" * 64, "url", None),
        ("ssh://git@github.com/o/r.git", "git", None),
        ("https://h/p.tar.gz\nRequires-Dist: evil", "url", "control character (U+000A)"),
        ("https://h/p.tar.gz ; python_version < '0'", "url", "whitespace"),
        ("ext::sh", "git", "is not a URL"),
        ("git://h/r.git", "url", "scheme `git`"),
        ("https://h/r.git#egg=x", "git", "fragment"),
        ("https://h/a@b/r.git", "git", "`@` in its path"),
        ("https:///nohost", "url", "names no host"),
        ("https://h:99999/p", "url", "not a valid URL"),
        ("https://h/p\u2028x", "url", "U+2028"),
    ],
)
def test_urls(url: str, kind: str, problem: str | None) -> None:
    found = check_url(url, kind=kind)
    assert (found is None) if problem is None else (found is not None and problem in found), found


@pytest.mark.parametrize(
    ("rev", "ok"),
    [("v1.2.0", True), ("feature/x", True), ("0" * 40, True), ("a#b", False), ("-x", False), ("a..b", False),
     ("a b", False), ("a@b", False), ("main.lock", False), ("", False)],
)  # fmt: skip
def test_revisions(rev: str, ok: bool) -> None:
    assert (check_rev(rev) is None) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("libs/a", True), ("a", True), ("../x", False), ("/abs", False), ("a/../../x", False), ("a&b", False),
     ("a#b", False), ("c:/x", False)],
)  # fmt: skip
def test_subdirectories(value: str, ok: bool) -> None:
    assert (check_subdirectory(value) is None) is ok


def test_paths_allow_spaces_but_no_control_characters() -> None:
    assert check_path("vendor dir/x.whl") is None
    assert check_path("") is not None and check_path("  ") is not None
    assert "U+000A" in str(check_path("a\nb"))


def test_lines_are_rendered_again_by_packaging() -> None:
    assert render_requirement("a @ https://h/a.whl ; python_version>'3'", "a") == (
        'a @ https://h/a.whl ; python_version > "3"',
        None,
    )
    assert render_requirement("a @ https://h/a.whl\nRequires-Dist: evil", "a")[0] is None
    assert "names 'b'" in str(render_requirement("b>=1", "a")[1])


def test_store_copies_keep_the_source_permission_bits(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    private = tmp_path / "private" / "prebuilt-0.1.0-py3-none-any.whl"
    private.parent.mkdir()
    private.write_bytes(wheel_bytes("prebuilt", "0.1.0"))
    private.chmod(0o600)
    stored = store.ensure(private, sha256_file(private), private.name)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    public = tmp_path / "public.whl"
    public.write_bytes(private.read_bytes())
    public.chmod(0o644)
    assert stat.S_IMODE(store.ensure(public, sha256_file(public), private.name).stat().st_mode) == 0o600  # never wider
    stored.chmod(0o644)  # an entry another build left wider
    store.ensure(private, sha256_file(private), private.name)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_a_damaged_store_entry_is_replaced_before_it_is_named_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    source = tmp_path / "prebuilt-0.1.0-py3-none-any.whl"
    source.write_bytes(wheel_bytes("prebuilt", "0.1.0"))
    digest = sha256_file(source)
    stored = store.ensure(source, digest, source.name)
    stored.write_bytes(stored.read_bytes()[:10])  # truncated, as a killed copy or a full disk leaves it
    assert store.ensure(source, digest, source.name) == stored
    assert sha256_file(stored) == digest


def test_stale_part_files_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    dead = incoming / ".tmp-999999999-abc.part"  # no such process
    live = incoming / f".tmp-{os.getppid()}-def.part"  # a running process (the one that started pytest)
    old = incoming / f".tmp-{os.getppid()}-old.part"
    other = incoming / "unrelated.txt"
    for path in (dead, live, old, other):
        path.write_bytes(b"x")
    past = time.time() - STALE_PART_SECONDS - 10
    os.utime(old, (past, past))
    assert sorted(remove_stale_parts(incoming)) == sorted([dead.name, old.name])
    assert live.exists() and other.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_special_files_are_never_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pyproject.toml"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile, match="FIFO"):
        open_regular(fifo)  # returns at once: opening does not wait for a writer
    with pytest.raises(NotARegularFile, match="directory"):
        read_bounded(tmp_path, 10)


def test_a_bounded_read_takes_the_whole_file_up_to_its_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sourcelift._files as files

    path = tmp_path / "pyproject.toml"
    path.write_bytes(b"x" * 10)
    assert read_bounded(path, 10) == b"x" * 10
    with pytest.raises(files.TooLarge):
        read_bounded(path, 9)
    path.write_bytes(b"")
    assert read_bounded(path, 10) == b""
    # a file that grew after its size was read (here: a size that says less) is read to its end, bounded
    opened = files._open_descriptor
    monkeypatch.setattr(files, "_open_descriptor", lambda p: (opened(p)[0], 1))
    monkeypatch.setattr(files, "_MORE", 3)
    path.write_bytes(b"0123456789")
    assert read_bounded(path, 10) == b"0123456789"
    with pytest.raises(files.TooLarge):
        read_bounded(path, 9)


def test_a_cycle_between_members_is_reported_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("lib-a", "lib-b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\ndynamic = ["version"]\n[build-system]\nbuild-backend = "x"\n'
        )
    chain = os.pathsep.join(str((tmp_path / n).resolve()) for n in ("lib-a", "lib-b"))
    monkeypatch.setenv(version_directories.CHAIN_ENV, chain)
    with pytest.raises(VersionError, match=r"dependency cycle .*: lib-a -> lib-b -> lib-a"):
        directory_version(tmp_path / "lib-a", None)


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
def test_a_backend_that_hangs_is_killed_with_its_children(tmp_path: Path) -> None:
    from sourcelift.versions._backend import BackendTimeout, _runner

    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    with pytest.raises(BackendTimeout):
        _runner(dict(os.environ), 3.0)([sys.executable, "-c", code], str(tmp_path))
    grandchild = int(pid_file.read_text())
    for _ in range(50):  # killed by SIGKILL; its parent (gone) no longer reaps it, init does
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        with open(f"/proc/{grandchild}/stat") as stream:  # a zombie awaiting its reaper is dead too
            assert stream.read().split()[2] == "Z"


# ---------------------------------------------------------------- a large archive outside the project

LARGE_ARCHIVE = 256 * 1024 * 1024
"""The vendored wheel's size: larger than anything else the build holds, so reading it whole shows."""
RSS_GROWTH_LIMIT = 64 * 1024 * 1024
"""How much more memory the build may take for it than for a small archive (reading it whole takes all of it)."""
ARCHIVE = "big-1.0-py3-none-any.whl"

SDIST_CHILD = """
import os, resource, sys
os.chdir(sys.argv[1])
import sourcelift.build as backend
print(backend.build_sdist(sys.argv[2], {}))
# ru_maxrss: KiB on Linux and the BSDs, bytes on macOS
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024))
"""


def vendored_wheel(path: Path, size: int) -> Path:
    """A valid wheel of ``big`` 1.0 whose one data member holds ``size`` zero bytes, stored uncompressed
    (written a MiB at a time)."""
    when = (2020, 1, 1, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("big-1.0.dist-info/METADATA", when), "Metadata-Version: 2.1\nName: big\nVersion: 1.0\n\n"
        )
        archive.writestr(
            zipfile.ZipInfo("big-1.0.dist-info/WHEEL", when),
            "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        with archive.open(zipfile.ZipInfo("big/data.bin", when), "w", force_zip64=True) as stream:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                stream.write(chunk)
        archive.writestr(zipfile.ZipInfo("big-1.0.dist-info/RECORD", when), "")
    return path


def local_sdist_peak_memory(tmp: Path, size: int) -> tuple[int, Path]:
    """Build the local-mode sdist of a project whose dependency is a wheel of ``size`` data bytes lying outside
    it, through the wrapper backend in a fresh process: (that process's peak RSS in bytes, the sdist)."""
    wheel = vendored_wheel(tmp / "vendor" / ARCHIVE, size)
    project = tmp / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n'
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["big"]\n'
        "[tool.hatch.build.targets.wheel]\nbypass-selection = true\n"
        '[tool.uv.sources]\nbig = { path = "../vendor/' + ARCHIVE + '" }\n'
    )
    env = source_environ(tmp)
    (tmp / "dist").mkdir()
    child = subprocess.run(
        [sys.executable, "-c", SDIST_CHILD, str(project), str(tmp / "dist")],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    name, peak = child.stdout.split()[-2:]
    sdist = tmp / "dist" / name
    # the archive is in the sdist whole, where the sources file says, and in the store
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        stream = archive.extractfile(f"{top}/.sourcelift/local.json")
        assert stream is not None
        (entry,) = json.load(stream)["sources"]["big"]
        assert archive.getmember(f"{top}/{entry['member']}").size == wheel.stat().st_size
    assert entry["sha256"] == sha256_file(wheel)
    assert (tmp / "store" / "sha256" / entry["sha256"] / ARCHIVE).stat().st_size == wheel.stat().st_size
    return int(peak), sdist


@pytest.mark.bulk
@pytest.mark.skipif(sys.platform == "win32", reason="the resource module is POSIX")
def test_a_large_archive_outside_the_project_is_streamed_into_a_local_sdist(tmp_path: Path) -> None:
    """A vendored archive of hundreds of MiB lying outside the project: the local-mode sdist carries it
    (and the store gets a copy), and the build's memory does not grow with it."""
    needed = 3 * LARGE_ARCHIVE  # the archive, the store's copy, and room to spare
    if shutil.disk_usage(tmp_path).free < needed:
        pytest.skip(f"needs {needed >> 20} MiB of free disk space in {tmp_path}")
    (tmp_path / "small").mkdir()
    (tmp_path / "large").mkdir()
    baseline, _ = local_sdist_peak_memory(tmp_path / "small", 1024 * 1024)
    peak, _ = local_sdist_peak_memory(tmp_path / "large", LARGE_ARCHIVE)
    print(f"peak RSS: {baseline >> 20} MiB with a 1 MiB archive, {peak >> 20} MiB with {LARGE_ARCHIVE >> 20} MiB")
    assert peak - baseline < RSS_GROWTH_LIMIT, (
        f"the build of a local-mode sdist with a {LARGE_ARCHIVE >> 20} MiB archive peaked at {peak >> 20} MiB, "
        f"{(peak - baseline) >> 20} MiB more than with a small one: the archive was read into memory"
    )


def test_zip_member_names_are_read_as_utf8_and_others_as_zipfile_reads_them(tmp_path: Path) -> None:
    import struct
    import zipfile

    from sourcelift._files import read_zip

    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("pkg-1.0.dist-info/METADATA", "Name: pkg\n")
        archive.writestr("pkg/caf\u00e9.py", "")  # non-ASCII: zipfile sets the UTF-8 flag itself
    with read_zip(plain) as archive:
        assert archive.namelist() == ["pkg-1.0.dist-info/METADATA", "pkg/caf\u00e9.py"]
    with plain.open("rb") as stream:
        stream.read(3)  # a stream is read from where it stands, as zipfile does
        stream.seek(0)
        with read_zip(stream) as archive:
            assert archive.read("pkg-1.0.dist-info/METADATA") == b"Name: pkg\n"

    # a name in cp437 without the UTF-8 flag (an old Windows tool): not UTF-8, read as zipfile always read it
    legacy = tmp_path / "legacy.zip"
    with zipfile.ZipFile(legacy, "w") as archive:
        archive.writestr("caf_.txt", "x")
    data = bytearray(legacy.read_bytes())
    for offset in (i for i in range(len(data)) if data[i : i + 8] == b"caf_.txt"):
        data[offset + 3] = 0x82  # cp437 e-acute, an invalid byte in UTF-8
    legacy.write_bytes(bytes(data))
    assert struct.unpack_from("<H", data, 6)[0] & 0x800 == 0
    with read_zip(legacy) as archive:
        assert archive.namelist() == ["caf\u00e9.txt"]
        assert archive.read("caf\u00e9.txt") == b"x"
