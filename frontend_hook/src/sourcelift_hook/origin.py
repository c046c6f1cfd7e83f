"""Where each installed distribution came from: matching installs to provenance entries.

A provenance entry (in another installed distribution's ``sourcelift-provenance.json``)
describes an installed distribution when, and only when:

- **archives, by sha256**: the installer recorded the archive's hash (``archive_info.hashes``),
  or the ``file://`` URL it installed from still exists and hashes (bounded read) to the entry's
  ``sha256``; the names must agree too, but a name alone never matches;
- **archives recorded as inside a repository** (uv's ``path``, PR 1798's ``file``): the record's
  commit and path equal the entry's, *and* the entry's archive (the store copy its ``emitted``
  line names) still hashes to the entry's sha256 and holds exactly the installed files
  (its RECORD rows equal the installed ones);
- **directories**: the installed ``dir_info`` URL equals the URL of the entry's ``emitted`` line
  (or a VCS record names the same commit and subdirectory), and the names agree.

An entry whose state is ``modified`` or ``untracked`` is never claimed: the commit does not
describe that file.  Such a match is kept as *flagged* and reported.

What ``sourcelift record`` wrote is recognized by ``sourcelift-origin.json``: matching always
starts from the installer's original ``direct_url.json`` kept there, so re-running ``record``,
or switching ``--style``, gives the same answer.
"""

from __future__ import annotations

import json
import os

from sourcelift.record_file import parse_rows
from sourcelift.urls import without_fragment

from .directurl import archive_sha256, direct_url_kind, file_path, in_repository_path, is_editable, parse
from .document import Entry, read_document
from .environment import (
    JOURNAL_FILE,
    MAX_HASHED_FILE,
    ORIGIN_FILE,
    PROVENANCE_FILE,
    Dist,
    Environment,
    fd_sha256,
    file_sha256,
    open_fd,
    read_fd,
)
from .finding import Finding, hook_error
from .wheelzip import plain_record

__all__ = ["ORIGIN_VERSION", "Origin", "archive_contents", "resolve", "source_of", "wheel_matches"]

ORIGIN_VERSION = "1"
MAX_WHEEL_RECORD = 16 * 1024 * 1024
MAX_WHEEL_IN_MEMORY = 16 * 1024 * 1024
"""A wheel compared with the installed files is read once (hashed, then opened as a zip) up to this size."""


class Origin:
    """What is known of one installed distribution's origin."""

    __slots__ = (
        "_pending_journal",
        "archive_sha256",
        "current",
        "current_bytes",
        "dist",
        "entry",
        "flagged",
        "kind",
        "match",
        "original",
        "owner",
        "problems",
        "recorded",
        "repository_url",
        "verified",
    )

    def __init__(self, dist: Dist) -> None:
        self.dist = dist
        self.current: dict[str, object] | None = None
        self.current_bytes: bytes | None = None
        self.original: dict[str, object] | None = None
        self.recorded: dict[str, object] | None = None
        self.kind = "index"
        self.entry: Entry | None = None
        self.owner: Dist | None = None
        self.match: str | None = None
        self.archive_sha256: str | None = None
        self.repository_url: str | None = None
        self.verified: str | None = None
        self.flagged: list[tuple[Entry, Dist]] = []
        self.problems: list[Finding] = []
        self._pending_journal: bool | None = None

    def __repr__(self) -> str:
        return f"Origin({self.dist.name!r}, {self.kind!r}, match={self.match!r})"

    @property
    def pending_journal(self) -> bool:
        """Whether an interrupted ``sourcelift record`` left its journal (looked up on first use).

        A journal RECORD lists came with the wheel (:attr:`shipped_journal`): ``record`` never completes it.
        """
        if self._pending_journal is None:
            self._pending_journal = self.dist.has(JOURNAL_FILE) and not self.shipped_journal
        return self._pending_journal

    @property
    def shipped_journal(self) -> bool:
        """Whether the installed wheel itself holds a ``sourcelift-journal.json`` (its RECORD lists one)."""
        if not self.dist.has(JOURNAL_FILE):
            return False
        wanted = f"{self.dist.dist_info}/{JOURNAL_FILE}"
        return any(row[0] == wanted for row in self.dist.record_rows() or [])

    @property
    def in_git(self) -> bool:
        return self.entry is not None

    def problem(self, message: str, fix: str = "") -> None:
        self.problems.append(Finding(self.dist.name, message, fix))


def _sha256_hex(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _load_current(origin: Origin) -> None:
    dist = origin.dist
    if dist.legacy or dist.absent("direct_url.json"):
        return
    try:
        data = dist.read("direct_url.json")
    except hook_error() as exc:
        origin.problem(exc.message, exc.fix)
        return
    if data is None:
        return
    direct_url, problem = parse(data)
    if direct_url is None:
        origin.problem(f"{problem}; it is left as it is", "reinstall the distribution")
        return
    origin.current = direct_url
    origin.current_bytes = data
    origin.original = direct_url
    try:
        saved = dist.read(ORIGIN_FILE)
    except hook_error() as exc:
        origin.problem(exc.message, exc.fix)
        return
    if saved is None:
        return
    try:
        recorded = json.loads(saved.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        origin.problem(f"{ORIGIN_FILE} is not valid JSON; it is ignored", "run `sourcelift record` to rewrite it")
        return
    if not isinstance(recorded, dict) or recorded.get("version") != ORIGIN_VERSION:
        origin.problem(f"{ORIGIN_FILE} is not of version {ORIGIN_VERSION}; it is ignored")
        return
    if recorded.get("direct_url_sha256") != _sha256_hex(data):
        # direct_url.json changed since sourcelift wrote it: what is there now is the installer's
        origin.problem(
            f"direct_url.json changed after `sourcelift record` wrote it; {ORIGIN_FILE} no longer describes it",
            "run `sourcelift record` again",
        )
        return
    original = recorded.get("original_direct_url")
    if original is not None:
        checked, _ = parse(json.dumps(original).encode("utf-8")) if isinstance(original, dict) else (None, None)
        if checked is None:
            origin.problem(f"{ORIGIN_FILE} keeps no valid original direct_url.json; it is ignored")
            return
        origin.original = checked
    origin.recorded = recorded


class _EntryIndex:
    """Every provenance entry of the environment, by the keys installs are matched on (sha256, URL, commit+path)."""

    def __init__(self) -> None:
        self.by_sha256: dict[str, list[tuple[Entry, Dist]]] = {}
        self.by_emitted_url: dict[tuple[str, str], list[tuple[Entry, Dist]]] = {}
        self.by_commit_path: dict[tuple[str, str, str, str], list[tuple[Entry, Dist]]] = {}

    def add(self, entry: Entry, owner: Dist) -> None:
        pair = (entry, owner)
        if entry.kind == "archive" and entry.sha256:
            self.by_sha256.setdefault(entry.sha256, []).append(pair)
        else:
            for url in entry.emitted_urls():
                self.by_emitted_url.setdefault((entry.key, _dir_url(url)), []).append(pair)
        self.by_commit_path.setdefault((entry.key, entry.kind, entry.commit_id, entry.path), []).append(pair)


def _dir_url(url: str) -> str:
    return without_fragment(url).rstrip("/")


def _best(
    candidates: list[tuple[Entry, Dist]], dist: Dist
) -> tuple[list[tuple[Entry, Dist]], list[tuple[Entry, Dist]]]:
    """Candidates (other than ``dist``'s own, same name), split into committed and flagged, in a fixed order."""
    usable = [(e, o) for e, o in candidates if o is not dist and e.key == dist.key]
    usable.sort(key=lambda pair: (pair[1].key, pair[0].url, pair[0].commit_id, pair[0].path))
    return [p for p in usable if p[0].committed], [p for p in usable if not p[0].committed]


def archive_contents(dist: Dist, entry: Entry) -> str:
    """Does the entry's archive (its store copy) hold exactly what is installed?

    ``"match"``: the archive exists, hashes to the entry's sha256, and every file row of its
    RECORD (outside ``.dist-info`` and ``.data``) is installed with the same hash;
    ``"differ"``: it exists but does not; ``"unavailable"``: no readable wheel to compare with.
    """
    for url in entry.emitted_urls():
        status, _ = wheel_matches(dist, url, entry.sha256)
        if status != "unavailable":
            return status
    return "unavailable"


def wheel_matches(dist: Dist, url: str, sha256: str | None = None) -> tuple[str, str | None]:
    """Is the wheel at ``url`` (a local ``file:`` URL) the one installed as ``dist``?

    Returns the status (``"match"``, ``"differ"``, ``"unavailable"``) and the wheel's sha256.
    With ``sha256``, the wheel must also hash to it.
    """
    path = file_path(without_fragment(url))
    if path is None or not path.endswith(".whl"):
        return "unavailable", None
    read = _read_wheel(path)
    if read is None:
        return "unavailable", None
    digest, data = read
    if sha256 is not None and digest != sha256:
        return "differ", digest
    rows = _wheel_rows(path if data is None else data)
    try:
        installed_rows = dist.record_rows()
    except hook_error():
        installed_rows = None
    if rows is None or installed_rows is None:
        return "unavailable", digest
    installed = {p: h for p, h, _ in installed_rows}
    return ("match" if rows and all(installed.get(p) == h for p, h in rows.items()) else "differ"), digest


def _read_wheel(path: str) -> tuple[str, bytes | None] | None:
    """(hex sha256, the bytes too when at most :data:`MAX_WHEEL_IN_MEMORY`) of a local file, ``None``
    if it is missing, unreadable or larger than :func:`file_sha256` hashes: read once for both."""
    try:
        descriptor, size = open_fd(path)  # never a FIFO or a device
        try:
            if size > MAX_WHEEL_IN_MEMORY:
                result = fd_sha256(descriptor, size, MAX_HASHED_FILE)
                return None if result is None else (result[0].hex(), None)
            data = read_fd(descriptor, size, MAX_HASHED_FILE)
        finally:
            os.close(descriptor)
    except OSError:
        return None
    if len(data) > MAX_HASHED_FILE:
        return None
    import hashlib

    return hashlib.sha256(data).hexdigest(), data


def _wheel_rows(source: str | bytes) -> dict[str, str] | None:
    """The hashed rows of a wheel's RECORD outside ``.dist-info`` and ``.data``: the wheel at a path, or in memory."""
    handled, text = plain_record(source, MAX_WHEEL_RECORD) if isinstance(source, bytes) else (False, None)
    if not handled:
        import io
        import zipfile
        import zlib

        try:
            with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
                names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/RECORD")]
                if len(names) != 1:
                    return None
                info = archive.getinfo(names[0])
                if info.file_size > MAX_WHEEL_RECORD:
                    return None
                with archive.open(info) as member:  # bounded: a stream may inflate past its declared size
                    raw = member.read(MAX_WHEEL_RECORD + 1)
                if len(raw) > MAX_WHEEL_RECORD:
                    return None
                text = raw.decode("utf-8")
        except (
            OSError,
            ValueError,  # UnicodeDecodeError too
            KeyError,
            EOFError,
            RuntimeError,
            NotImplementedError,
            zipfile.BadZipFile,
            zlib.error,
        ):
            return None  # not a readable wheel: nothing to match
    if text is None:
        return None
    rows = {}
    for p, h, _ in parse_rows(text):
        top = p.split("/", 1)[0]
        if h and not top.endswith((".dist-info", ".data")):
            rows[p] = h
    return rows


def _match_archive_hash(origin: Origin, index: _EntryIndex, sha256: str, how: str) -> None:
    committed, flagged = _best(index.by_sha256.get(sha256, []), origin.dist)
    origin.archive_sha256 = sha256
    origin.flagged = flagged
    if committed:
        origin.entry, origin.owner = committed[0]
        origin.kind = "archive-in-git"
        origin.match = how
        origin.repository_url = origin.entry.url


def _classify(origin: Origin, index: _EntryIndex) -> None:
    direct_url = origin.original
    if direct_url is None:
        origin.kind = "index"
        return
    kind = direct_url_kind(direct_url)
    url = str(direct_url["url"])
    if kind == "archive":
        origin.kind = "archive"
        sha256 = archive_sha256(direct_url)
        how = "sha256"
        if sha256 is None:
            path = file_path(url)
            sha256 = file_sha256(path) if path is not None else None
            how = "sha256-of-file"
        if sha256 is not None:
            _match_archive_hash(origin, index, sha256, how)
        return
    if kind == "directory":
        origin.kind = "directory"
        if is_editable(direct_url):
            return
        committed, flagged = _best(index.by_emitted_url.get((origin.dist.key, _dir_url(url)), []), origin.dist)
        origin.flagged = flagged
        if committed:
            origin.entry, origin.owner = committed[0]
            origin.kind = "directory-in-git"
            origin.match = "directory-url"
            origin.repository_url = origin.entry.url
        return
    vcs = direct_url["vcs_info"]
    assert isinstance(vcs, dict)
    commit = str(vcs.get("commit_id"))
    if kind == "archive-in-vcs":
        origin.kind = "archive-in-git"  # as the installer itself recorded it; verified below if possible
        origin.repository_url = url
        path = in_repository_path(direct_url) or ""
        committed, flagged = _best(
            index.by_commit_path.get((origin.dist.key, "archive", commit, path), []), origin.dist
        )
        origin.flagged = flagged
        for entry, owner in committed:
            if archive_contents(origin.dist, entry) == "match":
                origin.entry, origin.owner = entry, owner
                origin.match = "commit-path-contents"
                origin.archive_sha256 = entry.sha256
                return
        return
    origin.kind = "vcs"
    subdirectory = direct_url.get("subdirectory")
    if isinstance(subdirectory, str) and subdirectory:
        committed, flagged = _best(
            index.by_commit_path.get((origin.dist.key, "directory", commit, subdirectory.strip("/")), []), origin.dist
        )
        origin.flagged = flagged
        if committed:
            origin.entry, origin.owner = committed[0]
            origin.kind = "directory-in-git"
            origin.match = "commit-subdirectory"
            origin.repository_url = url


def resolve(env: Environment) -> tuple[list[Origin], list[Finding]]:
    """The origin of every installed distribution, and problems with provenance documents."""
    findings: list[Finding] = []
    index = _EntryIndex()
    for dist in env.dists:
        if dist.absent(PROVENANCE_FILE):
            continue
        entries, problems = read_document(dist)  # none when the file is not there
        for problem in problems:
            findings.append(Finding(dist.name, problem, "rebuild the wheel with this version of sourcelift"))
        for entry in entries:
            index.add(entry, dist)
    origins: list[Origin] = []
    for dist in env.dists:
        origin = Origin(dist)
        _load_current(origin)
        _classify(origin, index)
        origins.append(origin)
    return origins, findings


def source_of(origin: Origin) -> tuple[str, str] | None:
    """(repository URL, commit) an installed distribution was built or taken from, when known."""
    if origin.entry is not None:
        return origin.repository_url or origin.entry.url, origin.entry.commit_id
    direct_url = origin.original
    if direct_url is not None and isinstance(direct_url.get("vcs_info"), dict):
        info = direct_url["vcs_info"]
        assert isinstance(info, dict)
        return str(direct_url["url"]), str(info.get("commit_id"))
    return None
