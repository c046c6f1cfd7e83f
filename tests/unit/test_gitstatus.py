"""sourcelift.gitstatus: the one parser of ``git status --porcelain=v1 -z`` (provenance, version cache)."""

from __future__ import annotations

from sourcelift.gitstatus import StatusEntry, parse_status
from sourcelift.provenance import _parse_status
from sourcelift.versions._gitstate import _status_paths


def test_renames_copies_and_odd_paths() -> None:
    output = "R  new name.whl\0old name.whl\0 M a\nb.py\0?? tmp/\0 C c2.py\0c1.py\0!! build/\0"
    assert parse_status(output) == [
        StatusEntry("R ", "new name.whl", "old name.whl"),
        StatusEntry(" M", "a\nb.py", None),
        StatusEntry("??", "tmp/", None),
        StatusEntry(" C", "c2.py", "c1.py"),  # a copy in the work-tree column also carries its origin
        StatusEntry("!!", "build/", None),
    ]
    assert parse_status(output.encode()) == parse_status(output)


def test_both_callers_read_the_same_entries() -> None:
    output = "R  new.whl\0old.whl\0A  added.whl\0 M changed.py\0"
    assert _parse_status(output) == {
        "new.whl": "untracked",
        "old.whl": "modified",
        "added.whl": "untracked",
        "changed.py": "modified",
    }
    assert _status_paths(output.encode()) == ["new.whl", "added.whl", "changed.py"]
