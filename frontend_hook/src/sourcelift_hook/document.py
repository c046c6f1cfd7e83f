"""The provenance document a sourcelift build writes into a wheel, read back and checked.

``<name>-<version>.dist-info/sourcelift-provenance.json`` (version ``"1"``)::

    {"version": "1", "generator": "sourcelift 0.1.0", "entries": [
      {"name": "prebuilt", "kind": "archive", "url": "https://example.com/org/repo.git",
       "commit_id": "<40 hex>", "requested_revision": "main",
       "path": "vendor/prebuilt-0.1.0-py3-none-any.whl", "subdirectory": null,
       "filename": "prebuilt-0.1.0-py3-none-any.whl", "sha256": "<64 hex>",
       "state": "committed", "emitted": ["prebuilt @ file:///.../prebuilt-0.1.0-py3-none-any.whl"]}]}

Nothing in it is trusted blindly: a malformed entry is skipped and reported, a URL with
credentials is cleaned, a path that escapes the repository is refused.
"""

from __future__ import annotations

import json
import re

from .environment import PROVENANCE_FILE, Dist, canonical_name
from .errors import HookError
from .urls import redact_credentials, requirement_url

__all__ = ["DOCUMENT_VERSION", "Entry", "read_document"]

DOCUMENT_VERSION = "1"
STATES = ("committed", "modified", "untracked")
_HEX40 = re.compile(r"[0-9a-f]{40}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class Entry:
    """One source of a build: an archive or directory at ``path`` in ``url`` at ``commit_id``."""

    __slots__ = (
        "commit_id",
        "emitted",
        "filename",
        "key",
        "kind",
        "name",
        "path",
        "requested_revision",
        "sha256",
        "state",
        "subdirectory",
        "url",
    )

    def __init__(
        self,
        *,
        name: str,
        kind: str,
        url: str,
        commit_id: str,
        path: str,
        state: str,
        requested_revision: str | None = None,
        subdirectory: str | None = None,
        filename: str | None = None,
        sha256: str | None = None,
        emitted: list[str] | None = None,
    ) -> None:
        self.name = name
        self.key = canonical_name(name)
        self.kind = kind
        self.url = url
        self.commit_id = commit_id
        self.path = path
        self.state = state
        self.requested_revision = requested_revision
        self.subdirectory = subdirectory
        self.filename = filename
        self.sha256 = sha256
        self.emitted = list(emitted or [])

    def __repr__(self) -> str:
        return f"Entry({self.name!r}, {self.kind!r}, {self.url!r}, {self.commit_id[:12]!r}, {self.path!r})"

    @property
    def committed(self) -> bool:
        return self.state == "committed"

    def emitted_urls(self) -> list[str]:
        """The URLs of the ``Requires-Dist`` lines the build wrote for this source."""
        urls = []
        for line in self.emitted:
            found = requirement_url(line)
            if found is not None and canonical_name(found[0]) == self.key:
                urls.append(found[1])
        return urls

    def as_json(self) -> dict[str, object]:
        return {
            "commit_id": self.commit_id,
            "emitted": list(self.emitted),
            "filename": self.filename,
            "kind": self.kind,
            "name": self.name,
            "path": self.path,
            "requested_revision": self.requested_revision,
            "sha256": self.sha256,
            "state": self.state,
            "subdirectory": self.subdirectory,
            "url": self.url,
        }

    @classmethod
    def from_json(cls, item: object) -> tuple[Entry | None, str | None]:
        """An entry from its JSON object, or ``(None, why not)``."""
        if not isinstance(item, dict):
            return None, "an entry is not a JSON object"
        for key in ("name", "kind", "url", "commit_id", "path", "state"):
            if not isinstance(item.get(key), str) or not item[key]:
                return None, f"an entry has no string `{key}`"
        for key in ("requested_revision", "subdirectory", "filename", "sha256"):
            if item.get(key) is not None and not isinstance(item[key], str):
                return None, f"`{key}` of entry {item['name']!r} is not a string"
        emitted = item.get("emitted", [])
        if isinstance(emitted, str):
            emitted = [emitted]
        if not isinstance(emitted, list) or not all(isinstance(line, str) for line in emitted):
            return None, f"`emitted` of entry {item['name']!r} is not a list of strings"
        path = item["path"]
        parts = path.split("/")
        if path.startswith("/") or "\\" in path or ".." in parts or re.match(r"^[A-Za-z]:", path):
            return None, f"path {path!r} of entry {item['name']!r} is not relative to the repository"
        if item["state"] not in STATES:
            return None, f"state {item['state']!r} of entry {item['name']!r} is not one of {', '.join(STATES)}"
        if not _HEX40.fullmatch(item["commit_id"]):
            return None, f"commit_id of entry {item['name']!r} is not a full commit id"
        sha256 = item.get("sha256")
        if item["kind"] == "archive":
            if not isinstance(sha256, str) or not _HEX64.fullmatch(sha256):
                return None, f"archive entry {item['name']!r} has no sha256"
        elif item["kind"] != "directory":
            return None, f"kind {item['kind']!r} of entry {item['name']!r} is neither archive nor directory"
        url, had_credentials = redact_credentials(item["url"])
        entry = cls(
            name=item["name"],
            kind=item["kind"],
            url=url,
            commit_id=item["commit_id"],
            path=path,
            state=item["state"],
            requested_revision=item.get("requested_revision"),
            subdirectory=item.get("subdirectory"),
            filename=item.get("filename"),
            sha256=sha256 if item["kind"] == "archive" else None,
            emitted=[redact_credentials(line)[0] if "@" in line else line for line in emitted],
        )
        return entry, ("its repository URL carried credentials (removed)" if had_credentials else None)


def read_document(dist: Dist) -> tuple[list[Entry], list[str]]:
    """The entries of ``dist``'s provenance document, and what was wrong with it (if anything)."""
    try:
        data = dist.read(PROVENANCE_FILE)
    except HookError as exc:  # oversized or unreadable: reported, never fatal
        return [], [exc.message]
    if data is None:
        return [], []
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return [], [f"{PROVENANCE_FILE} is not valid JSON"]
    if not isinstance(document, dict):
        return [], [f"{PROVENANCE_FILE} is not a JSON object"]
    if document.get("version") != DOCUMENT_VERSION:
        return [], [f"{PROVENANCE_FILE} has version {document.get('version')!r}; this sourcelift reads version 1"]
    items = document.get("entries")
    if not isinstance(items, list):
        return [], [f"{PROVENANCE_FILE} has no list of entries"]
    entries: list[Entry] = []
    problems: list[str] = []
    for item in items:
        entry, problem = Entry.from_json(item)
        if entry is not None:
            entries.append(entry)
        if problem is not None:
            problems.append(f"{PROVENANCE_FILE}: {problem}")
    return entries, problems
