"""Rewriting built artifacts: METADATA/PKG-INFO text, wheel RECORD, sdist members."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from sourcelift.artifacts.filenames import InvalidArchiveName, parse_archive_name
from sourcelift.artifacts.metadata import requires_dist, rewrite_core_metadata
from sourcelift.artifacts.sdist import rewrite_sdist
from sourcelift.artifacts.store import Store
from sourcelift.artifacts.wheel import rewrite_wheel
from sourcelift.errors import ConfigError
from tests.support.wheels import make_wheel, record_hash

METADATA = (
    "Metadata-Version: 2.1\nName: app\nVersion: 1.0\nLicense: line one\n        line two\n"
    'Requires-Dist: lib>=1\nRequires-Dist: other\nRequires-Dist: lib; extra == "x"\n\nThe description.\n'
)


def to_file(value: str) -> list[str] | None:
    return ["lib @ file:///s/lib-1.0-py3-none-any.whl"] if value.startswith("lib") else None


def test_only_requires_dist_lines_change() -> None:
    new = rewrite_core_metadata(METADATA, to_file)
    assert new is not None
    assert requires_dist(new) == [
        "lib @ file:///s/lib-1.0-py3-none-any.whl",
        "other",
        "lib @ file:///s/lib-1.0-py3-none-any.whl",
    ]
    assert new.replace("lib @ file:///s/lib-1.0-py3-none-any.whl", "X") == METADATA.replace("lib>=1", "X").replace(
        'lib; extra == "x"', "X"
    ).replace("Requires-Dist: X\n", "Requires-Dist: X\n")


def test_dynamic_requires_dist_raises_metadata_version_to_2_2() -> None:
    new = rewrite_core_metadata(METADATA, lambda v: None, mark_dynamic=True)
    assert new is not None and new.startswith("Metadata-Version: 2.2\n")
    assert "Dynamic: Requires-Dist\n" in new and new.endswith("\n\nThe description.\n")
    assert rewrite_core_metadata(new, lambda v: None, mark_dynamic=True) is None  # idempotent


def test_nothing_to_change_returns_none() -> None:
    assert rewrite_core_metadata(METADATA, lambda v: None) is None


@pytest.mark.parametrize(
    ("name", "canonical", "version"),
    [
        ("Foo_Bar-1.0-py3-none-any.whl", "foo-bar", "1.0"),
        ("foo_bar-2.0rc1.tar.gz", "foo-bar", "2.0rc1"),
        ("x-1.zip", "x", "1"),
    ],
)
def test_archive_names(name: str, canonical: str, version: str) -> None:
    parsed = parse_archive_name(name)
    assert (parsed.canonical, parsed.version) == (canonical, version)


@pytest.mark.parametrize("name", ["x.egg", "x-1.0.tar.bz2", "x.whl", "nover.tar.gz"])
def test_bad_archive_names(name: str) -> None:
    with pytest.raises(InvalidArchiveName):
        parse_archive_name(name)


def make_app_wheel(path: Path) -> None:
    make_wheel(path.parent, "app", "1.0", filename=path.name, meta=METADATA, files={"app/__init__.py": b"x = 1\n"})


def test_wheel_metadata_and_record_stay_consistent(tmp_path: Path) -> None:
    wheel = tmp_path / "app-1.0-py3-none-any.whl"
    make_app_wheel(wheel)
    assert rewrite_wheel(wheel, to_file)
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        rows = {row[0]: row for row in csv.reader(io.StringIO(archive.read("app-1.0.dist-info/RECORD").decode()))}
        for name in names:
            if name.endswith("RECORD"):
                continue
            data = archive.read(name)
            assert rows[name][1:] == [record_hash(data), str(len(data))], name
        assert "lib @ file:///s/" in archive.read("app-1.0.dist-info/METADATA").decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == [wheel.name]  # no temporary left behind


def test_failed_rewrite_leaves_the_wheel_untouched(tmp_path: Path) -> None:
    wheel = tmp_path / "app-1.0-py3-none-any.whl"
    make_app_wheel(wheel)
    before = wheel.read_bytes()

    def boom(value: str) -> list[str] | None:
        raise ConfigError("bad input")

    with pytest.raises(ConfigError):
        rewrite_wheel(wheel, boom)
    assert wheel.read_bytes() == before and len(list(tmp_path.iterdir())) == 1


def test_sdist_pkg_info_rewritten_and_files_added(tmp_path: Path) -> None:
    sdist = tmp_path / "app-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        for name, data in {
            "app-1.0/PKG-INFO": METADATA.encode(),
            "app-1.0/pyproject.toml": b"",
            "app-1.0/src/app.egg-info/PKG-INFO": METADATA.encode(),
        }.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1234
            archive.addfile(info, io.BytesIO(data))
    extra = tmp_path / "lib-1.0-py3-none-any.whl"
    extra.write_bytes(b"wheel")
    rewrite_sdist(
        sdist,
        to_file,
        mark_dynamic=True,
        add={"vendor/lib-1.0-py3-none-any.whl": extra, ".sourcelift/local.json": b"{}", "pyproject.toml": b"no"},
    )
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        assert names.count("app-1.0/pyproject.toml") == 1  # present files are not duplicated
        for pkg_info in ("app-1.0/PKG-INFO", "app-1.0/src/app.egg-info/PKG-INFO"):
            text = archive.extractfile(pkg_info).read().decode()  # type: ignore[union-attr]
            assert "Dynamic: Requires-Dist" in text and "lib @ file:///s/" in text
        assert archive.extractfile("app-1.0/vendor/lib-1.0-py3-none-any.whl").read() == b"wheel"  # type: ignore[union-attr]
        assert json.loads(archive.extractfile("app-1.0/.sourcelift/local.json").read()) == {}  # type: ignore[union-attr]
        assert archive.getmember("app-1.0/.sourcelift/local.json").mtime == 1234


def test_store_is_content_addressed_and_checks_hashes(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    source = tmp_path / "x-1.0-py3-none-any.whl"
    source.write_bytes(b"abc")
    sha = hashlib.sha256(b"abc").hexdigest()
    target = store.ensure(source, sha, source.name)
    assert target == tmp_path / "s" / "sha256" / sha / source.name and target.read_bytes() == b"abc"
    with pytest.raises(ConfigError, match="differs from the expected"):
        store.add_stream(io.BytesIO(b"tampered"), "0" * 64, source.name)
    assert not (tmp_path / "s" / "sha256" / ("0" * 64) / source.name).exists()


def test_store_location_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(tmp_path / "elsewhere"))
    assert Store().root == tmp_path / "elsewhere"
    monkeypatch.delenv("SOURCELIFT_STORE_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Store().root == tmp_path / "xdg" / "sourcelift" / "store"


@pytest.mark.parametrize(
    ("sha", "name"),
    [
        ("a" * 64, "../../escape.whl"),
        ("a" * 64, "sub/x.whl"),
        ("a" * 64, ".."),
        ("../" * 3, "x.whl"),
        ("A" * 64, "x.whl"),
    ],
)
def test_store_paths_never_leave_the_store(tmp_path: Path, sha: str, name: str) -> None:
    with pytest.raises(ConfigError, match="refusing to store"):
        Store(tmp_path).path_for(sha, name)
