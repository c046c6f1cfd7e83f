"""Publish mode: each source-backed requirement becomes ``name[extras]SPEC; marker``.

SPEC comes from the version the source really holds (a vendored archive's
METADATA, a directory's static or backend-computed version) through a strategy,
or from an explicit specifier given per dependency.  The requirement's own
specifier is kept and combined with it; for a git or URL source, whose version
cannot be known, it alone will do.  Nothing here names a path or URL:
the lines are what an index like PyPI accepts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..config import STRATEGIES, Config, choose_cache
from ..errors import Findings
from ..model import ResolvedArchive, ResolvedDirectory, ResolvedGit, ResolvedIndex, ResolvedSource, ResolvedUrl
from ..values import copied
from ..versions.errors import VersionError  # publish mode only imports this module
from .local import inherited_source_hint, lines_per_source, requirement_head

if TYPE_CHECKING:
    from ..versions import VersionCache

__all__ = [
    "Publisher",
    "VersionLookup",
    "derive_specifier",
    "is_unsatisfiable",
    "render_publish",
    "unsatisfiable_on_bounds",
]

VersionLookup = Callable[[ResolvedSource], str]
"""The version a source holds; raises :class:`sourcelift.versions.VersionError` when it cannot be known."""


def derive_specifier(version: str | Version, strategy: str) -> SpecifierSet:
    """The specifier a strategy makes of ``version`` (parsed already, or not).

    >>> str(derive_specifier("1.4.2", "minor")), str(derive_specifier("0.3.1", "semver"))
    ('<1.5,>=1.4.2', '<0.4,>=0.3.1')
    """
    v = version if isinstance(version, Version) else Version(version)
    if v.local is not None:
        raise ValueError(f"{version} is a local version")
    if strategy == "exact":
        return SpecifierSet(f"=={v}")
    if strategy == "minimum":
        return SpecifierSet(f">={v}")
    if strategy == "compatible":
        # `~=` needs two release components: ~=2 is invalid, ~=2.0 means >=2.0,<3.
        if len(v.release) >= 2:
            return SpecifierSet(f"~={v}")
        return SpecifierSet(f">={v},<{_bound(v, 0)}")
    if strategy == "minor":
        return SpecifierSet(f">={v},<{_bound(v, 1)}")
    if strategy == "major":
        return SpecifierSet(f">={v},<{_bound(v, 0)}")
    if strategy == "semver":
        return SpecifierSet(f">={v},<{_bound(v, 1 if v.major == 0 else 0)}")
    raise ValueError(f"unknown strategy {strategy!r}")


def _bound(v: Version, index: int) -> str:
    """The next release at release component ``index`` (0: major, 1: minor), with the epoch."""
    release = list(v.release) + [0] * (index + 1 - len(v.release))
    upper = [*release[:index], release[index] + 1]
    epoch = f"{v.epoch}!" if v.epoch else ""
    return epoch + ".".join(str(part) for part in upper)


def is_unsatisfiable(specifiers: SpecifierSet) -> bool:
    """Whether no version satisfies ``specifiers``: packaging's own answer (26.1 and later); with an older
    packaging in the build environment, decided on the bounds (``>=2,<3,!=2.*`` then passes; ``===`` never
    is unsatisfiable)."""
    decide = getattr(specifiers, "is_unsatisfiable", None)
    return bool(decide()) if decide is not None else unsatisfiable_on_bounds(specifiers)


def unsatisfiable_on_bounds(specifiers: SpecifierSet) -> bool:
    """Whether the bounds of ``specifiers`` leave no version: :func:`is_unsatisfiable` before packaging 26.1,
    where it may miss an exclusion that covers every version between the bounds."""
    lower: tuple[Version, bool] | None = None  # (version, inclusive)
    upper: tuple[Version, bool] | None = None
    exact: list[Version] = []
    excluded: list[Version] = []
    for spec in specifiers:
        op, text = spec.operator, spec.version
        if op == "===":
            return False
        bounds: list[tuple[str, Version, bool]] = []
        if text.endswith(".*"):
            if op == "==":
                base = Version(text[:-2])
                bounds = [("lower", base, True), ("upper", Version(_bound(base, len(base.release) - 1)), False)]
        elif op == "==":
            exact.append(Version(text))
        elif op == "!=":
            excluded.append(Version(text))
        elif op in (">=", ">"):
            bounds = [("lower", Version(text), op == ">=")]
        elif op in ("<=", "<"):
            bounds = [("upper", Version(text), op == "<=")]
        elif op == "~=":
            v = Version(text)
            bounds = [("lower", v, True), ("upper", Version(_bound(v, len(v.release) - 2)), False)]
        for side, v, inclusive in bounds:
            if side == "lower" and (lower is None or v > lower[0] or (v == lower[0] and not inclusive)):
                lower = (v, inclusive)
            elif side == "upper" and (upper is None or v < upper[0] or (v == upper[0] and not inclusive)):
                upper = (v, inclusive)
    if exact:  # `==1.0` admits `1.0+cpu`: whether one of the pinned versions satisfies them all
        return not any(specifiers.contains(v, prereleases=True) for v in exact)
    if lower is not None and upper is not None:
        if lower[0] > upper[0]:
            return True
        if lower[0] == upper[0]:
            return not (lower[1] and upper[1]) or lower[0] in excluded
    return False


def render_publish(
    requirement: Requirement,
    sources: list[ResolvedSource],
    version_of: VersionLookup,
    override: str | None,
    strategy: str,
    findings: Findings,
    key: str,
) -> list[str]:
    """The publish-mode lines for ``requirement``: one per source (guarded by its marker), plus
    the plain requirement for environments no source marker covers."""
    head = requirement_head(requirement)

    def line_for(source: ResolvedSource, marker: Marker | None) -> str | None:
        where = source.key
        if isinstance(source, ResolvedIndex):
            spec: SpecifierSet | None = requirement.specifier
        elif override is not None and override not in STRATEGIES:
            spec = _explicit(requirement, source, override, version_of, findings, key)
        elif isinstance(source, (ResolvedGit, ResolvedUrl)) and override is None and requirement.specifier:
            # `foo==0.6.0` with `tag = "v0.6.0"`: the requirement's own specifier is what the index supplies
            spec = requirement.specifier
        elif isinstance(source, (ResolvedGit, ResolvedUrl)):
            kind = "git repository" if isinstance(source, ResolvedGit) else "URL"
            findings.error(
                where,
                f"a {kind} source has no version sourcelift can know, so publish mode cannot turn `{requirement}` "
                f"({key}) into a version specifier",
                _specifier_fix(requirement, source, override or strategy, key),
                dependency=requirement.name,
            )
            return None
        else:
            try:
                version = version_of(source)
            except VersionError as exc:
                findings.error(
                    where,
                    f"cannot tell which version the source holds: {exc.message}",
                    exc.fix,
                    dependency=requirement.name,
                )
                return None
            spec = _derived(requirement, source, version, override or strategy, findings, key)
        if spec is None:
            return None
        # written as str(Requirement(...)) writes it, so that a backend reading it back changes nothing
        return f"{head}{spec}" + (f"; {marker}" if marker is not None else "")

    if len(sources) > 1:
        from ..readers.variants import is_variant_set  # a requirement with one source (most) needs no module more

        if is_variant_set(sources):
            return _one_pin(requirement, sources, line_for, findings)
    return lines_per_source(requirement, sources, line_for, findings, key)


def _specifier_fix(requirement: Requirement, source: ResolvedGit | ResolvedUrl, strategy: str, key: str) -> str:
    """How to give a git or URL source's requirement a specifier, with an example made from the version
    its tag or file name names (``v0.6.0``, ``pkg-0.6.0.tar.gz``) when it names one.

    A requirement declared by a tool's own entry (``[tool.poetry.dependencies] x = { git = ... }``) cannot
    take a specifier there (poetry refuses ``version`` beside ``git`` or ``url``): only the strategies can.
    """
    from ..readers.registry import owner

    name = requirement.name
    version = _version_named(source)
    spec = derive_specifier(version, strategy) if version is not None else ">=VERSION"
    tool = owner(key)
    if tool is not None:
        kind = "git" if isinstance(source, ResolvedGit) else "url"
        what = "tag" if kind == "git" else "file name"
        named = "" if version is None else f" (the version {version} its {what} names)"
        return (
            f"{tool.tool} takes no `version` beside `{kind}`: give the versions of `{name}` an index should supply "
            f'in `[tool.sourcelift.strategies]` (`{name} = "{spec}"`){named}'
        )
    if version is None:
        return (
            f"give the requirement the versions of `{name}` an index should supply (e.g. `{name}>=VERSION`), "
            f'or a specifier in `[tool.sourcelift.strategies]` (`{name} = ">=VERSION"`)'
        )
    what = "tag" if isinstance(source, ResolvedGit) else "file name"
    return (
        f"give the requirement the versions of `{name}` an index should supply, e.g. `{name}{spec}` for the "
        f"version {version} its {what} names, or a specifier in `[tool.sourcelift.strategies]`, "
        f'e.g. `{name} = "{spec}"`'
    )


def _version_named(source: ResolvedGit | ResolvedUrl) -> str | None:
    """The public version a git revision (``v0.6.0``, ``1.2.3``) or a URL's archive name names, if any (an
    archive's name only when it is a release of the dependency itself, not a bundle with a ``subdirectory``)."""
    if isinstance(source, ResolvedGit):
        text = source.rev or ""
        text = text[1:] if text[:1] in ("v", "V") else text
        if "." not in text:  # a branch name or a commit id
            return None
    else:
        from ..artifacts.filenames import InvalidArchiveName, parse_archive_name

        if source.subdirectory:  # the archive bundles the project among others: its version is the bundle's
            return None
        try:
            parsed = parse_archive_name(source.url.split("?")[0].split("#")[0].rsplit("/", 1)[-1])
        except InvalidArchiveName:
            return None
        if parsed.canonical != canonicalize_name(source.name):  # another project's release
            return None
        text = parsed.version
    try:
        version = Version(text)
    except InvalidVersion:
        return None
    return None if version.local is not None else str(version)


def _one_pin(
    requirement: Requirement,
    sources: list[ResolvedSource],
    line_for: Callable[[ResolvedSource, Marker | None], str | None],
    findings: Findings,
) -> list[str]:
    """The wheels of one ``[tool.sourcelift.variants]`` set are one release: one pin, under the
    requirement's own marker."""
    versions: dict[str, list[str]] = {}
    for source in sources:
        if isinstance(source, ResolvedArchive):
            versions.setdefault(source.version, []).append(source.filename)
    if len(versions) > 1:
        listed = "; ".join(f"{version}: {', '.join(files)}" for version, files in sorted(versions.items()))
        findings.error(
            sources[0].key.split("[")[0],
            f"the wheels of the set hold different versions ({listed}), so publish mode has no one version to pin",
            "vendor the same release for every platform",
            dependency=requirement.name,
        )
        return []
    line = line_for(sources[0], requirement.marker)
    return [line] if line is not None else []


def _derived(
    requirement: Requirement,
    source: ResolvedSource,
    version: str,
    strategy: str,
    findings: Findings,
    key: str,
) -> SpecifierSet | None:
    where = source.key
    try:
        parsed = Version(version)
    except InvalidVersion:
        findings.error(
            where,
            f"{_what(source)} holds version {version!r}, which is not a valid PEP 440 version",
            "give the dependency a valid version",
            dependency=requirement.name,
        )
        return None
    if parsed.local is not None:
        what = _what(source)
        public = Version(parsed.public)
        accepted = requirement.specifier.contains(parsed, prereleases=True)  # `==1.0+local` names it whole
        released = _public_specifier(requirement.specifier)  # what an index accepts of the requirement's own
        if requirement.specifier and not accepted and not requirement.specifier.contains(public, prereleases=True):
            # no specifier built from this tree's version can satisfy the requirement: do not suggest one
            findings.error(
                where,
                f"{what} holds version {version}, which does not satisfy `{requirement}` ({key}), even without "
                "its local part; the tree is not at a release the requirement accepts",
                f"check out or tag a release matching {released} there, or change the requirement's specifier",
                dependency=requirement.name,
            )
            return None
        pinned = any(spec.operator in ("==", "===") and "*" not in spec.version for spec in released)
        suggestion = released if pinned else released & SpecifierSet(f">={public}")
        fix = (
            "build from a tagged, clean checkout so the version has no `+local` part, or give an explicit "
            f'specifier in `[tool.sourcelift.strategies]`, e.g. `{requirement.name} = "{suggestion}"`'
        )
        if released != requirement.specifier and key.startswith("project."):
            # the requirement's own `==1.0+local` stays in every line: it must lose its local part too
            written = copied(requirement)
            written.specifier = released
            fix = f"write the requirement without the local part, `{written}` ({key}), and {fix}"
        elif released != requirement.specifier:  # a pin the backend made of the version (`=={{ version }}`)
            fix = "build from a tagged, clean checkout so the version, and the pin made of it, have no `+local` part"
        findings.error(
            where,
            f"{what} holds the local version {version}, which an index such as PyPI rejects in a published "
            f"dependency (`{requirement}`, {key})",
            fix,
            dependency=requirement.name,
        )
        return None
    if requirement.specifier and not requirement.specifier.contains(parsed, prereleases=True):
        findings.error(
            where,
            f"{_what(source)} holds version {version}, which does not satisfy `{requirement}` ({key})",
            f"change the requirement's specifier, or point the source at a release matching {requirement.specifier}"
            + inherited_source_hint(where, requirement.name),
            dependency=requirement.name,
        )
        return None
    return requirement.specifier & derive_specifier(parsed, strategy)


def _public_specifier(specifier: SpecifierSet) -> SpecifierSet:
    """``specifier`` with the local part of each version dropped (``==1.0+g12``: ``==1.0``).

    >>> str(_public_specifier(SpecifierSet("==1.0+g12")))
    '==1.0'
    """
    parts = []
    for spec in specifier:
        version = spec.version
        if "+" in version:
            with contextlib.suppress(InvalidVersion):  # `===` takes any string
                version = Version(version).public
        parts.append(spec.operator + version)
    return SpecifierSet(",".join(parts))


def _explicit(
    requirement: Requirement,
    source: ResolvedSource,
    override: str,
    version_of: VersionLookup,
    findings: Findings,
    key: str,
) -> SpecifierSet | None:
    where = f"tool.sourcelift.strategies.{requirement.name}"
    given = SpecifierSet(override)
    if any("+" in spec.version for spec in given):
        findings.error(
            where,
            f"`{override}` names a local version, which an index such as PyPI rejects",
            "drop the `+local` part of the version",
            dependency=requirement.name,
        )
        return None
    combined = requirement.specifier & given
    if is_unsatisfiable(combined):
        findings.error(
            where,
            f"`{override}` and the requirement's own specifier (`{requirement}`, {key}) admit no version together",
            "give a specifier that overlaps the requirement's, or change the requirement",
            dependency=requirement.name,
        )
        return None
    if isinstance(source, (ResolvedArchive, ResolvedDirectory)):
        try:
            version = version_of(source)
        except VersionError:
            return combined  # the explicit specifier is what the maintainer vouches for
        if not combined.contains(version, prereleases=True):
            findings.error(
                where,
                f"`{combined}` excludes version {version}, the one {_what(source)} holds",
                "widen the specifier so the version this project was built and tested with satisfies it",
                dependency=requirement.name,
            )
            return None
    return combined


def _what(source: ResolvedSource) -> str:
    if isinstance(source, ResolvedArchive):
        return f"the archive {source.filename!r}"
    if isinstance(source, ResolvedDirectory):
        return f"the project at {source.path}"
    return "the source"


class Publisher:
    """Publish-mode rendering for one build: the strategies, and each source's version, found once."""

    def __init__(self, strategy: str, overrides: dict[str, str], cache: VersionCache | None) -> None:
        self.strategy = strategy
        self.overrides = overrides
        self.cache = cache
        self.line_form: Callable[[str], str] | None = None
        """How the wrapped backend itself writes a requirement line, when that differs from packaging's form
        (poetry-core normalizes specifiers): publish lines are written that way, so that the wheel the backend
        builds from the standards-only sdist says exactly what the sdist's PKG-INFO says."""
        self._versions: dict[Path, str] = {}
        self._errors: dict[Path, VersionError] = {}

    @classmethod
    def from_config(cls, config: Config, config_settings: Mapping[str, Any] | None) -> Publisher:
        """The publisher of a build configured by ``config`` (and ``-C sourcelift-cache``)."""
        from ..versions import VersionCache

        cache = VersionCache.from_environment() if choose_cache(config, config_settings) else None
        return cls(config.strategy, config.strategies, cache)

    def prefetch(self, sources: Iterable[list[ResolvedSource]]) -> None:
        """Find the versions of every directory source at once: the backends that must run, run
        concurrently.  Errors are kept and raised where the version is asked for."""
        from ..versions import directory_versions

        # a static version was read when the source was resolved: only the others need a lookup
        paths = [s.path for items in sources for s in items if isinstance(s, ResolvedDirectory) and s.version is None]
        paths = [path for path in dict.fromkeys(paths) if path not in self._versions and path not in self._errors]
        if len(paths) < 2:
            return  # nothing to overlap
        for path, found in directory_versions(paths, self.cache).items():
            if isinstance(found, Exception):
                self._errors[path] = found
            else:
                self._versions[path] = found.version

    def version_of(self, source: ResolvedSource) -> str:
        # each module only when its kind of source asks (a workspace's members need no archive reader)
        if isinstance(source, ResolvedArchive):
            path = source.path
            if path not in self._versions:
                from ..versions import archive_version

                self._versions[path] = archive_version(path)
        elif isinstance(source, ResolvedDirectory):
            if source.version is not None:
                return source.version  # static: pyproject.toml's `[project].version`, normalized, as resolved
            path = source.path
            if path in self._errors:
                raise self._errors[path]
            if path not in self._versions:
                from ..versions import directory_version

                self._versions[path] = directory_version(path, self.cache).version
        else:  # pragma: no cover - callers ask only for archives and directories
            raise VersionError("this kind of source has no version", "give an explicit specifier")
        return self._versions[path]

    def render(
        self, requirement: Requirement, sources: list[ResolvedSource], findings: Findings, key: str
    ) -> list[str]:
        override = self.overrides.get(canonicalize_name(requirement.name))
        return render_publish(requirement, sources, self.version_of, override, self.strategy, findings, key)

    def check_overrides(self, names: set[str], findings: Findings) -> None:
        """Warn about overrides that name no source-backed dependency."""
        for name in sorted(set(self.overrides) - names):
            findings.warning(
                f"tool.sourcelift.strategies.{name}",
                "names no dependency that has a source; the override has no effect",
                "remove it, or correct the dependency's name",
                dependency=name,
            )
