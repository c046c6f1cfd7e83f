"""``git status --porcelain=v1 -z``, parsed once for every caller (provenance, the version cache).

Each entry is ``XY PATH``; for a rename or copy (``R`` or ``C`` in either column) the next
NUL-separated field is the path it came from.  Paths are as git wrote them (``-z``: no quoting).
"""

from __future__ import annotations

import os

from ._dataclasses import slotted_dataclass

__all__ = ["StatusEntry", "parse_status"]


@slotted_dataclass
class StatusEntry:  # a record, not a NamedTuple: typing.NamedTuple compiles a class when a build imports it
    code: str
    """The two status letters ``XY`` (``??`` untracked, ``!!`` ignored)."""
    path: str
    """A path ending in ``/`` stands for a whole untracked or ignored directory."""
    source: str | None
    """Where a renamed or copied path came from."""


def parse_status(output: bytes | str) -> list[StatusEntry]:
    """The entries of ``git status --porcelain=v1 -z`` output.

    >>> parse_status("R  new.txt\\0old.txt\\0?? tmp/\\0")
    [StatusEntry(code='R ', path='new.txt', source='old.txt'), StatusEntry(code='??', path='tmp/', source=None)]
    """
    text = os.fsdecode(output) if isinstance(output, bytes) else output
    entries: list[StatusEntry] = []
    fields = iter(text.split("\0"))
    for field in fields:
        if len(field) < 4:
            continue
        code, path = field[:2], field[3:]
        source = next(fields, None) if ("R" in code or "C" in code) else None
        entries.append(StatusEntry(code, path, source))
    return entries
