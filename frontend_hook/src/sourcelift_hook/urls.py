"""URL helpers: credentials kept out of everything written or shown, file URLs, requirement URLs."""

from __future__ import annotations

import os
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

__all__ = [
    "file_url_to_path",
    "fragment_hashes",
    "has_credentials",
    "path_to_file_url",
    "redact_credentials",
    "requirement_url",
    "without_fragment",
]

_ENV_VAR = re.compile(r"^\$\{[A-Za-z0-9_-]+\}$")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


def redact_credentials(url: str) -> tuple[str, bool]:
    """Remove credentials from a URL, as the Direct URL specification requires.

    Keeps a bare ``git`` user (ssh) and ``${VAR}`` placeholders, which are not secrets.
    Works on a URL anywhere in a string (a requirement line): every ``scheme://user@`` part.

    >>> redact_credentials("https://user:tok@example.com/r.git")
    ('https://example.com/r.git', True)
    >>> redact_credentials("git+ssh://git@example.com/r.git")
    ('git+ssh://git@example.com/r.git', False)
    """
    changed = False

    def clean(match: re.Match[str]) -> str:
        nonlocal changed
        userinfo = match.group("userinfo")
        user, sep, password = userinfo.partition(":")
        if not sep and (user == "git" or _ENV_VAR.match(user)):
            return match.group(0)
        if sep and _ENV_VAR.match(user) and _ENV_VAR.match(password):
            return match.group(0)
        changed = True
        return match.group("scheme")

    result = re.sub(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]*)@", clean, url)
    return result, changed


def has_credentials(text: str) -> bool:
    return redact_credentials(text)[1]


def requirement_url(line: str) -> tuple[str, str] | None:
    """``(name, url)`` of a PEP 508 direct reference ``name[extras] @ url ; marker``.

    >>> requirement_url("x[cli] @ https://h/x-1.whl ; python_version >= '3.9'")
    ('x', 'https://h/x-1.whl')
    """
    head, sep, rest = line.partition("@")
    if not sep:
        return None
    name = head.split("[", 1)[0].strip()
    words = rest.split(None, 1)
    if not words or not _NAME.match(name):
        return None
    return name, words[0]


def without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def fragment_hashes(url: str) -> dict[str, str]:
    """Hashes given in a URL's fragment (``#sha256=...``)."""
    _, _, fragment = url.partition("#")
    hashes = {}
    for part in fragment.split("&"):
        key, sep, value = part.partition("=")
        if sep and key in ("sha256", "sha384", "sha512", "sha1", "md5") and re.fullmatch(r"[0-9a-fA-F]+", value):
            hashes[key] = value.lower()
    return hashes


def file_url_to_path(url: str) -> str | None:
    """The local path of a ``file:`` URL on this machine (``None`` for other URLs or remote hosts)."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = unquote(parts.path)
    if os.name == "nt" and re.match(r"^/[A-Za-z]:", path):
        path = path[1:].replace("/", "\\")
    return path


def path_to_file_url(path: str) -> str:
    """``file://`` URL of an absolute local path (as ``Path.as_uri`` makes it)."""
    absolute = os.path.abspath(path).replace(os.sep, "/")
    drive = ""
    if re.match(r"^[A-Za-z]:", absolute):  # Windows: file:///C:/...
        drive, absolute = "/" + absolute[:2], absolute[2:]
    return urlunsplit(("file", "", drive + quote(absolute, safe="/"), "", ""))
