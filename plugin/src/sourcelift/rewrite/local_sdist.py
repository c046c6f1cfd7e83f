"""The sources file a local-mode sdist carries, so the wheel built from it gets the same lines.

``.sourcelift/local.json`` in the sdist holds every resolved source as it was in
the tree the sdist was made from: archives by the path of their copy inside the
sdist and their sha256, directories by their absolute location on this machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from packaging.markers import Marker

from ..artifacts.store import sha256_file
from ..errors import Findings
from ..model import ResolvedArchive, ResolvedDirectory, ResolvedGit, ResolvedIndex, ResolvedSource, ResolvedUrl

__all__ = ["LOCAL_SOURCES_PATH", "LOCAL_SOURCES_VERSION", "local_sources_file", "read_local_sources"]

LOCAL_SOURCES_PATH = ".sourcelift/local.json"
LOCAL_SOURCES_VERSION = 1
ARCHIVE_DIR = ".sourcelift/archives"
NOTE = (
    "This sdist was built by sourcelift in local mode. Its dependencies point at archives it carries and "
    "at directories on the machine that built it ({origin}); it is for that machine only. "
    "Build a publish-mode sdist to share or upload."
)


def local_sources_file(
    sources: dict[str, list[ResolvedSource]], origin: Path, members: set[str]
) -> tuple[bytes, dict[str, Path]]:
    """The sources file's bytes, and the archives to add to the sdist (member path -> file)."""
    import json

    to_add: dict[str, Path] = {}
    entries: dict[str, list[dict[str, Any]]] = {}
    for name, items in sorted(sources.items()):
        entries[name] = []
        for source in items:
            entry: dict[str, Any] = {
                "key": source.key,
                "marker": str(source.marker) if source.marker is not None else None,
                "extra": source.extra,
            }
            if isinstance(source, ResolvedArchive):
                member = source.relative or f"{ARCHIVE_DIR}/{source.sha256}/{source.filename}"
                if member not in members:
                    to_add[member] = source.path
                entry.update(
                    kind="archive",
                    member=member,
                    filename=source.filename,
                    sha256=source.sha256,
                    project=source.project,
                    version=source.version,
                )
            elif isinstance(source, ResolvedDirectory):
                entry.update(kind="directory", path=str(source.path))
            elif isinstance(source, ResolvedGit):
                entry.update(kind="git", url=source.url, rev=source.rev, subdirectory=source.subdirectory)
            elif isinstance(source, ResolvedUrl):
                entry.update(kind="url", url=source.url, subdirectory=source.subdirectory)
            else:
                entry.update(kind="index", index=source.index)
            entries[name].append(entry)
    document = {
        "version": LOCAL_SOURCES_VERSION,
        "note": NOTE.format(origin=origin),
        "origin": str(origin),
        "sources": entries,
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode(), to_add


def read_local_sources(root: Path, findings: Findings) -> dict[str, list[ResolvedSource]]:
    import json

    path = root / LOCAL_SOURCES_PATH
    key = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        findings.error(
            key, f"the local-mode sdist's sources file cannot be read: {exc}", "rebuild the sdist from the source tree"
        )
        return {}
    if not isinstance(document, dict) or document.get("version") != LOCAL_SOURCES_VERSION:
        findings.error(
            key,
            f"unsupported sources file version {document.get('version')!r}"
            if isinstance(document, dict)
            else "the sources file is not a JSON object",
            "build the wheel with the sourcelift version that made the sdist, or rebuild the sdist",
        )
        return {}
    origin = document.get("origin", "?")
    sources: dict[str, list[ResolvedSource]] = {}
    for name, items in document.get("sources", {}).items():
        sources[name] = []
        for entry in items:
            common: dict[str, Any] = {
                "name": name,
                "key": entry["key"],
                "marker": Marker(entry["marker"]) if entry.get("marker") else None,
                "extra": entry.get("extra"),
            }
            kind = entry.get("kind")
            if kind == "archive":
                member = root / entry["member"]
                inside = os.path.realpath(member).startswith(os.path.realpath(root) + os.sep)
                if not inside or not member.is_file() or sha256_file(member) != entry["sha256"]:
                    findings.error(
                        entry["key"],
                        f"the archive {entry['member']} in this sdist is missing or does not match its recorded sha256",
                        "rebuild the sdist from the source tree; do not edit a built sdist",
                        dependency=name,
                    )
                    continue
                sources[name].append(
                    ResolvedArchive(
                        **common,
                        path=member,
                        filename=entry["filename"],
                        sha256=entry["sha256"],
                        project=entry["project"],
                        version=entry["version"],
                    )
                )
            elif kind == "directory":
                directory = Path(entry["path"])
                if not directory.is_dir():
                    findings.error(
                        entry["key"],
                        f"this local-mode sdist points at the directory {directory}, which does not exist here "
                        f"(the sdist was made from {origin}, for that machine only)",
                        "build from the source tree on the machine that has it, or build a publish-mode sdist",
                        dependency=name,
                    )
                    continue
                sources[name].append(ResolvedDirectory(**common, path=directory))
            elif kind == "git":
                sources[name].append(
                    ResolvedGit(
                        **common, url=entry["url"], rev=entry.get("rev"), subdirectory=entry.get("subdirectory")
                    )
                )
            elif kind == "url":
                sources[name].append(ResolvedUrl(**common, url=entry["url"], subdirectory=entry.get("subdirectory")))
            elif kind == "index":
                sources[name].append(ResolvedIndex(**common, index=entry["index"]))
            else:
                findings.error(
                    entry.get("key", key),
                    f"unknown source kind {kind!r} in the sources file",
                    "rebuild the sdist with this version of sourcelift",
                    dependency=name,
                )
    return sources
