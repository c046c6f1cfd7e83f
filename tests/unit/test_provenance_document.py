"""The one provenance-document parser (build and command): its policy for bad input, and names."""

from __future__ import annotations

import json

import pytest
from packaging.utils import canonicalize_name

from sourcelift.names import canonical_name
from sourcelift.provenance_document import Entry, parse_document, render_document

GOOD = {
    "name": "Pre_Built",
    "kind": "archive",
    "url": "https://example.com/o/r.git",
    "commit_id": "a" * 40,
    "path": "vendor/pre_built-1-py3-none-any.whl",
    "state": "committed",
    "filename": "pre_built-1-py3-none-any.whl",
    "sha256": "b" * 64,
    "emitted": ["pre-built @ file:///s/pre_built-1-py3-none-any.whl"],
}


def document(*entries: object, version: object = "1") -> bytes:
    return json.dumps({"version": version, "generator": "t", "entries": list(entries)}).encode()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"emitted": "pre-built @ file:///x"}, "`emitted` of entry 'Pre_Built' is not a list of strings"),
        ({"path": "../../etc"}, "path '../../etc' of entry 'Pre_Built' is not relative to the repository"),
        ({"path": "C:/x"}, "is not relative to the repository"),
        ({"state": "clean"}, "state 'clean' of entry"),
        ({"commit_id": "abc"}, "is not a full commit id"),
        ({"filename": None}, "has no sha256 and file name"),
        ({"kind": "git"}, "is neither archive nor directory"),
        ({"url": ""}, "an entry has no string `url`"),
    ],
)
def test_a_bad_entry_is_skipped_and_reported_the_others_kept(change: dict[str, object], problem: str) -> None:
    other = {**GOOD, "name": "other"}
    entries, problems = parse_document(document({**GOOD, **change}, other))
    assert [e.name for e in entries] == ["other"]
    assert len(problems) == 1 and problem in problems[0]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"{", "is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "is not valid JSON"),
        (b"[]", "is not a JSON object"),
        (document(GOOD, version="2"), "has version '2'"),
        (b'{"version": "1"}', "has no list of entries"),
    ],
)
def test_a_bad_document_gives_no_entries_and_one_problem(data: bytes, problem: str) -> None:
    entries, problems = parse_document(data)
    assert entries == [] and len(problems) == 1 and problem in problems[0]


def test_credentials_are_removed_from_url_and_emitted_lines() -> None:
    dirty = {
        **GOOD,
        "url": "https://u:p@ss@example.com/o/r.git?private_token=S",
        "emitted": ["pre-built @ https://tok@h/x.whl?token=S"],
    }
    (entry,), problems = parse_document(document(dirty))
    assert entry.url == "https://example.com/o/r.git" and entry.emitted == ["pre-built @ https://h/x.whl"]
    assert problems == [
        "sourcelift-provenance.json: the repository URL of entry 'Pre_Built' carried credentials (removed)"
    ]


def test_render_and_parse_round_trip() -> None:
    (entry,), _ = parse_document(document(GOOD))
    assert entry.key == "pre-built" and entry.emitted_urls() == ["file:///s/pre_built-1-py3-none-any.whl"]
    again, problems = parse_document(render_document([entry, entry], "sourcelift test"))
    assert again == [entry] and problems == []
    assert isinstance(again[0], Entry)


@pytest.mark.parametrize("name", ["Foo_Bar..baz", "a.-_b", "A", "x---y", "Django", "zope.interface"])
def test_canonical_name_is_packagings(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name)
