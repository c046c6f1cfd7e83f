"""``sourcelift provenance``: where each installed distribution came from, and whether it still matches.

JSON report (``--json``), version ``"1"``::

    {"version": "1",
     "environment": {"kind": "directory" | "tar" | "memory", "location": "..."},
     "distributions": [{
        "name", "version", "dist_info", "installer",
        "origin": "index" | "archive" | "directory" | "vcs" | "archive-in-git" | "directory-in-git",
        "url": the requirement URL of the current direct_url.json (credential-free) or null,
        "direct_url": the current direct_url.json or null,
        "recorded": null | {"style", "original_direct_url"}    (written by `sourcelift record`),
        "git": null | {"kind", "repository", "commit_id", "requested_revision", "path",
                        "subdirectory", "sha256", "state", "match", "described_by"},
        "checks": null | {"files": "ok" | "modified" | "missing" | "none", "checked",
                           "modified": [...], "missing": [...],
                           "archive_sha256": "match" | "mismatch" | "unknown",
                           "archive_contents": "match" | "differ" | "unavailable"},
        "flagged": [{"repository", "commit_id", "path", "state", "described_by"}],
        "journal": "pending" | null,
        "problems": [{"distribution", "level", "message", "fix"}]}],
     "problems": [...]}

``checks`` is given for distributions a provenance entry describes: ``files`` compares every
installed file with its RECORD hash (a change means modified after install), ``archive_sha256``
the installed archive's hash with the entry's, ``archive_contents`` the entry's archive (its store
copy) with the installed files.
"""

from __future__ import annotations

from .directurl import Redactor, freeze_url
from .environment import JOURNAL_FILE, Dist, Environment
from .finding import Finding
from .origin import Origin, archive_contents, resolve

__all__ = ["REPORT_VERSION", "build_report", "check_files", "format_report", "has_problems", "report_problems"]

REPORT_VERSION = "1"

_LABELS = {
    "index": "index (no direct URL)",
    "archive": "direct URL archive",
    "directory": "direct URL directory",
    "vcs": "VCS checkout",
    "archive-in-git": "archive in git",
    "directory-in-git": "directory in git",
}


def _checks(origin: Origin) -> dict[str, object]:
    checked, modified, missing, _ = check_files(origin.dist)
    files = "modified" if modified else "missing" if missing else "ok" if checked else "none"
    entry = origin.entry
    assert entry is not None
    archive_hash = "unknown"
    contents = "unavailable"
    if entry.kind == "archive":
        if origin.archive_sha256 is not None:
            archive_hash = "match" if origin.archive_sha256 == entry.sha256 else "mismatch"
        contents = archive_contents(origin.dist, entry)
    return {
        "files": files,
        "checked": checked,
        "modified": modified,
        "missing": missing,
        "archive_sha256": archive_hash,
        "archive_contents": contents,
    }


def _distribution(origin: Origin, redacted: Redactor) -> dict[str, object]:
    dist = origin.dist
    problems: list[Finding] = list(origin.problems)
    git: dict[str, object] | None = None
    checks: dict[str, object] | None = None
    entry = origin.entry
    if entry is not None and origin.owner is not None:
        git = {
            "kind": entry.kind,
            "repository": origin.repository_url or entry.url,
            "commit_id": entry.commit_id,
            "requested_revision": entry.requested_revision,
            "path": entry.path,
            "subdirectory": entry.subdirectory,
            "sha256": entry.sha256,
            "state": entry.state,
            "match": origin.match,
            "described_by": origin.owner.name,
        }
        checks = _checks(origin)
        if checks["files"] in ("modified", "missing"):
            changed = [*checks["modified"], *checks["missing"]]  # type: ignore[misc]
            problems.append(
                Finding(
                    dist.name,
                    f"installed files changed after install ({', '.join(changed[:5])}"
                    f"{', ...' if len(changed) > 5 else ''})",
                    "reinstall it",
                )
            )
        if checks["archive_contents"] == "differ" or checks["archive_sha256"] == "mismatch":
            problems.append(Finding(dist.name, "the installed files are not those of the archive the entry names"))
    elif origin.kind == "archive-in-git" and origin.original is not None:
        vcs = origin.original.get("vcs_info")
        git = {
            "kind": "archive",
            "repository": origin.repository_url,
            "commit_id": vcs.get("commit_id") if isinstance(vcs, dict) else None,
            "requested_revision": vcs.get("requested_revision") if isinstance(vcs, dict) else None,
            "path": origin.original.get("path") or origin.original.get("file"),
            "subdirectory": None,
            "sha256": None,
            "state": None,
            "match": None,
            "described_by": None,
        }
    if origin.pending_journal:
        problems.append(
            Finding(
                dist.name,
                "an interrupted `sourcelift record` left its journal: RECORD may not list the current hashes yet",
                "run `sourcelift record` again to complete it",
            )
        )
    elif origin.shipped_journal:  # `record` ignores it: running it again changes nothing
        problems.append(
            Finding(
                dist.name,
                f"the installed wheel holds a {JOURNAL_FILE} (its RECORD lists it); `sourcelift record` never "
                "applies a journal it did not write",
                "reinstall the distribution from a trusted source",
            )
        )
    recorded = None
    if origin.recorded is not None:
        recorded = {"style": origin.recorded.get("style"), "original_direct_url": _scrubbed(origin.original, redacted)}
    current = origin.current
    return {
        "name": dist.name,
        "version": dist.version,
        "dist_info": dist.dist_info,
        "installer": dist.installer,
        "origin": origin.kind,
        "url": redacted[freeze_url(current)] if current is not None else None,
        "direct_url": _scrubbed(current, redacted),  # as another installer wrote it, minus its credentials
        "recorded": recorded,
        "git": git,
        "checks": checks,
        "flagged": [
            {
                "repository": e.url,
                "commit_id": e.commit_id,
                "path": e.path,
                "state": e.state,
                "described_by": owner.name,
            }
            for e, owner in origin.flagged
        ],
        "journal": "pending" if origin.pending_journal else None,
        "problems": [p.as_json() for p in problems],
    }


_MAX_SHOWN_DEPTH = 32
"""How deep a direct_url.json another installer wrote is shown (the specification's nests 3 deep)."""


def _scrubbed(value: object, redacted: Redactor, depth: int = 0) -> object:
    """A JSON value with the credentials of every URL in its strings removed, nested at most 32 deep."""
    if isinstance(value, str):
        return redacted[value]
    if isinstance(value, (dict, list)) and depth >= _MAX_SHOWN_DEPTH:
        return f"(not shown: nested more than {_MAX_SHOWN_DEPTH} levels deep)"
    if isinstance(value, dict):
        return {key: _scrubbed(item, redacted, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, redacted, depth + 1) for item in value]
    return value


def build_report(env: Environment, names: list[str] | None = None) -> dict[str, object]:
    origins, findings = resolve(env)
    problems = [f.as_json() for f in findings]
    if names:
        selected, missing = env.select(names)
        keys = {d.dist_info for d in selected}
        origins = [o for o in origins if o.dist.dist_info in keys]
        problems.extend(Finding(name, "is not installed in this environment").as_json() for name in missing)
    redacted = Redactor()
    return {
        "version": REPORT_VERSION,
        "environment": {"kind": env.tree.kind, "location": env.describe()},
        "distributions": [_distribution(o, redacted) for o in origins],
        "problems": problems,
    }


def has_problems(report: dict[str, object]) -> bool:
    dists = report["distributions"]
    assert isinstance(dists, list)
    return bool(report["problems"]) or any(p["level"] == "problem" for d in dists for p in d["problems"])


def report_problems(report: dict[str, object]) -> list[dict[str, str | None]]:
    """Every problem and note of a report: each distribution's, then the environment's."""
    dists = report["distributions"]
    problems = report["problems"]
    assert isinstance(dists, list) and isinstance(problems, list)
    return [p for d in dists for p in d["problems"]] + list(problems)


def format_report(report: dict[str, object]) -> str:
    """The report for people; its problems are not in it (the command prints them on stderr)."""
    lines: list[str] = []
    dists = report["distributions"]
    assert isinstance(dists, list)
    for dist in dists:
        label = _LABELS.get(dist["origin"], dist["origin"])
        head = f"{dist['name']} {dist['version']}: {label}"
        if dist["origin"] in ("archive", "directory", "vcs") and dist["url"]:
            head += f" {dist['url']}"
        lines.append(head)
        git = dist["git"]
        if git is not None:
            revision = f" ({git['requested_revision']})" if git.get("requested_revision") else ""
            lines.append(f"    repository  {git['repository']}")
            lines.append(f"    commit      {git['commit_id']}{revision}")
            lines.append(f"    path        {git['path']}")
            if git.get("sha256"):
                lines.append(f"    sha256      {git['sha256']}")
            if git.get("described_by"):
                lines.append(f"    described   by {git['described_by']}'s provenance document (match: {git['match']})")
            else:
                lines.append("    described   only by the installer's own record (no provenance entry confirms it)")
        checks = dist["checks"]
        if checks is not None:
            files = {
                "ok": f"{checks['checked']} files match RECORD",
                "modified": "MODIFIED after install: " + ", ".join(checks["modified"]),
                "missing": "MISSING: " + ", ".join(checks["missing"]),
                "none": "RECORD lists no hashed file",
            }[checks["files"]]
            lines.append(f"    files       {files}")
            if git is not None and git["kind"] == "archive":
                lines.append(
                    f"    archive     sha256 {checks['archive_sha256']}, contents {checks['archive_contents']}"
                )
        if dist["recorded"] is not None:
            lines.append(f"    recorded    by `sourcelift record`, style {dist['recorded']['style']}")
        for flagged in dist["flagged"]:
            lines.append(
                f"    not claimed {flagged['path']} was {flagged['state']} in {flagged['described_by']}'s build tree "
                f"({flagged['repository']} at {flagged['commit_id'][:12]}): that commit does not describe it"
            )
    return "\n".join(lines) + ("\n" if lines else "")


def check_files(dist: Dist) -> tuple[int, list[str], list[str], list[str]]:
    """Check the installed files against the RECORD hashes.

    Returns (files checked, modified, missing, not checkable).  Rows without a hash
    (RECORD itself, and files an installer chose not to hash) are not counted.
    """
    rows = dist.record_rows()
    if rows is None:
        return 0, [], [], []
    modified: list[str] = []
    missing: list[str] = []
    unverifiable: list[str] = []
    hashed: list[tuple[str, str, str]] = []
    for path, digest, size in rows:
        if not digest:
            continue
        if not digest.startswith("sha256="):
            unverifiable.append(path)
            continue
        hashed.append((path, digest, size))
    for (path, digest, size), found in zip(hashed, dist.tree.digests(dist.root, [row[0] for row in hashed])):
        if found is None:
            missing.append(path)
        elif (found[0] != digest and not _hex_form(digest, found[0])) or (size.isdigit() and int(size) != found[1]):
            modified.append(path)
    return len(hashed), modified, missing, unverifiable


def _hex_form(written: str, found: str) -> bool:
    """Whether the RECORD hash ``written`` is ``found`` (``sha256=<urlsafe base64>``) in hexadecimal, as
    uv_build before 0.8.13 wrote it and installers copied it (astral-sh/uv#15398): the file is unchanged."""
    from sourcelift.record_file import is_hex_form

    return is_hex_form(written.partition("=")[2], found.partition("=")[2])
