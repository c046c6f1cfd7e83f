"""SL4xx: local paths and credentials that would leave this machine with the artifact.

Scanned: every core metadata field but the description (prose, whose examples
are deliberate), every string in the sdist's pyproject.toml (in coverage.py's
``[tool.coverage]``, whose paths are where the code lies while measured, by design, for
credentials only), and every string in sourcelift's provenance documents.  A direct reference in ``*-Dist`` is
SL101/SL102's business; only credentials in it are reported here as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ._text import TOKEN, credential_problem, redact, urls
from .archives import Archive
from .metadata import CoreMetadata
from .model import Finding, finding

__all__ = ["check_leaks", "scan"]

_END = r"(?=[/\\\s\"'<>,;)\]]|$)"
# A `file:` URL, but not pdm's `file:///${PROJECT_ROOT}/...` placeholder (relative to the project, not a leak),
# nor a template whose path is filled in later (`file://{0}`, `file://\{0\}` in a tox command, `file://%(p)s`,
# `file://$OUT`): neither names a place on the machine that built the artifact.
_FILE_URL = re.compile(r"(?i)(?<![\w.-])file:/(?!/*(?:\$\{PROJECT_ROOT\}|\\?\{|%\(|\$))[^\s\"'<>`,;)\]]*")
_TEMP = re.compile(
    r"(?<![\w.~/:\\-])(?:/tmp|/var/tmp|/private/tmp|/private/var/folders|/var/folders|/dev/shm)"
    + _END
    + r"|(?i:(?<![\w])[a-z]:[\\/]+(?:windows[\\/]+temp|temp|tmp"
    + r"|users[\\/]+[^\\/\s\"']+[\\/]+appdata[\\/]+local[\\/]+temp))"
    + _END
)
_HOME = re.compile(
    r"(?<![\w.~/:\\-])(?:/home/[^/\s\"'<>]+|/Users/[^/\s\"'<>]+|/root)"
    + _END
    + r"|(?i:(?<![\w])[a-z]:[\\/]+(?:users|documents and settings)[\\/]+[^\\/\s\"'<>]+)"
)
# A temporary path with a placeholder a tool fills in when it runs (tox's `env_tmp_dir = "/tmp/{envname}"`,
# flask 3.1.3) is a setting for every machine, not the place on the one that built the artifact.
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][\w:.-]*\}")
_DRIVE = re.compile(r"(?i)(?<![\w])[a-z]:\\|(?i:(?<![\w/])[a-z]:/(?!/))")
_DIST_FIELDS = {"requires-dist", "provides-dist", "obsoletes-dist"}
# coverage.py's settings name where the code lies while it is measured, by design: `[paths]` maps CI's
# checkout (`/home/runner/work/...`), `[run] omit` skips `/tmp/*` (logfire); no install reads them
_PATH_ALIASES = ("tool.coverage.",)
_SHOWN = 120


def _short(text: str) -> str:
    text = redact(text)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def scan(value: str, *, paths: bool = True) -> list[tuple[str, str]]:
    """(check ID, what was found) for every leak in ``value``, at most one per ID."""
    found: dict[str, str] = {}
    for match in urls(value):
        problem = credential_problem(match.group(0))
        if problem is not None:
            found.setdefault("SL405", f"{problem} in the URL `{_short(match.group(0))}`")
    if "SL405" not in found and TOKEN.search(value):
        found["SL405"] = "an access token"
    if not paths:
        return sorted(found.items())
    rest = value
    for match in _FILE_URL.finditer(value):
        found.setdefault("SL401", f"the `file:` URL `{_short(match.group(0))}`")
    rest = _FILE_URL.sub(" ", rest)
    for match in _TEMP.finditer(rest):
        path = _around(rest, match)
        if not _PLACEHOLDER.search(path):
            found.setdefault("SL403", f"the temporary-directory path `{_short(path)}`")
    rest = _TEMP.sub(" ", rest)
    for match in _HOME.finditer(rest):
        found.setdefault("SL402", f"the home-directory path `{_short(_around(rest, match))}`")
    rest = _HOME.sub(" ", rest)
    for match in _DRIVE.finditer(rest):
        found.setdefault("SL404", f"the Windows path `{_short(_around(rest, match))}`")
    return sorted(found.items())


def _around(text: str, match: re.Match[str]) -> str:
    """The whole path the match starts: up to the next space or quote."""
    end = match.start()
    while end < len(text) and not text[end].isspace() and text[end] not in "\"'<>,;":
        end += 1
    return text[match.start() : end]


def check_leaks(archive: Archive, meta: CoreMetadata | None, pyproject: dict[str, Any] | None) -> list[Finding]:
    out: list[Finding] = []

    def report(where: str, value: str, *, paths: bool = True) -> None:
        label = where.split(": ", 1)[-1]
        for check_id, what in scan(value, paths=paths):
            out.append(finding(check_id, archive.display, f"`{label}` holds {what}", location=where))

    if meta is not None:
        source = "METADATA" if archive.kind == "wheel" else "PKG-INFO"
        seen: set[str] = set()
        for key, _ in meta.fields:
            lowered = key.lower()
            if lowered == "description" or lowered in seen:
                continue
            seen.add(lowered)
            for value in meta.get_all(key):
                report(f"{source}: {key}", value, paths=not (lowered in _DIST_FIELDS and _is_direct(value)))
    if pyproject is not None:
        for path, value in _strings(pyproject):
            # coverage.py's settings name where the code lies while measured, by design: credentials only
            report(f"pyproject.toml: {path}", value, paths=not path.startswith(_PATH_ALIASES))
    for member, text in sorted(archive.documents.items()):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            report(member, text)
            continue
        for path, value in _strings(document):
            report(f"{member}: {path}" if path else member, value)
    return _deduplicated(out)


def _is_direct(value: str) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(value).url is not None
    except InvalidRequirement:
        return False


def _strings(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(key path, string) for every string in a TOML or JSON document, keys included, in document order.

    Walked with a stack of its own: a document nested as deep as its parser allows is no internal error.
    """
    stack: list[tuple[str, Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            children: list[tuple[str, Any]] = []
            for key, item in value.items():
                child = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and scan(key):
                    children.append((child, key))  # a string: reported as the key's own path
                children.append((child, item))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([(f"{where}[{index}]", item) for index, item in enumerate(value)]))


def _deduplicated(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str | None, str]] = set()
    out: list[Finding] = []
    for item in findings:
        key = (item.id, item.location, item.message)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
