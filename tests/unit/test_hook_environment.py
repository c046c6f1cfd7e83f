"""Reading installed distributions: live directories, tarballs (plain and gzip), pre-loaded metadata."""

from __future__ import annotations

import io
import sys
import sysconfig
import tarfile
from pathlib import Path

import pytest

from sourcelift_hook import environment
from sourcelift_hook.environment import Environment, MemoryTree, TarTree, canonical_name, from_mapping
from sourcelift_hook.errors import UsageError
from sourcelift_hook.report import check_files

from .hook_builders import install_dist, metadata, record_hash


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    install_dist(root, "Foo_Bar", "1.0", requires=("x @ https://h/x-1.whl", "y>=1"))
    install_dist(root, "prebuilt", "0.1.0", direct_url={"url": "file:///s/p.whl", "archive_info": {}})
    (root / "legacy-2.0.egg-info").mkdir()
    (root / "legacy-2.0.egg-info" / "PKG-INFO").write_bytes(metadata("legacy", "2.0"))
    (root / "not_a_dist").mkdir()
    return root


def summary(env: Environment) -> list[tuple[str, str, str, tuple[str, ...], bool]]:
    return [(d.key, d.name, d.version, tuple(d.url_requirements), d.legacy) for d in env.dists]


def test_directory_reader(site: Path) -> None:
    env = environment.from_paths([str(site)])
    assert summary(env) == [
        ("foo-bar", "Foo_Bar", "1.0", ("x @ https://h/x-1.whl",), False),
        ("legacy", "legacy", "2.0", (), True),
        ("prebuilt", "prebuilt", "0.1.0", (), False),
    ]
    foo = env.dists[0]
    assert "RECORD" in foo.files and foo.installer == "pip"
    assert check_files(foo) == (4, [], [], [])


def test_metadata_is_read_only_up_to_the_first_blank_line(tmp_path: Path) -> None:
    text = b"Metadata-Version: 2.1\nName: long\nVersion: 3\nRequires-Dist: a @ https://x/a.whl\n\n" + b"x" * 100_000
    text += b"\nName: fake\n"
    env = from_mapping({"site": {"long-3.dist-info/METADATA": text}})
    assert summary(env) == [("long", "long", "3", ("a @ https://x/a.whl",), False)]


def test_header_continuation_and_crlf() -> None:
    text = b"Name: demo\r\nVersion: 1\r\nRequires-Dist: b @\r\n  https://x/b.whl\r\n\r\nbody"
    env = from_mapping({"site": {"demo-1.dist-info/METADATA": text}})
    assert env.dists[0].url_requirements == ["b @ https://x/b.whl"]


def test_missing_metadata_falls_back_to_the_directory_name() -> None:
    env = from_mapping({"site": {"odd_name-4.2.dist-info/RECORD": b""}})
    assert summary(env) == [("odd-name", "odd_name", "4.2", (), False)]


def test_modified_and_missing_files_are_found(site: Path) -> None:
    (site / "foo_bar" / "__init__.py").write_text("changed")
    (site / "prebuilt" / "__init__.py").unlink()
    env = environment.from_paths([str(site)])
    foo, _, pre = env.dists
    assert check_files(foo)[1] == ["foo_bar/__init__.py"]
    assert check_files(pre)[2] == ["prebuilt/__init__.py"]


def test_hexadecimal_record_hashes_of_unchanged_files_match(site: Path) -> None:
    """Found on run-llama/workflows-py (`uv_build>=0.7.20,<0.8.0`): uv_build before 0.8.13 writes RECORD hashes
    in hexadecimal (astral-sh/uv#15398) and pip copies them into the installed RECORD; the files are unchanged."""
    import hashlib

    record = site / "foo_bar-1.0.dist-info" / "RECORD"
    rows = []
    for line in record.read_text().splitlines():
        path, digest, size = line.rsplit(",", 2)
        if digest:
            digest = "sha256=" + hashlib.sha256((site / path).read_bytes()).hexdigest()
        rows.append(f"{path},{digest},{size}")
    record.write_text("\n".join(rows) + "\n")
    foo = environment.from_paths([str(site)]).dists[0]
    assert check_files(foo) == (4, [], [], [])
    (site / "foo_bar" / "__init__.py").write_text("changed")
    assert check_files(environment.from_paths([str(site)]).dists[0])[1] == ["foo_bar/__init__.py"]


def make_tar(source: Path, target: Path, mode: str, prefix: str) -> Path:
    with tarfile.open(target, mode) as archive:
        archive.add(source, arcname=prefix, recursive=True)
        # entries a layer may hold: a whiteout, an escaping name, a symlink to a listed file
        for name, data in ((".wh.gone", b""), ("../../escape/x.dist-info/METADATA", metadata("escape", "9"))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


@pytest.mark.parametrize("mode", ["w", "w:gz"])
def test_tar_reader_gives_the_live_answer(site: Path, tmp_path: Path, mode: str) -> None:
    layer = make_tar(site.parents[2], tmp_path / f"layer.{mode}.tar", mode, "./opt/venv")
    env = environment.from_tar(str(layer))
    assert env.tree.roots() == ["opt/venv/lib/python3.11/site-packages"]
    assert summary(env) == summary(environment.from_paths([str(site)]))
    assert check_files(env.dists[0]) == (4, [], [], [])
    assert not env.writable


def test_tar_reader_finds_a_changed_file(site: Path, tmp_path: Path) -> None:
    (site / "foo_bar" / "__init__.py").write_text("changed after install")
    env = environment.from_tar(str(make_tar(site.parents[2], tmp_path / "l.tar", "w", "venv")))
    assert check_files(env.dists[0])[1] == ["foo_bar/__init__.py"]


def test_tar_reader_stores_only_metadata_heads(site: Path, tmp_path: Path) -> None:
    tree = TarTree(str(make_tar(site.parents[2], tmp_path / "l.tar", "w", "venv")), hash_files=False)
    root = tree.roots()[0]
    assert tree.read(root, "foo_bar-1.0.dist-info/METADATA", 10_000).endswith(b"Requires-Dist: y>=1")  # type: ignore[union-attr]
    assert tree.read(root, "foo_bar/__init__.py") is None  # not metadata: not kept
    assert tree.digest(root, "foo_bar/__init__.py") is None  # and not hashed


def test_tar_errors_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "not.tar").write_bytes(b"plain text, not a tarball" * 40)
    with pytest.raises(UsageError, match="cannot read"):
        environment.from_tar(str(tmp_path / "not.tar"))
    empty = tmp_path / "empty.tar"
    with tarfile.open(empty, "w"):
        pass
    with pytest.raises(UsageError, match="no site-packages"):
        environment.from_tar(str(empty))
    with pytest.raises(UsageError, match="not a file"):
        environment.from_tar(str(tmp_path / "missing.tar"))


def test_path_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nope does not exist"):
        environment.from_paths([str(tmp_path / "nope")])


def test_memory_tree_reads_and_hashes() -> None:
    tree = MemoryTree({"root": {"a-1.dist-info/RECORD": b"a/x.py,sha256=abc,1\n", "a/x.py": b"x"}})
    assert tree.dist_infos("root") == ["a-1.dist-info"]
    assert tree.listdir("root", "a-1.dist-info") == frozenset({"RECORD"})
    assert tree.digest("root", "a/x.py") == (record_hash(b"x"), 1)


def test_install_paths_as_pip_computes_them(tmp_path: Path) -> None:
    here = sysconfig.get_paths()
    assert environment.install_paths(None)[0] == here["purelib"]
    assert environment.install_paths(sys.executable) == environment.install_paths(None)
    prefixed = environment.install_paths(sys.executable, prefix=str(tmp_path / "p"))
    assert all(p.startswith(str(tmp_path / "p")) for p in prefixed)
    rooted = environment.install_paths(None, root=str(tmp_path / "r"))
    assert rooted[0] == str(tmp_path / "r") + here["purelib"]


def test_a_broken_interpreter_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot run"):
        environment.install_paths(str(tmp_path / "no-python"))


def test_canonical_name() -> None:
    assert canonical_name("Foo.Bar__baz") == "foo-bar-baz"
