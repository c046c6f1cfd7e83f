"""What ``direct_url.json`` says after ``sourcelift record``, per ``--style``.

Every style writes a direct_url.json valid for every reader of the specification (exactly one of
``archive_info``/``dir_info``/``vcs_info``, a credential-free ``url``).

``default`` -- ``pip freeze`` output reinstalls with ``pip install -r``:

- an archive keeps (or gets) the store URL the dependent's ``Requires-Dist`` line names, with
  exactly the hash that line carries.  pip treats two URLs for one project as the same only
  when their hashes agree too: ``pip freeze`` printing ``URL#sha256=...`` next to a dependent
  that requires ``URL`` makes ``pip install -r`` fail with ResolutionImpossible (pip 26.3);
- a directory whose recorded path is gone (pip's temporary clone) becomes
  ``vcs_info`` = ``git+URL@commit#subdirectory=PATH`` (``file:///`` spelled ``file://localhost/``,
  which pip 23 installs); one that still exists keeps its
  ``dir_info`` (still reinstallable, and its commit may not be pushed anywhere).

``uv`` -- uv's own form for an archive inside a repository: ``url`` = the repository,
``vcs_info``, top-level ``path``; uv then sees ``uv pip install`` of the same requirement as
satisfied.  pip ignores ``path``: its freeze names the repository root.

``pr1798`` -- the ``file`` key proposed in packaging.python.org PR 1798 (top-level, next to
``vcs_info``, instead of ``subdirectory``).  pip and uv ignore it.

Directories get ``vcs_info`` + ``subdirectory`` under ``uv`` and ``pr1798`` (uv writes that
for workspace members it installs from git).
"""

from __future__ import annotations

import os

from sourcelift.urls import file_url_to_path, fragment_hashes, installable_git_url, without_fragment

from .origin import Origin

__all__ = ["STYLES", "target_direct_url"]

STYLES = ("default", "uv", "pr1798")


def _vcs_info(origin: Origin) -> dict[str, object]:
    """The installer's own ``vcs_info`` when it names the entry's commit, else one made from the entry."""
    assert origin.entry is not None and origin.original is not None
    recorded = origin.original.get("vcs_info")
    if isinstance(recorded, dict) and recorded.get("commit_id") == origin.entry.commit_id:
        return dict(recorded)
    info: dict[str, object] = {"vcs": "git", "commit_id": origin.entry.commit_id}
    if origin.entry.requested_revision:
        info["requested_revision"] = origin.entry.requested_revision
    return info


def _repository(origin: Origin) -> str:
    assert origin.entry is not None
    return origin.repository_url or origin.entry.url


def target_direct_url(origin: Origin, style: str) -> tuple[dict[str, object] | None, str | None]:
    """The direct_url.json to write for ``origin`` under ``style``, or ``(None, why it stays as it is)``."""
    entry = origin.entry
    if entry is None or origin.original is None:
        return None, None
    if origin.kind == "archive-in-git":
        if style == "default":
            urls = entry.emitted_urls()
            if not urls:
                if "archive_info" in origin.original:
                    return dict(origin.original), None
                return None, "its provenance entry names no store URL, so no archive direct_url.json can be written"
            url = urls[0]
            hashes = fragment_hashes(url)
            info: dict[str, object] = {"hashes": {"sha256": hashes["sha256"]}} if "sha256" in hashes else {}
            return {"url": without_fragment(url), "archive_info": info}, None
        direct_url: dict[str, object] = {"url": _repository(origin), "vcs_info": _vcs_info(origin)}
        direct_url["path" if style == "uv" else "file"] = entry.path
        return direct_url, None
    if origin.kind == "directory-in-git":
        if style == "default" and "dir_info" in origin.original:
            path = file_url_to_path(str(origin.original["url"]))
            if path is not None and os.path.isdir(path):
                return dict(origin.original), None
        # pip freeze prints this url: under ``default`` spelled so that pip 23 installs the line
        repository = installable_git_url(_repository(origin)) if style == "default" else _repository(origin)
        direct_url = {"url": repository, "vcs_info": _vcs_info(origin)}
        if entry.path not in ("", "."):
            direct_url["subdirectory"] = entry.path
        return direct_url, None
    return None, None
