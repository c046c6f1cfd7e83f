"""The wheel an index-installed distribution came from: its URL and hashes, found as pip would find them.

An installed distribution from an index keeps no URL and no hash (pip writes no
``direct_url.json`` for it).  A lock needs both.  They are looked up where pip looks:

- pip's configuration, read through pip itself (``python -m pip config list``: the
  configuration files and ``PIP_*`` variables, merged with pip's precedence): ``index-url``,
  ``extra-index-url``, ``no-index``, ``find-links``;
- each index's project page (``<index>/<name>/``), PEP 691 JSON when the index offers it, else the
  PEP 503 HTML page; ``file:`` indexes are read like pip reads them (``index.html``);
- a wheel is taken when its name and version are the installed ones and one of its tags is a tag
  the installed ``WHEEL`` file names (the wheel pip chose for this environment), with its sha256
  as the index gives it.  Local ``find-links`` directories are handled by the caller, which
  checks each wheel's files against the installed ones.

Credentials in an index URL are used for the request (basic auth) and never written: every URL
returned is cleaned.  Pages are read up to :data:`MAX_PAGE` bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from sourcelift.urls import fragment_hashes, redact_credentials, without_fragment

__all__ = ["MAX_PAGE", "IndexConfig", "IndexFile", "find_index_files", "pip_index_config"]

MAX_PAGE = 32 * 1024 * 1024
DEFAULT_INDEX = "https://pypi.org/simple/"
_JSON = "application/vnd.pypi.simple.v1+json"
_TIMEOUT = 60


class IndexConfig:
    """Where pip looks for distributions: indexes (unless ``no-index``) and find-links locations."""

    __slots__ = ("find_links", "indexes", "source")

    def __init__(self, indexes: Sequence[str], find_links: Sequence[str] = (), source: str = "") -> None:
        self.indexes = list(indexes)
        self.find_links = list(find_links)
        self.source = source

    def __repr__(self) -> str:
        return f"IndexConfig({[redact_credentials(i)[0] for i in self.indexes]!r}, {self.find_links!r})"


class IndexFile:
    """One wheel or sdist of an index: cleaned URL, file name, sha256, and the index it was found on."""

    __slots__ = ("filename", "index", "sha256", "size", "url")

    def __init__(self, filename: str, url: str, sha256: str, index: str, size: int | None = None) -> None:
        self.filename = filename
        self.url = url
        self.sha256 = sha256
        self.index = index
        self.size = size

    def __repr__(self) -> str:
        return f"IndexFile({self.filename!r}, {self.url!r})"

    @property
    def is_sdist(self) -> bool:
        return not self.filename.endswith(".whl")


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _parse_config_list(text: str) -> dict[str, str]:
    """``section.key='value'`` lines of ``pip config list`` -> effective values (env > install > global)."""
    found: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if not sep or "." not in name:
            continue
        section, _, key = name.rpartition(".")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found[(section, key)] = value
    effective: dict[str, str] = {}
    for section in ("global", "install", ":env:"):  # later wins
        for (where, key), value in found.items():
            if where == section:
                effective[key] = value
    return effective


def pip_index_config(python: str | None = None) -> IndexConfig:
    """pip's index configuration for ``python`` (default: this interpreter), asked of pip itself.

    Without a working pip, the ``PIP_*`` variables alone are read (and the source says so).
    """
    source = "pip config list"
    try:
        proc = subprocess.run(
            [python or sys.executable, "-m", "pip", "config", "list"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        values = _parse_config_list(proc.stdout) if proc.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        values = None
    if values is None:
        source = "PIP_* environment variables (pip could not be run)"
        values = {
            key: os.environ[f"PIP_{key.upper().replace('-', '_')}"]
            for key in ("index-url", "extra-index-url", "no-index", "find-links")
            if f"PIP_{key.upper().replace('-', '_')}" in os.environ
        }
    indexes: list[str] = []
    if not _truthy(values.get("no-index", "")):
        indexes.append(values.get("index-url", "").strip() or DEFAULT_INDEX)
        indexes += values.get("extra-index-url", "").split()
    return IndexConfig(indexes, values.get("find-links", "").split(), source)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def _request_url(url: str) -> tuple[str, str | None]:
    """The URL without user info, and a basic-auth header value for it (if it had any)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    import base64

    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode("ascii")
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)), f"Basic {token}"


def _fetch(url: str) -> tuple[bytes, str, str]:
    """(body, content type, final URL) of a page; OSError-family on failure."""
    import urllib.request

    plain, auth = _request_url(url)
    if urlsplit(plain).scheme == "file":
        path = urllib.request.url2pathname(urlsplit(plain).path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        with open(path, "rb") as stream:
            return stream.read(MAX_PAGE + 1)[:MAX_PAGE], "text/html", plain
    request = urllib.request.Request(plain, headers={"Accept": f"{_JSON}, text/html;q=0.1"})
    if auth is not None:
        request.add_header("Authorization", auth)
    with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
        body = response.read(MAX_PAGE + 1)
        if len(body) > MAX_PAGE:
            raise OSError(f"the page is larger than {MAX_PAGE} bytes")
        return body, str(response.headers.get("Content-Type", "")), str(response.geturl())


def _files(body: bytes, content_type: str, base: str) -> list[tuple[str, str, dict[str, str], int | None]]:
    """(file name, absolute URL, hashes, size) of every file on a project page."""
    result: list[tuple[str, str, dict[str, str], int | None]] = []
    if "json" in content_type:
        try:
            data = json.loads(body.decode("utf-8"))
        except RecursionError:
            raise ValueError("its JSON is nested too deeply to read") from None
        files = data.get("files") if isinstance(data, dict) else None
        for item in files if isinstance(files, list) else []:  # a page of another shape lists nothing
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                continue
            given = item.get("hashes")
            hashes: dict[object, object] = given if isinstance(given, dict) else {}
            size = item.get("size") if isinstance(item.get("size"), int) else None
            url = urljoin(base, item["url"])
            result.append(
                (str(item.get("filename") or ""), url, {str(k): str(v).lower() for k, v in hashes.items()}, size)
            )
        return result
    parser = _Anchors()
    parser.feed(body.decode("utf-8", "replace"))
    for href, text in parser.links:
        url = urljoin(base, href)
        name = text or unquote(without_fragment(url).rsplit("/", 1)[-1])
        result.append((name, url, fragment_hashes(url), None))
    return result


def _clean(url: str) -> str:
    return redact_credentials(without_fragment(url))[0]


def find_index_files(
    wanted: Iterable[tuple[str, str, frozenset[str]]], config: IndexConfig
) -> tuple[dict[tuple[str, str], list[IndexFile]], list[str]]:
    """For each ``(canonical name, version, installed wheel tags)``: the index's matching wheels, else
    its sdist of that version (a single file: what pip built the installed wheel from).

    Returns the files found per ``(name, version)`` as given (an environment may hold two
    versions of one name, in two --path directories; the first index that has a wheel wins, as with pip's default
    candidate order for one version; an sdist counts only where no index has a wheel), and notes on
    indexes that could not be read.
    """
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        canonicalize_name,
        parse_sdist_filename,
        parse_wheel_filename,
    )
    from packaging.version import InvalidVersion, Version

    found: dict[tuple[str, str], list[IndexFile]] = {}
    notes: list[str] = []
    unreachable: set[str] = set()
    for name, version, tags in wanted:
        key = canonicalize_name(name)
        try:
            wanted_version = Version(version)
        except InvalidVersion:
            continue
        sdist: IndexFile | None = None
        for index in config.indexes:
            if index in unreachable:
                continue
            base = index if index.endswith("/") else index + "/"
            page = urljoin(base, f"{key}/")
            try:
                body, content_type, final = _fetch(page)
                files = _files(body, content_type, final)
            except FileNotFoundError:
                continue
            except (OSError, ValueError) as exc:
                code = getattr(exc, "code", None)
                if code == 404:
                    continue
                notes.append(f"{_clean(index)} could not be read: {redact_credentials(str(exc))[0]}")
                unreachable.add(index)
                continue
            wheels = []
            for filename, url, hashes, size in files:
                if "sha256" not in hashes:
                    continue
                found_file = IndexFile(filename, _clean(url), hashes["sha256"], _clean(base), size)
                if filename.endswith((".tar.gz", ".zip")):
                    try:
                        file_name, file_version = parse_sdist_filename(filename)
                    except (InvalidSdistFilename, InvalidVersion):
                        continue
                    if sdist is None and file_name == key and file_version == wanted_version:
                        sdist = found_file
                    continue
                if not filename.endswith(".whl"):
                    continue
                try:
                    file_name, file_version, _, file_tags = parse_wheel_filename(filename)
                except (InvalidWheelFilename, InvalidVersion):
                    continue
                if file_name != key or file_version != wanted_version:
                    continue
                if tags and not {str(t) for t in file_tags} & tags:
                    continue
                wheels.append(found_file)
            if wheels:
                found[name, version] = wheels
                break
        else:
            if sdist is not None:
                found[name, version] = [sdist]
    return found, notes
