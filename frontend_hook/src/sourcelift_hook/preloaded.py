"""Installed distributions a caller already holds in memory: the same ``provenance`` and ``freeze`` answers.

A solver seeding its installed packages, or an image analyser that read ``.dist-info`` files out of
a registry, holds each distribution's ``METADATA``, ``RECORD`` and ``direct_url.json``.
:func:`environment_of` builds an :class:`~sourcelift_hook.environment.Environment` of them without
touching the disk; :func:`provenance` and :func:`freeze` then answer exactly as
``sourcelift provenance --json`` and ``sourcelift freeze`` do for the same files on disk.

>>> from sourcelift_hook.preloaded import Distribution, environment_of, freeze
>>> env = environment_of([Distribution(metadata=b"Metadata-Version: 2.1\\nName: six\\nVersion: 1.17.0\\n")])
>>> freeze(env)[0].splitlines()[-1]
'six==1.17.0'

The installed files themselves are optional: given (``files``, by their RECORD path), they are
checked against RECORD as on disk; not given, RECORD is taken as what is installed (the check
reports them as matching).  Every problem with the input is reported at once
(:class:`~sourcelift_hook.errors.HookError`); nothing is executed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from sourcelift.record_file import parse_rows

from .environment import (
    DIST_INFO_FILES,
    Environment,
    MemoryTree,
    _head,
    _parse_head,
    canonical_name,
)
from .errors import HookError
from .freeze import freeze
from .report import build_report

__all__ = ["DEFAULT_ROOT", "Distribution", "environment_of", "freeze", "provenance"]

DEFAULT_ROOT = "site-packages"
"""The installation root the distributions are placed in, unless one is given."""


def _bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


class Distribution:
    """One installed distribution as its ``.dist-info`` files.

    ``metadata``: ``METADATA`` (all of it, or its header part); ``record``: ``RECORD``;
    ``direct_url``: ``direct_url.json`` (bytes, text or the parsed object), ``None`` for an index
    install; ``installer``: ``INSTALLER``'s content; ``extra``: any other ``.dist-info`` file by
    name (``WHEEL``, ``sourcelift-provenance.json``, ``sourcelift-origin.json``); ``files``: the
    installed files by RECORD path, to check them (default: RECORD is trusted); ``root``: the
    installation root (distributions in different roots are different installations).
    """

    __slots__ = ("direct_url", "extra", "files", "installer", "metadata", "record", "root")

    def __init__(
        self,
        metadata: bytes | str,
        record: bytes | str | None = None,
        direct_url: bytes | str | Mapping[str, object] | None = None,
        *,
        installer: str | None = None,
        extra: Mapping[str, bytes] | None = None,
        files: Mapping[str, bytes] | None = None,
        root: str = DEFAULT_ROOT,
    ) -> None:
        self.metadata = _bytes(metadata)
        self.record = None if record is None else _bytes(record)
        if direct_url is not None and not isinstance(direct_url, (bytes, str)):
            direct_url = json.dumps(dict(direct_url), sort_keys=True)
        self.direct_url = None if direct_url is None else _bytes(direct_url)
        self.installer = installer
        self.extra = dict(extra or {})
        self.files = None if files is None else dict(files)
        self.root = root

    def __repr__(self) -> str:
        name, version, _ = _parse_head(_head(self.metadata))
        return f"Distribution({name!r}, {version!r}, root={self.root!r})"


def _dist_info_name(dist: Distribution, name: str, version: str) -> str:
    """The ``.dist-info`` directory RECORD names for itself, else the one an installer would make."""
    if dist.record is not None:
        for path, _, _ in parse_rows(dist.record.decode("utf-8", "replace")):
            top, _, rest = path.partition("/")
            if rest == "RECORD" and top.endswith(".dist-info"):
                return top
    return f"{canonical_name(name).replace('-', '_')}-{version}.dist-info"


def environment_of(distributions: Iterable[Distribution], *, description: str = "pre-loaded metadata") -> Environment:
    """An environment of ``distributions``, held in memory; :class:`HookError` lists every bad input."""
    files: dict[str, dict[str, bytes]] = {}
    digests: dict[str, dict[str, tuple[str, int]]] = {}
    problems: list[str] = []
    for number, dist in enumerate(distributions, 1):
        name, version, _ = _parse_head(_head(dist.metadata))
        if not name or not version:
            problems.append(f"distribution #{number}: its METADATA has no Name or no Version")
            continue
        dist_info = _dist_info_name(dist, name, version)
        root = files.setdefault(dist.root, {})
        root_digests = digests.setdefault(dist.root, {})
        if f"{dist_info}/METADATA" in root:
            problems.append(f"distribution #{number}: {dist_info} is given twice in {dist.root}")
            continue
        unknown = sorted(set(dist.extra) - DIST_INFO_FILES)
        if unknown:
            problems.append(f"{dist_info}: {', '.join(unknown)} are not .dist-info files the command reads")
        content = {"METADATA": dist.metadata, **{k: v for k, v in dist.extra.items() if k in DIST_INFO_FILES}}
        if dist.record is not None:
            content["RECORD"] = dist.record
        if dist.direct_url is not None:
            content["direct_url.json"] = dist.direct_url
        if dist.installer is not None:
            content["INSTALLER"] = (dist.installer.strip() + "\n").encode("utf-8")
        for file, data in content.items():
            root[f"{dist_info}/{file}"] = data
        if dist.files is not None:
            root.update(dist.files)
        elif dist.record is not None:
            for path, digest, size in parse_rows(dist.record.decode("utf-8", "replace")):
                if digest and size.isdigit() and not path.startswith(f"{dist_info}/"):
                    root_digests[path] = (digest, int(size))
    if problems:
        raise HookError("; ".join(problems), "give each distribution's METADATA (with Name and Version)")
    return Environment.load(MemoryTree(files, digests, description=description))


def provenance(env: Environment, names: list[str] | None = None) -> dict[str, object]:
    """The report ``sourcelift provenance --json`` prints (version ``"1"``), as a JSON-ready dict."""
    return build_report(env, names)
