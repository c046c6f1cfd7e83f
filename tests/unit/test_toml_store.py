"""The parses of a workspace's pyproject.toml files, kept between builds (``sourcelift.readers._toml``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sourcelift.readers import _toml

MEMBER = b'[project]\nname = "m"\nversion = "1.0"\ndependencies = ["a>=1", "b; python_version < \'3.12\'"]\n'


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh process's state: nothing parsed yet, the store enabled under ``tmp_path / "cache"``."""
    monkeypatch.setattr(_toml, "_PARSED", {})
    monkeypatch.setattr(_toml, "_STORE", None)
    monkeypatch.setattr(_toml, "_STORE_DIRECTORY", None)
    cache = tmp_path / "cache"
    _toml.enable_store(lambda: cache)
    yield cache


def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_toml, "_PARSED", {})
    monkeypatch.setattr(_toml, "_STORE", None)


def refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(raw: bytes) -> dict[str, object]:
        raise AssertionError(f"parsed again: {raw[:30]!r}")

    monkeypatch.setattr(_toml, "_parse", parse)


def test_a_later_build_reads_the_parse_back_instead_of_parsing(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml.attach_store(tmp_path / "ws")
    first = _toml.parse_shared(MEMBER)
    _toml.save_store()
    files = list(store_dir.glob("toml/v1/*.json"))
    assert len(files) == 1

    new_process(monkeypatch)
    refuse_parsing(monkeypatch)
    _toml.attach_store(tmp_path / "ws")
    assert _toml.parse_shared(MEMBER) == first
    assert list(first) == list(_toml.parse_shared(MEMBER))  # the same order of keys too


def test_a_changed_file_is_a_new_key_never_a_stale_answer(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml.attach_store(tmp_path / "ws")
    _toml.parse_shared(MEMBER)
    _toml.save_store()
    new_process(monkeypatch)
    _toml.attach_store(tmp_path / "ws")
    changed = MEMBER.replace(b'"1.0"', b'"2.0"')
    assert _toml.parse_shared(changed)["project"]["version"] == "2.0"


def test_dates_are_never_kept_and_errors_are_raised_as_before(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml.attach_store(tmp_path / "ws")
    dated = b"[tool.x]\nwhen = 1979-05-27T07:32:00Z\n"
    assert str(_toml.parse_shared(dated)["tool"]["x"]["when"]) == "1979-05-27 07:32:00+00:00"
    _toml.save_store()
    assert not list(store_dir.glob("toml/v1/*.json"))  # nothing JSON holds exactly: nothing written
    with pytest.raises(_toml.TomlError, match="not valid TOML"):
        _toml.parse_shared(b"[project\n")


def test_a_damaged_store_is_ignored_and_replaced(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml.attach_store(tmp_path / "ws")
    _toml.parse_shared(MEMBER)
    _toml.save_store()
    (path,) = store_dir.glob("toml/v1/*.json")
    for damage in (b"{not json", b'{"format": 99, "entries": {}}', b'{"format": 1, "entries": {"x": [1]}}', b"[]"):
        path.write_bytes(damage)
        new_process(monkeypatch)
        _toml.attach_store(tmp_path / "ws")
        assert _toml.parse_shared(MEMBER)["project"]["name"] == "m"
        _toml.save_store()
        assert json.loads(path.read_bytes())["format"] == 1


def test_the_store_keeps_what_its_last_build_used_and_as_many_others(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml.attach_store(tmp_path / "ws")
    for index in range(100):
        _toml.parse_shared(b'[project]\nname = "m%d"\n' % index)
    _toml.save_store()
    new_process(monkeypatch)
    _toml.attach_store(tmp_path / "ws")
    for index in range(5):
        _toml.parse_shared(b'[project]\nname = "n%d"\n' % index)
    _toml.save_store()
    (path,) = store_dir.glob("toml/v1/*.json")
    assert len(json.loads(path.read_bytes())["entries"]) == 2 * 5 + 16


def test_without_enable_store_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_toml, "_PARSED", {})
    monkeypatch.setattr(_toml, "_STORE", None)
    monkeypatch.setattr(_toml, "_STORE_DIRECTORY", None)
    _toml.attach_store(tmp_path / "ws")
    _toml.parse_shared(MEMBER)
    _toml.save_store()
    assert _toml._STORE is None


def test_a_build_in_a_workspace_keeps_its_members_parses_unless_the_cache_is_bypassed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcelift.backends import wrapper

    monkeypatch.setattr(_toml, "_PARSED", {})
    monkeypatch.setattr(_toml, "_STORE", None)
    monkeypatch.setattr(_toml, "_STORE_DIRECTORY", None)
    root = tmp_path / "ws"
    (root / "packages" / "lib").mkdir(parents=True)
    (root / "packages" / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    (root / "packages" / "lib" / "pyproject.toml").write_text('[project]\nname = "lib"\nversion = "1.0"\n')
    (root / "packages" / "app" / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n'
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["lib>=1"]\n'
        "[tool.uv.sources]\nlib = { workspace = true }\n"
    )
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("SOURCELIFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(root / "packages" / "app")
    monkeypatch.setenv("SOURCELIFT_NO_CACHE", "1")
    lines = wrapper._plan().declared_lines(_toml.Findings())
    assert not (tmp_path / "cache").exists()

    monkeypatch.delenv("SOURCELIFT_NO_CACHE")
    from sourcelift.readers import workspace

    monkeypatch.setattr(_toml, "_PARSED", {})  # a new build process: nothing parsed, no workspace found yet
    monkeypatch.setattr(workspace, "_FOUND", {})
    wrapper._pyproject.cache_clear()
    wrapper._config.cache_clear()
    assert wrapper._plan().declared_lines(_toml.Findings()) == lines
    (path,) = (tmp_path / "cache").glob("toml/v1/*.json")
    stored = json.loads(path.read_bytes())["entries"].values()
    assert {"project": {"name": "lib", "version": "1.0"}} in stored


def test_a_workspace_root_keeps_its_own_parse_beside_its_members(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcelift.errors import Findings
    from sourcelift.readers import workspace

    root = tmp_path / "ws"
    (root / "packages" / "lib").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n[tool.uv.sources]\nlib = { workspace = true }\n'
    )
    (root / "packages" / "lib" / "pyproject.toml").write_text('[project]\nname = "lib"\nversion = "1.0"\n')
    monkeypatch.setattr(workspace, "_FOUND", {})
    found = workspace.find_workspace(root / "packages" / "lib")
    assert found is not None
    members = found.members(Findings())
    _toml.save_store()

    new_process(monkeypatch)  # a later build: the root's file and the member's are read back, not parsed
    monkeypatch.setattr(workspace, "_FOUND", {})
    refuse_parsing(monkeypatch)
    again = workspace.find_workspace(root / "packages" / "lib")
    assert again is not None and again.data == found.data and again.sources_table == {"lib": {"workspace": True}}
    assert again.members(Findings()) == members


def test_a_directory_that_is_no_workspace_root_keeps_no_store(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcelift.readers import workspace

    project = tmp_path / "outer" / "app"
    project.mkdir(parents=True)
    (tmp_path / "outer" / "pyproject.toml").write_text('[tool.x]\nnote = "no workspace here"\n')
    (project / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1.0"\n')
    monkeypatch.setattr(workspace, "_FOUND", {})
    assert workspace.find_workspace(project) is None
    _toml.save_store()
    assert not list(store_dir.glob("toml/v1/*.json"))


def test_a_long_workspace_root_is_read_in_the_plain_subset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sourcelift._compat import tomllib
    from sourcelift.readers import workspace

    monkeypatch.setattr(_toml, "_PARSED", {})
    monkeypatch.setattr(workspace, "_FOUND", {})
    sources = "".join(f"member-{index:03d} = {{ workspace = true }}\n" for index in range(200))
    root = tmp_path / "ws"
    (root / "packages" / "member-000").mkdir(parents=True)
    workspace_table = '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
    (root / "pyproject.toml").write_text(f"{workspace_table}[tool.uv.sources]\n{sources}")
    (root / "packages" / "member-000" / "pyproject.toml").write_text('[project]\nname = "member-000"\nversion = "1"\n')
    assert len((root / "pyproject.toml").read_bytes()) >= workspace.LONG_ROOT_BYTES

    def refuse(text: str) -> object:
        raise AssertionError("read by tomllib")

    monkeypatch.setattr(tomllib, "loads", refuse)
    found = workspace.find_workspace(root / "packages" / "member-000")
    assert found is not None and len(found.sources_table) == 200
