"""sourcelift.core_metadata: the one header parser (rewrite, version discovery, environment, check)."""

from __future__ import annotations

from sourcelift.artifacts.metadata import rewrite_core_metadata
from sourcelift.core_metadata import first_values, parse_headers, requires_dist
from sourcelift_hook.check.metadata import parse_core_metadata


def test_headers_continuations_and_the_rest() -> None:
    text = "Name: a\r\nSummary: one\r\n  two\r\nno colon here\r\nRequires-Dist: b\r\n\r\nBody\u2028more\n"
    headers, rest = parse_headers(text)
    assert [(name, value) for name, value, _ in headers] == [
        ("Name", "a"),
        ("Summary", "one\ntwo"),
        ("", ""),
        ("Requires-Dist", "b"),
    ]
    assert "".join(raw for _, _, raw in headers) + rest == text  # nothing lost
    assert rest == "\r\nBody\u2028more\n"
    assert requires_dist(text) == ["b"]


def test_a_form_feed_or_line_separator_in_a_value_does_not_end_the_line() -> None:
    text = "Name: a\nSummary: x\u2028Requires-Dist: evil\x0cy\nRequires-Dist: b\n"
    assert requires_dist(text) == ["b"]
    assert first_values(text)["summary"] == "x\u2028Requires-Dist: evil\x0cy"


def test_a_huge_header_block_without_an_empty_line_is_read_in_one_pass() -> None:
    text = "Name: a\nDescription: start\n" + "       more\n" * 200_000
    (name, description), rest = parse_headers(text)
    assert rest == "" and name[1] == "a" and description[1].count("\n") == 200_000


def test_the_rewrite_keeps_every_other_byte() -> None:
    text = "Metadata-Version: 2.1\r\nName: a\r\nRequires-Dist: b\r\nSummary: s\r\n   s2\r\n\r\nbody\r\n"
    new = rewrite_core_metadata(text, lambda v: ["b @ file:///w/b.whl"] if v == "b" else None)
    assert new == text.replace("Requires-Dist: b\r\n", "Requires-Dist: b @ file:///w/b.whl\r\n")


def test_check_sees_fields_as_written_and_a_non_header_line_starts_the_body() -> None:
    meta = parse_core_metadata("Name: demo\nSummary: a\n  b\nRequires-Dist: x\nnot a header\nHello\n")
    assert meta.fields == (("Name", "demo"), ("Summary", "a\n  b"), ("Requires-Dist", "x"))
    assert meta.get("summary") == "a b" and meta.body == "not a header\nHello\n"
