"""URL helpers: file URLs for paths, and credentials kept out of anything we emit."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

__all__ = ["path_to_file_url", "redact_credentials"]

_ENV_VAR = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")


def path_to_file_url(path: Path) -> str:
    """Return the ``file://`` URL of an absolute path.

    >>> path_to_file_url(Path("/srv/wheels/a b.whl"))
    'file:///srv/wheels/a%20b.whl'
    """
    # Path.as_uri rather than urllib.request.pathname2url: importing urllib.request
    # pulls in http, email and ssl, a cost every build would pay.
    return path.absolute().as_uri()


def redact_credentials(url: str) -> tuple[str, bool]:
    """Remove credentials from a URL, as the Direct URL specification requires.

    Keeps the ``git`` user of ssh URLs and ``${VAR}`` placeholders, which are not
    secrets.  Returns the cleaned URL and whether anything was removed.

    >>> redact_credentials("https://user:tok@example.com/r.git")
    ('https://example.com/r.git', True)
    >>> redact_credentials("ssh://git@example.com/r.git")
    ('ssh://git@example.com/r.git', False)
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, False
    userinfo, _, host = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    if not sep and (user == "git" or _ENV_VAR.match(user)):
        return url, False
    if sep and _ENV_VAR.match(user) and _ENV_VAR.match(password):
        return url, False
    return urlunsplit(parts._replace(netloc=host)), True
