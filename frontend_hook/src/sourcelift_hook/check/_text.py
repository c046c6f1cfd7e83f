"""Finding URLs in text, and keeping their credentials out of everything ``sourcelift check`` prints."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sourcelift._urls import redact_credentials

__all__ = ["URL", "credential_problem", "redact", "urls"]

URL = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s\"'<>`]+")
# Query parameters whose value is a secret (tokens in download links, signed URLs).
_SECRET_PARAMETER = re.compile(
    r"(?i)([?&;](?:token|access_token|private_token|auth|api[_-]?key|password|passwd|secret|sig|signature)=)[^&;#]+"
)
# Tokens recognisable by their prefix, wherever they stand.
TOKEN = re.compile(
    r"\b(?:pypi-AgE[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,})"
)


def urls(text: str) -> Iterator[re.Match[str]]:
    return URL.finditer(text)


def _ssh_user_only(url: str) -> bool:
    """``ssh://user@host``: a user name without a password is how ssh URLs name the account, not a secret."""
    scheme, _, rest = url.partition("://")
    userinfo = rest.split("/", 1)[0].rpartition("@")[0]
    return scheme.lower().endswith("ssh") and ":" not in userinfo


def credential_problem(url: str) -> str | None:
    """What secret ``url`` carries (``None`` when none): a user and password, a token as user, a token parameter."""
    _, removed = redact_credentials(url)
    if removed and not _ssh_user_only(url):
        userinfo = url.split("://", 1)[1].split("/", 1)[0].rpartition("@")[0]
        return "a user name and password" if ":" in userinfo else "a user name or token"
    if _SECRET_PARAMETER.search(url):
        return "a secret query parameter"
    if TOKEN.search(url):
        return "an access token"
    return None


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it, and every recognisable token, replaced by ``***``.

    >>> redact("see https://user:pw@example.org/x?token=abc&a=1")
    'see https://***@example.org/x?token=***&a=1'
    """

    def one(match: re.Match[str]) -> str:
        url = match.group(0)
        cleaned, removed = redact_credentials(url)
        if removed and not _ssh_user_only(url):
            scheme, _, rest = cleaned.partition("://")
            url = f"{scheme}://***@{rest}"
        return _SECRET_PARAMETER.sub(lambda m: m.group(1) + "***", url)

    return TOKEN.sub("***", URL.sub(one, text))
