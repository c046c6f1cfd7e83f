"""A reader of the plain subset of TOML most pyproject.toml files are written in, or ``None``.

A build in a workspace reads every member's pyproject.toml, and ``tomllib`` (pure Python, character by
character) takes some 60 us for a file of ten lines: a 200-member workspace pays 12 ms for them.  Most
such files hold only ``[table]`` headers and ``key = value`` lines whose values are one-line strings
without escapes, booleans, decimal integers and arrays of such strings.  :func:`parse_simple` reads exactly
that subset, a line at a time, and gives ``None`` for anything else (an inline table, a dotted or quoted
key, an escape, a float, a date, a multi-line string, a key or table given twice...): then ``tomllib``
reads the file, and reports what is wrong with it.  On the subset it reads, the result is what
``tomllib.loads`` gives (``tests/unit/test_readers.py`` holds it to that).
"""

from __future__ import annotations

import re
from typing import Any

from .._patterns import LazyPattern

__all__ = ["parse_simple"]

# TOML forbids control characters but tab outside strings and comments too: such a text is tomllib's.
_CONTROL = LazyPattern(r"[\x00-\x08\x0b-\x1f\x7f]")
_BASIC = r'"[^"\\\x00-\x08\x0a-\x1f\x7f]*"'
_LITERAL = r"'[^'\x00-\x08\x0a-\x1f\x7f]*'"
_COMMENT = r"\#[^\n]*"
_SEP = rf"(?:[ \t\n]|{_COMMENT})*"
_ITEM = rf"(?:{_BASIC}|{_LITERAL})"
# One line of the subset (an array of strings may span lines), from its start through its line end.
_LINE = LazyPattern(
    rf"""[ \t]*(?:
        \[(?P<header>[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\]
      | (?P<key>[A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:
            "(?P<basic>[^"\\\x00-\x08\x0a-\x1f\x7f]*)"
          | '(?P<literal>[^'\x00-\x08\x0a-\x1f\x7f]*)'
          | (?P<boolean>true|false)
          | (?P<integer>[+-]?(?:0|[1-9](?:_?[0-9])*))
          | \[(?P<array>{_SEP}(?:{_ITEM}{_SEP}(?:,{_SEP}{_ITEM}{_SEP})*(?:,{_SEP})?)?)\]
        )
    )?[ \t]*(?:{_COMMENT})?(?:\n|\Z)""",
    re.VERBOSE,
)
_ARRAY_ITEM = LazyPattern(rf"\"([^\"\\\x00-\x08\x0a-\x1f\x7f]*)\"|'([^'\x00-\x08\x0a-\x1f\x7f]*)'|{_COMMENT}")


def parse_simple(text: str) -> dict[str, Any] | None:
    """``tomllib.loads(text)`` for a text in the plain subset (see the module), else ``None``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    if _CONTROL.search(text):
        return None
    line = _LINE.compiled.match
    root: dict[str, Any] = {}
    table = root
    defined: set[str] = set()
    position = 0
    end = len(text)
    while position < end:
        found = line(text, position)
        if found is None:
            return None
        position = found.end()
        header, key, basic, literal, boolean, integer, array = found.groups()
        if header is not None:
            if header in defined:
                return None  # a table given twice (tomllib's error)
            defined.add(header)
            table = root
            for part in header.split("."):
                child = table.get(part)
                if child is None:
                    child = table[part] = {}
                elif not isinstance(child, dict):
                    return None  # a key's value, not a table
                table = child
            continue
        if key is None:
            continue  # a blank line, or a comment
        if key in table:
            return None  # a key given twice, or a table's name (tomllib's error)
        value: Any
        if basic is not None:
            value = basic
        elif literal is not None:
            value = literal
        elif boolean is not None:
            value = boolean == "true"
        elif integer is not None:
            value = int(integer.replace("_", ""))
        else:
            value = [
                item.group(1) if item.group(1) is not None else item.group(2)
                for item in _ARRAY_ITEM.finditer(array)
                if item.group(1) is not None or item.group(2) is not None  # not a comment
            ]
        table[key] = value
    return root
