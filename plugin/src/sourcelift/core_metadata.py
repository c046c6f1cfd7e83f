"""Core metadata (METADATA, PKG-INFO): the one header parser of both distributions.

The header block runs to the first empty line; a line starting with a space or tab continues
the header before it; a line without a colon in the block is kept (its ``name`` is ``""``) but
names nothing.  Only ``\\n`` ends a line (a form feed or U+2028 in a value is part of it).  One
pass, each line touched once: linear in the text, whatever its shape (the old parsers joined
continuation lines by repeated concatenation, quadratic on a huge header block).  Callers bound
what they read (a wheel's METADATA: 1 MiB for a version, 32 MiB for ``check``; an installed one:
its head).
"""

from __future__ import annotations

__all__ = ["Header", "first_values", "parse_headers", "requires_dist", "values"]


Header = tuple[str, str, str]
"""One header: ``(name, value, raw)``.  ``name`` as written without surrounding blanks (``""`` for a
line without a colon); ``value`` without surrounding blanks, continuation lines joined with ``\\n``
(each stripped); ``raw`` every line of the header as written, with its line endings.  A plain tuple,
not a NamedTuple: ``typing`` is not imported on the command's light paths."""


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def parse_headers(text: str) -> tuple[list[Header], str]:
    """The headers, and the rest of the text from the empty line that ends them (``""`` without one).

    >>> headers, rest = parse_headers("Name: a\\nSummary: one\\n  two\\n\\nBody")
    >>> [(name, value) for name, value, _ in headers], rest
    ([('Name', 'a'), ('Summary', 'one\\ntwo')], '\\nBody')
    """
    lines = _lines(text)
    starts: list[int] = []  # index of each header's first line
    for index, line in enumerate(lines):
        if line in ("\n", "\r\n"):
            lines, rest = lines[:index], "".join(lines[index:])
            break
        if not (line[:1] in (" ", "\t") and starts):
            starts.append(index)
    else:
        rest = ""
    headers: list[Header] = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        name, colon, value = lines[start].partition(":")
        parts = [value.strip()] if colon else [""]
        parts.extend(line.strip() for line in lines[start + 1 : end])
        headers.append((name.strip() if colon else "", "\n".join(parts), "".join(lines[start:end])))
    return headers, rest


def values(text: str, name: str) -> list[str]:
    """Every value of the header ``name`` (case-insensitive), in order."""
    lowered = name.lower()
    return [value for key, value, _ in parse_headers(text)[0] if key.lower() == lowered]


def requires_dist(text: str) -> list[str]:
    """The ``Requires-Dist`` values of a METADATA or PKG-INFO text."""
    return values(text, "Requires-Dist")


def first_values(text: str) -> dict[str, str]:
    """The first value of each header, by lower-cased name.

    >>> first_values("Metadata-Version: 2.1\\nName: a\\nVersion: 1.0\\n\\nbody")["version"]
    '1.0'
    """
    fields: dict[str, str] = {}
    for name, value, _ in parse_headers(text)[0]:
        if name:
            fields.setdefault(name.lower(), value)
    return fields
