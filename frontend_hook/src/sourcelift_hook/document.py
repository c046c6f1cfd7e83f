"""The provenance document of an installed distribution, read with the plugin's one parser.

The model, the format and the policy for bad entries are :mod:`sourcelift.provenance_document`
(shared with the build); here, only reading the file out of an installed ``.dist-info``.
"""

from __future__ import annotations

from sourcelift.provenance_document import Entry, parse_document

from .environment import PROVENANCE_FILE, Dist
from .finding import hook_error

__all__ = ["Entry", "read_document"]


def read_document(dist: Dist) -> tuple[list[Entry], list[str]]:
    """The entries of ``dist``'s provenance document, and what was wrong with it (if anything)."""
    try:
        data = dist.read(PROVENANCE_FILE)
    except hook_error() as exc:  # oversized or unreadable: reported, never fatal
        return [], [exc.message]
    if data is None:
        return [], []
    return parse_document(data, PROVENANCE_FILE)
