"""Core metadata (METADATA, PKG-INFO) as an ordered list of fields, read leniently.

The checks need every field as written, in order, with repeated fields kept
and nothing validated yet: the email parser of the standard library in its
``compat32`` policy, which is what the core metadata specification describes.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from dataclasses import dataclass

__all__ = ["CoreMetadata", "parse_core_metadata"]

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


def parse_core_metadata(text: str) -> CoreMetadata:
    """Parse a METADATA or PKG-INFO text.

    >>> meta = parse_core_metadata("Name: demo\\nRequires-Dist: a\\nRequires-Dist: b\\n\\nHello")
    >>> meta.get("name"), meta.get_all("Requires-Dist"), meta.body
    ('demo', ['a', 'b'], 'Hello')
    """
    message = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text)
    fields = tuple((str(key), str(value)) for key, value in message.items())
    payload = message.get_payload()
    return CoreMetadata(fields, payload if isinstance(payload, str) else "")
