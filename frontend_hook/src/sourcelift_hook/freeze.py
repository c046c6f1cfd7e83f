"""``sourcelift freeze``: an export that rebuilds the environment after every build tree is gone.

``requirements``: every distribution on one line with its exact source, to be installed with
``pip install --no-deps -r FILE`` (the list is complete; and a wheel built from a workspace
member's parent names the member by the path of the temporary clone it was built in, which
pip would otherwise try to resolve):

- ``name==version`` for index installs;
- ``name @ URL`` for archives, the URL spelled exactly as a dependent's ``Requires-Dist`` names
  it when one does (pip treats ``URL`` and ``URL#sha256=...`` as two different links), else
  ``URL#sha256=...``; an archive from a repository gets its origin as a comment above.  An
  archive uv recorded as inside a repository (``path``) is given by the store copy that a
  dependent built from the same commit names, once that wheel is checked to hold exactly the
  installed files;
- ``name @ git+URL@commit[#subdirectory=...]`` for VCS installs and for directories of a
  repository (workspace members).

``pylock`` (PEP 751 ``pylock.toml``, ``lock-version = "1.0"``): every distribution with its
exact source (``archive``, ``vcs``, ``directory``, ``wheels``), archive-in-git origins in
``[packages.tool.sourcelift]`` (informational; installers must not act on it).  An index
install needs its wheel's URL and hash, which an environment does not keep: give
``--find-links DIR`` with the wheels (each checked against the installed files).
"""

from __future__ import annotations

import os
import re

from sourcelift.record_file import parse_rows
from sourcelift.urls import file_url_to_path, redact_credentials, requirement_url, without_fragment

from .directurl import archive_sha256, freeze_url, is_editable
from .environment import Dist, Environment, canonical_name, file_sha256
from .errors import Finding
from .origin import Origin, resolve, source_of, wheel_matches

__all__ = ["FORMATS", "freeze"]

FORMATS = ("requirements", "pylock")
_GENERATOR = "sourcelift-hook"


def _suppressed(env: Environment) -> set[str]:
    """What ``pip freeze`` leaves out: pip, and on Python < 3.12 setuptools, distribute and wheel."""
    names = {"pip"}
    versions = set()
    for root in env.tree.roots():
        match = re.search(r"python3\.(\d+)", root.replace("\\", "/"))
        if match:
            versions.add(int(match.group(1)))
    if versions and max(versions) < 12:
        names |= {"setuptools", "distribute", "wheel"}
    return names


def _required_by_url(dist: Dist) -> dict[str, str]:
    """Canonical name -> URL, for the ``Requires-Dist`` lines of ``dist`` that carry one."""
    found: dict[str, str] = {}
    for line in dist.url_requirements:
        parsed = requirement_url(line)
        if parsed is not None:
            found.setdefault(canonical_name(parsed[0]), parsed[1])
    return found


class _Index:
    """What the export looks up repeatedly, computed once: URL requirements, origins by source."""

    def __init__(self, origins: list[Origin]) -> None:
        self.required = {id(o.dist): _required_by_url(o.dist) for o in origins}
        self.dependents: dict[str, list[str]] = {}
        for urls in self.required.values():
            for key, url in urls.items():
                self.dependents.setdefault(key, []).append(url)
        self.by_source: dict[tuple[str, str], list[Origin]] = {}
        for origin in origins:
            source = source_of(origin)
            if source is not None:
                self.by_source.setdefault(source, []).append(origin)


def _origin_comment(origin: Origin) -> str:
    entry = origin.entry
    assert entry is not None
    what = "archive" if entry.kind == "archive" else "directory"
    text = f"# {origin.dist.name}: {what} {entry.path} of {origin.repository_url or entry.url} at {entry.commit_id}"
    if entry.sha256:
        text += f" (sha256 {entry.sha256})"
    return text


def _archive_line(origin: Origin, dependents: dict[str, list[str]], problems: list[Finding]) -> str | None:
    dist = origin.dist
    record = origin.original if origin.entry is not None else origin.current
    urls: list[str] = []
    if origin.entry is not None:
        urls = origin.entry.emitted_urls()
    if not urls and record is not None and "archive_info" in record:
        base = str(record["url"])
        urls = [u for u in dependents.get(dist.key, []) if without_fragment(u) == base]
        if not urls:
            digest = origin.archive_sha256 or archive_sha256(record)
            urls = [base + (f"#sha256={digest}" if digest else "")]
    if not urls:
        return None
    url = urls[0]
    path = file_url_to_path(without_fragment(url))
    if path is not None and not os.path.isfile(path):
        problems.append(
            Finding(dist.name, f"{path} no longer exists: this line will not install", "restore the archive store")
        )
    return f"{dist.name} @ {redact_credentials(url)[0]}"


def _base_line(origin: Origin, dependents: dict[str, list[str]], problems: list[Finding]) -> str | None:
    """The requirement line of one distribution on its own (``None``: no requirement can name it)."""
    dist = origin.dist
    record = origin.current or {}
    if origin.kind == "index":
        return f"{dist.name}=={dist.version}"
    if origin.kind == "archive" or (origin.kind == "archive-in-git" and origin.entry is not None):
        return _archive_line(origin, dependents, problems)
    if origin.kind == "directory-in-git":
        assert origin.entry is not None
        url = f"git+{origin.repository_url or origin.entry.url}@{origin.entry.commit_id}"
        if origin.entry.path not in ("", "."):
            url += f"#subdirectory={origin.entry.path}"
        return f"{dist.name} @ {url}"
    if origin.kind == "vcs":
        return f"{dist.name} @ {redact_credentials(freeze_url(origin.original or record))[0]}"
    if origin.kind == "directory":
        url = str(record.get("url", ""))
        path = file_url_to_path(url)
        if path is not None and not os.path.isdir(path):
            problems.append(Finding(dist.name, f"{path} no longer exists: this line will not install", "reinstall it"))
        return f"-e {url}" if is_editable(record) else f"{dist.name} @ {freeze_url(record)}"
    return None  # an archive inside a repository, as the installer recorded it, with no copy known


def _requirements(env: Environment, origins: list[Origin], problems: list[Finding], index: _Index) -> str:
    dependents = index.dependents
    out = [
        f"# {_GENERATOR} freeze of {env.describe()}",
        "# every distribution is listed with its exact source: install into a fresh environment with",
        "#   pip install --no-deps -r <this file>",
    ]
    for origin in sorted(origins, key=lambda o: o.dist.key):
        dist = origin.dist
        line = _base_line(origin, dependents, problems)
        if origin.entry is not None:
            out.append(_origin_comment(origin))
        elif origin.kind == "archive-in-git":
            url, digest, _ = _derived_archive(origin, index)
            if url is not None:
                record = origin.original or {}
                out.append(
                    f"# {dist.name}: archive {record.get('path') or record.get('file')} of {record.get('url')} "
                    f"(as {dist.installer or 'its installer'} recorded it; sha256 {digest})"
                )
                line = f"{dist.name} @ {url}"
        if line is not None:
            out.append(line)
            continue
        out.append(f"# {dist.name}=={dist.version}: {freeze_url(origin.current or {})}")
        problems.append(
            Finding(
                dist.name,
                "its installer recorded an archive inside a repository, which no requirement can name, and no "
                "installed wheel names a copy of it",
                "install it with `sourcelift pip install ...` and run `sourcelift record`, or use --format pylock",
            )
        )
    return "\n".join(out) + "\n"


# pylock.toml


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group(0)):04x}", escaped)
    return f'"{escaped}"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _wheel_tags(dist: Dist) -> set[str]:
    text = dist.text("WHEEL") or ""
    return {line.split(":", 1)[1].strip() for line in text.splitlines() if line.lower().startswith("tag:")}


def _find_wheel(dist: Dist, find_links: list[str]) -> str | None:
    """A wheel of ``dist`` in ``find_links`` whose files are exactly the installed ones."""
    from .origin import _wheel_rows

    stem = re.sub(r"[-_.]+", "_", dist.name).lower()
    tags = _wheel_tags(dist)
    text = dist.text("RECORD")
    installed = {p: h for p, h, _ in parse_rows(text)} if text else {}
    for directory in find_links:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if not name.endswith(".whl"):
                continue
            parts = name[: -len(".whl")].split("-")
            if len(parts) not in (5, 6) or parts[0].lower() != stem or parts[1] != dist.version:
                continue
            wheel_tags = {
                f"{py}-{abi}-{plat}"
                for py in parts[-3].split(".")
                for abi in parts[-2].split(".")
                for plat in parts[-1].split(".")
            }
            if tags and not tags & wheel_tags:
                continue
            path = os.path.join(directory, name)
            rows = _wheel_rows(path)
            if rows and all(installed.get(p) == h for p, h in rows.items()):
                return path
    return None


def _derived_archive(origin: Origin, index: _Index) -> tuple[str | None, str | None, dict[str, object] | None]:
    """An archive recorded by its installer as inside a repository: the copy a dependent built from the
    same commit names (``Requires-Dist``), if that wheel holds exactly the installed files."""
    source = source_of(origin)
    if source is None:
        return None, None, None
    for parent in index.by_source.get(source, []):
        url = index.required[id(parent.dist)].get(origin.dist.key) if parent is not origin else None
        if url is None:
            continue
        status, digest = wheel_matches(origin.dist, url)
        if status == "match" and digest is not None:
            record = origin.original or {}
            tool: dict[str, object] = {
                "kind": "archive-in-git",
                "repository": source[0],
                "commit-id": source[1],
                "path": str(record.get("path") or record.get("file") or ""),
                "sha256": digest,
                "recorded-by": origin.dist.installer or "unknown",
                "copy-named-by": parent.dist.key,
            }
            return url, digest, tool
    return None, None, None


def _pylock(origins: list[Origin], problems: list[Finding], find_links: list[str], index: _Index) -> str:
    out = ['lock-version = "1.0"', f"created-by = {_toml_string(_GENERATOR)}", ""]
    for origin in origins:
        dist = origin.dist
        record = origin.original if origin.entry is not None else origin.current
        fields: list[tuple[str, object]] = [("name", dist.key)]
        source: tuple[str, object] | None = None
        wheels: list[dict[str, object]] = []
        tool: dict[str, object] | None = None
        entry = origin.entry
        if entry is not None:
            tool = {
                "kind": origin.kind,
                "repository": origin.repository_url or entry.url,
                "commit-id": entry.commit_id,
                "path": entry.path,
            }
            if entry.requested_revision:
                tool["requested-revision"] = entry.requested_revision
            if entry.sha256:
                tool["sha256"] = entry.sha256
            assert origin.owner is not None
            tool["described-by"] = origin.owner.key
        if origin.kind == "index":
            found_wheel = _find_wheel(dist, find_links)
            if found_wheel is None:
                problems.append(
                    Finding(
                        dist.name,
                        "was installed from an index; a pylock.toml needs its wheel's URL and hash, which the "
                        "environment does not keep: it is left out",
                        f"pass --find-links DIR with {dist.name}'s wheel, or use --format requirements",
                    )
                )
                continue
            fields.append(("version", dist.version))
            wheel_digest = file_sha256(found_wheel)
            wheels.append(
                {
                    "name": os.path.basename(found_wheel),
                    "path": os.path.abspath(found_wheel),
                    "size": os.path.getsize(found_wheel),
                    "hashes": {"sha256": wheel_digest or ""},
                }
            )
        elif origin.kind in ("archive", "archive-in-git"):
            url: str | None = None
            digest: str | None = None
            if entry is not None and entry.emitted_urls():
                url = without_fragment(entry.emitted_urls()[0])
                digest = entry.sha256
            elif record is not None and "archive_info" in record:
                url = str(record["url"])
                digest = origin.archive_sha256 or archive_sha256(record)
            elif entry is None:
                url, digest, tool = _derived_archive(origin, index)
                url = None if url is None else without_fragment(url)
            if url is None or digest is None:
                problems.append(
                    Finding(
                        dist.name,
                        "no URL and hash of its archive are known (its installer recorded an archive inside a "
                        "repository, and no installed wheel names a copy of it): it is left out",
                        "reinstall it with `sourcelift pip install ...` and run `sourcelift record`",
                    )
                )
                continue
            fields.append(("version", dist.version))
            # a local file is given by `path` (uv refuses file: URLs in a lock), anything else by `url`
            path = file_url_to_path(url)
            archive: dict[str, object] = {"path": path} if path is not None else {"url": redact_credentials(url)[0]}
            if path is not None and os.path.isfile(path):
                archive["size"] = os.path.getsize(path)
            elif path is not None:
                problems.append(Finding(dist.name, f"{path} no longer exists: the lock cannot install it"))
            archive["hashes"] = {"sha256": digest}
            source = ("archive", archive)
        elif origin.kind in ("vcs", "directory-in-git"):
            if origin.kind == "directory-in-git" and entry is not None:
                vcs: dict[str, object] = {
                    "type": "git",
                    "url": origin.repository_url or entry.url,
                    "commit-id": entry.commit_id,
                }
                if entry.requested_revision:
                    vcs["requested-revision"] = entry.requested_revision
                if entry.path not in ("", "."):
                    vcs["subdirectory"] = entry.path
            else:
                assert record is not None
                info = record["vcs_info"]
                assert isinstance(info, dict)
                vcs = {"type": str(info["vcs"]), "url": redact_credentials(str(record["url"]))[0]}
                if info.get("requested_revision"):
                    vcs["requested-revision"] = str(info["requested_revision"])
                vcs["commit-id"] = str(info["commit_id"])
                if record.get("subdirectory"):
                    vcs["subdirectory"] = str(record["subdirectory"])
            source = ("vcs", vcs)
        elif origin.kind == "directory":
            assert record is not None
            path = file_url_to_path(str(record["url"]))
            if path is None or not os.path.isdir(path):
                problems.append(Finding(dist.name, f"its directory {record['url']} no longer exists: it is left out"))
                continue
            directory: dict[str, object] = {"path": path}
            if is_editable(record):
                directory["editable"] = True
            source = ("directory", directory)
        else:  # pragma: no cover - every kind is handled above
            continue
        out.append("[[packages]]")
        out.extend(f"{key} = {_toml_value(value)}" for key, value in fields)
        if source is not None:
            out.append(f"{source[0]} = {_toml_value(source[1])}")
        for wheel in wheels:
            out.append("")
            out.append("[[packages.wheels]]")
            out.extend(f"{key} = {_toml_value(value)}" for key, value in wheel.items())
        if tool is not None:
            out.append("")
            out.append("[packages.tool.sourcelift]")
            out.extend(f"{key} = {_toml_value(value)}" for key, value in tool.items())
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def freeze(
    env: Environment,
    *,
    output_format: str = "requirements",
    include_all: bool = False,
    find_links: list[str] | None = None,
) -> tuple[str, list[Finding]]:
    """The export text and the problems met (a problem means the export is incomplete)."""
    origins, problems = resolve(env)
    skip = set() if include_all else _suppressed(env)
    origins = [o for o in origins if o.dist.key not in skip]
    for origin in origins:
        problems.extend(origin.problems)
    index = _Index(origins)
    if output_format == "pylock":
        return _pylock(origins, problems, list(find_links or []), index), problems
    return _requirements(env, origins, problems, index), problems
