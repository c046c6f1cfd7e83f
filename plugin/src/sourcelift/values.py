"""What a value that ends up in a requirement line may be, checked before anything is emitted.

Every source value that reaches a ``Requires-Dist`` line or the sdist record (a URL, a git
revision, a subdirectory, a path, an extra, a marker) passes through here first.  Each
``check_*`` function returns ``None`` when the value is acceptable, or a sentence saying what
is wrong with it; the caller names the pyproject key.  :func:`render_requirement` is the last
gate: a line is parsed by packaging and rendered again, so one source can only ever give its
own line, whatever bytes it carries.

>>> check_url("https://example.com/p-1.0.tar.gz", kind="url") is None
True
>>> check_url("ext::sh -c touch% /tmp/x", kind="git")
'contains whitespace or a control character (U+0020)'
>>> check_rev("a#subdirectory=../../x")
"contains '#', which no git revision has"
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from typing import TypeVar
from urllib.parse import urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ._patterns import LazyPattern

__all__ = [
    "ARCHIVE_SCHEMES",
    "GIT_SCHEMES",
    "check_marker_backslash",
    "check_path",
    "check_rev",
    "check_subdirectory",
    "check_text",
    "check_url",
    "closest",
    "render_requirement",
]

ARCHIVE_SCHEMES = ("https", "http", "file")
"""Schemes a ``url`` source may use (what pip and uv download from)."""
GIT_SCHEMES = ("https", "http", "ssh", "git", "file")
"""Schemes a ``git`` source may use; transports such as ``ext::`` run commands and are refused."""
_REV = LazyPattern(r"[A-Za-z0-9_][A-Za-z0-9._/+=,-]*")
_HASH_FRAGMENT = LazyPattern(r"(sha256|sha384|sha512|sha224|sha1|md5)=[0-9a-fA-F]+")


def _bad_character(value: str) -> str | None:
    if value.isprintable() and " " not in value:
        return None  # no separator and no "other" character: nothing to look up (most values)
    import unicodedata

    for character in value:
        if character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp", "Zs", "Cs"):
            return f"U+{ord(character):04X}"
    return None


def check_text(value: str) -> str | None:
    """No whitespace or control characters anywhere in ``value``, and not empty."""
    if not value:
        return "is empty"
    bad = _bad_character(value)
    if bad is not None:
        return f"contains whitespace or a control character ({bad})"
    return None


def check_url(url: str, *, kind: str) -> str | None:
    """A URL of a ``url`` source (``kind="url"``) or a ``git`` source (``kind="git"``), without ``git+``.

    The scheme is on an allow-list, there is no whitespace or control character, a network
    scheme names a host, and no fragment competes with the ones sourcelift writes.
    """
    problem = check_text(url)
    if problem is not None:
        return problem
    allowed = GIT_SCHEMES if kind == "git" else ARCHIVE_SCHEMES
    scheme, _, rest = url.partition("://")
    if not rest or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        return f"is not a URL (expected e.g. `{allowed[0]}://host/path`)"
    if scheme.lower() not in allowed:
        return f"uses the scheme `{scheme}`; a `{kind}` source takes {', '.join(f'`{s}`' for s in allowed)}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if scheme.lower() != "file" and not parts.hostname:
        return "names no host"
    if kind == "git":
        if not parts.path and scheme.lower() != "file":
            # `git+https://host@main`: the `@main` a line appends is read as user info and host
            return "names no repository path (expected e.g. `https://host/org/repo.git`)"
        if parts.fragment or "#" in url:
            return "has a `#` fragment; give the subdirectory as `subdirectory` and the revision as `rev`"
        if "@" in parts.path:
            return "has `@` in its path, which a requirement line reads as the start of a revision"
    elif parts.fragment and not _HASH_FRAGMENT.fullmatch(parts.fragment):
        return "has a `#` fragment other than a hash (`#sha256=...`); give the subdirectory as `subdirectory`"
    return None


def check_marker_backslash(text: str, marker: Marker) -> str | None:
    """A marker written with a backslash in a quoted value, when packaging does not write it back as
    written: it reads ``\\b`` or ``\\n`` there as an escape, so ``'a\\b'`` reaches METADATA as a backspace
    and ``'x\\ny'`` as a line break it cannot parse again.  ``text`` is what the user wrote."""
    if "\\" not in text:
        return None  # what nearly every marker is: nothing to check
    rendered = str(marker)
    if rendered.replace("\t", " ").isprintable():
        try:
            if str(Marker(rendered)) == rendered:
                return None
        except InvalidMarker:
            pass
    return f"has a backslash in a quoted value, which packaging reads as an escape: it would be written as {rendered!r}"


def check_rev(rev: str) -> str | None:
    """A git revision: a commit, tag or branch name as git allows it, never an option or a fragment."""
    problem = check_text(rev)
    if problem is not None:
        return problem
    for character, why in (("#", "which no git revision has"), ("@", "which a requirement line cannot carry")):
        if character in rev:
            return f"contains {character!r}, {why}"
    if not _REV.fullmatch(rev) or ".." in rev or rev.endswith(("/", ".", ".lock")):
        return "is not a git commit, tag or branch name"
    return None


def check_subdirectory(value: str) -> str | None:
    """A directory inside a repository or archive: relative, without ``..``, safe in a URL fragment."""
    problem = check_text(value)
    if problem is not None:
        return problem
    if any(character in value for character in "#&?@%\\"):
        return "contains one of # & ? @ % \\, which a `#subdirectory=` fragment cannot carry"
    normalized = posixpath.normpath(value)
    if posixpath.isabs(value) or normalized == ".." or normalized.startswith("../") or ":" in value:
        return "must be a relative path that stays inside the repository (no leading `/`, no `..`)"
    return None


def check_path(value: str) -> str | None:
    """A ``path`` source: not empty, no control characters, no newline (spaces are allowed in paths)."""
    if not value.strip():
        return "is empty; give the relative path of a wheel, an sdist or a project directory"
    if value.isprintable():
        return None  # no separator but the space, no "other" character (most paths)
    import unicodedata

    for character in value:
        if unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            return f"contains a control character (U+{ord(character):04X})"
    return None


def closest(word: str, known: Iterable[str]) -> str:
    """``; did you mean `x`?`` for the known word nearest to ``word``, or ``""``."""
    import difflib

    matches = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean `{matches[0]}`?" if matches else ""


_PARSED: dict[str, Requirement] = {}
_PARSED_LIMIT = 10_000


_MARKERS: dict[str, Marker] = {}
_Parsed = TypeVar("_Parsed")


def _parsed_once(memo: dict[str, _Parsed], text: str, parse: Callable[[str], _Parsed]) -> _Parsed:
    found = memo.get(text)
    if found is None:
        if len(memo) >= _PARSED_LIMIT:
            memo.clear()
        found = memo[text] = parse(text)
    return found


def parsed_requirement(line: str) -> Requirement:
    """``Requirement(line)``, parsed once per process (a build meets each line several times: as
    declared, as the backend wrote it, rendered, recorded).  The result is shared: never modify it,
    modify a :func:`copied` one.  Raises :class:`~packaging.requirements.InvalidRequirement`."""
    return _parsed_once(_PARSED, line, Requirement)


def parsed_marker(text: str) -> Marker:
    """``Marker(text)``, parsed once per process: a workspace member with dozens of extras conjoins
    the same guards for every line it renders, before and after its backend runs.  The result is
    shared (packaging's markers are never modified in place).  Raises ``InvalidMarker``."""
    return _parsed_once(_MARKERS, text, Marker)


def copied(requirement: Requirement) -> Requirement:
    """A copy of ``requirement`` whose fields can be reassigned, made without parsing it again
    (``copy.copy`` re-parses the string form since packaging 26.2)."""
    clone = Requirement.__new__(Requirement)
    clone.name = requirement.name
    clone.url = requirement.url
    clone.extras = set(requirement.extras)
    clone.specifier = requirement.specifier
    clone.marker = requirement.marker
    return clone


def render_requirement(line: str, name: str) -> tuple[str | None, str | None]:
    """``line`` parsed by packaging and rendered again, or a sentence saying why it cannot be.

    The parsed requirement must be for ``name`` and its rendering one line: nothing a source
    carries can add a second requirement or change which project a line is for.
    """
    if "\n" in line or "\r" in line:
        return None, "the line would span more than one line"
    try:
        requirement = parsed_requirement(line)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid"
        return None, f"`{line}` is not a valid requirement ({first})"
    if canonicalize_name(requirement.name) != canonicalize_name(name):
        return None, f"`{line}` names {requirement.name!r}, not {name!r}"
    rendered = str(requirement)
    if "\n" in rendered or "\r" in rendered:  # pragma: no cover - packaging never renders one
        return None, "the line would span more than one line"
    if len(_PARSED) < _PARSED_LIMIT:
        _PARSED.setdefault(rendered, requirement)  # packaging's rendering parses back to the same requirement
    return rendered, None
