"""``direct_url.json`` (PEP 610, the Direct URL data structure): read, checked, written.

Reading (``provenance``, ``freeze``: paths that never import packaging, whose
``packaging.direct_url`` costs about 16 ms of CPU to import with what it pulls in, median of 9
runs of ``python -c "import packaging.direct_url"`` on Python 3.11) checks what every
reader of the specification needs: a JSON object with a string ``url`` and exactly one of
``archive_info``, ``dir_info`` and ``vcs_info`` (an object; ``vcs_info`` with string ``vcs``
and ``commit_id``).  Writing (``record``) validates the standard part with
``packaging.direct_url.DirectUrl`` and refuses credentials.  Two extensions for an archive
inside a repository are kept, which ``DirectUrl`` would drop: uv's top-level ``path`` and
the ``file`` key proposed in packaging.python.org PR 1798 (both next to ``vcs_info``).
"""

from __future__ import annotations

import json
import os
import re

from sourcelift.provenance_document import is_valid_unicode
from sourcelift.urls import file_url_to_path, has_credentials, redact_credentials

__all__ = [
    "Redactor",
    "archive_sha256",
    "direct_url_kind",
    "file_path",
    "freeze_url",
    "in_repository_path",
    "parse",
    "render",
]


class Redactor(dict[str, str]):
    """``redactor[text]`` is ``redact_credentials(text)[0]``, computed once per text: an export or a report
    names one repository, one commit, one index URL many times."""

    def __missing__(self, text: str) -> str:
        result = self[text] = redact_credentials(text)[0]
        return result


_C0_OR_SPACE = "".join(map(chr, range(0x21)))  # what urlsplit strips off the front of a URL


def file_path(url: str) -> str | None:
    """:func:`sourcelift.urls.file_url_to_path`, without parsing the URLs that cannot be ``file:`` ones.

    ``urlsplit`` (about 5 microseconds a URL) names the scheme ``file`` only when the URL, less
    the blanks and control characters it strips off the front and the tabs and line ends it
    removes, starts with ``file:`` in any case; every other URL has no local path.  A plain
    ``file:///path`` (no query, fragment, percent sign, blank or control character) is its path.
    """
    if url.lstrip(_C0_OR_SPACE)[:5].lower() != "file:" and "\t" not in url and "\r" not in url and "\n" not in url:
        return None
    if os.name != "nt" and _PLAIN_FILE_URL.match(url):
        return url[7:]  # what urlsplit calls its path, and nothing in it to unquote
    path = file_url_to_path(url)
    return None if path is not None and "\x00" in path else path  # `%00`: no file has such a path


_PLAIN_FILE_URL = re.compile(r"file:///[^?#%;\x00-\x20]*\Z")


def parse(data: bytes) -> tuple[dict[str, object] | None, str | None]:
    """The direct_url.json data, or ``(None, what is wrong)``."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, "direct_url.json is not valid JSON"
    if not isinstance(value, dict):
        return None, "direct_url.json is not a JSON object"
    # a lone surrogate reaches a str from UTF-8 JSON text only by a `\\u` escape: most files have none
    if b"\\u" in data and not is_valid_unicode(value):
        return None, "direct_url.json holds text that is not valid Unicode (a lone surrogate such as \\udcff)"
    if not isinstance(value.get("url"), str) or not value["url"]:
        return None, "direct_url.json has no string `url`"
    infos = [key for key in ("archive_info", "dir_info", "vcs_info") if key in value]
    if len(infos) != 1:
        return None, "direct_url.json must have exactly one of archive_info, dir_info, vcs_info"
    info = value[infos[0]]
    if not isinstance(info, dict):
        return None, f"`{infos[0]}` of direct_url.json is not an object"
    if infos[0] == "vcs_info" and not (isinstance(info.get("vcs"), str) and isinstance(info.get("commit_id"), str)):
        return None, "`vcs_info` of direct_url.json needs string `vcs` and `commit_id`"
    for key in ("subdirectory", "path", "file"):
        if key in value and not isinstance(value[key], str):
            return None, f"`{key}` of direct_url.json is not a string"
    return value, None


def direct_url_kind(direct_url: dict[str, object]) -> str:
    """``archive``, ``directory``, ``vcs`` or ``archive-in-vcs`` (uv's ``path``, PR 1798's ``file``)."""
    if "vcs_info" in direct_url:
        return "archive-in-vcs" if in_repository_path(direct_url) is not None else "vcs"
    if "dir_info" in direct_url:
        return "directory"
    return "archive"


def in_repository_path(direct_url: dict[str, object]) -> str | None:
    """The archive's path inside the repository of a VCS direct_url.json (uv ``path`` or PR 1798 ``file``)."""
    if "vcs_info" not in direct_url:
        return None
    for key in ("path", "file"):
        value = direct_url.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _info(direct_url: dict[str, object], key: str) -> dict[str, object]:
    value = direct_url.get(key)
    return value if isinstance(value, dict) else {}


def archive_sha256(direct_url: dict[str, object]) -> str | None:
    """The sha256 an installer recorded for an archive (``hashes`` or the legacy ``hash``)."""
    info = _info(direct_url, "archive_info")
    hashes = info.get("hashes")
    if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
        return str(hashes["sha256"]).lower()
    legacy = info.get("hash")
    if isinstance(legacy, str) and legacy.startswith("sha256="):
        return legacy[len("sha256=") :].lower()
    return None


def is_editable(direct_url: dict[str, object]) -> bool:
    return bool(_info(direct_url, "dir_info").get("editable"))


def freeze_url(direct_url: dict[str, object]) -> str:
    """The URL ``pip freeze`` prints for a direct_url.json (``git+URL@commit#subdirectory=...``, ``URL#sha256=...``)."""
    url = str(direct_url["url"])
    subdirectory = direct_url.get("subdirectory")
    if "vcs_info" in direct_url:
        info = _info(direct_url, "vcs_info")
        url = f"{info['vcs']}+{url}@{info['commit_id']}"
    elif "archive_info" in direct_url:
        digest = archive_sha256(direct_url)
        if digest is not None:
            return url + f"#sha256={digest}" + (f"&subdirectory={subdirectory}" if subdirectory else "")
    return url + (f"#subdirectory={subdirectory}" if subdirectory else "")


def render(direct_url: dict[str, object]) -> bytes:
    """The bytes written for a direct_url.json: sorted keys, compact, UTF-8 (deterministic)."""
    from packaging.direct_url import DirectUrl, DirectUrlValidationError

    if has_credentials(str(direct_url.get("url", ""))):
        raise ValueError("refusing to write a direct_url.json whose url carries credentials")
    try:
        DirectUrl.from_dict(direct_url)
    except DirectUrlValidationError as exc:
        raise ValueError(f"refusing to write an invalid direct_url.json: {exc}") from None
    return json.dumps(direct_url, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
