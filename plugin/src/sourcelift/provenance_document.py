"""The provenance document: the one model, writer and parser for the build and the ``sourcelift`` command.

A build writes it (see :mod:`sourcelift.provenance`) into a wheel's ``.dist-info`` as
:data:`WHEEL_FILE` and into a local-mode sdist as :data:`SDIST_PATH`; the wheel built from that
sdist and the ``sourcelift`` command read it back with :func:`parse_document`.  Version ``"1"``::

    {"version": "1", "generator": "sourcelift 0.1.0", "entries": [
      {"name": "prebuilt", "kind": "archive", "url": "https://example.com/org/repo.git",
       "commit_id": "<40 hex>", "requested_revision": "main",
       "path": "vendor/prebuilt-0.1.0-py3-none-any.whl", "subdirectory": null,
       "filename": "prebuilt-0.1.0-py3-none-any.whl", "sha256": "<64 hex>",
       "state": "committed", "emitted": ["prebuilt @ file:///.../prebuilt-0.1.0-py3-none-any.whl"]}]}

Nothing in it is trusted blindly.  The policy for what is wrong, the same for every reader:

- a document that is too large, not JSON, not an object, of another version or without a list
  of entries gives no entries and one problem;
- an entry that is wrong (a missing or empty string, a path that is absolute or leaves the
  repository, an unknown ``state`` or ``kind``, a ``commit_id`` that is not 40 hex digits, an
  archive without a 64-hex ``sha256`` and a ``filename``, ``emitted`` that is not a list of
  strings) is skipped and reported; the other entries are used;
- the credentials of every URL (``url`` and the ``emitted`` lines) are removed, and reported
  for ``url``.
"""

from __future__ import annotations

from ._patterns import LazyPattern, is_lower_hex
from .names import canonical_name
from .urls import redact_credentials, requirement_url

TYPE_CHECKING = False  # not `from typing import ...`: the command's light paths never import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "SDIST_PATH",
    "STATES",
    "VERSION",
    "WHEEL_FILE",
    "Entry",
    "is_valid_unicode",
    "parse_document",
    "render_document",
    "unique_entries",
]

VERSION = "1"
WHEEL_FILE = "sourcelift-provenance.json"
"""Name of the document inside the wheel's ``.dist-info`` directory."""
SDIST_PATH = ".sourcelift/provenance.json"
"""Path of the document inside a local-mode sdist, relative to its top directory."""
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
"""The largest document read (bytes)."""
STATES = ("committed", "modified", "untracked")
_DRIVE = LazyPattern(r"^[A-Za-z]:")


_FIELDS = (
    "name",
    "kind",
    "url",
    "commit_id",
    "path",
    "state",
    "requested_revision",
    "subdirectory",
    "filename",
    "sha256",
    "emitted",
)


class Entry:
    """One source of a build: an archive or directory at ``path`` in ``url`` at ``commit_id``.

    A plain class with ``__slots__`` rather than a dataclass: ``sourcelift provenance`` and
    ``freeze`` read it, and importing ``dataclasses`` (it imports ``inspect``) costs them 10 to
    25 ms, measured with ``python -X importtime -c "import dataclasses"`` (Python 3.11).
    """

    __slots__ = _FIELDS

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
        self.kind = kind
        """``archive`` or ``directory``."""
        self.url = url
        self.commit_id = commit_id
        self.path = path
        """Relative to the repository root, posix."""
        self.state = state
        """What git said of ``path``: one of :data:`STATES` (only ``committed`` is described by the commit)."""
        self.requested_revision = requested_revision
        self.subdirectory = subdirectory
        """Where the building project lies in the repository (``None``: at its root)."""
        self.filename = filename
        self.sha256 = sha256
        self.emitted: list[str] = list(emitted or [])
        """The ``Requires-Dist`` lines the build wrote for this source."""

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return f"Entry({self.name!r}, {self.kind!r}, {self.url!r}, {self.commit_id[:12]!r}, {self.path!r})"

    def replace(self, **changes: Any) -> Entry:
        """A copy with ``changes`` applied."""
        return Entry(**{**self.as_json(), **changes})

    @property
    def key(self) -> str:
        return canonical_name(self.name)

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

    def as_json(self) -> dict[str, Any]:
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


def unique_entries(entries: list[Entry]) -> list[Entry]:
    """``entries`` sorted (name, kind, path), each once."""
    unique: list[Entry] = []
    seen: set[tuple[Any, ...]] = set()
    for entry in sorted(entries, key=lambda e: (e.name, e.kind, e.path)):
        # the values __eq__ compares, hashable (a workspace member has one entry per source: linear, not quadratic)
        values = (getattr(entry, name) for name in _FIELDS)
        identity = tuple(tuple(value) if isinstance(value, list) else value for value in values)
        if identity not in seen:
            seen.add(identity)
            unique.append(entry)
    return unique


def render_document(entries: list[Entry], generator: str) -> bytes:
    """The document's bytes: entries sorted and unique, keys sorted (deterministic)."""
    document = {"version": VERSION, "generator": generator, "entries": [e.as_json() for e in unique_entries(entries)]}
    return (_json_text(document, "") + "\n").encode("utf-8")


def _json_text(value: object, indent: str) -> str:
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` for strings, lists, dicts and
    ``None``, without importing :mod:`json` (and compiling its regular expressions) in every build."""
    from _json import encode_basestring  # the C function json.dumps(ensure_ascii=False) uses

    return _text(value, indent, encode_basestring)


def _text(value: object, indent: str, quote: Callable[[str], str]) -> str:
    """:func:`_json_text`, given the function that quotes a string (imported once, not once a value)."""
    if isinstance(value, str):
        return str(quote(value))
    if value is None:
        return "null"
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ",\n".join(f"{inner}{quote(k)}: {_text(v, inner, quote)}" for k, v in sorted(value.items()))
        return f"{{\n{items}\n{indent}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _text(v, inner, quote) for v in value) + f"\n{indent}]"
    raise TypeError(f"not in a provenance document: {value!r}")


def parse_document(data: bytes, where: str = WHEEL_FILE) -> tuple[list[Entry], list[str]]:
    """The valid entries of a document, and what was wrong with it (see the module docstring for the policy).

    >>> parse_document(b'{"version": "1", "entries": [{"name": "x"}]}')
    ([], ['sourcelift-provenance.json: an entry has no string `kind`'])
    """
    import json

    if len(data) > MAX_DOCUMENT_BYTES:
        return [], [f"{where} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB"]
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return [], [f"{where} is not valid JSON"]
    if not isinstance(document, dict):
        return [], [f"{where} is not a JSON object"]
    if document.get("version") != VERSION:
        return [], [f"{where} has version {document.get('version')!r}; this sourcelift reads version {VERSION!r}"]
    items = document.get("entries")
    if not isinstance(items, list):
        return [], [f"{where} has no list of entries"]
    entries: list[Entry] = []
    problems: list[str] = []
    escapes = b"\\u" in data  # a lone surrogate reaches a str from UTF-8 JSON text only by a `\\u` escape
    for item in items:
        entry, problem = _entry(item, escapes)
        if entry is not None:
            entries.append(entry)
        if problem is not None:
            problems.append(f"{where}: {problem}")
    return entries, problems


def is_valid_unicode(value: object) -> bool:
    """Whether every string of a JSON value can be written as UTF-8.

    JSON text may hold a lone surrogate (``"\\udcff"``), which ``json`` reads and no UTF-8 file can hold:
    written again, it is an internal error.

    >>> is_valid_unicode({"url": "file:///x.whl"}), is_valid_unicode({"url": "file:///\\udcff.whl"})
    (True, False)
    """
    import json

    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    except RecursionError:
        return True  # how deep a value may nest is judged where it is used
    return True


def _entry(item: object, escapes: bool = True) -> tuple[Entry | None, str | None]:
    """An entry from its JSON object, or ``(None, why not)``; ``escapes``: whether its JSON text held a ``\\u``
    escape (without one, no string in it can be a lone surrogate)."""
    if not isinstance(item, dict):
        return None, "an entry is not a JSON object"
    if escapes and not is_valid_unicode(item):
        return None, "an entry holds text that is not valid Unicode (a lone surrogate such as \\udcff)"
    for key in ("name", "kind", "url", "commit_id", "path", "state"):
        if not isinstance(item.get(key), str) or not item[key]:
            return None, f"an entry has no string `{key}`"
    name = item["name"]
    for key in ("requested_revision", "subdirectory", "filename", "sha256"):
        if item.get(key) is not None and not isinstance(item[key], str):
            return None, f"`{key}` of entry {name!r} is not a string"
    emitted = item.get("emitted", [])
    if not isinstance(emitted, list) or not all(isinstance(line, str) for line in emitted):
        return None, f"`emitted` of entry {name!r} is not a list of strings"
    path = item["path"]
    if path.startswith("/") or "\\" in path or ".." in path.split("/") or _DRIVE.match(path):
        return None, f"path {path!r} of entry {name!r} is not relative to the repository"
    if item["state"] not in STATES:
        return None, f"state {item['state']!r} of entry {name!r} is not one of {', '.join(STATES)}"
    if not is_lower_hex(item["commit_id"], 40):
        return None, f"commit_id of entry {name!r} is not a full commit id"
    sha256 = item.get("sha256")
    if item["kind"] == "archive":
        if not isinstance(sha256, str) or not is_lower_hex(sha256, 64) or not item.get("filename"):
            return None, f"archive entry {name!r} has no sha256 and file name"
    elif item["kind"] != "directory":
        return None, f"kind {item['kind']!r} of entry {name!r} is neither archive nor directory"
    url, had_credentials = redact_credentials(item["url"])
    entry = Entry(
        name=name,
        kind=item["kind"],
        url=url,
        commit_id=item["commit_id"],
        path=path,
        state=item["state"],
        requested_revision=item.get("requested_revision"),
        subdirectory=item.get("subdirectory"),
        filename=item.get("filename"),
        sha256=sha256 if item["kind"] == "archive" else None,
        emitted=[redact_credentials(line)[0] for line in emitted],
    )
    return entry, (f"the repository URL of entry {name!r} carried credentials (removed)" if had_credentials else None)
