"""Hostile input for the ``sourcelift`` command: each case once gave an internal error (exit 3), a hang or
a misleading answer.  A user's bad input must give a message naming the file, what is wrong and the fix."""

from __future__ import annotations

import os
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from sourcelift_hook.check import Finding, read_archive, run_checks
from sourcelift_hook.cli import main

from .check_builders import make_sdist, pyproject


def check(*paths: Path) -> list[Finding]:
    findings, _ = run_checks([read_archive(p, display=p.name) for p in paths])
    return findings


# --------------------------------------------------------------------------- check: an sdist's pyproject.toml


@pytest.mark.parametrize("value", ["[" * 3000 + "]" * 3000, "{a=" * 3000 + "1" + "}" * 3000])
def test_an_sdist_pyproject_nested_too_deeply_is_sl100(
    tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sdist = make_sdist(tmp_path, project=pyproject(extra=f"\n[tool.x]\ny = {value}\n"))
    (found,) = check(sdist)
    assert (found.id, found.location) == ("SL100", "pyproject.toml")
    assert "nested too deeply" in found.message
    # the command: a finding (exit 1), not an internal error (exit 3); the sdist is not built
    assert main(["check", "--ignore", "SL3", str(sdist)]) == 1
    assert "nested too deeply" in capsys.readouterr().out


def test_a_deep_table_in_an_sdist_pyproject_is_scanned_for_leaks(tmp_path: Path) -> None:
    # a dotted table header 990 keys deep parses; every string in it is still scanned, without recursion
    header = ".".join(["a"] * 990)
    sdist = make_sdist(tmp_path, project=pyproject(extra=f'\n[{header}]\nk = "/home/alice/src/lib"\n'))
    found = [f for f in check(sdist) if f.id == "SL402"]
    assert [f.location for f in found] == [f"pyproject.toml: {header}.k"]


def test_a_project_pyproject_nested_too_deeply_is_no_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("x = " + "[" * 3000 + "]" * 3000 + "\n")
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "pyproject.toml") in err and "nested too deeply" in err


# --------------------------------------------------------------------------- explain: wrong types in pyproject.toml

PROJECT = '[project]\nname = "demo"\nversion = "1.0"\ndependencies = ["lib"]\n'


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("build-system = 5\n" + PROJECT, "build-system", "not a table"),
        (
            '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n'
            + PROJECT
            + "[tool]\nsourcelift = 5\n",
            "tool.sourcelift",
            "must be a table",
        ),
    ],
)
def test_explain_reports_a_table_of_the_wrong_type(
    tmp_path: Path, text: str, key: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    assert main(["explain", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"(`{key}`): " in out and words in out


# --------------------------------------------------------------------------- provenance, freeze, record: environments


def test_two_versions_of_one_name_are_each_locked_by_their_own_index_file(tmp_path: Path) -> None:
    # two --path directories with `dup` 1.0 and 2.0: the lookup of one no longer replaces the other's (the
    # 2.0 entry named dup-1.0.tar.gz, which packaging refused: an internal error, exit 3)
    from sourcelift._compat import tomllib
    from sourcelift_hook import environment
    from sourcelift_hook.freeze import freeze
    from sourcelift_hook.indexlookup import IndexConfig

    from .hook_builders import install_dist

    for version in ("1.0", "2.0"):
        install_dist(tmp_path / f"site-{version}", "dup", version)
    page = tmp_path / "simple" / "dup" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("".join(f'<a href="dup-{v}.tar.gz#sha256={v[0] * 64}">dup-{v}.tar.gz</a>' for v in ("1.0", "2.0")))
    index = f"{tmp_path.as_uri()}/simple/"
    env = environment.from_paths([str(tmp_path / "site-1.0"), str(tmp_path / "site-2.0")])
    text, problems = freeze(env, output_format="pylock", index_config=IndexConfig([index]))
    assert problems == []
    locked = {p["version"]: p["sdist"]["name"] for p in tomllib.loads(text)["packages"]}
    assert locked == {"1.0": "dup-1.0.tar.gz", "2.0": "dup-2.0.tar.gz"}


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_a_dist_info_that_is_a_symlink_loop_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .hook_builders import install_dist

    site = tmp_path / "site"
    install_dist(site, "good", "1.0", direct_url={"url": "https://h.example/good-1.0.whl", "archive_info": {}})
    (site / "loop-1.0.dist-info").symlink_to(site / "loop-1.0.dist-info")
    for command in ("provenance", "freeze", "record"):
        assert main([command, "--path", str(site)]) == 0, command
    assert "good" in capsys.readouterr().out


def test_a_site_packages_that_cannot_be_listed_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()

    def refuse(path: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "scandir", refuse)
    assert main(["provenance", "--path", str(site)]) == 1
    err = capsys.readouterr().err
    assert f"cannot list {site}: Permission denied" in err and "check its permissions" in err


def test_a_direct_url_nested_900_deep_is_shown_cut(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from .hook_builders import install_dist

    site = tmp_path / "site"
    dist_info = install_dist(site, "deep", "1.0", direct_url={"url": "x"})
    deep = "[" * 900 + "]" * 900
    (dist_info / "direct_url.json").write_text(
        f'{{"url": "https://h.example/d.whl", "archive_info": {{}}, "z": {deep}}}'
    )
    assert main(["provenance", "--json", "--path", str(site)]) == 0
    [shown] = json.loads(capsys.readouterr().out)["distributions"]
    assert shown["direct_url"]["url"] == "https://h.example/d.whl"
    assert "not shown: nested more than 32 levels deep" in json.dumps(shown["direct_url"]["z"])
    assert main(["provenance", "--path", str(site)]) == 0


# --------------------------------------------------------------------------- check: paths that are no archive files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_like_a_wheel_is_refused_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "demo-1.0-py3-none-any.whl"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer for ever
    assert main(["check", "--ignore", "SL3", str(fifo)]) == 2
    assert f"{fifo} is not a regular file" in capsys.readouterr().err
    assert read_archive(fifo).unreadable == [f"{fifo.name} is not a regular file (a directory, FIFO, socket or device)"]


def test_a_directory_named_like_a_wheel_is_not_taken_for_a_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unpacked = tmp_path / "demo-1.0-py3-none-any.whl"
    unpacked.mkdir()
    assert main(["check", str(unpacked)]) == 2
    err = capsys.readouterr().err
    assert f"{unpacked} is a directory, not a wheel file" in err and "give the wheel or sdist file itself" in err


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script as the interpreter")
@pytest.mark.parametrize(
    ("printed", "why"),
    [
        (b"\xff\xfe\x00", "bytes that are no text"),
        (b'{"purelib": 5, "platlib": [1]}', "an object, not a list"),
        (b'["relative/site-packages", 5]', "no absolute paths"),
    ],
)
def test_a_python_that_prints_no_list_of_paths_is_a_usage_error(
    tmp_path: Path, printed: bytes, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").write_bytes(printed)
    python = tmp_path / "python"
    python.write_text(f"#!/bin/sh\ncat '{tmp_path / 'out'}'\n")
    os.chmod(python, 0o755)
    assert main(["freeze", "--python", str(python)]) == 2, why
    assert f"{python} printed no list of paths" in capsys.readouterr().err


def _image(path: Path, members: dict[str, bytes]) -> Path:
    import io
    import tarfile

    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({"oci-layout": b"{}", "index.json": b'{"manifests": 5}'}, "holds 0 image manifests"),
        ({"oci-layout": b"{}", "index.json": b'{"manifests": [{"annotations": 5, "platform": 5}] }'}, "None is not"),
        ({"oci-layout": b"{}", "index.json": b"[" * 5000 + b"]" * 5000}, "index.json in IMAGE is not valid JSON"),
        ({"manifest.json": b'[{"Layers": 5, "RepoTags": 7}]'}, "manifest.json of IMAGE has no list of layers"),
    ],
)
def test_an_image_whose_documents_have_wrong_types_is_a_usage_error(
    tmp_path: Path, members: dict[str, bytes], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    image = _image(tmp_path / "image.tar", members)
    assert main(["provenance", "--from-tar", str(image)]) == 2
    err = capsys.readouterr().err
    assert words.replace("IMAGE", str(image)) in err and str(image) in err


def test_a_journal_the_wheel_ships_is_not_called_pending(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # provenance said "an interrupted record left its journal: run record again"; record ignores a journal its
    # RECORD lists, so the advice looped for ever
    import json

    from .hook_builders import install_dist

    site = tmp_path / "site"
    install_dist(site, "shipped", "1.0", extra={"sourcelift-journal.json": b"{}"})
    assert main(["record", "--path", str(site)]) == 1
    capsys.readouterr()
    assert main(["provenance", "--json", "--path", str(site)]) == 1
    [dist] = json.loads(capsys.readouterr().out)["distributions"]
    assert dist["journal"] is None
    [problem] = dist["problems"]
    assert "the installed wheel holds a sourcelift-journal.json" in problem["message"]
    assert problem["fix"] == "reinstall the distribution from a trusted source"


def test_a_provenance_document_whose_version_is_a_number_says_so(tmp_path: Path) -> None:
    from sourcelift.provenance_document import parse_document

    _, notes = parse_document(b'{"version": 1, "entries": []}', "sourcelift-provenance.json")
    assert notes == ["sourcelift-provenance.json has version 1; this sourcelift reads version '1'"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_metadata_that_is_no_file_gets_a_fix_that_fits(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from .hook_builders import install_dist

    site = tmp_path / "site"
    metadata = install_dist(site, "odd", "1.0") / "METADATA"
    metadata.unlink()
    metadata.mkdir() if kind == "directory" else os.mkfifo(metadata)
    assert main(["provenance", "--path", str(site)]) == 1
    err = capsys.readouterr().err
    assert f"{metadata} is a {'directory' if kind == 'directory' else 'FIFO'}, not a regular file" in err
    assert "reinstall the distribution" in err and "permissions" not in err


# --------------------------------------------------------------------------- check: sdist members installers refuse


def _sdist_with(path: Path, extra: list[tarfile.TarInfo]) -> Path:
    """A valid sdist (PKG-INFO, pyproject.toml) with the ``extra`` members (links, devices; no data)."""
    import io

    from .check_builders import metadata

    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data in (("demo-1.0/PKG-INFO", metadata("demo", "1.0")), ("demo-1.0/pyproject.toml", pyproject())):
            info = tarfile.TarInfo(name)
            info.size = len(data.encode())
            tar.addfile(info, io.BytesIO(data.encode()))
        for info in extra:
            tar.addfile(info)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


@pytest.mark.parametrize(
    ("member", "words"),
    [
        (_member("/etc/evil"), "'/etc/evil' points outside the archive"),
        (_member("demo-1.0/a/../../../evil"), "'demo-1.0/a/../../../evil' points outside the archive"),
        (_member("demo-1.0/ok", tarfile.SYMTYPE, "../../etc/passwd"), "is a link to '../../etc/passwd', outside"),
        (_member("demo-1.0/ok", tarfile.SYMTYPE, "/etc/passwd"), "is a link to '/etc/passwd', outside"),
        (_member("demo-1.0/ok", tarfile.LNKTYPE, "../etc/passwd"), "is a link to '../etc/passwd', outside"),
        (_member("demo-1.0/dev", tarfile.CHRTYPE), "'demo-1.0/dev' is a device file"),
        (_member("demo-1.0/pipe", tarfile.FIFOTYPE), "'demo-1.0/pipe' is a FIFO"),
    ],
)
def test_an_sdist_member_installers_refuse_is_sl608(tmp_path: Path, member: tarfile.TarInfo, words: str) -> None:
    # each was "publishable" with `--ignore SL3` (the way to check an untrusted sdist), though pip cannot unpack it
    sdist = _sdist_with(tmp_path / "demo-1.0.tar.gz", [member])
    (found,) = check(sdist)
    assert (found.id, found.location) == ("SL608", member.name) and words in found.message


def test_links_inside_an_sdist_are_fine(tmp_path: Path) -> None:
    links = [
        _member("demo-1.0/docs/readme", tarfile.SYMTYPE, "../PKG-INFO"),
        _member("demo-1.0/copy", tarfile.LNKTYPE, "demo-1.0/PKG-INFO"),
    ]
    assert check(_sdist_with(tmp_path / "demo-1.0.tar.gz", links)) == []


# --------------------------------------------------------------------------- check: damaged gzip streams


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda data: data[:-6], "the gzip stream ends before its end-of-stream marker: the file is truncated"),
        (lambda data: data[:-8] + bytes([data[-8] ^ 0xFF]) + data[-7:], "incorrect data check"),  # the CRC
        (lambda data: data + b"junk", "incorrect header check"),
    ],
)
def test_an_sdist_whose_gzip_stream_is_damaged_after_its_tar_is_sl100(
    tmp_path: Path, damage: Callable[[bytes], bytes], words: str
) -> None:
    # the tar ends before gzip's trailer, which tarfile's `r|gz` never reads: such a file was "publishable"
    sdist = make_sdist(tmp_path)
    sdist.write_bytes(damage(sdist.read_bytes()))
    (found,) = check(sdist)
    assert found.id == "SL100" and found.message.startswith("demo-1.0.tar.gz ") and words in found.message


def test_gzip_members_and_zero_padding_are_read_as_one_stream(tmp_path: Path) -> None:
    import gzip

    sdist = make_sdist(tmp_path)
    plain = gzip.decompress(sdist.read_bytes())
    sdist.write_bytes(gzip.compress(plain[:1000]) + b"\0" * 100 + gzip.compress(plain[1000:]) + b"\0" * 9)
    assert check(sdist) == []


def test_a_zip_named_tar_gz_is_said_to_be_one(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, filename="demo-1.0.zip")
    named = sdist.rename(tmp_path / "demo-1.0.tar.gz")
    (found,) = check(named)
    assert (found.id, found.message) == ("SL100", "demo-1.0.tar.gz is a zip archive, not a gzip-compressed tar")


@pytest.mark.parametrize("kind", ["wheel", "zip sdist"])
def test_a_member_held_twice_is_sl100(tmp_path: Path, kind: str) -> None:
    import warnings
    import zipfile

    from .check_builders import make_wheel

    path = make_wheel(tmp_path) if kind == "wheel" else make_sdist(tmp_path, filename="demo-1.0.zip")
    twice = "demo-1.0.dist-info/METADATA" if kind == "wheel" else "demo-1.0/PKG-INFO"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "a") as zf:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it is asked to write
        zf.writestr(twice, "Metadata-Version: 2.1\nName: evil\nVersion: 9\n\n")
    findings = [f for f in check(path) if f.id == "SL100"]
    assert [f.message for f in findings] == [
        f"the archive holds {twice!r} 2 times: installers may unpack either copy (PyPI refuses such an upload: "
        "duplicate filename)"
    ]


@pytest.mark.parametrize("in_place", ["state directory is a file", "lock is a directory"])
def test_something_in_place_of_the_record_lock_gets_a_fix_that_fits(
    tmp_path: Path, in_place: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # the fix was "run `sourcelift record` as the user who installed the environment", whatever the cause
    from .test_hook_origin import Scene

    scene = Scene(tmp_path)
    scene.install()
    state = scene.site / ".sourcelift-record"
    if in_place == "lock is a directory":
        (state / "lock").mkdir(parents=True)
        culprit, what = state / "lock", "is a directory"
    else:
        state.write_text("")
        culprit, what = state, "is not a directory"
    assert main(["record", "--path", str(scene.site)]) == 2
    err = capsys.readouterr().err
    assert f"{culprit} {what}" in err and f"fix: remove {culprit}:" in err and "as the user" not in err


# --------------------------------------------------------------------------- check: its settings


@pytest.mark.parametrize("config", ["missing.toml", "."])
def test_a_config_given_that_is_no_file_is_a_usage_error(
    tmp_path: Path, config: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # it was skipped like a missing ./pyproject.toml: the run went on with the default selection
    from .check_builders import make_wheel

    monkeypatch.chdir(tmp_path)
    wheel = make_wheel(tmp_path)
    assert main(["check", "--config", config, str(wheel)]) == 2
    err = capsys.readouterr().err
    assert f"--config {config} {'does not exist' if config == 'missing.toml' else 'is not a file'}" in err


@pytest.mark.parametrize(
    ("args", "table"),
    [
        (["--select", ""], ""),
        (["--ignore", "SL"], ""),
        (["--select", "SL1", "--ignore", "SL1"], ""),
        ([], "[tool.sourcelift.check]\nselect = []\n"),
    ],
)
def test_a_selection_that_leaves_no_check_is_a_usage_error(
    tmp_path: Path, args: list[str], table: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the report said "publishable" having checked nothing
    from .check_builders import make_wheel

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(table)
    wheel = make_wheel(tmp_path)
    assert main(["check", *args, str(wheel)]) == 2
    assert "no check is left to run" in capsys.readouterr().err


def test_a_tool_sourcelift_that_is_no_table_is_a_usage_error_for_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from .check_builders import make_wheel

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool]\nsourcelift = 5\n")
    assert main(["check", str(make_wheel(tmp_path))]) == 2
    assert "`tool.sourcelift` must be a table" in capsys.readouterr().err


def test_a_metadata_with_a_byte_order_mark_is_said_to_have_one(tmp_path: Path) -> None:
    # "Metadata-Version is missing", fix "upgrade the build backend": the field is there, behind U+FEFF
    from .check_builders import make_wheel

    wheel = make_wheel(tmp_path, meta="\ufeffMetadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n")
    (found,) = check(wheel)
    assert found.id == "SL104" and "starts with a byte order mark (U+FEFF)" in found.message
    assert found.fix is not None and "without a byte order mark" in found.fix


def test_an_sdist_with_two_top_level_directories_is_sl100(tmp_path: Path) -> None:
    # pip unpacks such an sdist as it is and finds no project at its root; it was "publishable"
    sdist = make_sdist(tmp_path, raw_members={"other-2.0/setup.py": b""})
    (found,) = check(sdist)
    assert found.id == "SL100" and found.message.startswith(
        "the sdist has 2 top-level entries ('demo-1.0', 'other-2.0'): installers expect one directory"
    )


def test_a_workspace_member_pyproject_that_is_not_utf8_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the quick scan for `name = "..."` decoded it strictly: UnicodeDecodeError, exit 3 (a build crashed too)
    (tmp_path / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    member = tmp_path / "packages" / "a" / "pyproject.toml"
    member.parent.mkdir(parents=True)
    member.write_bytes(b'[project]\nname = "caf\xe9"\n')
    assert main(["explain", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{member}" in out and "workspace member cannot be read: not UTF-8 text" in out


@pytest.mark.parametrize(
    ("page", "note"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "its JSON is nested too deeply to read"),  # RecursionError, exit 3
        (b'{"files": 5}', None),  # TypeError, exit 3
        (b'{"files": {"x-1.0.tar.gz": 1}}', None),
    ],
)
def test_an_index_json_page_of_a_hostile_shape_is_no_internal_error(
    page: bytes, note: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcelift_hook import indexlookup

    def fetch(url: str) -> tuple[bytes, str, str]:
        return page, "application/vnd.pypi.simple.v1+json", url

    monkeypatch.setattr(indexlookup, "_fetch", fetch)
    found, notes = indexlookup.find_index_files(
        [("x", "1.0", frozenset())], indexlookup.IndexConfig(["https://index.example/simple/"])
    )
    assert found == {}
    assert notes == ([] if note is None else [f"https://index.example/simple/ could not be read: {note}"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("kind", ["directory", "fifo", "dangling link"])
def test_a_project_pyproject_that_is_no_file_is_said_to_be_none(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # "has no pyproject.toml": there is one, of the wrong kind
    pyproject = tmp_path / "pyproject.toml"
    if kind == "directory":
        pyproject.mkdir()
    elif kind == "fifo":
        os.mkfifo(pyproject)
    else:
        pyproject.symlink_to(tmp_path / "gone.toml")
    assert main(["check", str(tmp_path)]) == 2
    assert f"{pyproject} is not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("missing", "missing does not exist"),
        ("demo-1.0-py3-none-any.whl", "demo-1.0-py3-none-any.whl is a file, not a project directory"),
        ("project/pyproject.toml", "pyproject.toml is a pyproject.toml, not a project directory"),
        ("odd", "odd/pyproject.toml is not a regular file"),
    ],
)
def test_explain_says_why_a_path_is_no_project(
    tmp_path: Path, given: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # each was "PATH has no pyproject.toml"
    (tmp_path / "demo-1.0-py3-none-any.whl").write_bytes(b"")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "pyproject.toml").write_text("")
    (tmp_path / "odd" / "pyproject.toml").mkdir(parents=True)
    assert main(["explain", str(tmp_path / given)]) == 2
    assert words in capsys.readouterr().err


# --------------------------------------------------------------------------- what a terminal would act on


ERASE = "\x1b[2K\x1b[1A"  # erase the line, go up one: a hostile artifact hiding the finding above


def test_check_shows_escape_sequences_from_an_artifact_instead_of_sending_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .check_builders import make_wheel

    meta = f"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: x @ file:///srv/{ERASE}x.whl\n\n"
    wheel = make_wheel(tmp_path, meta=meta)
    assert main(["check", "--ignore", "SL3", "--color", "always", str(wheel)]) == 1
    out = capsys.readouterr().out
    assert "\x1b[2K" not in out and "\\x1b[2K\\x1b[1Ax.whl" in out
    assert "\x1b[31merror" in out  # its own colours stay


def test_provenance_shows_escape_sequences_from_a_dist_info_instead_of_sending_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .hook_builders import install_dist

    site = tmp_path / "site"
    install_dist(site, "demo", "1.0", direct_url={"url": f"https://h.example/{ERASE}demo.whl", "archive_info": {}})
    dist_info = install_dist(site, "bad", "1.0")
    (dist_info / "direct_url.json").write_text('{"url": 5}')  # a problem on stderr
    (dist_info / "INSTALLER").write_text(f"pip{ERASE}\n")
    main(["provenance", "--path", str(site)])
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "\\x1b[2K" in captured.out


def test_printable_keeps_text_and_shows_controls() -> None:
    from sourcelift_hook.console import printable

    assert printable("été\tok\n") == "été\tok\n"
    assert printable("a\x1b[2Kb\x9b\u202ec\r\x00") == "a\\x1b[2Kb\\x9b\\u202ec\\x0d\\x00"


def test_the_summary_line_shows_escape_sequences_instead_of_sending_them(capsys: pytest.CaptureFixture[str]) -> None:
    from sourcelift_hook.console import Console

    Console().summary(f"recorded the origin of demo{ERASE}")  # a name from a METADATA
    assert capsys.readouterr().out == "recorded the origin of demo\\x1b[2K\\x1b[1A\n"


def test_a_member_name_no_file_system_holds_is_sl608(tmp_path: Path) -> None:
    # installers fail to unpack it ("File name too long"); with --ignore SL3 it was "publishable"
    from .check_builders import make_wheel

    long_name = "a" * 300 + ".py"
    sdist = make_sdist(tmp_path / "s", files={f"src/{long_name}": b""})
    (found,) = check(sdist)
    assert (found.id, found.location) == ("SL608", f"demo-1.0/src/{long_name}")
    assert "has a name of 303 bytes in its path: no common file system holds more than 255" in found.message
    wheel = make_wheel(tmp_path / "w", files={f"demo/{long_name}": b""})
    assert [(f.id, f.location) for f in check(wheel) if f.id == "SL608"] == [("SL608", f"demo/{long_name}")]


def test_an_sdist_that_cannot_be_unpacked_is_sl303_without_an_exit_code() -> None:
    # it was SL304 "unpacking x.tar.gz failed (exit code 0)", fix "run the build yourself": no build ran
    from sourcelift_hook.check.errors import BuildFailed
    from sourcelift_hook.check.plain import build_failed

    found = build_failed(
        "x.tar.gz", BuildFailed("unpacking x.tar.gz", None, ["OSError: [Errno 36] File name too long"])
    )
    assert found.id == "SL303" and "exit code" not in found.message
    assert (
        found.message
        == "unpacking x.tar.gz failed, so no wheel could be built from it: OSError: [Errno 36] File name too long"
    )
    assert found.fix == "rebuild the sdist with a standard build backend: installers cannot unpack it either"


def test_a_path_that_does_not_exist_is_said_not_to(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("")
    assert main(["provenance", "--path", str(tmp_path / "missing")]) == 2
    assert f"{tmp_path / 'missing'} does not exist" in capsys.readouterr().err
    assert main(["provenance", "--path", str(tmp_path / "file")]) == 2
    assert f"{tmp_path / 'file'} is not a directory" in capsys.readouterr().err


# --------------------------------------------------------------------------- JSON text no UTF-8 file can hold


def test_a_provenance_entry_with_a_lone_surrogate_is_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # json reads "\udcff"; record wrote it into sourcelift-origin.json: UnicodeEncodeError, exit 3
    import json

    from .test_hook_origin import Scene

    scene = Scene(tmp_path)
    entries = [dict(entry) for entry in scene.entries]
    entries[0]["subdirectory"] = "\udcff"
    scene.install(entries=entries)
    assert main(["record", "--path", str(scene.site)]) == 1
    err = capsys.readouterr().err
    assert "an entry holds text that is not valid Unicode (a lone surrogate such as \\udcff)" in err
    assert not (scene.dist_info("prebuilt") / "sourcelift-origin.json").exists()
    assert json.loads((scene.dist_info("lib-a") / "sourcelift-origin.json").read_text())["kind"] == "directory-in-git"


def test_a_direct_url_with_a_lone_surrogate_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .test_hook_origin import Scene

    scene = Scene(tmp_path)
    scene.install()
    (scene.dist_info("prebuilt") / "direct_url.json").write_text(
        '{"url": "file:///srv/\\udcff.whl", "archive_info": {}}'
    )
    assert main(["record", "--path", str(scene.site)]) == 1
    assert "prebuilt: direct_url.json holds text that is not valid Unicode" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ('"file:///srv/\\u00e9.whl"', True),  # an escape of a real character
        ('"file:///srv/\\\\u.whl"', True),  # an escaped backslash before a `u`
        ('"file:///srv/\\uDCFF.whl"', False),  # upper-case hex digits
        ('"file:///srv/\\ud83d\\ude00.whl"', True),  # a surrogate pair: one character
        ('"file:///srv/\\ud83d.whl"', False),
    ],
)
def test_escapes_are_judged_and_text_without_escapes_is_valid(text: str, valid: bool) -> None:
    # the surrogate check runs only on JSON text with a `\u` escape (the only way a str gets one)
    from sourcelift.provenance_document import parse_document
    from sourcelift_hook.directurl import parse

    data = f'{{"url": {text}, "archive_info": {{}}}}'.encode()
    assert (parse(data)[0] is not None) is valid
    fields = (
        f'"name": "x", "kind": "archive", "url": {text}, "commit_id": "{"0" * 40}", "path": "x.whl", '
        f'"state": "committed", "filename": "x-1-py3-none-any.whl", "sha256": "{"a" * 64}"'
    )
    entries, problems = parse_document(f'{{"version": "1", "entries": [{{{fields}}}]}}'.encode())
    assert (len(entries), bool(problems)) == ((1, False) if valid else (0, True)), problems


def test_a_local_sources_file_with_a_lone_surrogate_is_an_error(tmp_path: Path) -> None:
    # its values are written into METADATA again, which no lone surrogate survives
    from sourcelift.errors import Findings
    from sourcelift.rewrite.local_sdist import LOCAL_SOURCES_PATH, read_local_sources

    sources = tmp_path / LOCAL_SOURCES_PATH
    sources.parent.mkdir(parents=True)
    sources.write_text('{"version": 1, "origin": "h", "sources": {"lib": [{"key": "k", "url": "https://h/\\udcff"}]}}')
    findings = Findings()
    assert read_local_sources(tmp_path, findings) == {}
    [problem] = findings.problems
    assert "holds text that is not valid Unicode" in problem.message


@pytest.mark.parametrize(
    "table",
    [
        "[project]\nname = 'demo'\nversion = '1.0'\ndependencies = 1979-05-27\n",
        "[build-system]\nrequires = 1.5\n",
        "[project]\nname = 'demo'\nversion = '1.0'\ndependencies = 5\n[build-system]\nrequires = true\n",
    ],
)
def test_an_sdist_requirement_list_of_the_wrong_type_is_no_internal_error(tmp_path: Path, table: str) -> None:
    # SL5's walk over requirements iterated it: TypeError, exit 3 (check of a hostile sdist)
    sdist = make_sdist(tmp_path, project=table)
    assert [f.id for f in check(sdist)] == []


def test_explain_says_build_requires_of_the_wrong_type_is_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # it said "does not list sourcelift"
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = 1.5\nbuild-backend = "sourcelift.build"\n' + PROJECT
    )
    assert main(["explain", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "(`build-system.requires`): is 1.5, not a list of requirement strings" in out
    assert "does not list sourcelift" not in out


def test_a_record_row_whose_path_holds_a_nul_is_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # os.open raised ValueError ("embedded null byte") while provenance checked the files: exit 3
    import json

    from .test_hook_origin import Scene

    scene = Scene(tmp_path)
    scene.install()
    record = scene.dist_info("prebuilt") / "RECORD"
    record.write_text(record.read_text() + "prebuilt/a\x00b.py,sha256=AAAA,1\n")
    assert main(["provenance", "--json", "--path", str(scene.site), "prebuilt"]) == 1
    [dist] = json.loads(capsys.readouterr().out)["distributions"]
    assert dist["checks"]["missing"] == ["prebuilt/a\x00b.py"]
    assert main(["record", "--path", str(scene.site)]) == 0


@pytest.mark.parametrize(
    "url", ["file:///srv/a%00b-0.1.0-py3-none-any.whl", "file:///srv/a\x00b-0.1.0-py3-none-any.whl"]
)
def test_a_file_url_holding_a_nul_names_no_file(tmp_path: Path, url: str) -> None:
    # its path went to os.open: ValueError, exit 3 in provenance, freeze and record
    from .test_hook_origin import Scene

    scene = Scene(tmp_path)
    scene.install(prebuilt={"url": url, "archive_info": {}})
    for command in (["provenance"], ["freeze"], ["record"]):
        assert main([*command, "--path", str(scene.site)]) in (0, 1), command


def test_a_config_given_with_a_project_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # it was ignored: the project's own pyproject.toml decides
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\nversion = '1.0'\n")
    (tmp_path / "other.toml").write_text("[tool.sourcelift.check]\nignore = ['SL1']\n")
    assert main(["check", "--config", str(tmp_path / "other.toml"), str(tmp_path)]) == 2
    assert "--config applies to distribution files" in capsys.readouterr().err
