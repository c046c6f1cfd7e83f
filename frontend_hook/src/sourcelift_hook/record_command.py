"""``sourcelift record``: write where installed archives and directories came from.

For each installed distribution that a provenance entry describes (see :mod:`.origin`),
three files of its ``.dist-info`` may change: ``direct_url.json`` (per ``--style``),
``sourcelift-origin.json`` (the matched entry, the installer's original record, the style)
and ``RECORD`` (their new hashes and sizes).  Each file is replaced atomically, but three
files cannot be replaced in one step, so a roll-forward journal comes first:

1. ``sourcelift-journal.json`` is written (atomically): the hash of each file as it is now
   and its complete new content;
2. the three files are replaced, one by one, each atomically;
3. the journal is removed.

A run killed anywhere leaves every file whole; the next ``record`` finds the journal and
completes it first (only if every file is still either as it was or as the journal wants it:
a journal that no longer fits, e.g. after a reinstall, is discarded), and
``sourcelift provenance`` reports it meanwhile.  Running ``record`` twice changes nothing: the
files are rendered deterministically and a file whose bytes would not change is not written.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator

from sourcelift.record_file import parse_rows, update_rows

from ._atomic import remove_durably, remove_leftovers, write_atomic
from .directurl import render
from .environment import JOURNAL_FILE, ORIGIN_FILE, Dist, Environment
from .errors import Finding, HookError, UsageError
from .origin import ORIGIN_VERSION, Origin, resolve
from .styles import STYLES, target_direct_url

__all__ = ["JOURNAL_VERSION", "RecordResult", "finish_journal", "plan_files", "record"]

JOURNAL_VERSION = "3"
WRITTEN = ("direct_url.json", ORIGIN_FILE, "RECORD")
"""The files ``record`` writes, in the order it writes them (RECORD last)."""


class RecordResult:
    """What a ``record`` run did: distributions changed, unchanged matches, and findings."""

    __slots__ = ("changed", "findings", "unchanged")

    def __init__(self) -> None:
        self.changed: list[str] = []
        self.unchanged: list[str] = []
        self.findings: list[Finding] = []

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "problem"]


def _sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _dump(value: object, *, ascii_only: bool = False) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=ascii_only) + "\n").encode("utf-8")


def render_origin(origin: Origin, style: str, direct_url: bytes) -> bytes:
    """``sourcelift-origin.json``: deterministic, so that a second run writes nothing."""
    assert origin.entry is not None and origin.owner is not None
    return _dump(
        {
            "version": ORIGIN_VERSION,
            "style": style,
            "kind": origin.kind,
            "match": origin.match,
            "entry": origin.entry.as_json(),
            "described_by": {
                "name": origin.owner.name,
                "version": origin.owner.version,
                "dist_info": origin.owner.dist_info,
            },
            "original_direct_url": origin.original,
            "direct_url_sha256": _sha256(direct_url),
        }
    )


def plan_files(origin: Origin, style: str) -> tuple[dict[str, bytes], Finding | None]:
    """The files to write for ``origin`` (name -> new bytes; empty when nothing changes)."""
    dist = origin.dist
    if origin.entry is None:
        return {}, None
    target, why = target_direct_url(origin, style)
    if target is None:
        return {}, Finding(dist.name, f"left as it is: {why}") if why else None
    try:
        direct_url = render(target)
    except ValueError as exc:
        return {}, Finding(dist.name, str(exc), "rebuild the wheel that describes it with a current sourcelift")
    origin_file = render_origin(origin, style, direct_url)
    installed_record = dist.read("RECORD")
    if installed_record is None:
        return {}, Finding(
            dist.name,
            "has no RECORD, so nothing is written (a RECORD must list every file)",
            "reinstall it with an installer that writes RECORD (pip, uv, installer)",
        )
    files: dict[str, bytes] = {}
    if direct_url != origin.current_bytes:
        files["direct_url.json"] = direct_url
    if origin_file != dist.read(ORIGIN_FILE):
        files[ORIGIN_FILE] = origin_file
    new_record = update_rows(
        installed_record,
        {f"{dist.dist_info}/direct_url.json": direct_url, f"{dist.dist_info}/{ORIGIN_FILE}": origin_file},
        f"{dist.dist_info}/RECORD",
    )
    if new_record != installed_record:
        files["RECORD"] = new_record
    return files, None


def _path(dist: Dist, name: str) -> str:
    path = dist.path(name)
    if path is None:
        raise UsageError("this environment cannot be written to", "run `sourcelift record` on a live environment")
    return path


def _apply(dist: Dist, files: dict[str, bytes]) -> None:
    base = {name: _sha256(dist.read(name)) for name in files}
    journal = _dump(
        {
            "version": JOURNAL_VERSION,
            "base": base,
            # base64: RECORD is rewritten byte for byte, and its bytes need not be UTF-8
            "files": {name: base64.b64encode(data).decode("ascii") for name, data in files.items()},
        }
    )
    state = RecordState(dist.root)
    state.set(dist.dist_info, _sha256(journal))  # first: a journal record writes is always one it listed
    write_atomic(_path(dist, JOURNAL_FILE), journal)
    for name in WRITTEN:
        if name in files:
            write_atomic(_path(dist, name), files[name])
    remove_durably(_path(dist, JOURNAL_FILE))
    state.set(dist.dist_info, None)


def _listed_in_record(dist: Dist, name: str) -> bool:
    """Whether the dist's RECORD lists ``name`` of its .dist-info: then an installer put it there."""
    wanted = f"{dist.dist_info}/{name}"
    return any(row[0] == wanted for row in parse_rows(dist.read("RECORD") or b""))


def finish_journal(dist: Dist) -> Finding:
    """Complete (or discard, when it no longer fits) the journal an interrupted ``record`` left.

    Only a journal ``record`` wrote is honoured: its hash must be listed in the environment's
    record state (see :class:`RecordState`), and no RECORD row may list it (a file a wheel
    shipped is listed there; a journal is never).  Anything else is removed unread.
    """
    journal_path = _path(dist, JOURNAL_FILE)
    state = RecordState(dist.root)
    try:
        raw = dist.read(JOURNAL_FILE) or b""
    except HookError:
        raw = b""
    if _listed_in_record(dist, JOURNAL_FILE) or state.get(dist.dist_info) != _sha256(raw):
        if _listed_in_record(dist, JOURNAL_FILE):
            return Finding(
                dist.name,
                f"ignored the {JOURNAL_FILE} that came with the installed wheel: only a journal `sourcelift "
                "record` wrote itself is ever completed",
                "reinstall the distribution from a trusted source",
            )
        remove_durably(journal_path)
        state.set(dist.dist_info, None)
        return Finding(
            dist.name,
            f"removed a {JOURNAL_FILE} that `sourcelift record` did not write; it was not applied",
            "run `sourcelift record` again",
        )
    try:
        journal = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        journal = None
    files = journal.get("files") if isinstance(journal, dict) else None
    base = journal.get("base") if isinstance(journal, dict) else None
    targets: dict[str, bytes] = {}
    valid = (
        isinstance(journal, dict)
        and journal.get("version") == JOURNAL_VERSION
        and isinstance(files, dict)
        and isinstance(base, dict)
        and set(files) <= set(WRITTEN)
    )
    if valid:
        assert isinstance(files, dict)
        try:
            targets = {name: base64.b64decode(text, validate=True) for name, text in files.items()}
        except (TypeError, ValueError):
            valid = False
    if not valid:
        remove_durably(journal_path)
        state.set(dist.dist_info, None)
        return Finding(dist.name, f"removed an unreadable {JOURNAL_FILE}", "run `sourcelift record` again")
    assert isinstance(base, dict)
    pending = {}
    for name, data in targets.items():
        current = dist.read(name)
        if current == data:
            continue
        if _sha256(current) != base.get(name):
            remove_durably(journal_path)
            state.set(dist.dist_info, None)
            return Finding(
                dist.name,
                f"discarded an interrupted record's journal: {name} changed since (reinstalled?)",
                "run `sourcelift record` again",
            )
        pending[name] = data
    for name in WRITTEN:
        if name in pending:
            write_atomic(_path(dist, name), pending[name])
    remove_durably(journal_path)
    state.set(dist.dist_info, None)
    return Finding(dist.name, "completed an interrupted `sourcelift record`", level="note")


STATE_DIR = ".sourcelift-record"
"""Where ``record`` keeps its own state in each root of an environment (a site-packages directory)."""


class RecordState:
    """``<root>/.sourcelift-record/``: the lock that serializes ``record`` runs on one environment, and
    ``pending.json``, the hash of each journal ``record`` has written and not yet finished."""

    def __init__(self, root: str) -> None:
        self.directory = os.path.join(root, STATE_DIR)
        self.file = os.path.join(self.directory, "pending.json")

    def _read(self) -> dict[str, str]:
        try:
            with open(self.file, "rb") as stream:
                data = json.loads(stream.read(1024 * 1024).decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            return {}
        pending = data.get("pending") if isinstance(data, dict) else None
        if not isinstance(pending, dict):
            return {}
        return {str(k): v for k, v in pending.items() if isinstance(v, str)}

    def get(self, dist_info: str) -> str | None:
        return self._read().get(dist_info)

    def prune(self, keep: set[str]) -> None:
        """Drop the entries of every .dist-info not in ``keep``."""
        pending = self._read()
        if set(pending) - keep:
            self._write({k: v for k, v in pending.items() if k in keep})

    def _write(self, pending: dict[str, str]) -> None:
        os.makedirs(self.directory, exist_ok=True)
        write_atomic(self.file, _dump({"version": 1, "pending": pending}))

    def set(self, dist_info: str, sha256: str | None) -> None:
        pending = self._read()
        if sha256 is None:
            if dist_info not in pending:
                return
            del pending[dist_info]
        else:
            pending[dist_info] = sha256
        self._write(pending)


def _lock_error(exc: OSError, directory: str, lock: str) -> UsageError:
    """Why ``record``'s lock cannot be opened, and what to do: permissions, or something else in its place."""
    import errno

    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) or not os.path.lexists(directory):
        return UsageError(
            f"cannot take the record lock {lock}: {exc.strerror or exc}",
            "run `sourcelift record` as the user who installed the environment",
        )
    in_place, what = (lock, "a directory") if os.path.isdir(directory) else (directory, "not a directory")
    return UsageError(
        f"cannot take the record lock {lock}: {in_place} is {what}",
        f"remove {in_place}: `sourcelift record` keeps its lock and state in the directory {directory}",
    )


@contextlib.contextmanager
def environment_lock(roots: list[str]) -> Iterator[None]:
    """Hold ``record``'s lock on every root (in a fixed order): concurrent runs serialize."""
    with contextlib.ExitStack() as stack:
        for root in sorted(set(roots)):
            directory = os.path.join(root, STATE_DIR)
            lock = os.path.join(directory, "lock")
            try:
                os.makedirs(directory, exist_ok=True)
                descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise _lock_error(exc, directory, lock) from None
            stack.callback(os.close, descriptor)
            _lock(descriptor)
        yield


if sys.platform == "win32":  # pragma: no cover - exercised on Windows

    def _lock(descriptor: int) -> None:
        import msvcrt
        import time

        while True:
            try:
                msvcrt.locking(descriptor, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                time.sleep(0.05)

else:

    def _lock(descriptor: int) -> None:
        import fcntl

        fcntl.flock(descriptor, fcntl.LOCK_EX)  # released when the descriptor is closed


def record(env: Environment, style: str) -> RecordResult:
    """Record the origin of every matched distribution of ``env`` (see the module docstring)."""
    if style not in STYLES:
        raise UsageError(f"unknown style {style!r}", f"use one of: {', '.join(STYLES)}")
    if not env.writable:
        raise UsageError(
            f"cannot write into {env.describe()}: `record` needs a live environment",
            "run it with --python or --path on a site-packages directory (a tarball is read-only)",
        )
    roots = sorted({dist.root for dist in env.dists})
    with environment_lock(roots):
        # read again under the lock: a run that held it may have changed what this one saw
        return _record_locked(Environment.load(env.tree) if roots else env, style)


def _record_locked(env: Environment, style: str) -> RecordResult:
    result = RecordResult()
    reload = False
    for root in sorted({dist.root for dist in env.dists}):
        state = RecordState(root)
        remove_leftovers(state.directory, ("pending.json",))
        # an entry without its journal: a run stopped after removing the journal, or an uninstall
        state.prune({d.dist_info for d in env.dists if d.root == root and JOURNAL_FILE in d.files})
    for dist in env.dists:
        directory = os.path.dirname(_path(dist, JOURNAL_FILE))
        remove_leftovers(directory, (*WRITTEN, JOURNAL_FILE))
        if JOURNAL_FILE in dist.files:
            try:
                completed = finish_journal(dist)
            except OSError as exc:
                result.findings.append(_write_failure(dist, exc))
                continue
            result.findings.append(completed)
            reload = True
    if reload:
        env = Environment.load(env.tree)
    origins, findings = resolve(env)
    result.findings.extend(findings)
    for origin in origins:
        result.findings.extend(origin.problems)
        for entry, owner in origin.flagged:
            if origin.entry is None:
                result.findings.append(
                    Finding(
                        origin.dist.name,
                        f"not recorded as coming from {entry.url} at {entry.commit_id[:12]}: {owner.name}'s build "
                        f"used {entry.path} {entry.state} in its work tree, so that commit does not describe it",
                        "commit the file, rebuild and reinstall, if it should come from the repository",
                        level="note",
                    )
                )
        try:
            files, finding = plan_files(origin, style)
        except HookError as exc:
            result.findings.append(Finding(origin.dist.name, exc.message, exc.fix))
            continue
        if finding is not None:
            result.findings.append(finding)
        if origin.entry is None:
            continue
        if not files:
            result.unchanged.append(origin.dist.name)
            continue
        try:
            _apply(origin.dist, files)
        except OSError as exc:
            result.findings.append(_write_failure(origin.dist, exc))
            continue
        result.changed.append(origin.dist.name)
    return result


def _write_failure(dist: Dist, exc: OSError) -> Finding:
    return Finding(
        dist.name,
        f"cannot write into {dist.path('') or dist.dist_info}: {exc.strerror or exc}",
        "run `sourcelift record` as the user who installed the environment",
    )
