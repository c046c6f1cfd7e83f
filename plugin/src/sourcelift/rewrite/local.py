"""Local mode: each source-backed requirement becomes PEP 508 lines any installer handles here."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from .._files import real_path
from ..artifacts.store import Store
from ..errors import Findings
from ..model import ResolvedArchive, ResolvedDirectory, ResolvedGit, ResolvedIndex, ResolvedSource, ResolvedUrl
from ..urls import FRAGMENT_SAFE, installable_git_url, path_to_file_url
from .markers import CannotNegate, conjoin, conjoin_before_extra, implies_extra, is_unsatisfiable, negate_any

if TYPE_CHECKING:
    from ..versions.cache import VersionCache

Locate = Callable[[ResolvedDirectory], Optional[str]]
"""A directory source's ``git+`` URL in the checkout being built, or ``None`` (then its path)."""
KnownVersion = Callable[[ResolvedDirectory, SpecifierSet], Optional[str]]
"""The dynamic version of a directory source when it is already known (the version cache) and may miss the
specifier; ``None`` when it is unknown, or known to satisfy it."""

__all__ = [
    "CachedVersions",
    "KnownVersion",
    "Locate",
    "can_apply",
    "inherited_source_hint",
    "is_location_dependent",
    "lines_per_source",
    "render_local",
    "requirement_head",
    "source_guard",
]


def inherited_source_hint(source_key: str, name: str) -> str:
    """How a project takes ``name`` from an index after all, when its source is the workspace root's.

    uv applies the root's ``[tool.uv.sources]`` to every member that gives no entry of that name (a
    source key ``/root/pyproject.toml:tool.uv.sources.x`` says the source came from there), and changing
    the root's entry would change it for every member.  An entry of the member's own wins over it.
    """
    table, separator, _ = source_key.partition(":tool.uv.sources.")
    if not separator or not table.endswith("pyproject.toml"):
        return ""
    return (
        f"; the source is inherited from the workspace root ({table}): to take `{name}` from an index in "
        f'this project instead, give it its own entry, `[tool.uv.sources] {name} = {{ index = "pypi" }}` '
        'with `[[tool.uv.index]] name = "pypi"`, `url = "https://pypi.org/simple"`, `explicit = true`'
    )


def requirement_head(requirement: Requirement) -> str:
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}"


def _with_marker(line: str, marker: Marker | None, *, after_url: bool) -> str:
    if marker is None:
        return line
    # After a URL the space before `;` is required: `;` may belong to the URL.
    return f"{line} ; {marker}" if after_url else f"{line}; {marker}"


def source_guard(source: ResolvedSource, requirement: Requirement) -> Marker | None:
    """The source's own marker and extra; the extra is left out where the requirement's marker
    already says it (an extra's requirement as written in METADATA)."""
    extra = None
    if source.extra is not None and not implies_extra(requirement.marker, source.extra):
        extra = f'extra == "{source.extra}"'
    return conjoin(source.marker, extra)


def can_apply(source: ResolvedSource, requirement: Requirement) -> bool:
    """Whether ``source`` applies somewhere ``requirement`` (as METADATA carries it) does; not another
    extra's source, nor one whose marker the requirement's own excludes."""
    guard = source_guard(source, requirement)
    return guard is None or not is_unsatisfiable(conjoin_before_extra(requirement.marker, guard))


def _target(source: ResolvedSource, store: Store, locate: Locate | None) -> str | None:
    """The URL a direct reference to this source names; ``None`` for index sources."""
    if isinstance(source, ResolvedArchive):
        return path_to_file_url(store.path_for(source.sha256, source.filename))
    if isinstance(source, ResolvedDirectory):
        in_git = source.in_git or (locate(source) if locate is not None else None)
        return in_git or path_to_file_url(source.path)
    if isinstance(source, ResolvedGit):
        url = f"git+{installable_git_url(source.url)}" + (f"@{source.rev}" if source.rev else "")
        return url + (f"#subdirectory={source.subdirectory}" if source.subdirectory else "")
    if isinstance(source, ResolvedUrl):
        return source.url + (f"#subdirectory={source.subdirectory}" if source.subdirectory else "")
    return None


class CachedVersions:
    """The dynamic versions of directory sources that the version cache already holds (a :data:`KnownVersion`).

    Local mode never runs a source's backend: this only looks an entry up, so that a version an
    earlier build (publish mode, ``explain``) computed is checked against the requirement's specifier
    as a static version is.  Nothing is asked of git, and no fingerprint computed, when the cache is
    bypassed (``SOURCELIFT_NO_CACHE``) or holds no entries at all, nor for a member every version of
    which the cache ever held satisfies the specifier (one small file: a workspace of dozens
    of members pays no fingerprint in the common case).
    """

    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        self._environ = environ
        self._opened = False
        self._cache: VersionCache | None = None
        """Opened at the first lookup; ``None`` when there is nothing to look up."""
        self._found: dict[Path, str | None] = {}
        self._answers: dict[tuple[Path, str], str | None] = {}
        """Each answer by source path and specifier: a plan renders a requirement before and after
        the backend runs, and the cache does not change between."""

    def _open(self) -> VersionCache | None:
        if not self._opened:
            from ..versions.cache import VersionCache

            self._opened = True
            cache = VersionCache.from_environment(self._environ)
            self._cache = cache if cache is not None and cache.has_entries() else None
        return self._cache

    def __call__(self, source: ResolvedDirectory, specifier: SpecifierSet) -> str | None:
        key = (source.path, str(specifier))
        if key not in self._answers:
            self._answers[key] = self._answer(source, specifier)
        return self._answers[key]

    def _answer(self, source: ResolvedDirectory, specifier: SpecifierSet) -> str | None:
        cache = self._open()
        if cache is None:
            return None
        seen = cache.versions_seen(Path(real_path(source.path)))
        if all(specifier.contains(version, prereleases=True) for version in seen):
            return None  # the current version, cached or not, cannot be one that misses
        if source.path not in self._found:
            from ..versions.directories import cached_directory_version

            self._found[source.path] = cached_directory_version(source.path, cache)
        return self._found[source.path]


def render_local(
    requirement: Requirement,
    sources: list[ResolvedSource],
    store: Store,
    findings: Findings,
    key: str,
    locate: Locate | None = None,
    known_version: KnownVersion | None = None,
) -> list[str]:
    """The local-mode lines for ``requirement`` given its resolved sources.

    ``locate`` gives a directory's ``git+URL@COMMIT#subdirectory=PATH`` when the build
    runs in a git checkout where that directory is committed and unmodified.
    ``known_version`` gives a directory's dynamic version when it is known without running its
    backend; like a static version, it must satisfy the requirement's specifier.

    One line per source (guarded by the source's marker), plus, when every source is
    guarded, the plain requirement for the environments none of them covers (uv falls
    back to the index there too).
    """
    head = requirement_head(requirement)

    def line_for(source: ResolvedSource, marker: Marker | None) -> str | None:
        if (
            isinstance(source, ResolvedArchive)
            and requirement.specifier
            and not requirement.specifier.contains(source.version, prereleases=True)
        ):
            findings.error(
                source.key if source.key.startswith("project.") else f"{source.key}.path",
                f"the archive {source.filename!r} holds version {source.version}, "
                f"which does not satisfy `{requirement}` ({key})",
                f"vendor a release matching {requirement.specifier}, or change the requirement's specifier",
                dependency=requirement.name,
            )
            return None
        if isinstance(source, ResolvedDirectory) and requirement.specifier:
            version, how = source.version, ""
            if version is None and known_version is not None:
                version = known_version(source, requirement.specifier)
                how = " (its dynamic version, as the version cache holds it)"
            if version is not None and not requirement.specifier.contains(version, prereleases=True):
                findings.error(
                    source.key,
                    f"the project in {source.path} has version {version}{how}, "
                    f"which does not satisfy `{requirement}` ({key})",
                    f"change the requirement's specifier to admit {version}, "
                    + ("or give the project a version it admits (from git: tag a matching release), " if how else "")
                    + "or point the source at a matching project"
                    + inherited_source_hint(source.key, requirement.name),
                    dependency=requirement.name,
                )
                return None
        if isinstance(source, ResolvedGit) and source.subdirectory:
            unsafe = sorted(set(source.subdirectory) - set(FRAGMENT_SAFE))
            if unsafe:
                findings.error(
                    f"{source.key}.subdirectory",
                    f"{source.subdirectory!r} has {', '.join(repr(c) for c in unsafe)}, outside ASCII letters, "
                    "digits and `-._~/+`: no `#subdirectory=` fragment carries it to every installer (uv looks for "
                    "the percent-encoded name and does not find the directory)",
                    "rename the directory in the repository to ASCII letters, digits and `-._~/+`, "
                    "and `subdirectory` with it",
                    dependency=requirement.name,
                )
                return None
        target = _target(source, store, locate)
        if target is not None:
            return _with_marker(f"{head} @ {target}", marker, after_url=True)
        assert isinstance(source, ResolvedIndex)
        line = _with_marker(f"{head}{requirement.specifier}", marker, after_url=False)
        findings.warning(
            source.key,
            f"a PEP 508 requirement cannot name an index; emitted `{line}` and installers will look for "
            f"it on their own configured index, not on `{source.index}`",
            "tell installers about the index (`--index-url`/`--extra-index-url`), or use a `path`/`url` source",
            dependency=requirement.name,
        )
        return line

    return lines_per_source(requirement, sources, line_for, findings, key)


def lines_per_source(
    requirement: Requirement,
    sources: list[ResolvedSource],
    line_for: Callable[[ResolvedSource, Marker | None], str | None],
    findings: Findings,
    key: str,
) -> list[str]:
    """One line per source (``line_for`` gets it and its marker; ``None``: no line), in both modes.

    A source without a marker of its own ends the list; when every source is guarded, the plain
    requirement follows for the environments none of them covers.  An index source changes where the
    package comes from, not what is required: its environments get that plain requirement too, so a
    requirement whose sources are all indexes stays the one line it is.  A line whose marker holds
    nowhere (a source marker the requirement's own excludes, a rest the sources cover) is left out.
    """
    lines: list[str] = []
    guards: list[Marker] = []
    indexes: list[ResolvedSource] = []
    skipped = False  # an index source that cannot apply here: the plain requirement stays, unannounced
    for source in sources:
        guard = source_guard(source, requirement)
        marker = conjoin_before_extra(requirement.marker, guard)
        # a line whose marker holds nowhere is left out; a source that applies nowhere this requirement
        # does (another extra's, a marker the requirement's own excludes) is not checked or reported for it
        impossible = is_unsatisfiable(marker)
        if isinstance(source, ResolvedIndex):
            if impossible and guard is not None:
                skipped = True
                continue
            indexes.append(source)
            if guard is None:
                break  # the plain requirement, wherever no earlier source applies
            continue
        if not impossible:
            line = line_for(source, marker)
            if line is None:
                continue
            lines.append(line)
        if guard is None:
            return lines
        guards.append(guard)
    if not guards and not indexes and not skipped:
        return lines
    try:
        rest = conjoin_before_extra(requirement.marker, negate_any(guards) if guards else None)
    except CannotNegate as exc:
        findings.warning(
            key,
            f"the environments no source marker covers cannot be written down ({exc}); "
            "no plain fallback line was emitted for them",
            "use only ==, !=, <, <=, >, >=, in, not in in source markers",
            dependency=requirement.name,
        )
        return lines
    if guards and is_unsatisfiable(rest):
        return lines  # the sources cover every environment the requirement applies in
    if not indexes:
        return [*lines, _with_marker(f"{requirement_head(requirement)}{requirement.specifier}", rest, after_url=False)]
    for source in indexes:
        line = line_for(source, rest)  # the plain requirement, whichever index it names
        if line is not None and line not in lines:
            lines.append(line)
    return lines


def is_location_dependent(sources: list[ResolvedSource]) -> bool:
    """Whether the lines name paths on this machine (then an sdist marks Requires-Dist dynamic)."""
    return any(isinstance(s, (ResolvedArchive, ResolvedDirectory)) for s in sources)
