"""Editing core metadata (METADATA, PKG-INFO) without disturbing anything else.

Only ``Requires-Dist`` lines are replaced, ``Dynamic: Requires-Dist`` added when
asked, and ``Metadata-Version`` raised to 2.2 where ``Dynamic`` needs it; every
other byte stays as the backend wrote it.
"""

from __future__ import annotations

from typing import Callable, Optional

from packaging.version import InvalidVersion, Version

from ..core_metadata import parse_headers, requires_dist

__all__ = ["add_requires_dist", "requires_dist", "rewrite_core_metadata"]

Transform = Callable[[str], Optional["list[str]"]]


def rewrite_core_metadata(text: str, transform: Transform, *, mark_dynamic: bool = False) -> str | None:
    """Replace each ``Requires-Dist`` value for which ``transform`` returns new values.

    Returns the new text, or ``None`` when nothing changed.

    >>> new = rewrite_core_metadata("Metadata-Version: 2.1\\nName: a\\nRequires-Dist: b\\n",
    ...     lambda v: ["b @ file:///w/b.whl"] if v == "b" else None)
    >>> new.splitlines()[-1]
    'Requires-Dist: b @ file:///w/b.whl'
    """
    headers, body = parse_headers(text)
    newline = "\r\n" if headers and headers[0][2].split("\n", 1)[0].endswith("\r") else "\n"
    out: list[str] = []
    changed = False
    has_dynamic = False
    last_dynamic = -1
    for name, value, raw in headers:
        lowered = name.lower()
        if lowered == "requires-dist":
            replacement = transform(value)
            if replacement is not None and replacement != [value]:
                out.extend(f"Requires-Dist: {item}{newline}" for item in replacement)
                changed = True
                continue
        elif lowered == "dynamic":
            last_dynamic = len(out)
            if value.lower() == "requires-dist":
                has_dynamic = True
        out.append(raw)
    if mark_dynamic and not has_dynamic:
        position = last_dynamic + 1 if last_dynamic >= 0 else len(out)
        out.insert(position, f"Dynamic: Requires-Dist{newline}")
        out = _raise_metadata_version(out, newline)
        changed = True
    if not changed:
        return None
    if out and not out[-1].endswith("\n"):
        out[-1] += newline
    return "".join(out) + body


def _raise_metadata_version(lines: list[str], newline: str) -> list[str]:
    for index, line in enumerate(lines):
        name, _, value = line.partition(":")
        if name.strip().lower() == "metadata-version":
            try:
                if Version(value.strip()) < Version("2.2"):
                    lines[index] = f"Metadata-Version: 2.2{newline}"
            except InvalidVersion:
                pass
            break
    return lines


def add_requires_dist(text: str, values: list[str]) -> str:
    """``text`` with a ``Requires-Dist`` header for each of ``values`` after its last header.

    >>> add_requires_dist("Metadata-Version: 2.1\\nName: a\\n\\nbody\\n", ["b>=1"]).splitlines()
    ['Metadata-Version: 2.1', 'Name: a', 'Requires-Dist: b>=1', '', 'body']
    """
    headers, body = parse_headers(text)
    block = "".join(raw for _, _, raw in headers)
    newline = "\r\n" if "\r\n" in block else "\n"
    if block and not block.endswith("\n"):
        block += newline
    return block + "".join(f"Requires-Dist: {value}{newline}" for value in values) + body
