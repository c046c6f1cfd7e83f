"""The fast paths of ``provenance`` and ``freeze`` give what the general ones give.

Each fast path reads something itself where a general reader (argparse, core_metadata.parse_headers,
a listing of each .dist-info directory, zipfile, base64, urlsplit) would read it; each answers
only where it is sure to agree, and these tests hold them to it.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sourcelift import errors as plugin_errors
from sourcelift.record_file import encode_digest, record_hash
from sourcelift.urls import file_url_to_path
from sourcelift_hook import cli, environment
from sourcelift_hook.directurl import file_path
from sourcelift_hook.environment import _parse_head, record_digest
from sourcelift_hook.freeze import freeze
from sourcelift_hook.origin import MAX_WHEEL_RECORD, _wheel_rows
from sourcelift_hook.parser import COMMANDS, build_parser
from sourcelift_hook.report import build_report
from sourcelift_hook.wheelzip import plain_record
from tests.support.wheels import wheel_bytes

from .hook_builders import install_dist
from .test_hook_origin import Scene

# --- the command line ------------------------------------------------------------------------------

QUICK = [
    ["freeze"],
    ["freeze", "--path", "/s"],
    ["freeze", "--path=/s", "--path", "/t", "--all"],
    ["freeze", "--format", "pylock", "--find-links", "/w", "--find-links=/v", "-o", "out.toml", "--path", "/s"],
    ["freeze", "--wheelhouse", "wh", "--output=req.txt", "--format=requirements"],
    ["provenance"],
    ["provenance", "--json", "--path", "/s"],
    ["provenance", "--json", "--format", "text"],
    ["provenance", "a", "b", "--path", "/s"],
    ["provenance", "--path", "/s", "a", "b"],
    ["provenance", "--format=json", "x"],
]
NOT_QUICK = [
    [],
    ["record", "--path", "/s"],
    ["-q", "freeze"],
    ["freeze", "-q"],
    ["freeze", "--color", "never"],
    ["freeze", "--python", "/py"],
    ["freeze", "--from-tar", "l.tar"],
    ["freeze", "--help"],
    ["freeze", "--pa", "/s"],  # an abbreviation: argparse's
    ["freeze", "--path"],
    ["freeze", "--path", "-x"],
    ["freeze", "--path="],
    ["freeze", "-o=x"],
    ["freeze", "--format", "json"],
    ["freeze", "--all=1"],
    ["freeze", "name"],
    ["freeze", "--"],
    ["provenance", "a", "--json", "b"],
    ["provenance", "--json=1"],
    ["provenance", "-"],
]


@pytest.mark.parametrize("argv", QUICK, ids=" ".join)
def test_quick_arguments_are_what_argparse_reads(argv: list[str]) -> None:
    quick = cli.quick_arguments(argv)
    assert quick is not None
    assert vars(quick) == vars(build_parser("sourcelift").parse_args(argv))
    assert vars(quick) == vars(build_parser("sourcelift", argv[0]).parse_args(argv))


@pytest.mark.parametrize("argv", NOT_QUICK, ids=lambda argv: " ".join(argv) or "(none)")
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert cli.quick_arguments(argv) is None


def test_the_exit_codes_are_the_plugins_and_the_commands_the_parsers() -> None:
    assert (cli.EXIT_OK, cli.EXIT_PROBLEMS) == (plugin_errors.EXIT_OK, plugin_errors.EXIT_PROBLEMS)
    assert frozenset(COMMANDS) == cli._COMMANDS


def test_python_m_exits_with_mains_code_and_all_output(tmp_path: Path) -> None:
    """After provenance and freeze, ``python -m sourcelift_hook`` leaves without finalizing: nothing is lost."""
    site = tmp_path / "site"
    install_dist(site, "x", "1")
    install_dist(site, "gone", "1", direct_url={"url": (tmp_path / "missing").as_uri(), "dir_info": {}})
    source = Path(cli.__file__).parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), str(source.parents[1] / "plugin" / "src")])}
    for command, code in (["freeze"], 1), (["provenance", "--json"], 0), (["record"], 0):
        proc = subprocess.run(
            [sys.executable, "-m", "sourcelift_hook", *command, "--path", str(site)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode == code, proc.stderr
        if command == ["freeze"]:
            assert proc.stdout.endswith("x==1\n") and "no longer exists" in proc.stderr
        if command == ["provenance", "--json"]:
            assert [d["name"] for d in json.loads(proc.stdout)["distributions"]] == ["gone", "x"]


# --- METADATA heads ------------------------------------------------------------------------------


def _general(head: bytes) -> tuple[str | None, str | None, list[str]]:
    """What the load read before it had its own line loop: parse_headers, unfolded values (the
    general reader the line loop falls back to)."""
    return environment._parse_folded_head(head.decode("utf-8", "replace"))


HEADS = [
    b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b @ https://x/b.whl\nRequires-Dist: c>=1",
    b"NAME :  Foo_Bar  \nversion:2.0\nname: second\nREQUIRES-DIST: x@https://h/x.whl\n",
    b"\x0cName: formfeed\n\x1cVersion: 3\n",
    "Name: caf\u00e9\n\u3000Version: 4\u3000\n".encode(),
    b"Name: folded\nRequires-Dist: b @\n  https://x/b.whl\nVersion: 1",
    b"Name: crlf\r\nVersion: 1\r\n",
    b" Name: leading space\nVersion: 1",
    b"\nName: after a blank line\nVersion: 1",
    b"Name: a\n\nVersion: after a blank line",
    b"Name: a\nno colon here\nVersion\nVersion: 5\n:\n",
    b"Summary: nothing wanted\nClassifier: x",
    b"",
    b"Name: \xff\xfe\nVersion: 1",
    b"Name: tab\n\tcontinued\nVersion: 1",
    b"Name: a\nversion: 1\nRequires-Dist: ignored-without-at\nrequires-dist: y @ file:///y",
]


@pytest.mark.parametrize("head", HEADS)
def test_the_head_loop_reads_what_parse_headers_reads(head: bytes) -> None:
    assert _parse_head(head) == _general(head)


def test_the_head_loop_on_random_heads() -> None:
    pieces = ["Name", "name", "NAME", "Version", "Requires-Dist", "Summary", "R", "N", "V", ":", " ", "\t", "\n"]
    pieces += ["\r", "@", "x", "a @ https://h/a.whl", "\x0b", "\x1f", "\u2028", "\u00e9", "-", "1.0"]
    rng = random.Random(20240611)
    for _ in range(3000):
        head = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40))).encode()
        assert _parse_head(head) == _general(head), head


def test_the_head_loop_on_random_lines() -> None:
    """Whole lines, so that Name and Version come early, late, twice, continued, or after a blank line."""
    pool = [
        "Name: a",
        "name:b",
        "NAME : c",
        "Version: 1",
        "version:2",
        "\x0bVersion: 3",
        " continued",
        "\tcontinued",
        "",
        "Requires-Dist: x @ https://h/x.whl",
        "requires-dist: y",
        "Author-email: someone@example.com",
        "Summary: Requires-Dist: z @ file:///z",
        "Metadata-Version: 2.1",
        "Name",
        ":",
        "Version:",
        "R: r",
        "N:",
        "Name: caf\u00e9",
    ]
    rng = random.Random(75)
    for _ in range(20000):
        text = "\n".join(rng.choice(pool) for _ in range(rng.randrange(0, 8))) + rng.choice(["", "\n"])
        head = text.encode()
        assert _parse_head(head) == _general(head), head


# --- lazy loads ------------------------------------------------------------------------------------


def _answers(env: environment.Environment) -> tuple[object, ...]:
    text, findings = freeze(env)
    return (
        [(d.key, d.name, d.version, d.url_requirements, d.installer) for d in env.dists],
        json.dumps(build_report(env), sort_keys=True),
        text,
        [f.as_json() for f in findings],
    )


def _unusual(scene: Scene, tmp_path: Path) -> None:
    """Files a lazy load meets where an eager one listed them: each is read, or refused, the same way."""
    dangling = scene.dist_info("other") / "sourcelift-origin.json"
    install_dist(scene.site, "other", "2.0", direct_url={"url": "https://h.example/o.whl", "archive_info": {}})
    dangling.symlink_to(tmp_path / "nowhere")
    os.mkfifo(scene.dist_info("lib-a") / "sourcelift-journal.json")
    (scene.dist_info("app") / "INSTALLER").unlink()
    install_dist(scene.site, "dir-url", "1.0")
    (scene.site / "dir_url-1.0.dist-info" / "direct_url.json").mkdir()
    install_dist(scene.site, "fifo-url", "1.0")
    os.mkfifo(scene.site / "fifo_url-1.0.dist-info" / "direct_url.json")
    install_dist(scene.site, "crlf", "1.0")
    (scene.site / "crlf-1.0.dist-info" / "METADATA").write_bytes(b"Name: CRLF\r\nVersion: 1.0\r\n\r\nbody")
    install_dist(scene.site, "long-head", "1.0")
    long_head = b"Name: long-head\nVersion: 1.0\n" + b"Classifier: x\n" * 1000 + b"\nbody"
    (scene.site / "long_head-1.0.dist-info" / "METADATA").write_bytes(long_head)
    (scene.site / "no_metadata-3.dist-info").mkdir()
    (scene.site / "legacy-2.0.egg-info").mkdir()
    (scene.site / "legacy-2.0.egg-info" / "PKG-INFO").write_bytes(b"Name: legacy\nVersion: 2.0\n")


@pytest.mark.parametrize("unusual", [False, True], ids=["plain", "unusual"])
def test_a_lazy_load_gives_the_eager_answers(tmp_path: Path, unusual: bool) -> None:
    scene = Scene(tmp_path)
    scene.install()
    if unusual:
        _unusual(scene, tmp_path)
    names = (*environment.SCANNED, "INSTALLER", environment.JOURNAL_FILE)
    eager = _answers(environment.from_paths([str(scene.site)]))
    assert _answers(environment.from_paths([str(scene.site)], lazy=True)) == eager
    assert _answers(environment.from_paths([str(scene.site)], lazy=True, read_ahead=names)) == eager
    if unusual:
        report = json.loads(eager[1])
        assert any("FIFO" in p["message"] for d in report["distributions"] for p in d["problems"])


def test_a_lazy_load_lists_a_directory_only_when_asked(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    scene.install()
    env = environment.from_paths([str(scene.site)], lazy=True)
    dist = env.dists[0]
    assert dist._files is None
    assert "RECORD" in dist.files and dist._files is not None


def test_digests_in_one_loop_are_those_one_by_one(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_dist(site, "x", "1")
    (site / "empty.py").write_bytes(b"")
    (site / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    os.mkfifo(site / "fifo")
    (site / "link").symlink_to(site / "x" / "__init__.py")
    tree = environment.DirectoryTree([str(site)])
    paths = ["x/__init__.py", "empty.py", "big.bin", "fifo", "link", "missing", "x", "../site/empty.py", "/etc/x"]
    root = str(site)
    assert tree.digests(root, paths) == [tree.digest(root, path) for path in paths]
    assert tree.digest(root, "empty.py") == (record_hash(b""), 0)


def test_record_digest_is_encode_digest() -> None:
    for size in range(0, 70):
        raw = os.urandom(size)
        assert record_digest(raw) == "sha256=" + encode_digest(raw)


# --- URLs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///srv/a.whl",
        "FILE:///srv/a.whl",
        "  file:///srv/a.whl",
        "\x00file:///srv/a.whl",
        "fi\tle:///srv/a.whl",
        "file://localhost/srv/a%20b.whl",
        "file://host/srv/a.whl",
        "https://h/a.whl",
        "git+file:///srv/repo",
        "file:relative",
        "",
        "f\u0130le:///x",
        "\u212aile:///x",
        "file:///",
        "file:////twice",
        "file:///a b.whl",
        "file:///a?q=1",
        "file:///a#sha256=00",
        "file:///a%20b.whl",
        "file:///a;b",
        "file:///caf\u00e9/x.whl",
        "file:///x\x7f",
    ],
)
def test_file_path_is_file_url_to_path(url: str) -> None:
    assert file_path(url) == file_url_to_path(url)


# --- wheels ----------------------------------------------------------------------------------------


def _with_zipfile(data: bytes) -> dict[str, str] | None:
    from sourcelift.record_file import parse_rows

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/RECORD")]
            if len(names) != 1:
                return None
            info = archive.getinfo(names[0])
            if info.file_size > MAX_WHEEL_RECORD:
                return None
            text = archive.read(info).decode("utf-8")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    return {p: h for p, h, _ in parse_rows(text) if h and not p.split("/", 1)[0].endswith((".dist-info", ".data"))}


def _rewritten(data: bytes, change: str) -> bytes:
    """``data`` with one thing about its zip changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if change == "extra":
                info.extra = b"\x55\x54\x05\x00\x01\x00\x00\x00\x00"
            if change == "two records" and info.filename.endswith("RECORD"):
                target.writestr(info.filename.replace("demo-1.0", "other-1.0"), content)
            if change == "latin-1 record" and info.filename.endswith("RECORD"):
                content = content + "caf\u00e9\n".encode("latin-1")
            if change == "bzip2":
                info.compress_type = zipfile.ZIP_BZIP2
            target.writestr(info, content)
        if change == "comment":
            target.comment = b"a comment"
    return out.getvalue()


def _wheels() -> list[tuple[str, bytes]]:
    stored = wheel_bytes("demo", "1.0", compression=zipfile.ZIP_STORED)
    deflated = wheel_bytes("demo", "1.0")
    cases = [("stored", stored), ("deflated", deflated)]
    for change in ("extra", "two records", "latin-1 record", "bzip2", "comment"):
        cases.append((change, _rewritten(deflated, change)))
    cases.append(("prepended", b"#!/bin/sh\n" + deflated))
    cases.append(("truncated", deflated[: len(deflated) // 2]))
    cases.append(("empty", b""))
    record_at = stored.index(b".dist-info/RECORD") + len(b".dist-info/RECORD")  # its local header's name
    corrupt = bytearray(stored)
    corrupt[record_at + 5] ^= 0x01  # a byte of its (stored) data: the CRC-32 no longer agrees
    cases.append(("corrupt", bytes(corrupt)))
    no_record = wheel_bytes("demo", "1.0", record_rows=lambda rows: rows).replace(b"RECORD", b"RECORX")
    cases.append(("no record", no_record))
    return cases


@pytest.mark.parametrize(("label", "data"), _wheels(), ids=[label for label, _ in _wheels()])
def test_the_plain_reader_agrees_with_zipfile(label: str, data: bytes) -> None:
    handled, _ = plain_record(data, MAX_WHEEL_RECORD)
    assert _wheel_rows(data) == _with_zipfile(data)
    if label in ("stored", "deflated", "two records", "latin-1 record"):
        assert handled, "a plain archive is read without zipfile"
    if label in ("extra", "bzip2", "comment", "prepended", "truncated", "empty", "corrupt"):
        assert not handled, "zipfile reads it"


def test_a_wheel_whose_compressed_record_is_corrupt_has_no_rows_and_no_internal_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pkg/__init__.py", "")
        archive.writestr("pkg-1.0.dist-info/RECORD", "pkg/__init__.py,sha256=" + "A" * 43 + ",0\n" * 50)
    data = bytearray(buffer.getvalue())
    start = data.index(b"PK\x03\x04", data.index(b"pkg-1.0.dist-info/RECORD") - 40)
    name_length, extra_length = (
        int.from_bytes(data[start + 26 : start + 28], "little"),
        int.from_bytes(data[start + 28 : start + 30], "little"),
    )
    body = start + 30 + name_length + extra_length
    data[body : body + 8] = b"\xff" * 8  # the deflate stream of RECORD, broken
    assert _wheel_rows(bytes(data)) is None


def test_a_record_that_inflates_past_its_declared_size_is_never_inflated_whole() -> None:
    """A deflate bomb: RECORD declares 100 bytes, its stream inflates to 64 MiB of zeros.  Nothing reads
    more of it than the bound on a RECORD (MAX_WHEEL_RECORD, 16 MiB) and one byte."""
    import struct
    import tracemalloc

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pkg/__init__.py", "")
        archive.writestr("pkg-1.0.dist-info/RECORD", b"\0" * (64 * 1024 * 1024))
    data = bytearray(buffer.getvalue())
    name = b"pkg-1.0.dist-info/RECORD"
    local = data.rindex(b"PK\x03\x04", 0, data.index(name))
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    struct.pack_into("<I", data, local + 22, 100)  # uncompressed size in the local header
    struct.pack_into("<I", data, central + 24, 100)  # and in the central directory
    tracemalloc.start()
    try:
        assert plain_record(bytes(data), MAX_WHEEL_RECORD) == (False, None)
        assert _wheel_rows(bytes(data)) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2.5 * MAX_WHEEL_RECORD, peak  # inflated whole, the peak is some 150 MB


def test_reading_to_the_end_of_a_file_whose_size_fstat_did_not_give_is_bounded() -> None:
    from sourcelift._files import TooLarge
    from sourcelift_hook.environment import read_fd

    read_end, write_end = os.pipe()  # as a /proc file: fstat says 0, the data is there
    try:
        os.write(write_end, b"x" * 100)
        os.close(write_end)
        with pytest.raises(TooLarge):
            read_fd(read_end, 0, 10)
    finally:
        os.close(read_end)
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"x" * 100)
        os.close(write_end)
        assert read_fd(read_end, 0, 100) == b"x" * 100
    finally:
        os.close(read_end)
