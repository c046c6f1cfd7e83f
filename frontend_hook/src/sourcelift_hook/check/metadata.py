"""Core metadata (METADATA, PKG-INFO) as an ordered list of fields, read leniently.

The checks need every field as written, in order, with repeated fields kept
and nothing validated yet.  The header lines are sourcelift's one core-metadata
parser (:mod:`sourcelift.core_metadata`, linear in the text); as the email format
the specification describes, a line in the header block that is no header ends
the headers and starts the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from sourcelift.core_metadata import parse_headers

__all__ = ["UNSET", "CoreMetadata", "parse_core_metadata"]

UNSET = "UNKNOWN"
"""What distutils, and setuptools before 62, wrote for a field left unset (``Home-page: UNKNOWN``):
Warehouse drops such a field before it validates, and a wheel built today leaves it out."""

_FOLD = re.compile(r"\r?\n[ \t]+")


@dataclass(frozen=True)
class CoreMetadata:
    fields: tuple[tuple[str, str], ...]
    """(field name as written, raw value with continuation lines as written), in order."""
    body: str

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name`` (case-insensitive), continuation lines joined with a space."""
        lowered = name.lower()
        return [_FOLD.sub(" ", value).strip() for key, value in self.fields if key.lower() == lowered]

    def get(self, name: str) -> str | None:
        values = self.get_all(name)
        return values[0] if values else None

    def raw(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.fields if key.lower() == lowered), None)

    @property
    def dynamic(self) -> set[str]:
        return {value.lower() for value in self.get_all("Dynamic")}

    @property
    def metadata_version(self) -> Version:
        """``Metadata-Version`` as a version; ``0`` when it is missing or not one (SL104 reports that)."""
        try:
            return Version(self.get("Metadata-Version") or "0")
        except InvalidVersion:
            return Version("0")


def parse_core_metadata(text: str) -> CoreMetadata:
    """Parse a METADATA or PKG-INFO text.

    >>> meta = parse_core_metadata("Name: demo\\nRequires-Dist: a\\nRequires-Dist: b\\n\\nHello")
    >>> meta.get("name"), meta.get_all("Requires-Dist"), meta.body
    ('demo', ['a', 'b'], 'Hello')
    """
    headers, rest = parse_headers(text)
    fields: list[tuple[str, str]] = []
    for index, (name, _, raw) in enumerate(headers):
        if not name:  # not a header: the body starts here (no separating empty line)
            return CoreMetadata(tuple(fields), "".join(header[2] for header in headers[index:]) + rest)
        value = raw.partition(":")[2].lstrip(" \t")
        fields.append((name, value[:-2] if value.endswith("\r\n") else value.rstrip("\n")))
    body = rest[2:] if rest.startswith("\r\n") else rest[1:]
    return CoreMetadata(tuple(fields), body)
