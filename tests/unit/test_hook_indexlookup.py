"""Finding an index install's wheel as pip would: pip's configuration, PEP 691 JSON and PEP 503 pages, no secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sourcelift_hook.indexlookup import IndexConfig, _files, _parse_config_list, find_index_files, pip_index_config

TOKEN = "s3cr3t-t0ken"


def test_pip_config_precedence_environment_over_command_over_global() -> None:
    listed = "\n".join(
        [
            "global.index-url='https://global.example/simple'",
            "global.extra-index-url='https://a.example/simple https://b.example/simple'",
            "install.index-url='https://install.example/simple'",
            ":env:.index-url='https://env.example/simple'",
            ":env:.find-links='/opt/wheels'",
        ]
    )
    values = _parse_config_list(listed)
    assert values["index-url"] == "https://env.example/simple"
    assert values["extra-index-url"] == "https://a.example/simple https://b.example/simple"
    assert values["find-links"] == "/opt/wheels"


def test_pip_index_config_is_read_through_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple/")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "https://extra.example/simple/")
    monkeypatch.delenv("PIP_NO_INDEX", raising=False)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, check=False).returncode:
        pytest.skip("no pip for this interpreter")
    config = pip_index_config()
    assert config.indexes == ["https://mirror.example/simple/", "https://extra.example/simple/"]
    assert config.source == "pip config list"
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    assert pip_index_config().indexes == []


def test_json_and_html_project_pages() -> None:
    page = {
        "meta": {"api-version": "1.1"},
        "files": [
            {
                "filename": "x-1.0-py3-none-any.whl",
                "url": "../../files/x-1.0-py3-none-any.whl",
                "hashes": {"sha256": "AB"},
                "size": 3,
            },
            {"filename": "x-1.0.tar.gz", "url": "https://files.example/x-1.0.tar.gz", "hashes": {}},
        ],
    }
    found = _files(json.dumps(page).encode(), "application/vnd.pypi.simple.v1+json", "https://i.example/simple/x/")
    assert found[0] == ("x-1.0-py3-none-any.whl", "https://i.example/files/x-1.0-py3-none-any.whl", {"sha256": "ab"}, 3)
    html = b'<a href="/f/x-1.0-py3-none-any.whl#sha256=CD" data-requires-python="&gt;=3.9">x-1.0-py3-none-any.whl</a>'
    [(name, url, hashes, size)] = _files(html, "text/html", "https://i.example/simple/x/")
    assert (name, url, hashes, size) == (
        "x-1.0-py3-none-any.whl",
        "https://i.example/f/x-1.0-py3-none-any.whl#sha256=CD",
        {"sha256": "cd"},
        None,
    )


def test_credentials_of_an_index_are_never_in_what_is_returned(tmp_path: Path) -> None:
    index = f"file://user:{TOKEN}@localhost{tmp_path.as_posix()}/simple/"
    page = tmp_path / "simple" / "x" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<a href="x-1.0-py3-none-any.whl#sha256={"a" * 64}">x-1.0-py3-none-any.whl</a>')
    found, notes = find_index_files([("x", "1.0", frozenset({"py3-none-any"}))], IndexConfig([index]))
    [wheel] = found["x", "1.0"]
    assert TOKEN not in repr(wheel.url) + wheel.index and wheel.sha256 == "a" * 64 and notes == []
    unreachable = f"http://user:{TOKEN}@127.0.0.1:9/simple/"
    found, notes = find_index_files([("x", "1.0", frozenset())], IndexConfig([unreachable]))
    assert found == {} and len(notes) == 1 and TOKEN not in notes[0] and "127.0.0.1:9" in notes[0]


def _page(root: Path, name: str, files: dict[str, str]) -> str:
    """A PEP 503 project page under ``root/simple`` listing ``files`` (file name -> sha256); the index URL."""
    page = root / "simple" / name / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("".join(f'<a href="{f}#sha256={h}">{f}</a>\n' for f, h in files.items()))
    return f"{root.as_uri()}/simple/"


def test_an_sdist_is_found_only_where_no_index_has_a_wheel_of_the_installed_tags(tmp_path: Path) -> None:
    tags = frozenset({"cp311-cp311-linux_x86_64"})
    sdist_only = _page(
        tmp_path / "a",
        "x",
        {
            "x-1.0.tar.gz": "a" * 64,
            "x-0.9.tar.gz": "b" * 64,  # another version
            "x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl": "c" * 64,  # not the tags pip built
            "y-1.0.tar.gz": "d" * 64,  # another project
        },
    )
    found, notes = find_index_files([("x", "1.0", tags)], IndexConfig([sdist_only]))
    [sdist] = found["x", "1.0"]
    assert sdist.is_sdist and sdist.filename == "x-1.0.tar.gz" and sdist.sha256 == "a" * 64 and notes == []
    assert sdist.url == f"{sdist_only}x/x-1.0.tar.gz" and sdist.index == sdist_only
    # a later index with a wheel of the installed tags wins over an earlier one's sdist
    with_wheel = _page(tmp_path / "b", "x", {"x-1.0-cp311-cp311-linux_x86_64.whl": "e" * 64})
    found, _ = find_index_files([("x", "1.0", tags)], IndexConfig([sdist_only, with_wheel]))
    [wheel] = found["x", "1.0"]
    assert not wheel.is_sdist and wheel.sha256 == "e" * 64 and wheel.index == with_wheel
    # an sdist without a sha256 on the page is no answer
    unhashed = tmp_path / "c" / "simple" / "x" / "index.html"
    unhashed.parent.mkdir(parents=True)
    unhashed.write_text('<a href="x-1.0.tar.gz">x-1.0.tar.gz</a>')
    found, _ = find_index_files([("x", "1.0", tags)], IndexConfig([f"{(tmp_path / 'c').as_uri()}/simple/"]))
    assert found == {}
