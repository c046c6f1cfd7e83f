"""``sourcelift explain``: per requirement, the source found and what each mode makes of it,
and every problem that would break a build here, in a clone, or in publish mode.

The JSON report (:class:`Report`, ``version`` :data:`REPORT_VERSION`) is documented in the
README; fields are only ever added within one version.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypedDict

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..artifacts.store import Store
from ..backends.quirks import builds_dynamic_fields_from_pkg_info
from ..backends.requirement_files import dynamic_requirement_files, pbr_requirement_files
from ..config import MODE_ENV, MODES, choose_cache, choose_mode, read_config
from ..errors import ConfigError, Findings, Problem
from ..model import (
    DeclaredRequirement,
    ResolvedArchive,
    ResolvedDirectory,
    ResolvedGit,
    ResolvedIndex,
    ResolvedSource,
    ResolvedUrl,
    Source,
)
from ..readers._toml import load_toml
from ..readers.variants import is_variant_set
from ..rewrite.local import CachedVersions, can_apply
from ..rewrite.markers import as_metadata
from ..rewrite.plan import Plan, plan_project, warn_unbacked_direct_references
from .backends import ExplainPublisher, IsolatedEnvironments, hook_metadata
from .checks import check_archives, check_build_system, check_git_tracking

__all__ = ["REPORT_VERSION", "IsolatedEnvironments", "Report", "exit_code", "explain", "format_report"]

REPORT_VERSION = "3"


class VariantReport(TypedDict):
    tags: list[str]
    label: str | None
    """The PEP 825 variant label of the file name, if any."""
    properties: list[str]
    """``namespace :: feature :: value`` from the wheel's ``variant.json``, for its label."""


class SourceReport(TypedDict):
    key: str
    kind: str
    location: str
    version: str | None
    sha256: str | None
    marker: str | None
    variant: VariantReport | None
    """Set for the wheels of a ``[tool.sourcelift.variants]`` set."""


class RequirementReport(TypedDict):
    requirement: str
    key: str
    origin: str
    """``"pyproject"`` (declared in pyproject.toml) or ``"hook"`` (the backend's metadata hook produced it)."""
    sources: list[SourceReport]
    local: list[str]
    publish: list[str]


class ProblemReport(TypedDict):
    key: str
    dependency: str | None
    message: str
    fix: str


class DevelopmentReport(TypedDict):
    key: str
    dependency: str
    group: str | None
    location: str


class HookReport(TypedDict):
    ran: bool
    where: str | None
    """``"here"`` (the running interpreter) or ``"isolated"`` (a temporary build environment)."""
    message: str | None
    fix: str | None


class Report(TypedDict):
    version: str
    kind: str
    """``"project"``, or ``"workspace-root"`` for a uv workspace root without ``[project]``, or one uv does not
    build (virtual: ``project`` names it), see ``members``."""
    project: str
    pyproject: str
    mode: str
    """The mode a build gets from pyproject.toml and SOURCELIFT_MODE (a config setting may override it)."""
    focus: str | None
    """The mode ``--mode`` chose to focus on, whose problems decide the exit status; ``None``: the project's mode."""
    requirements: list[RequirementReport]
    hook: HookReport | None
    """Set when ``dependencies`` are dynamic: whether the backend's metadata hook could run."""
    development_only: list[DevelopmentReport]
    problems: list[ProblemReport]
    """What stops a build in the focused mode, or makes a clone of the repository fail."""
    warnings: list[ProblemReport]
    publish_problems: list[ProblemReport]
    """What stops a publish-mode build, beyond ``problems`` (empty when publish mode is focused)."""
    members: list[Report]
    """For a workspace root: the report of every member."""


def _source_report(source: ResolvedSource) -> SourceReport:
    version = sha256 = None
    if isinstance(source, ResolvedArchive):
        kind, location, version, sha256 = "archive", str(source.path), source.version, source.sha256
    elif isinstance(source, ResolvedDirectory):
        kind, location = "directory", str(source.path)
    elif isinstance(source, ResolvedGit):
        kind, location = "git", source.url + (f"@{source.rev}" if source.rev else "")
    elif isinstance(source, ResolvedUrl):
        kind, location = "url", source.url
    else:
        assert isinstance(source, ResolvedIndex)
        kind, location = "index", source.index
    marker = str(source.marker) if source.marker is not None else None
    variant = None
    if isinstance(source, ResolvedArchive) and is_variant_set([source]):
        from ..rewrite.variants import describe_variant

        variant = VariantReport(**describe_variant(source.path, source.filename))  # type: ignore[typeddict-item]
    return SourceReport(
        key=source.key, kind=kind, location=location, version=version, sha256=sha256, marker=marker, variant=variant
    )


def _development_report(source: Source) -> DevelopmentReport:
    location = getattr(source, "path", None) or getattr(source, "git", None) or getattr(source, "url", None) or ""
    return DevelopmentReport(key=source.key, dependency=source.name, group=source.group, location=str(location))


def _problem(problem: Problem) -> ProblemReport:
    return ProblemReport(key=problem.key, dependency=problem.dependency, message=problem.message, fix=problem.fix)


def _empty(root: Path) -> Report:
    return Report(
        version=REPORT_VERSION,
        kind="project",
        project=root.name,
        pyproject=str(root / "pyproject.toml"),
        mode="local",
        focus=None,
        requirements=[],
        hook=None,
        development_only=[],
        problems=[],
        warnings=[],
        publish_problems=[],
        members=[],
    )


def explain(
    root: Path,
    store: Store | None = None,
    *,
    mode: str | None = None,
    isolated: IsolatedEnvironments | None = None,
) -> Report:
    """Explain what sourcelift does with the project at ``root``; never raises for project problems.

    ``mode`` (``"local"`` or ``"publish"``) focuses the report on that mode: its problems are the
    report's ``problems``.  ``isolated`` runs build backends that cannot run here in isolated
    build environments; without it, ``explain`` says which backend it could not run and why.
    Builds nothing and writes nothing, except that an archive inside a git repository is
    fetched into the store, and backends run in temporary directories.
    """
    if mode is not None and mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    store = store or Store()
    findings = Findings()
    publish_findings = Findings()
    pyproject = root / "pyproject.toml"
    data = load_toml(pyproject, findings)
    report = _empty(root)
    report["focus"] = mode
    if data is None:
        report["kind"] = "unreadable"  # what there is to say is in the problems: no "declares no dependencies"
    if data is not None and ("project" not in data or _uv_virtual(data)):
        members = _virtual_root_members(root, data, findings)
        if members is not None:
            report["kind"] = "workspace-root"
            report["project"] = _project_name(data)
            from ..rewrite.checkout import notes_once

            with notes_once():  # the members of one checkout share its notes: each is said once
                report["members"] = [explain(member, store, mode=mode, isolated=isolated) for member in members]
            report["problems"] = [_problem(p) for p in findings.problems]
            report["warnings"] = [_problem(p) for p in findings.warnings]
            return report
    if data is not None:
        config = read_config(data, findings)
        try:
            report["mode"] = choose_mode(config, None, os.environ)
        except ConfigError as exc:
            findings.error(MODE_ENV, str(exc).split("\n")[0], "set it to local or publish")
        publisher = ExplainPublisher.for_explain(config, isolated)
        # local mode as a build sees it: a dynamic directory version the cache holds is checked too
        cached = CachedVersions() if choose_cache(config, None) else None
        plan, project = plan_project(root, data, findings, store, known_version=cached)
        report["project"] = project.name
        report["development_only"] = [_development_report(s) for s in project.development_only]
        if not project.has_project_table and project.dynamic_dependencies and not _legacy_project(root):
            findings.error(
                "project",
                "pyproject.toml has no `[project]` table (and there is no setup.py or setup.cfg), so this "
                "directory declares no Python project",
                "run `sourcelift explain` in the project's directory, or add `[project]` with `name`, `version` "
                "and `dependencies`",
            )
        check_build_system(data, config.backend, bool(plan.sources), findings, root)
        check_archives(plan.sources, findings)
        check_git_tracking(root, plan.sources, findings)
        # each requirement's own lines: a poetry entry listed by several extras is several requirements
        lines = plan.lines_of_each(Findings())  # its problems are already in `findings`
        plan.publisher = publisher
        published = plan.lines_of_each(publish_findings)
        if (mode or report["mode"]) == "publish":
            warn_unbacked_direct_references(plan, publish_findings)
        publisher.check_overrides(set(plan.sources), publish_findings)
        for declared, local, publish in zip(project.requirements, lines, published):
            as_written = [as_metadata(declared.requirement, declared.extra)]
            in_metadata = Requirement(as_written[0])
            found = [
                s
                for s in plan.sources.get(canonicalize_name(declared.requirement.name), [])
                if s.binds in (None, declared.key) and can_apply(s, in_metadata)
            ]
            report["requirements"].append(
                RequirementReport(
                    requirement=str(declared.requirement),
                    key=declared.key,
                    origin="pyproject",
                    sources=[_source_report(s) for s in found],
                    local=local if local is not None else as_written,
                    publish=publish if publish is not None else as_written,
                )
            )
        legacy = not project.has_project_table and _legacy_project(root)
        if project.dynamic_dependencies and (project.has_project_table or legacy):
            in_setup_files = (
                bool(plan.sources) and legacy and pbr_requirement_files(root, data or {}, config.backend) is None
            )
            if in_setup_files:
                publish_findings.error(
                    "project",
                    "the dependencies are declared in setup.py/setup.cfg, so a publish-mode sdist cannot carry them "
                    "in its pyproject.toml: a standards-only sdist needs static dependencies that any frontend "
                    "builds without sourcelift",
                    "declare the project's metadata and dependencies in `[project]` of pyproject.toml",
                )
            final = _explain_hook(root, plan, publisher, isolated, report, findings, publish_findings)
            if (
                plan.sources
                and not in_setup_files
                and not final  # the backend computes the publish lines itself: nothing to write
                and not builds_dynamic_fields_from_pkg_info(config.backend)
                and dynamic_requirement_files(data or {}) is None  # setuptools' `file =`: written there
            ):
                # hatchling builds the wheel from the fields PKG-INFO carries: publish mode writes them there
                publish_findings.error(
                    "project.dynamic",
                    "lists the dependencies, so a publish-mode sdist cannot carry them in its pyproject.toml: a "
                    "standards-only sdist needs static dependencies that any frontend builds without sourcelift",
                    "list the dependencies statically in `[project] dependencies` (and `optional-dependencies`), and "
                    "remove them from `project.dynamic`; or make the backend compute the publish lines itself",
                )
    focus = mode or report["mode"]
    known = list(findings.problems)
    if focus == "publish":
        findings.problems.extend(p for p in publish_findings.problems if p not in known)
    else:
        report["publish_problems"] = [_problem(p) for p in publish_findings.problems if p not in known]
    report["problems"] = [_problem(p) for p in findings.problems]
    warnings = findings.warnings + [w for w in publish_findings.warnings if w not in findings.warnings]
    report["warnings"] = [_problem(p) for p in warnings]
    return report


def _legacy_project(root: Path) -> bool:
    return (root / "setup.py").is_file() or (root / "setup.cfg").is_file()


def _uv_virtual(data: dict[str, object]) -> bool:
    """Whether uv takes the project for a virtual one, which it syncs and never builds: `[tool.uv] package =
    false`, or no `[build-system]` and no `package = true` (kiln's workspace root, graphrag's)."""
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    package = uv.get("package") if isinstance(uv, dict) else None
    return package is False or (package is None and "build-system" not in data)


def _project_name(data: dict[str, object]) -> str:
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return name if isinstance(name, str) else ""


def _virtual_root_members(root: Path, data: dict[str, object], findings: Findings) -> list[Path] | None:
    """The member directories of a uv workspace root without ``[project]``, or one uv does not build
    (:func:`_uv_virtual`), else ``None``."""
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    if not isinstance(uv, dict) or not isinstance(uv.get("workspace"), dict):
        return None
    from ..readers.workspace import find_workspace

    workspace = find_workspace(root)
    if workspace is None:
        from ..readers._toml import parse_shared
        from ..readers.workspace import Workspace

        workspace = Workspace(root, root / "pyproject.toml", parse_shared((root / "pyproject.toml").read_bytes()))
    # a root with `[project]` is a member too; members are real paths, whatever path named the root
    return sorted(set(workspace.members(findings).values()) - {Path(os.path.realpath(root))})


def _explain_hook(
    root: Path,
    plan: Plan,
    publisher: ExplainPublisher,
    isolated: IsolatedEnvironments | None,
    report: Report,
    findings: Findings,
    publish_findings: Findings,
) -> bool:
    """The requirements the backend's metadata hook produces, and what each mode makes of them.
    True when the hook ran and publish mode keeps every line it produced (a setuptools plugin's
    `lib == {version}`): a publish-mode sdist then builds with the backend computing them again."""
    result, where, failure = hook_metadata(root, isolated)
    if result is None:
        message, _, fix = (failure or "the backend could not run\n").partition("\n")
        report["hook"] = HookReport(ran=False, where=None, message=message, fix=fix or None)
        findings.warning("project.dynamic", message, fix or "see above")
        return False
    final = True
    report["hook"] = HookReport(ran=True, where=where, message=None, fix=None)
    declared = _declared_lines(plan.requirements, report["project"])
    for index, value in enumerate(result.get("requires_dist", [])):
        try:
            requirement = Requirement(value)
        except InvalidRequirement:
            continue
        if str(requirement) in declared:
            continue  # a static requirement the hook repeats (PEP 808: dynamic may only extend)
        name = canonicalize_name(requirement.name)
        sources = [s for s in plan.sources.get(name, []) if can_apply(s, requirement)]
        plan.publisher = None
        local = plan.rewrite_line(value, findings)
        plan.publisher = publisher
        published = plan.rewrite_line(value, publish_findings)
        if published is not None and [_requirement_or_none(line) for line in published] != [requirement]:
            final = False
        report["requirements"].append(
            RequirementReport(
                requirement=value,
                key=f"Requires-Dist[{index}] (from {result.get('backend')} {result.get('hook')})",
                origin="hook",
                sources=[_source_report(s) for s in sources],
                local=local if local is not None else [value],
                publish=published if published is not None else [value],
            )
        )
    return final


def _requirement_or_none(line: str) -> Requirement | None:
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


def _declared_lines(requirements: list[DeclaredRequirement], project: str) -> set[str]:
    """The declared requirements as a backend's metadata carries them: an extra's under its ``extra``
    marker (its name as written and normalized), and in place of an extra's reference to the project's
    own extras (``all = ["app[cli]"]``), theirs under its marker, as hatchling writes them."""
    itself = canonicalize_name(project) if project else None
    by_extra: dict[str, list[Requirement]] = {}
    for declared in requirements:
        if declared.extra is not None:
            by_extra.setdefault(canonicalize_name(declared.extra), []).append(declared.requirement)
    lines: set[str] = set()
    for declared in requirements:
        if declared.extra is None:
            lines.add(str(declared.requirement))
            continue
        extras = {declared.extra, canonicalize_name(declared.extra)}
        lines.update(as_metadata(declared.requirement, extra) for extra in extras)
        requirement = declared.requirement
        if canonicalize_name(requirement.name) != itself or requirement.marker is not None:
            continue
        pending, seen = [canonicalize_name(e) for e in requirement.extras], set()
        while pending:
            included = pending.pop()
            if included in seen:
                continue
            seen.add(included)
            for item in by_extra.get(included, []):
                if canonicalize_name(item.name) == itself and item.marker is None:
                    pending.extend(canonicalize_name(e) for e in item.extras)
                else:
                    lines.update(as_metadata(item, extra) for extra in extras)
    return lines


def exit_code(report: Report) -> int:
    """1 when the report (or a member's) holds problems, else 0."""
    if report["problems"]:
        return 1
    return 1 if any(exit_code(member) for member in report["members"]) else 0


def format_report(report: Report) -> str:
    """The report for people."""
    if report["kind"] == "workspace-root":
        if report["project"]:
            out = [
                f"{report['pyproject']} is a uv workspace root that uv does not build ({report['project']} is "
                "virtual: `[tool.uv] package = false`, or no `[build-system]`); its members:"
            ]
        else:
            out = [f"{report['pyproject']} is a uv workspace root without [project]; its members:"]
        out += [f"  - {member['project']} ({Path(member['pyproject']).parent})" for member in report["members"]]
        out.append("")
        out += _sections(report)
        text = "\n".join(out) + "\n"
        for member in report["members"]:
            text += "\n" + format_report(member)
        return text
    focus = report["focus"]
    shown = f"{report['mode']} mode" + (f", showing {focus} mode" if focus and focus != report["mode"] else "")
    out = [f"{report['project']} ({report['pyproject']}), {shown}", ""]
    hook = report["hook"]
    if hook is not None:
        if hook["ran"]:
            where = "here" if hook["where"] == "here" else "in an isolated build environment"
            out += [
                "dependencies are dynamic: those marked [hook] come from the backend's metadata hook, run " + where,
                "",
            ]
        else:
            out += [
                f"dependencies are dynamic, and the backend's metadata hook did not run: {hook['message']}",
                f"  to see them: {hook['fix']}",
                "",
            ]
    if not report["requirements"] and report["kind"] == "project" and (hook is None or hook["ran"]):
        out += ["no requirements: the project declares no dependencies, so sourcelift has nothing to rewrite", ""]
    for item in report["requirements"]:
        mark = " [hook]" if item["origin"] == "hook" else ""
        out.append(f"{item['requirement']}{mark}  [{item['key']}]")
        if not item["sources"] and _names_itself(item["requirement"], report["project"]):
            out.append("  the project itself: a self-reference to its extras, built as written")
        elif not item["sources"]:
            out.append("  no source: stays as written")
        for source in item["sources"]:
            detail = f" version {source['version']}" if source["version"] else ""
            guard = f" when {source['marker']}" if source["marker"] else ""
            out.append(f"  source : {source['kind']} {source['location']}{detail}{guard}  [{source['key']}]")
            variant = source.get("variant")
            if variant:
                label = f"label {variant['label']}, " if variant["label"] else ""
                properties = f", properties {'; '.join(variant['properties'])}" if variant["properties"] else ""
                out.append(f"    wheel: {label}tags {', '.join(variant['tags'])}{properties}")
        if item["sources"]:
            if focus in (None, "local"):
                for line in item["local"]:
                    out.append(f"  local  : {line}")
            if focus in (None, "publish"):
                for line in item["publish"]:
                    out.append(f"  publish: {line}")
                if not item["publish"]:
                    out.append("  publish: none, see the problems below")
        out.append("")
    if report["development_only"]:
        out.append("development only (never in built metadata, never rewritten):")
        for entry in report["development_only"]:
            group = f" (group {entry['group']})" if entry["group"] else ""
            out.append(f"  {entry['dependency']}: {entry['location']}{group}  [{entry['key']}]")
        out.append("")
    out += _sections(report)
    return "\n".join(out).rstrip() + "\n"


def _sections(report: Report) -> list[str]:
    out: list[str] = []
    sections = (
        ("problem", "problems", report["problems"]),
        ("warning", "warnings", report["warnings"]),
        ("problem in publish mode only", "problems in publish mode only", report["publish_problems"]),
    )
    for one, many, entries in sections:
        if entries:
            out.append(f"{len(entries)} {one if len(entries) == 1 else many}:")
            for problem in entries:
                who = f"dependency `{problem['dependency']}` " if problem["dependency"] else ""
                out.append(f"  - {who}(`{problem['key']}`): {problem['message']}\n    fix: {problem['fix']}")
            out.append("")
    return out


def _names_itself(requirement: str, project: str) -> bool:
    """A requirement on the project's own name (``all = ["app[lib]"]``): sourcelift never rewrites it."""
    try:
        return canonicalize_name(Requirement(requirement).name) == canonicalize_name(project)
    except InvalidRequirement:
        return False
