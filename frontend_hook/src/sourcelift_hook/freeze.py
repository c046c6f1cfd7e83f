"""``sourcelift freeze``: an export that rebuilds the environment after every build tree is gone.

Every distribution the environment holds is exported with its exact source, whoever installed
it (pip, uv, sourcelift-built wheels or not):

- an index install by ``name==version`` (requirements) or by its wheel's URL and hashes, found as
  pip would find them (pylock, :mod:`.indexlookup`);
- a VCS install or a directory of a repository (a workspace member) by
  ``git+URL@commit[#subdirectory=...]``;
- an archive by its URL; a local one by its file, whose sha256 names it;
- an archive inside a repository (uv's ``vcs_info`` + ``path``, PR 1798's ``file``, or a
  sourcelift provenance entry whose store copy is gone) is fetched from the repository at the
  recorded commit into the archive store (:mod:`.gitarchive`), checked (the recorded sha256
  where one is known; a wheel must hold exactly the installed files), and named by that copy.

``requirements`` is installed with ``pip install --no-deps -r FILE`` (or uv's): the list is
complete, and a rebuilt parent may name a workspace member or an archive by a location of its
own.  ``pylock`` is a PEP 751 ``pylock.toml`` (``lock-version = "1.0"``) written from
:mod:`packaging.pylock` objects with tomlkit; archive-in-git and directory-in-git origins are kept
in ``[packages.tool.sourcelift]``, which installers must not act on.

``wheelhouse`` copies every local archive into one directory and writes references relative to
the output (``--find-links DIR`` and ``name==version`` lines; pylock ``path`` entries relative to
the lock file), so the export and the directory move to another machine together.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from operator import attrgetter

from sourcelift.record_file import parse_rows
from sourcelift.urls import (
    installable_git_url,
    path_to_file_url,
    redact_credentials,
    requirement_url,
    without_fragment,
)

from .directurl import Redactor, archive_sha256, file_path, freeze_url, in_repository_path, is_editable
from .environment import Dist, Environment, canonical_name, file_sha256
from .finding import Finding, hook_error
from .origin import Origin, resolve, source_of, wheel_matches

TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.pylock import Package

    from .gitarchive import GitArchives
    from .indexlookup import IndexConfig

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


def _origin_tool(origin: Origin, repository: str) -> dict[str, object]:
    """``[packages.tool.sourcelift]`` of an origin a provenance entry describes: where it came from."""
    entry = origin.entry
    assert entry is not None
    tool: dict[str, object] = {
        "kind": origin.kind,
        "repository": repository,
        "commit-id": entry.commit_id,
        "path": entry.path,
    }
    if entry.requested_revision:
        tool["requested-revision"] = entry.requested_revision
    if entry.sha256:
        tool["sha256"] = entry.sha256
    if origin.owner is not None:
        tool["described-by"] = origin.owner.key
    return tool


class _ExportLookup:
    """What the export looks up repeatedly, computed once: URL requirements, and the copies they name."""

    def __init__(self, origins: list[Origin]) -> None:
        # name -> the URLs dependents require it by, in the environment's order
        self.dependents: dict[str, list[str]] = {}
        # (source, name) -> (dependent, URL): the URLs by which distributions built from one repository
        # commit name another distribution
        self.copies: dict[tuple[tuple[str, str], str], list[tuple[Origin, str]]] = {}
        for origin in origins:
            if not origin.dist.url_requirements:
                continue
            urls = _required_by_url(origin.dist)
            for key, url in urls.items():
                self.dependents.setdefault(key, []).append(url)
            source = source_of(origin) if urls else None
            if source is not None:
                for key, url in urls.items():
                    self.copies.setdefault((source, key), []).append((origin, url))


class _Archive:
    """The archive that installs one distribution: a URL, and the local file when there is one."""

    __slots__ = ("comment", "path", "sha256", "tool", "url")

    def __init__(
        self,
        url: str,
        *,
        path: str | None = None,
        sha256: str | None = None,
        tool: dict[str, object] | None = None,
        comment: str | None = None,
    ) -> None:
        self.url = url
        self.path = path
        self.sha256 = sha256
        self.tool = tool
        self.comment = comment


class _Export:
    """One run: the environment's origins, the archive fetcher, the wheelhouse, the findings."""

    def __init__(
        self,
        origins: list[Origin],
        problems: list[Finding],
        *,
        wheelhouse: str | None,
        base: str,
        store: str | None,
    ) -> None:
        self.origins = origins
        self.problems = problems
        self.index = _ExportLookup(origins)
        self.wheelhouse = os.path.abspath(wheelhouse) if wheelhouse is not None else None
        self.base = base
        self._store = store
        self._fetcher: GitArchives | None = None

    def fetcher(self) -> GitArchives:
        if self._fetcher is None:
            from .gitarchive import GitArchives

            self._fetcher = GitArchives(self._store)
        return self._fetcher

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()

    def problem(self, dist: Dist, message: str, fix: str = "") -> None:
        self.problems.append(Finding(dist.name, message, fix))

    # ------------------------------------------------------------------ archives

    def archive(self, origin: Origin) -> _Archive | None:
        """The archive of an ``archive`` or ``archive-in-git`` distribution (``None``: reported, left out)."""
        entry = origin.entry
        if entry is not None:
            return self._entry_archive(origin)
        direct_url = origin.current or {}
        if origin.kind == "archive-in-git":
            direct_url = origin.original or direct_url
            derived = self._derived_archive(origin)
            return derived if derived is not None else self._fetch_recorded(origin, direct_url)
        url = str(direct_url["url"])
        digest = origin.archive_sha256 or archive_sha256(direct_url)
        path = file_path(url)
        spelled = [u for u in self.index.dependents.get(origin.dist.key, []) if without_fragment(u) == url]
        if not spelled:
            spelled = [url + (f"#sha256={digest}" if digest else "")]
        if path is not None and not os.path.isfile(path):
            self.problem(origin.dist, f"{path} no longer exists: its line will not install", "reinstall it")
            return _Archive(spelled[0], sha256=digest)
        return _Archive(spelled[0], path=path, sha256=digest)

    def _entry_archive(self, origin: Origin) -> _Archive | None:
        entry = origin.entry
        assert entry is not None and origin.owner is not None
        repository = origin.repository_url or entry.url
        tool = _origin_tool(origin, repository)
        comment = f"# {origin.dist.name}: archive {entry.path} of {repository} at {entry.commit_id}"
        if entry.sha256:
            comment += f" (sha256 {entry.sha256})"
        for url in entry.emitted_urls():
            path = file_path(without_fragment(url))
            if path is None:
                return _Archive(url, sha256=entry.sha256, tool=tool, comment=comment)
            if os.path.isfile(path) and (entry.sha256 is None or file_sha256(path) == entry.sha256):
                return _Archive(url, path=path, sha256=entry.sha256, tool=tool, comment=comment)
        # the store copy the build made is gone (another machine, a cleaned store): fetch it again
        fetched = self._fetch(origin, repository, entry.commit_id, entry.path, entry.sha256)
        if fetched is None:
            return None
        tool["fetched-from-repository"] = True
        return _Archive(fetched[0], path=fetched[1], sha256=fetched[2], tool=tool, comment=comment)

    def _derived_archive(self, origin: Origin) -> _Archive | None:
        """An archive its installer recorded as inside a repository: the copy a dependent built from the
        same commit names (``Requires-Dist``), if that wheel holds exactly the installed files."""
        source = source_of(origin)
        if source is None:
            return None
        for parent, url in self.index.copies.get((source, origin.dist.key), []):
            if parent is origin:
                continue
            status, digest = wheel_matches(origin.dist, url)
            if status == "match" and digest is not None:
                direct_url = origin.original or {}
                path = str(direct_url.get("path") or direct_url.get("file") or "")
                tool: dict[str, object] = {
                    "kind": "archive-in-git",
                    "repository": source[0],
                    "commit-id": source[1],
                    "path": path,
                    "sha256": digest,
                    "recorded-by": origin.dist.installer or "unknown",
                    "copy-named-by": parent.dist.key,
                }
                comment = (
                    f"# {origin.dist.name}: archive {path} of {direct_url.get('url')} "
                    f"(as {origin.dist.installer or 'its installer'} recorded it; sha256 {digest})"
                )
                return _Archive(url, path=file_path(without_fragment(url)), sha256=digest, tool=tool, comment=comment)
        return None

    def _fetch_recorded(self, origin: Origin, direct_url: dict[str, object]) -> _Archive | None:
        source = source_of(origin)
        inside = in_repository_path(direct_url)
        if source is None or inside is None:  # pragma: no cover - kind archive-in-git implies both
            return None
        fetched = self._fetch(origin, source[0], source[1], inside, None)
        if fetched is None:
            return None
        tool: dict[str, object] = {
            "kind": "archive-in-git",
            "repository": redact_credentials(source[0])[0],
            "commit-id": source[1],
            "path": inside,
            "sha256": fetched[2],
            "recorded-by": origin.dist.installer or "unknown",
            "fetched-from-repository": True,
        }
        comment = (
            f"# {origin.dist.name}: archive {inside} of {redact_credentials(source[0])[0]} at {source[1]} "
            f"(as {origin.dist.installer or 'its installer'} recorded it; fetched, sha256 {fetched[2]})"
        )
        return _Archive(fetched[0], path=fetched[1], sha256=fetched[2], tool=tool, comment=comment)

    def _fetch(
        self, origin: Origin, repository: str, commit: str, path: str, sha256: str | None
    ) -> tuple[str, str, str] | None:
        """(URL naming the store copy with its hash, local path, sha256), or ``None`` (reported)."""
        dist = origin.dist
        shown = redact_credentials(repository)[0]
        try:
            fetched = self.fetcher().fetch(repository, commit, path, sha256=sha256)
        except hook_error() as error:
            self.problem(
                dist,
                f"its archive {path} of {shown} at {commit} could not be fetched: {error.message}; it is left out",
                error.fix or "make the repository reachable, or reinstall the distribution",
            )
            return None
        if fetched.store_path.endswith(".whl"):
            url = path_to_file_url(fetched.store_path)
            status, _ = wheel_matches(dist, url, fetched.sha256)
            if status != "match":
                from .gitarchive import is_lfs_pointer

                if is_lfs_pointer(fetched.store_path):
                    why = "is a Git LFS pointer, not the wheel (fetch LFS objects into the repository)"
                elif status == "differ":
                    why = "does not hold the installed files"
                else:
                    why = "cannot be read as a wheel"
                self.problem(
                    dist,
                    f"{path} of {shown} at {commit} {why}: it does not describe this installation; it is left out",
                    "reinstall the distribution from its repository",
                )
                return None
        url = path_to_file_url(fetched.store_path) + f"#sha256={fetched.sha256}"
        return url, fetched.store_path, fetched.sha256

    # ------------------------------------------------------------------ the wheelhouse

    def relative(self, path: str) -> str:
        """``path`` relative to the output's directory, with ``/`` separators."""
        relative = os.path.relpath(path, self.base)
        return relative.replace(os.sep, "/")

    def to_wheelhouse(self, dist: Dist, path: str, sha256: str | None) -> str | None:
        """Copy ``path`` into the wheelhouse (atomically, unless an identical copy is there); return the copy."""
        assert self.wheelhouse is not None
        import shutil
        import tempfile

        target = os.path.join(self.wheelhouse, os.path.basename(path))
        digest = sha256 or file_sha256(path)
        if os.path.isfile(target):
            if file_sha256(target) == digest:
                return target
            self.problem(
                dist,
                f"{target} exists with other content than {path}; it is not replaced",
                "give an empty directory with --wheelhouse",
            )
            return None
        try:
            os.makedirs(self.wheelhouse, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.wheelhouse, prefix=".sourcelift-", suffix=".part")
            os.close(handle)
            try:
                shutil.copyfile(path, temporary)
                if digest is not None and file_sha256(temporary) != digest:
                    raise OSError(f"{path} changed while it was copied")
                os.replace(temporary, target)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        except OSError as exc:
            self.problem(dist, f"cannot copy {path} into {self.wheelhouse}: {exc}", "check the directory's permissions")
            return None
        return target


def _vcs_line(origin: Origin, redacted: Redactor) -> str:
    """The requirement line of a git install, its repository spelled as pip 23 reads it (no ``git+file:///``)."""
    entry = origin.entry
    if origin.kind == "directory-in-git":
        assert entry is not None
        url = f"git+{installable_git_url(origin.repository_url or entry.url)}@{entry.commit_id}"
        if entry.path not in ("", "."):
            url += f"#subdirectory={entry.path}"
        return f"{origin.dist.name} @ {url}"
    direct_url = dict(origin.original or origin.current or {})
    direct_url["url"] = installable_git_url(str(direct_url.get("url", "")))
    return f"{origin.dist.name} @ {redacted[freeze_url(direct_url)]}"


def _requirements(env: Environment, export: _Export) -> str:
    lines: list[tuple[str | None, str, str | None]] = []  # (comment, line, sha256 for --hash)
    wheelhouse_used = False
    everything_hashed = True
    redacted = Redactor()
    for origin in sorted(export.origins, key=attrgetter("dist.key")):
        dist = origin.dist
        if origin.kind == "index":
            lines.append((None, f"{dist.name}=={dist.version}", None))
            everything_hashed = False
        elif origin.kind in ("archive", "archive-in-git"):
            archive = export.archive(origin)
            if archive is None:
                lines.append((f"# {dist.name}=={dist.version}: left out, see the problems reported", "", None))
                continue
            copy = None
            if export.wheelhouse is not None and archive.path is not None and os.path.isfile(archive.path):
                copy = export.to_wheelhouse(dist, archive.path, archive.sha256)
            if copy is not None:
                wheelhouse_used = True
                digest = archive.sha256 or file_sha256(copy)
                lines.append((archive.comment, f"{dist.name}=={dist.version}", digest))
                everything_hashed &= digest is not None
            else:
                lines.append((archive.comment, f"{dist.name} @ {redacted[archive.url]}", None))
                everything_hashed = False
        elif origin.kind in ("vcs", "directory-in-git"):
            if origin.entry is not None:
                entry = origin.entry
                comment = (
                    f"# {dist.name}: directory {entry.path} of {origin.repository_url or entry.url} "
                    f"at {entry.commit_id}"
                )
            else:
                comment = None
            lines.append((comment, _vcs_line(origin, redacted), None))
            everything_hashed = False
        else:  # a local directory
            direct_url = origin.current or {}
            url = str(direct_url.get("url", ""))
            path = file_path(url)
            if path is not None and not os.path.isdir(path):
                export.problem(dist, f"{path} no longer exists: its line will not install", "reinstall it")
            line = f"-e {url}" if is_editable(direct_url) else f"{dist.name} @ {freeze_url(direct_url)}"
            lines.append((None, line, None))
            everything_hashed = False
    out = [
        f"# {_GENERATOR} freeze of {env.describe()}",
        "# every distribution is listed with its exact source: install into a fresh environment with",
        "#   pip install --no-deps -r <this file>    or    uv pip install --no-deps -r <this file>",
    ]
    if wheelhouse_used:
        assert export.wheelhouse is not None
        relative = export.relative(export.wheelhouse)
        out.append(f"# the archives are in {relative}, named relative to this file: move both together")
        if not everything_hashed:
            out.append(
                "# (no --hash options: pip would then demand one on every line, which a git or index line cannot have)"
            )
        out.append(f"--find-links {relative}")
    for comment, line, digest in lines:
        if comment is not None:
            out.append(comment)
        if not line:
            continue
        if digest is not None and everything_hashed:
            line += f" --hash=sha256:{digest}"
        elif digest is not None:
            line += f"  # sha256:{digest}"
        out.append(line)
    return "\n".join(out) + "\n"


# pylock.toml


def _wheel_tags(dist: Dist) -> frozenset[str]:
    text = dist.text("WHEEL") or ""
    return frozenset(line.split(":", 1)[1].strip() for line in text.splitlines() if line.lower().startswith("tag:"))


def _find_local_wheel(dist: Dist, find_links: Sequence[str]) -> str | None:
    """A wheel of ``dist`` in local ``find_links`` directories whose files are exactly the installed ones."""
    from .origin import _wheel_rows

    stem = re.sub(r"[-_.]+", "_", dist.name).lower()
    tags = _wheel_tags(dist)
    text = dist.text("RECORD")
    installed = {p: h for p, h, _ in parse_rows(text)} if text else {}
    for directory in find_links:
        directory = file_path(directory) or directory
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


def _toml(lock: object) -> str:
    """The lock's TOML: one ``[[packages]]`` table each, sources and hashes as inline tables."""
    import tomlkit
    from packaging.pylock import Pylock

    assert isinstance(lock, Pylock)
    data = lock.to_dict()
    document = tomlkit.document()
    for key, value in data.items():
        if key != "packages":
            document[key] = value
    packages = tomlkit.aot()
    for package in data["packages"]:
        table = tomlkit.table()
        for key, value in package.items():
            if key in ("vcs", "directory", "archive", "sdist"):
                inline = tomlkit.inline_table()
                inline.update(value)
                table[key] = inline
            elif key == "wheels":
                wheels = tomlkit.array()
                wheels.multiline(True)
                for wheel in value:
                    inline = tomlkit.inline_table()
                    inline.update(wheel)
                    wheels.append(inline)
                table[key] = wheels
            elif key == "tool":
                tool = tomlkit.table(is_super_table=True)
                for name, content in value.items():
                    tool[name] = content
                table[key] = tool
            else:
                table[key] = value
        packages.append(table)
    document["packages"] = packages
    return tomlkit.dumps(document)


def _pylock(export: _Export, find_links: Sequence[str], index_config: IndexConfig | None) -> str:
    from packaging.pylock import (
        Package,
        PackageArchive,
        PackageDirectory,
        PackageSdist,
        PackageVcs,
        PackageWheel,
        PylockValidationError,
    )
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    def version_of(dist: Dist) -> Version | None:
        try:
            return Version(dist.version)
        except InvalidVersion:
            export.problem(dist, f"version {dist.version!r} is not a valid version; the lock names none")
            return None

    def local_path(path: str) -> str:
        return export.relative(path) if export.wheelhouse is not None else os.path.abspath(path)

    # index installs: a verified local wheel first (find-links), else the indexes pip is configured with
    index_origins = [o for o in export.origins if o.kind == "index"]
    local: dict[int, str] = {}
    config = index_config
    remote: dict[tuple[str, str], list[object]] = {}
    if index_origins:
        if config is None:
            from .indexlookup import pip_index_config

            config = pip_index_config()
        for origin in index_origins:
            found = _find_local_wheel(origin.dist, [*find_links, *config.find_links])
            if found is not None:
                local[id(origin)] = found
        missing = [o for o in index_origins if id(o) not in local]
        if missing and config.indexes:
            from .indexlookup import find_index_files

            wanted = [(o.dist.key, o.dist.version, _wheel_tags(o.dist)) for o in missing]
            found_remote, notes = find_index_files(wanted, config)
            remote = {key: list(wheels) for key, wheels in found_remote.items()}
            for note in notes:
                export.problems.append(Finding(None, note, "check pip's index configuration (`pip config list`)"))

    packages: list[Package] = []
    for origin in export.origins:
        dist = origin.dist
        name = canonicalize_name(dist.key)
        tool: dict[str, object] | None = None
        try:
            if origin.kind == "index":
                version = version_of(dist)
                wheels: list[PackageWheel] = []
                sdist: PackageSdist | None = None
                index_url: str | None = None
                if id(origin) in local:
                    path = local[id(origin)]
                    if export.wheelhouse is not None:
                        path = export.to_wheelhouse(dist, path, None) or path
                    digest = file_sha256(path)
                    assert digest is not None
                    wheels.append(
                        PackageWheel(
                            name=os.path.basename(path),
                            path=local_path(path),
                            size=os.path.getsize(path),
                            hashes={"sha256": digest},
                        )
                    )
                else:
                    from .indexlookup import IndexFile

                    for file in remote.get((dist.key, dist.version), []):
                        assert isinstance(file, IndexFile)
                        index_url = file.index
                        if file.is_sdist:  # no wheel of the installed tags: pip built it from this
                            sdist = PackageSdist(
                                name=file.filename, url=file.url, size=file.size, hashes={"sha256": file.sha256}
                            )
                        else:
                            wheels.append(
                                PackageWheel(
                                    name=file.filename, url=file.url, size=file.size, hashes={"sha256": file.sha256}
                                )
                            )
                if sdist is not None:
                    packages.append(Package(name=name, version=version, index=index_url, sdist=sdist))
                    continue
                if not wheels:
                    indexes = config.indexes if config is not None else []
                    where = ", ".join(redact_credentials(i)[0] for i in indexes)
                    where = f"on {where}" if where else "(no index is configured)"
                    told = f" (pip's configuration, from {config.source})" if config and config.source else ""
                    export.problem(
                        dist,
                        f"was installed from an index, but no wheel of {dist.name} {dist.version} with the installed "
                        f"tags ({', '.join(sorted(_wheel_tags(dist))) or 'unknown'}) and no sdist of it was found "
                        f"{where}{told}, and no such wheel in find-links directories: it is left out",
                        f"pass --find-links DIR with {dist.name}'s wheel, check `pip config list`, "
                        "or use --format requirements",
                    )
                    continue
                packages.append(Package(name=name, version=version, index=index_url, wheels=wheels))
            elif origin.kind in ("archive", "archive-in-git"):
                archive = export.archive(origin)
                if archive is None:
                    continue
                if archive.sha256 is None:
                    export.problem(
                        dist, "no hash of its archive is known; a lock cannot name it: it is left out", "reinstall it"
                    )
                    continue
                file = archive.path
                if file is not None and os.path.isfile(file) and export.wheelhouse is not None:
                    file = export.to_wheelhouse(dist, file, archive.sha256) or file
                if file is not None and not os.path.isfile(file):
                    export.problem(dist, f"{file} no longer exists: the lock cannot install it")
                if file is not None:
                    # a local file is given by `path` (uv refuses file: URLs in a lock)
                    size = os.path.getsize(file) if os.path.isfile(file) else None
                    source = PackageArchive(path=local_path(file), size=size, hashes={"sha256": archive.sha256})
                else:
                    url = redact_credentials(without_fragment(archive.url))[0]
                    source = PackageArchive(url=url, hashes={"sha256": archive.sha256})
                tool = archive.tool
                packages.append(
                    Package(
                        name=name,
                        version=version_of(dist),
                        archive=source,
                        tool={"sourcelift": tool} if tool else None,
                    )
                )
            elif origin.kind in ("vcs", "directory-in-git"):
                entry = origin.entry
                if origin.kind == "directory-in-git" and entry is not None:
                    repository = origin.repository_url or entry.url
                    vcs = PackageVcs(
                        type="git",
                        url=repository,
                        requested_revision=entry.requested_revision,
                        commit_id=entry.commit_id,
                        subdirectory=entry.path if entry.path not in ("", ".") else None,
                    )
                    tool = _origin_tool(origin, repository)
                else:
                    direct_url = origin.original or origin.current
                    assert direct_url is not None
                    info = direct_url["vcs_info"]
                    assert isinstance(info, dict)
                    subdirectory = direct_url.get("subdirectory")
                    vcs = PackageVcs(
                        type=str(info["vcs"]),
                        url=redact_credentials(str(direct_url["url"]))[0],
                        requested_revision=str(info["requested_revision"]) if info.get("requested_revision") else None,
                        commit_id=str(info["commit_id"]),
                        subdirectory=str(subdirectory) if subdirectory else None,
                    )
                packages.append(Package(name=name, vcs=vcs, tool={"sourcelift": tool} if tool else None))
            else:  # a local directory
                direct_url = origin.current
                assert direct_url is not None
                directory = file_path(str(direct_url["url"]))
                if directory is None or not os.path.isdir(directory):
                    export.problem(dist, f"its directory {direct_url['url']} no longer exists: it is left out")
                    continue
                editable = is_editable(direct_url) or None
                packages.append(Package(name=name, directory=PackageDirectory(path=directory, editable=editable)))
        except PylockValidationError as exc:
            export.problem(dist, f"cannot be written to a pylock.toml: {exc}; it is left out")
    return _render_pylock(packages)


def _render_pylock(packages: Sequence[Package]) -> str:
    """The lock of ``packages``, validated by packaging (:class:`PylockValidationError` before anything is written)."""
    from packaging.pylock import Pylock
    from packaging.version import Version

    lock = Pylock(lock_version=Version("1.0"), created_by=_GENERATOR, packages=list(packages))
    lock.validate()
    return _toml(lock)


def freeze(
    env: Environment,
    *,
    output_format: str = "requirements",
    include_all: bool = False,
    find_links: Sequence[str] | None = None,
    wheelhouse: str | None = None,
    output: str | None = None,
    store: str | None = None,
    index_config: IndexConfig | None = None,
) -> tuple[str, list[Finding]]:
    """The export text and the problems met (a problem means the export is incomplete).

    ``wheelhouse``: a directory every local archive is copied into, named relative to
    ``output`` (the file the text will be written to; default: the current directory).
    ``store``: the archive store archives fetched from repositories go to (default: sourcelift's,
    ``SOURCELIFT_STORE_DIR``).  ``index_config``: where index installs are looked up for a
    pylock (default: pip's configuration, from ``python -m pip config list``).
    """
    origins, problems = resolve(env)
    skip = set() if include_all else _suppressed(env)
    origins = [o for o in origins if o.dist.key not in skip]
    for origin in origins:
        problems.extend(origin.problems)
    base = os.path.dirname(os.path.abspath(output)) if output else os.getcwd()
    if wheelhouse is not None and not os.path.isdir(base):  # before anything is copied
        from .errors import HookError

        raise HookError(
            f"cannot write {output}: {base} is not a directory",
            "give -o a file path in an existing directory you can write to",
        )
    export = _Export(origins, problems, wheelhouse=wheelhouse, base=base, store=store)
    try:
        if output_format == "pylock":
            return _pylock(export, list(find_links or []), index_config), problems
        return _requirements(env, export), problems
    finally:
        export.close()
