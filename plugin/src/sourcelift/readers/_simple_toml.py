"""A reader of the plain subset of TOML most pyproject.toml files are written in, or ``None``.

A build in a workspace reads every member's pyproject.toml, and ``tomllib`` (pure Python, character by
character) takes some 60 us for a file of ten lines: a 200-member workspace pays 12 ms for them.  Most
such files hold only ``[table]`` headers and ``key = value`` lines whose values are one-line strings
without escapes, booleans, decimal integers, arrays of such strings, and inline tables of such scalars
(a workspace root's ``x = { workspace = true }``, one per member).  :func:`parse_simple` reads exactly
that subset, a line at a time, and gives ``None`` for anything else (a dotted or quoted key, an escape,
a float, a date, a multi-line string, a nested inline table, a key or table given twice, a header that
extends an inline table...): then ``tomllib`` reads the file, and reports what is wrong with it.  On the
subset it reads, the result is what ``tomllib.loads`` gives (``tests/unit/test_readers.py`` holds it to
that).
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
_INTEGER = r"[+-]?(?:0|[1-9](?:_?[0-9])*)"
_PAIR = rf"[A-Za-z0-9_-]+[ \t]*=[ \t]*(?:{_BASIC}|{_LITERAL}|true|false|{_INTEGER})"
# One line of the subset (an array of strings may span lines), from its start through its line end.
_LINE = LazyPattern(
    rf"""[ \t]*(?:
        \[(?P<header>[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\]
      | (?P<key>[A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:
            "(?P<basic>[^"\\\x00-\x08\x0a-\x1f\x7f]*)"
          | '(?P<literal>[^'\x00-\x08\x0a-\x1f\x7f]*)'
          | (?P<boolean>true|false)
          | (?P<integer>{_INTEGER})
          | \[(?P<array>{_SEP}(?:{_ITEM}{_SEP}(?:,{_SEP}{_ITEM}{_SEP})*(?:,{_SEP})?)?)\]
          | \{{(?P<inline>[ \t]*(?:{_PAIR}(?:[ \t]*,[ \t]*{_PAIR})*[ \t]*)?)\}}
        )
    )?[ \t]*(?:{_COMMENT})?(?:\n|\Z)""",
    re.VERBOSE,
)
# Each string of an array the line's pattern matched, with its quotes, or a comment: ``findall`` gives ""
# for the group not matched (and for both at a comment), and a string with its quotes is never empty.
_ARRAY_ITEM = LazyPattern(rf"({_BASIC})|({_LITERAL})|{_COMMENT}")
# One ``key = value`` of an inline table the line's pattern matched: the pairs follow each other, separated
# by commas and blanks only, and each value is read whole, so a search from the start finds each in turn.
_INLINE_PAIR = LazyPattern(
    rf"""([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:
        "([^"\\\x00-\x08\x0a-\x1f\x7f]*)"
      | '([^'\x00-\x08\x0a-\x1f\x7f]*)'
      | (true|false)
      | ({_INTEGER})
    )""",
    re.VERBOSE,
)


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
    inline: set[int] = set()  # the ids of inline tables, which no header may extend (tomllib's error)
    position = 0
    end = len(text)
    while position < end:
        found = line(text, position)
        if found is None:
            return None
        position = found.end()
        header, key, basic, literal, boolean, integer, array, pairs = found.groups()
        if header is not None:
            if header in defined:
                return None  # a table given twice (tomllib's error)
            defined.add(header)
            table = root
            for part in header.split("."):
                child = table.get(part)
                if child is None:
                    child = table[part] = {}
                elif not isinstance(child, dict) or id(child) in inline:
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
        elif pairs is not None:
            value = _inline_table(pairs)
            if value is None:
                return None
            inline.add(id(value))
        else:
            value = [
                (quoted or literal_quoted)[1:-1]
                for quoted, literal_quoted in _ARRAY_ITEM.compiled.findall(array)
                if quoted or literal_quoted  # not a comment
            ]
        table[key] = value
    return root


def _inline_table(pairs: str) -> dict[str, Any] | None:
    """The inline table whose ``key = value`` pairs the line's pattern matched, or ``None`` for a key
    given twice (tomllib's error)."""
    table: dict[str, Any] = {}
    for pair in _INLINE_PAIR.finditer(pairs):
        key, basic, literal, boolean, integer = pair.groups()
        if key in table:
            return None
        if basic is not None:
            table[key] = basic
        elif literal is not None:
            table[key] = literal
        elif boolean is not None:
            table[key] = boolean == "true"
        else:
            table[key] = int(integer.replace("_", ""))
    return table
