"""URLs: file URLs for paths, direct references in requirement lines, and the one credential redactor.

Both distributions use :func:`redact_credentials` for everything they write or show (metadata,
the sdist's files, the provenance document, direct_url.json, ``freeze``, ``provenance``,
``check``, messages).  It removes, in every URL of a text:

- the user info (``user:password@``, ``token@``), up to the last ``@`` of the authority, so a
  password holding an ``@`` goes whole; kept: a bare ``git`` user (ssh) and ``${VAR}``
  placeholders (not secrets, as the Direct URL specification allows);
- query and fragment parameters that carry a secret: ``token``, ``access_token``,
  ``private_token`` and any name ending in ``token``, ``secret``, ``password``, ``passwd`` or
  ``signature``; ``sig``, ``auth``, ``api_key``/``apikey``, every ``X-Amz-*`` and the signing
  ``X-Goog-*`` parameters (signed URLs of S3, GCS, Azure; GitLab, GitHub and Hugging Face tokens);
- tokens recognisable by their prefix (``ghp_...``, ``github_pat_...``, ``glpat-...``,
  ``pypi-AgE...``) wherever they stand.

Removed means gone (``https://host/p``) or, for display with ``mask="***"``, replaced
(``https://***@host/p?token=***``).
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit

from ._patterns import LazyPattern

__all__ = [
    "FRAGMENT_SAFE",
    "TOKEN",
    "URL",
    "credential_kinds",
    "file_url_to_path",
    "fragment_hashes",
    "has_credentials",
    "path_to_file_url",
    "redact_credentials",
    "requirement_url",
    "scp_as_ssh_url",
    "without_fragment",
]

# what every installer reads back from a `#subdirectory=` fragment as written (pip, uv)
FRAGMENT_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/+"
URL = LazyPattern(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s\"'<>`]+")
"""A URL anywhere in a text (up to whitespace or a quote)."""
TOKEN = LazyPattern(
    r"\b(?:pypi-AgE[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}"
    r"|hf_[A-Za-z0-9]{30,})"
)
"""Access tokens recognisable by their prefix (PyPI, GitHub, GitLab, Hugging Face)."""
_TOKEN_PREFIXES = ("pypi-AgE", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "hf_")
"""Every match of :data:`TOKEN` contains one of these."""
_ENV_VAR = LazyPattern(r"^\$\{[A-Za-z_][A-Za-z0-9_-]*\}$")
_SECRET_NAME = LazyPattern(
    r"(?i)(?:.*(?:token|secret|password|passwd|signature)|sig|auth|api[_-]?key|x-amz-.*"
    r"|x-goog-(?:signature|credential|security-token))"
)
_NAME = LazyPattern(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


def _clean_userinfo(authority: str, mask: str | None) -> tuple[str, bool]:
    userinfo, at, host = authority.rpartition("@")
    if not at:
        return authority, False
    user, colon, password = userinfo.partition(":")
    if not colon and (user == "git" or _ENV_VAR.match(user)):
        return authority, False
    if colon and _ENV_VAR.match(user) and _ENV_VAR.match(password):
        return authority, False
    return (host if mask is None else f"{mask}@{host}"), True


def _clean_parameters(parameters: str, mask: str | None) -> tuple[str, bool]:
    kept: list[str] = []
    changed = False
    for part in re.split(r"[&;]", parameters):
        name, equals, _ = part.partition("=")
        if equals and _SECRET_NAME.fullmatch(unquote(name)):
            changed = True
            if mask is not None:
                kept.append(f"{name}={mask}")
            continue
        kept.append(part)
    return ("&".join(kept) if changed else parameters), changed


def _clean_url(url: str, mask: str | None, found: set[str]) -> str:
    scheme, _, rest = url.partition("://")
    end = len(rest)
    for stop in "/?#":
        at = rest.find(stop)
        if at != -1:
            end = min(end, at)
    authority, tail = rest[:end], rest[end:]
    authority, removed = _clean_userinfo(authority, mask)
    if removed:
        found.add("userinfo")
    tail, _, fragment = tail.partition("#")
    path, _, query = tail.partition("?")
    if query:
        query, removed = _clean_parameters(query, mask)
        if removed:
            found.add("parameter")
    if fragment:
        fragment, removed = _clean_parameters(fragment, mask)
        if removed:
            found.add("parameter")
    cleaned = f"{scheme}://{authority}{path}"
    if query:
        cleaned += f"?{query}"
    if fragment:
        cleaned += f"#{fragment}"
    return cleaned


def _redact(text: str, mask: str | None) -> tuple[str, set[str]]:
    found: set[str] = set()
    # _clean_url changes a URL only at an `@`, a `?` or a `#`, and every TOKEN starts with one of
    # _TOKEN_PREFIXES: text without them (most URLs a build writes) skips both patterns
    result = text
    if "://" in text and ("@" in text or "?" in text or "#" in text):
        result = URL.sub(lambda match: _clean_url(match.group(0), mask, found), text)
    if any(prefix in result for prefix in _TOKEN_PREFIXES):
        result, tokens = TOKEN.subn(mask or "***", result)
        if tokens:
            found.add("token")
    return result, found


def redact_credentials(text: str, *, mask: str | None = None) -> tuple[str, bool]:
    """``text`` with the secrets of every URL in it removed (see the module docstring), and whether any was.

    ``mask`` replaces each secret instead of removing it (for messages and reports).

    >>> redact_credentials("https://user:tok@example.com/r.git")
    ('https://example.com/r.git', True)
    >>> redact_credentials("https://u:p@ss@host/r.git")
    ('https://host/r.git', True)
    >>> redact_credentials("x @ https://h/x-1.tar.gz?private_token=abc&v=1#sha256=00")
    ('x @ https://h/x-1.tar.gz?v=1#sha256=00', True)
    >>> redact_credentials("ssh://git@example.com/r.git")
    ('ssh://git@example.com/r.git', False)
    >>> redact_credentials("see https://user:pw@example.org/x?token=abc&a=1", mask="***")
    ('see https://***@example.org/x?token=***&a=1', True)
    """
    result, found = _redact(text, mask)
    return result, bool(found)


def credential_kinds(text: str) -> set[str]:
    """Which kinds of secret ``text`` carries: ``userinfo``, ``parameter`` (query or fragment), ``token``."""
    return _redact(text, None)[1]


def has_credentials(text: str) -> bool:
    """Whether any URL in ``text`` carries a secret :func:`redact_credentials` would remove."""
    return redact_credentials(text)[1]


def path_to_file_url(path: str | os.PathLike[str]) -> str:
    """Return the ``file://`` URL of an absolute path.

    >>> path_to_file_url("/srv/wheels/a b.whl")
    'file:///srv/wheels/a%20b.whl'
    """
    # Path.as_uri rather than urllib.request.pathname2url: importing urllib.request
    # pulls in http, email and ssl, a cost every build would pay.
    from pathlib import Path

    # a Path is taken as it is (a copy of it is the same path; a workspace's sources are Paths already)
    return (path if isinstance(path, Path) else Path(path)).absolute().as_uri()


def scp_as_ssh_url(url: str) -> str | None:
    """git's scp-like ``[user@]host:path`` as the ``ssh://`` URL it means, else ``None``.

    >>> scp_as_ssh_url("git@github.com:org/repo.git"), scp_as_ssh_url("https://h/r.git")
    ('ssh://git@github.com/org/repo.git', None)
    >>> scp_as_ssh_url("C:/repos/r.git"), scp_as_ssh_url("../repos/r.git")
    (None, None)
    """
    if "://" in url:
        return None
    # as git reads it: a colon before any slash; a one-letter host is a Windows drive
    head, colon, path = url.partition(":")
    user, at, host = head.rpartition("@")
    if not colon or "/" in head or "\\" in head or len(host) < 2 or "@" in user:
        return None
    return f"ssh://{user}{at}{host}/{path.lstrip('/')}"


def installable_git_url(url: str) -> str:
    """``url`` as the repository of a ``git+`` requirement line every installer reads.

    ``file:///path`` becomes ``file://localhost/path``: pip 23 (vendoring packaging 21.3; pip 23.2.1
    is what ``python -m venv`` installs on Python 3.11) stops with a traceback at a ``git+file:///``
    requirement (a URL with no host), while git, pip and uv read both spellings as one place.  A
    Windows drive (``file:///C:/...``) is left as it is.

    >>> installable_git_url("file:///srv/git/r.git"), installable_git_url("https://h/r.git")
    ('file://localhost/srv/git/r.git', 'https://h/r.git')

    git's scp-like ``git@host:org/r.git`` (which poetry documents for a `git` dependency) becomes the
    ``ssh://`` URL poetry-core writes: uv cannot parse ``git+git@host:...`` at all.

    >>> installable_git_url("git@github.com:org/r.git")
    'ssh://git@github.com/org/r.git'
    """
    ssh = scp_as_ssh_url(url)
    if ssh is not None:
        return ssh
    if url.startswith("file:///") and not (len(url) > 9 and url[8].isalpha() and url[9] == ":"):
        return "file://localhost/" + url[len("file:///") :]
    return url


def file_url_to_path(url: str) -> str | None:
    """The local path of a ``file:`` URL on this machine (``None`` for other URLs or remote hosts)."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = unquote(parts.path)
    if os.name == "nt" and re.match(r"^/[A-Za-z]:", path):
        path = path[1:].replace("/", "\\")
    return path


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
