"""``sourcelift explain``: per requirement, the source found and what each mode makes of it."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

from packaging.utils import canonicalize_name

from .artifacts.store import Store
from .errors import Findings, Problem
from .model import (
    ResolvedArchive,
    ResolvedDirectory,
    ResolvedGit,
    ResolvedIndex,
    ResolvedSource,
    ResolvedUrl,
)
from .readers._toml import load_toml
from .rewrite.plan import plan_project

__all__ = ["REPORT_VERSION", "Report", "explain", "format_report"]

REPORT_VERSION = "1"
PUBLISH_NOT_YET = "not yet: publish mode is not available in this version of sourcelift"


class SourceReport(TypedDict):
    key: str
    kind: str
    location: str
    version: str | None
    sha256: str | None
    marker: str | None


class RequirementReport(TypedDict):
    requirement: str
    key: str
    sources: list[SourceReport]
    local: list[str]
    publish: str


class ProblemReport(TypedDict):
    key: str
    dependency: str | None
    message: str
    fix: str


class Report(TypedDict):
    version: str
    project: str
    pyproject: str
    requirements: list[RequirementReport]
    problems: list[ProblemReport]
    warnings: list[ProblemReport]


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
    return SourceReport(key=source.key, kind=kind, location=location, version=version, sha256=sha256, marker=marker)


def _problem(problem: Problem) -> ProblemReport:
    return ProblemReport(key=problem.key, dependency=problem.dependency, message=problem.message, fix=problem.fix)


def explain(root: Path, store: Store | None = None) -> Report:
    """Explain what sourcelift does with the project at ``root``; never raises for project problems.

    Builds nothing and writes nothing, except that an archive inside a git
    repository is fetched into the store to learn its version and hash.
    """
    store = store or Store()
    findings = Findings()
    pyproject = root / "pyproject.toml"
    data = load_toml(pyproject, findings)
    report = Report(
        version=REPORT_VERSION, project=root.name, pyproject=str(pyproject), requirements=[], problems=[], warnings=[]
    )
    if data is not None:
        plan, project = plan_project(root, data, findings, store)
        report["project"] = project.name
        lines = plan.declared_lines(Findings())  # its problems are already in `findings`
        for declared in project.requirements:
            found = plan.sources.get(canonicalize_name(declared.requirement.name), [])
            report["requirements"].append(
                RequirementReport(
                    requirement=str(declared.requirement),
                    key=declared.key,
                    sources=[_source_report(s) for s in found],
                    local=lines.get(declared.key, [str(declared.requirement)]),
                    publish=PUBLISH_NOT_YET if found else str(declared.requirement),
                )
            )
    report["problems"] = [_problem(p) for p in findings.problems]
    report["warnings"] = [_problem(p) for p in findings.warnings]
    return report


def format_report(report: Report) -> str:
    """The report for people."""
    out = [f"{report['project']} ({report['pyproject']})", ""]
    for item in report["requirements"]:
        out.append(f"{item['requirement']}  [{item['key']}]")
        if not item["sources"]:
            out.append("  no source: stays as written")
        for source in item["sources"]:
            detail = f" version {source['version']}" if source["version"] else ""
            guard = f" when {source['marker']}" if source["marker"] else ""
            out.append(f"  source : {source['kind']} {source['location']}{detail}{guard}  [{source['key']}]")
        if item["sources"]:
            for line in item["local"]:
                out.append(f"  local  : {line}")
            out.append(f"  publish: {item['publish']}")
        out.append("")
    for title, entries in (("problem", report["problems"]), ("warning", report["warnings"])):
        if entries:
            out.append(f"{len(entries)} {title}{'s' if len(entries) != 1 else ''}:")
            for entry in entries:
                who = f"dependency `{entry['dependency']}` " if entry["dependency"] else ""
                out.append(f"  - {who}(`{entry['key']}`): {entry['message']}\n    fix: {entry['fix']}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"
