"""A build's plan: the resolved sources of one project, and how its metadata lines change."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .._dataclasses import field, replace, slotted_dataclass
from ..artifacts.store import Store
from ..errors import Findings
from ..model import (
    DeclaredRequirement,
    PathSource,
    Project,
    ResolvedArchive,
    ResolvedDirectory,
    ResolvedIndex,
    ResolvedSource,
    WorkspaceSource,
)
from ..readers._toml import load_toml
from ..readers.project import read_project
from ..readers.workspace import find_workspace
from ..values import copied, parsed_requirement, render_requirement
from .local import KnownVersion, is_location_dependent, render_local, source_guard
from .markers import CannotNegate, conjoin, negate_any, split_extra
from .resolve import resolve_sources

if TYPE_CHECKING:
    from .checkout import Checkout
    from .publish import Publisher

__all__ = ["Plan", "directory_sources", "make_plan", "plan_project", "warn_unbacked_direct_references"]


def _same_environments(first: Marker | None, second: Marker | None) -> bool:
    """Whether the two markers hold in the same environments (``False`` when unsure)."""
    if first is None or second is None:
        return first is second
    if str(first) == str(second):
        return True
    from .markers import disjoint

    try:
        return disjoint(first, negate_any([second])) and disjoint(second, negate_any([first]))
    except CannotNegate:
        return False


def _as_from_the_tree(requirement: Requirement, value: str) -> list[str] | None:
    """A final line as a build from the tree writes it (``None``: the backend wrote it so already)."""
    written = str(requirement)
    return None if written == value else [written]


@slotted_dataclass
class Plan:
    root: Path
    sources: dict[str, list[ResolvedSource]]
    store: Store
    requirements: list[DeclaredRequirement] = field(default_factory=list)
    from_local_sdist: bool = False
    """True when read from a local-mode sdist's sources file (building a wheel from it)."""
    dynamic_dependencies: bool = False
    """The project's dependencies are dynamic: the backend computes them, pyproject.toml does not list them."""
    publisher: Publisher | None = None
    """Set in publish mode: lines become version specifiers instead of direct references."""
    known_version: KnownVersion | None = None
    """Local mode: the dynamic versions of directory sources known without running their backends."""
    checkout: Checkout | None = None
    """Local mode in a git work tree with a remote: where the in-repository sources lie in it."""
    _parsed_lines: dict[str, Requirement] | None = field(default=None, repr=False)
    _metadata_forms: list[tuple[str, Requirement]] | None = field(default=None, repr=False)
    _sdist_lines: list[tuple[str, Requirement]] | None = field(default=None, repr=False)
    _rendered: dict[str, tuple[Publisher | None, Checkout | None, tuple[ResolvedSource, ...], tuple[str, ...]]] = field(
        default_factory=dict, repr=False
    )
    _pending: Checkout | None = field(default=None, repr=False)
    """Local mode, while the declared lines are first rendered: the checkout whose ``git status`` is
    still running.  The lines of its directories are checked when they are rendered with it."""

    def _as_metadata(self) -> list[tuple[str, Requirement]]:
        """Each declared requirement as METADATA carries it (an extra's with the extra's marker) and its
        text, in the order of ``requirements``: made once for the lines rendered before the backend runs
        and for the lines it wrote (rendering a requirement with a marker as text costs some 10 us, and
        a workspace member has dozens).  Shared: never modify one."""
        if self._metadata_forms is None:
            forms = self._metadata_forms = []
            for declared in self.requirements:
                requirement = declared.requirement
                if declared.extra is not None:
                    requirement = copied(requirement)
                    requirement.marker = conjoin(requirement.marker, f'extra == "{declared.extra}"')
                forms.append((str(requirement), requirement))
        return self._metadata_forms

    @property
    def _parsed(self) -> dict[str, Requirement]:
        """The declared requirements by their text (most lines the backend writes are these)."""
        if self._parsed_lines is None:
            parsed = self._parsed_lines = {}
            for declared, (text, written) in zip(self.requirements, self._as_metadata()):
                if declared.extra is None:  # as METADATA carries it already
                    parsed[text] = declared.requirement
                    continue
                parsed[str(declared.requirement)] = declared.requirement
                parsed.setdefault(text, written)  # as METADATA carries it, with the extra's marker
        return self._parsed_lines

    def declared_key(self, value: str) -> str | None:
        """The pyproject key of the declared requirement a backend-written line is, or ``None``."""
        found = self._declared(value)
        if found is None:
            return None
        for declared, (_, written) in zip(self.requirements, self._as_metadata()):
            if found is declared.requirement or found is written:
                return declared.key
        return None

    def _declared(self, value: str) -> Requirement | None:
        """The declared requirement a backend-written line is, when it is one as packaging renders it,
        or with its marker's quotes single (hatchling's spelling: ``a; extra == 'b'``).

        Swapping the quotes is exact only where every ``"`` of the rendering delimits a marker value:
        a requirement without a URL (names, extras and specifiers hold no quotes, and a value quoted
        with ``"`` cannot hold one).  Any other line is parsed as it is.
        """
        found = self._declared_text(value)
        return found[1] if found is not None else None

    def _final_line_of_the_sdist(self, value: str) -> str | None:
        """The final line of the local sdist (its PKG-INFO, as the tree's build wrote it) that ``value`` is,
        written otherwise: uv_build reorders and simplifies markers (`platform_machine == "aarch64" and
        sys_platform == "linux"`, a fallback's negations merged), and the wheel built from the sdist is to say
        what the tree's says. Same name, extras, specifier and URL, and a marker that holds exactly where the
        final line's does (as far as :func:`~sourcelift.rewrite.markers.disjoint` tells); ``None`` if none is."""
        try:
            requirement = parsed_requirement(value)
        except InvalidRequirement:
            return None
        name = canonicalize_name(requirement.name)
        if not self.sources.get(name):
            return None
        extras = {canonicalize_name(extra) for extra in requirement.extras}
        for line, final in self._sdist_final_lines():
            if (
                canonicalize_name(final.name) == name
                and final.url == requirement.url
                and {canonicalize_name(extra) for extra in final.extras} == extras
                and final.specifier == requirement.specifier
                and _same_environments(final.marker, requirement.marker)
            ):
                return line
        return None

    def _sdist_final_lines(self) -> list[tuple[str, Requirement]]:
        if self._sdist_lines is None:
            from ..core_metadata import requires_dist

            lines = self._sdist_lines = []
            try:
                text = (self.root / "PKG-INFO").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return lines
            for line in requires_dist(text):
                try:
                    lines.append((line, parsed_requirement(line)))
                except InvalidRequirement:
                    continue
        return self._sdist_lines

    def _declared_text(self, value: str) -> tuple[str, Requirement] | None:
        """:meth:`_declared`, with the requirement's text as packaging renders it."""
        found = self._parsed.get(value)
        if found is not None:
            return value, found
        if "'" in value and '"' not in value:
            text = value.replace("'", '"')
            found = self._parsed.get(text)
            if found is not None and found.url is None:
                return text, found
        return None

    @property
    def mode(self) -> str:
        return "local" if self.publisher is None else "publish"

    def render(
        self,
        requirement: Requirement,
        sources: list[ResolvedSource],
        findings: Findings,
        key: str,
        *,
        text: str | None = None,
    ) -> list[str]:
        """The lines of one requirement with sources, in this plan's mode.

        A requirement is rendered once: the backend writes back the lines ``declared_lines`` already
        made (a workspace member with dozens of source-backed extras would render each twice).  Only a
        rendering that reported nothing is reused, so every problem is reported where it is met.
        ``text``: ``str(requirement)``, when the caller has it.
        """
        if self._pending is not None and any(self._pending.relative(path) for path in _directories(sources)):
            # Rendered for its problems only: the line written is the one rendered with the checkout
            # (its `git+` form when the directory is committed), and is checked then.
            return self._render(requirement, sources, findings, key, check=False)
        if text is None:
            text = str(requirement)
        known = self._rendered.get(text)
        if (
            known is not None
            and known[0] is self.publisher  # the same mode (explain renders one plan in both)
            and known[1] is self.checkout  # local lines of in-repository sources depend on it
            and len(known[2]) == len(sources)
            and all(a is b for a, b in zip(known[2], sources))
        ):
            return list(known[3])
        reported = len(findings.problems) + len(findings.warnings)
        lines = self._render(requirement, sources, findings, key)
        if len(findings.problems) + len(findings.warnings) == reported:
            # what the lines depend on is held, so that `is` stays meaningful
            self._rendered[text] = (self.publisher, self.checkout, tuple(sources), tuple(lines))
        return lines

    def _render(
        self,
        requirement: Requirement,
        sources: list[ResolvedSource],
        findings: Findings,
        key: str,
        *,
        check: bool = True,
    ) -> list[str]:
        if self.publisher is not None:
            lines = self.publisher.render(requirement, sources, findings, key)
        else:
            locate = self.checkout.git_target if self.checkout is not None else None
            if not check:
                locate = _not_made  # rendered for its problems only: the lines are thrown away
            lines = render_local(requirement, sources, self.store, findings, key, locate, self.known_version)
        if not check:
            return lines
        checked = _checked_lines(lines, requirement.name, sources, findings, key)
        if self.publisher is not None and self.publisher.line_form is not None:
            # the backend's own spelling (poetry-core's), applied to lines packaging has checked
            checked = [self.publisher.line_form(line) for line in checked]
        return checked

    @property
    def location_dependent(self) -> bool:
        return any(is_location_dependent(sources) for sources in self.sources.values())

    def archives(self) -> list[ResolvedArchive]:
        return [s for sources in self.sources.values() for s in sources if isinstance(s, ResolvedArchive)]

    def populate_store(self) -> None:
        """Copy every archive the lines point at into the store (idempotent, atomic)."""
        if self.publisher is not None:
            return  # publish-mode lines point at no file
        for archive in self.archives():
            self.store.ensure(archive.path, archive.sha256, archive.filename)

    def rewrite_line(self, value: str, findings: Findings) -> list[str] | None:
        """New ``Requires-Dist`` values for one the backend wrote, or ``None`` to keep it."""
        declared = self._declared_text(value)  # most lines are the declared requirements, parsed already
        if declared is None and self.from_local_sdist:
            final = self._final_line_of_the_sdist(value)
            if final is not None:
                return None if final == value else [final]
        text: str | None = None
        if declared is not None:
            text, requirement = declared
        else:
            try:
                requirement = parsed_requirement(value)
            except InvalidRequirement:
                return None
        sources = self.sources.get(canonicalize_name(requirement.name))
        if sources and any(s.binds is not None for s in sources):
            sources = _written_entry(requirement, sources)
        if not sources:
            relative = _relative_location(requirement.url) if requirement.url is not None else None
            if relative is not None:
                self._report_relative(requirement, value, relative, findings)
            return None
        if requirement.url is not None:  # a placeholder reference the backend expanded; the source replaces it
            if self.from_local_sdist and requirement.url in self._targets(requirement, sources):
                # a final line the local-mode sdist already carries (its pyproject.toml lists it), written as
                # from the tree: the backend may have quoted its marker otherwise (hatchling: extra == 'x')
                return _as_from_the_tree(requirement, value)
            requirement = copied(requirement)
            requirement.url = None
            text = None
        elif self.from_local_sdist and self._is_fallback(requirement, sources):
            return _as_from_the_tree(requirement, value)  # the line for environments no source marker covers
        return self.render(requirement, sources, findings, f"Requires-Dist: {value}", text=text)

    def warn_unbacked_written(self, value: str, findings: Findings) -> None:
        """Publish mode: a direct reference the backend wrote (a build hook's: the project declares no such
        requirement, so :func:`warn_unbacked_direct_references` could not see it) that no source backs stays
        as written, and an index such as PyPI rejects the upload."""
        if self.publisher is None or self._declared(value) is not None:
            return
        try:
            requirement = parsed_requirement(value)
        except InvalidRequirement:
            return
        name = canonicalize_name(requirement.name)
        if requirement.url is None or self.sources.get(name):
            return
        if any(
            d.requirement.url == requirement.url and canonicalize_name(d.requirement.name) == name
            for d in self.requirements
        ):
            return  # declared: warned about when the plan was made
        findings.warning(
            f"Requires-Dist: {value}",
            "is a direct reference that the build backend (or one of its hooks) wrote and no source backs, so "
            "publish mode leaves it as written, and PyPI rejects an upload whose Requires-Dist holds one (\"Can't "
            'have direct dependency")',
            f"have the hook write `{requirement.name}` by version (e.g. `{requirement.name}>=X.Y`), or write the bare "
            f"name and declare the location as a source (e.g. in `[tool.uv.sources]`), which publish mode turns "
            "into a version specifier",
            dependency=requirement.name,
        )

    def _report_relative(self, requirement: Requirement, value: str, relative: str, findings: Findings) -> None:
        """A backend-written direct reference to a relative path (``name @ file:./vendor/x.whl``, from a
        requirements file a metadata hook or setuptools reads): no installer can follow it, so the build stops."""
        name = requirement.name
        key = next(
            (
                declared.key
                for declared in self.requirements
                if declared.requirement.url is not None
                and canonicalize_name(declared.requirement.name) == canonicalize_name(name)
            ),
            f"Requires-Dist: {value}",
        )
        path = relative[2:] if relative.startswith("./") else relative
        findings.error(
            key,
            f"is a direct reference to the relative path `{relative}` (`{requirement.url}`), which no source "
            "backs: an installer resolves it against its own working directory, not this project, so the wheel "
            'built with it installs nowhere (uv: "relative path without a working directory")',
            f"write the bare name `{name}` where the requirement is declared (e.g. requirements.txt), and give "
            f'its location as a source: `[tool.uv.sources]` `{name} = {{ path = "{path}" }}` (relative to the '
            "project); sourcelift then writes a direct reference that installs (local mode) or a version "
            "specifier (publish mode)",
            dependency=name,
        )

    @staticmethod
    def _is_fallback(requirement: Requirement, sources: list[ResolvedSource]) -> bool:
        """Whether ``requirement`` is the plain line local mode wrote for the environments none of
        ``sources``' markers covers (its marker ends with their negation); index sources have that
        line too, so only the others' markers count."""
        if requirement.marker is None:
            return False
        bare = copied(requirement)
        bare.marker = None
        guards = [source_guard(s, bare) for s in sources if not isinstance(s, ResolvedIndex)]
        if not guards or any(g is None for g in guards):
            return False
        try:
            negation = str(negate_any([g for g in guards if g is not None]))
        except CannotNegate:
            return False
        rest, _ = split_extra(requirement.marker)  # an extra's line ends with its extra, after the negation
        text = str(rest) if rest is not None else ""
        # the negation as it reads after a conjunction: a single comparison loses its parentheses
        anchor = 'os_name == "anchor"'
        after = str(conjoin(anchor, negation))[len(anchor) :]
        return text == negation or text.endswith(after)

    def _targets(self, requirement: Requirement, sources: list[ResolvedSource]) -> set[str]:
        """The URLs this plan's lines for ``requirement`` name."""
        bare = copied(requirement)
        bare.url, bare.marker = None, None
        urls = set()
        for line in self.render(bare, sources, Findings(), "Requires-Dist"):
            url = parsed_requirement(line).url
            if url is not None:
                urls.add(url)
        return urls

    def declared_lines(self, findings: Findings, *, as_metadata: bool = True) -> dict[str, list[str]]:
        """The lines of each declared requirement with a source, by its pyproject key.

        ``as_metadata``: as they read in METADATA (an extra's requirements carry
        ``extra == "..."``); otherwise as they are written in ``[project]``. A key that declares
        several requirements (a poetry ``optional`` entry listed by several extras) gets its last one's
        lines; :meth:`lines_of_each` has every requirement's own.
        """
        lines: dict[str, list[str]] = {}
        for declared, rendered in zip(self.requirements, self.lines_of_each(findings, as_metadata=as_metadata)):
            if rendered is not None:
                lines[declared.key] = rendered
        return lines

    def lines_of_each(self, findings: Findings, *, as_metadata: bool = True) -> list[list[str] | None]:
        """The lines of each declared requirement, in the order of ``requirements``: ``None`` for one
        without a source (see :meth:`declared_lines` for ``as_metadata``)."""
        each: list[list[str] | None] = []
        forms = self._as_metadata() if as_metadata else None
        for index, declared in enumerate(self.requirements):
            sources = self.sources.get(canonicalize_name(declared.requirement.name))
            if sources and any(s.binds is not None for s in sources):
                sources = [_unguarded(s) for s in sources if s.binds in (None, declared.key)]
            if not sources:
                each.append(None)
                continue
            text: str | None = None
            if forms is not None:
                text, requirement = forms[index]
            else:
                requirement = declared.requirement
                if declared.extra is not None:
                    sources = [without_extra(s, declared.extra) for s in sources]
            if requirement.url is not None:
                requirement = copied(requirement)
                requirement.url = None
                text = None
            each.append(self.render(requirement, sources, findings, declared.key, text=text))
        return each


def _checked_lines(
    lines: list[str], name: str, sources: list[ResolvedSource], findings: Findings, key: str
) -> list[str]:
    """Each line parsed by packaging and rendered again: a source gives only its own line(s)."""
    checked: list[str] = []
    for line in lines:
        rendered, problem = render_requirement(line, name)
        if rendered is None:
            findings.error(
                sources[0].key if sources else key,
                f"the requirement line made from this source cannot be written safely: {problem}",
                "correct the source's values (URL, revision, subdirectory, marker)",
                dependency=name,
            )
            continue
        checked.append(rendered)
    return checked


def _unguarded(source: ResolvedSource) -> ResolvedSource:
    """A source bound to one requirement, whose marker is that requirement's own: no guard of its own."""
    if source.binds is None or source.marker is None:
        return source
    return replace(source, marker=None)


def _written_entry(requirement: Requirement, sources: list[ResolvedSource]) -> list[ResolvedSource]:
    """The sources of the entry a backend-written line came from, when sources are bound to entries
    (poetry's multiple-constraints list): the one whose target the line names, else the one whose
    marker the line carries; none for a line without a URL (an entry with no source)."""
    if requirement.url is None:
        return [s for s in sources if s.binds is None]
    url = requirement.url
    for source in sources:
        if source.binds is not None and _names_target(source, url):
            return [_unguarded(source)]
    written = str(requirement.marker) if requirement.marker is not None else None
    kind = "git+" if url.startswith("git+") else "file:" if url.startswith("file:") else "url"
    matching = [
        s
        for s in sources
        if s.binds is not None and (str(s.marker) if s.marker is not None else None) == written and kind == _url_kind(s)
    ]
    if len(matching) == 1:
        return [_unguarded(matching[0])]
    return [s for s in sources if s.binds is None]


def _relative_location(url: str) -> str | None:
    """The relative path a direct reference's URL names (``file:./x.whl``, ``file:x``, ``./x``), else ``None``.

    >>> _relative_location("file:./vendor/x.whl"), _relative_location("../libs/x"), _relative_location("file:///x")
    ('./vendor/x.whl', '../libs/x', None)
    """
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme == "file" and not parts.netloc and parts.path and not parts.path.startswith("/"):
        return unquote(parts.path)
    if not parts.scheme and not parts.netloc and parts.path and not parts.path.startswith("/"):
        return unquote(parts.path)
    return None


def _not_made(source: ResolvedDirectory) -> str:
    """What stands for a directory's URL in lines rendered for their problems only (:meth:`Plan.render`,
    while ``git status`` runs): making its ``file:`` URL costs a workspace member a few microseconds."""
    return "file:///not-made"


def _directories(sources: list[ResolvedSource]) -> list[Path]:
    return [source.path for source in sources if isinstance(source, ResolvedDirectory)]


def _url_kind(source: ResolvedSource) -> str:
    if isinstance(source, (ResolvedArchive, ResolvedDirectory)):
        return "file:"
    return "git+" if type(source).__name__ == "ResolvedGit" else "url"


def _names_target(source: ResolvedSource, url: str) -> bool:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if isinstance(source, ResolvedDirectory) and parts.scheme == "file":
        return os.path.realpath(unquote(parts.path)) == os.path.realpath(source.path)
    if isinstance(source, ResolvedArchive) and parts.scheme == "file":
        return unquote(parts.path).rsplit("/", 1)[-1] == source.filename
    target = getattr(source, "url", None)
    if isinstance(target, str):
        written = url.removeprefix("git+").split("#")[0]
        rev = getattr(source, "rev", None)
        return written in (target, f"{target}@{rev}")
    return False


def without_extra(source: ResolvedSource, extra: str) -> ResolvedSource:
    """The source as seen from inside ``[project.optional-dependencies.<extra>]``: its guard for that
    extra is implied there."""
    if source.extra is None or canonicalize_name(source.extra) != canonicalize_name(extra):
        return source
    return replace(source, extra=None)


def plan_project(
    root: Path,
    data: dict[str, Any],
    findings: Findings,
    store: Store,
    publisher: Publisher | None = None,
    known_version: KnownVersion | None = None,
) -> tuple[Plan, Project]:
    """Read the project, resolve its sources and check every declared requirement against them.

    ``known_version`` (local mode): directory versions to check that are known without running a
    backend (:class:`~sourcelift.rewrite.local.CachedVersions`).  Problems go into ``findings``;
    nothing is raised.
    """
    project = read_project(root, data, findings)
    if publisher is None or publisher.cache is None or not _names_directories(project):
        return _plan_sources(root, project, data, findings, store, publisher, known_version), project
    # The versions of directory sources come from fingerprints that ask git: its processes run while
    # the sources are resolved, and are stopped if no version was asked for after all.
    from ..versions._gitstate import discard_started, prestart

    prestart(Path(os.path.realpath(root)), os.environ)
    try:
        return _plan_sources(root, project, data, findings, store, publisher, known_version), project
    finally:
        discard_started()


def _plan_sources(
    root: Path,
    project: Project,
    data: dict[str, Any],
    findings: Findings,
    store: Store,
    publisher: Publisher | None,
    known_version: KnownVersion | None,
) -> Plan:
    plan = Plan(
        root,
        resolve_sources(project, findings, store),
        store,
        project.requirements,
        dynamic_dependencies=project.dynamic_dependencies,
        publisher=publisher,
        known_version=known_version if publisher is None else None,
    )
    _check_wheel_markers(plan, data, findings)
    if publisher is not None:
        publisher.prefetch(plan.sources.values())
        plan.declared_lines(findings)
        warn_unbacked_direct_references(plan, findings)
        publisher.check_overrides(set(plan.sources), findings)
        return plan
    # the one `git status` starts now and runs while the lines are rendered and the backend builds
    checkout = _checkout(plan)
    plan._pending = checkout
    try:
        plan.declared_lines(findings)
    finally:
        plan._pending = None
    plan.checkout = checkout
    return plan


def _names_directories(project: Project) -> bool:
    """Whether a source may name a project directory (whose version the publish plan may look up)."""
    return any(isinstance(s, (PathSource, WorkspaceSource)) for items in project.sources.values() for s in items)


def warn_unbacked_direct_references(plan: Plan, findings: Findings) -> None:
    """Publish mode: a declared direct reference that no source backs stays as written, and an index such as
    PyPI rejects the upload ("Can't have direct dependency"); the build goes on (a private index may take it)."""
    for declared in plan.requirements:
        url = declared.requirement.url
        if url is None or plan.sources.get(canonicalize_name(declared.requirement.name)):
            continue
        if _relative_location(url) is not None:
            continue  # a relative path stops the build when the written lines are rewritten (Plan._report_relative)
        name = declared.requirement.name
        kind = "git" if url.startswith("git+") else "path" if url.startswith("file:") else "url"
        findings.warning(
            declared.key,
            f"is a direct reference (`{url}`) that no source backs, so publish mode leaves it as written, and PyPI "
            'rejects an upload whose Requires-Dist holds one ("Can\'t have direct dependency")',
            f"require `{name}` by version (e.g. `{name}>=X.Y`) once it is on the index, or keep the bare name and "
            f"declare the location as a source (e.g. `[tool.uv.sources]` `{name} = {{ {kind} = ... }}`), which publish "
            "mode turns into a version specifier",
            dependency=name,
        )


def _check_wheel_markers(plan: Plan, data: dict[str, Any], findings: Findings) -> None:
    """Vendored wheels written by hand with a marker: the marker must agree with the wheel's tags."""
    names = [
        name
        for name, sources in plan.sources.items()
        if any(isinstance(s, ResolvedArchive) and s.marker is not None and s.filename.endswith(".whl") for s in sources)
    ]
    if not names:
        return
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from .variants import check_sources

    table = data.get("project")
    project: dict[str, Any] = table if isinstance(table, dict) else {}
    text = project.get("requires-python")
    try:
        requires_python = SpecifierSet(text) if isinstance(text, str) else None
    except InvalidSpecifier:
        requires_python = None  # the backend reports it
    extras = project.get("optional-dependencies")
    for name in names:
        check_sources(name, plan.sources[name], requires_python, findings, extras if isinstance(extras, dict) else ())


def _checkout(plan: Plan) -> Checkout | None:
    """The git facts of a local-mode plan with sources in its tree; its one ``git status`` starts here and
    is read when the lines are rendered with it, after the backend built."""
    local = [s for items in plan.sources.values() for s in items if isinstance(s, (ResolvedArchive, ResolvedDirectory))]
    if not local:
        return None
    from .checkout import open_checkout

    return open_checkout(plan.root, local, plan.store.root)


def make_plan(
    root: Path,
    store: Store | None = None,
    data: dict[str, Any] | None = None,
    publisher: Publisher | None = None,
    known_version: KnownVersion | None = None,
) -> tuple[Plan, Findings]:
    """Read and check the project at ``root``; raise :class:`~sourcelift.errors.ProblemsError` on problems.

    In an unpacked local-mode sdist (``PKG-INFO`` and the sourcelift sources file beside
    ``pyproject.toml``) the sources file made from the original tree is used instead.
    """
    store = store or Store()
    findings = Findings()
    if (root / "PKG-INFO").is_file():  # an unpacked sdist; only then is the local_sdist module needed
        from .local_sdist import LOCAL_SOURCES_PATH, read_local_sources

        if (root / LOCAL_SOURCES_PATH).is_file():
            sources = read_local_sources(root, findings)
            findings.raise_if_any(root / LOCAL_SOURCES_PATH)
            return Plan(root, sources, store, from_local_sdist=True, publisher=publisher), findings
    pyproject = root / "pyproject.toml"
    if data is None:
        data = load_toml(pyproject, findings)
        if data is None:
            findings.raise_if_any(pyproject)
            raise AssertionError("unreachable")  # pragma: no cover
    plan, _ = plan_project(root, data, findings, store, publisher, known_version)
    findings.raise_if_any(pyproject)
    return plan, findings


def directory_sources(root: Path, data: dict[str, Any]) -> list[Path]:
    """The project directories the sources of the project at ``root`` name, found without fetching
    or hashing anything; problems are left for the build to report."""
    findings = Findings()
    if (root / "PKG-INFO").is_file():
        from .local_sdist import LOCAL_SOURCES_PATH, read_local_sources

        if (root / LOCAL_SOURCES_PATH).is_file():
            recorded = read_local_sources(root, findings)
            return [s.path for sources in recorded.values() for s in sources if isinstance(s, ResolvedDirectory)]
    project = read_project(root, data, findings)
    used = {canonicalize_name(r.requirement.name) for r in project.requirements}
    paths: list[Path] = []
    members: dict[str, Path] | None = None
    for name, sources in project.sources.items():
        if not project.dynamic_dependencies and name not in used:
            continue
        for source in sources:
            if source.group is not None:
                continue
            if isinstance(source, PathSource):
                target = Path(os.path.normpath(source.base / source.path))
                if target.is_dir():
                    paths.append(target)
            elif isinstance(source, WorkspaceSource):
                if members is None:
                    workspace = find_workspace(root)
                    members = workspace.members(findings) if workspace is not None else {}
                if source.name in members:
                    paths.append(members[source.name])
    return paths
