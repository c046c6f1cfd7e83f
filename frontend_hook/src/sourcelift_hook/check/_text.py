"""Finding URLs in text, and keeping their credentials out of everything ``sourcelift check`` prints.

The rules of what is a secret are sourcelift's one redactor (:mod:`sourcelift.urls`); here,
only what ``check`` calls a problem and how it shows a redacted URL (``***`` in its place).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sourcelift.urls import TOKEN, URL, credential_kinds, redact_credentials

__all__ = ["TOKEN", "URL", "credential_problem", "redact", "urls"]


def urls(text: str) -> Iterator[re.Match[str]]:
    return URL.finditer(text)


def _userinfo(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[0]


def _ssh_user_only(url: str) -> bool:
    """``ssh://user@host``: a user name without a password is how ssh URLs name the account, not a secret."""
    scheme = url.partition("://")[0]
    return scheme.lower().endswith("ssh") and ":" not in _userinfo(url)


def credential_problem(url: str) -> str | None:
    """What secret ``url`` carries (``None`` when none): a user and password, a token as user, a token parameter."""
    kinds = credential_kinds(url)
    if "userinfo" in kinds and not _ssh_user_only(url):
        return "a user name and password" if ":" in _userinfo(url) else "a user name or token"
    if "parameter" in kinds:
        return "a secret query parameter"
    if "token" in kinds:
        return "an access token"
    return None


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it, and every recognisable token, replaced by ``***``.

    >>> redact("see https://user:pw@example.org/x?token=abc&a=1")
    'see https://***@example.org/x?token=***&a=1'
    """
    return redact_credentials(text, mask="***")[0]
