"""sourcelift.record_file: one RECORD implementation; rows it does not change stay byte for byte."""

from __future__ import annotations

import csv
import io

import pytest

from sourcelift.record_file import parse_rows, parse_strict, record_hash, update_rows

OWN = "a-1.dist-info/RECORD"


def test_unchanged_rows_stay_byte_exact_whatever_their_bytes() -> None:
    odd = [
        b"a/caf\xe9.py,sha256=AAA,3\r\n",  # latin-1, not UTF-8
        "a/line\u2028sep.py,sha256=BBB,4\r\n".encode(),  # U+2028: a line break for str.splitlines
        b"a/form\x0cfeed.py,sha256=CCC,5\r\n",
        b'"a/comma,name.py",sha256=DDD,6\r\n',
    ]
    record = b"".join(odd) + b"a-1.dist-info/direct_url.json,sha256=old,1\r\n" + OWN.encode() + b",,\r\n"
    new = update_rows(record, {"a-1.dist-info/direct_url.json": b"{}"}, OWN)
    lines = new.splitlines(keepends=True)
    assert lines[:4] == odd
    assert lines[4] == f"a-1.dist-info/direct_url.json,{record_hash(b'{}')},2\r\n".encode()
    assert lines[5] == OWN.encode() + b",,\r\n" and len(lines) == 6


def test_new_rows_go_before_records_own_row_and_duplicates_are_dropped() -> None:
    record = b"a/x.py,sha256=X,1\na-1.dist-info/o.json,sha256=1,1\na-1.dist-info/./o.json,sha256=2,1\n" + OWN.encode()
    new = update_rows(record, {"a-1.dist-info/o.json": b"o", "a-1.dist-info/n.json": b"nn"}, OWN)
    assert new.decode().splitlines() == [
        "a/x.py,sha256=X,1",
        f"a-1.dist-info/o.json,{record_hash(b'o')},1",
        f"a-1.dist-info/n.json,{record_hash(b'nn')},2",
        f"{OWN}",
    ]


def test_a_record_without_its_own_row_or_final_newline_gets_rows_at_the_end() -> None:
    new = update_rows(b"a/x.py,sha256=X,1", {"a-1.dist-info/n.json": b""}, OWN)
    assert new == f"a/x.py,sha256=X,1\na-1.dist-info/n.json,{record_hash(b'')},0\n".encode()
    assert update_rows(b"", {"a b,c.json": b""}, OWN) == f'"a b,c.json",{record_hash(b"")},0\n'.encode()


def test_the_tolerant_parser_and_the_strict_one() -> None:
    text = 'a/x.py,sha256=X,1\n\n"a/q""uote.py",sha256=Q,2\na/unquoted,comma.py,sha256=C,3\n'
    assert parse_rows(text) == [
        ("a/x.py", "sha256=X", "1"),
        ('a/q"uote.py', "sha256=Q", "2"),
        ("a/unquoted,comma.py", "sha256=C", "3"),
    ]
    assert parse_rows(b"a/caf\xe9.py,,\n")[0][0] == "a/caf\udce9.py"
    assert parse_strict(text)[2] == ["a/unquoted", "comma.py", "sha256=C", "3"]
    with pytest.raises(csv.Error):
        csv.field_size_limit(10)
        try:
            parse_strict("x" * 20 + ",,\n")
        finally:
            csv.field_size_limit(131072)


def test_hash_matches_the_csv_writer_form() -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["a b,c.json", record_hash(b""), "0"])
    assert update_rows(b"", {"a b,c.json": b""}, OWN).decode() == out.getvalue()
