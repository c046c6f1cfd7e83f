"""``sourcelift explain``: per requirement, the source found and what each mode makes of it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypedDict

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .artifacts.store import Store
from .config import MODE_ENV, choose_mode, read_config
from .errors import ConfigError, Findings, Problem
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
from .rewrite.publish import Publisher

__all__ = ["REPORT_VERSION", "Report", "explain", "format_report"]

REPORT_VERSION = "2"


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
    publish: list[str]


class ProblemReport(TypedDict):
    key: str
    dependency: str | None
    message: str
    fix: str


class Report(TypedDict):
    version: str
    project: str
    pyproject: str
    mode: str
    """The mode a build gets from pyproject.toml and SOURCELIFT_MODE (a config setting may override it)."""
    requirements: list[RequirementReport]
    problems: list[ProblemReport]
    """What stops a build in the project's mode."""
    warnings: list[ProblemReport]
    publish_problems: list[ProblemReport]
    """What stops a publish-mode build, beyond ``problems``."""


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
    publish_findings = Findings()
    pyproject = root / "pyproject.toml"
    data = load_toml(pyproject, findings)
    report = Report(
        version=REPORT_VERSION,
        project=root.name,
        pyproject=str(pyproject),
        mode="local",
        requirements=[],
        problems=[],
        warnings=[],
        publish_problems=[],
    )
    if data is not None:
        config = read_config(data, findings)
        try:
            report["mode"] = choose_mode(config, None, os.environ)
        except ConfigError as exc:
            findings.error(MODE_ENV, str(exc).split("\n")[0], "set it to local or publish")
        publisher = Publisher.from_config(config, None)
        plan, project = plan_project(root, data, findings, store)
        report["project"] = project.name
        lines = plan.declared_lines(Findings())  # its problems are already in `findings`
        plan.publisher = publisher
        published = plan.declared_lines(publish_findings)
        publisher.check_overrides(set(plan.sources), publish_findings)
        for declared in project.requirements:
            found = plan.sources.get(canonicalize_name(declared.requirement.name), [])
            as_written = [str(declared.requirement)]
            report["requirements"].append(
                RequirementReport(
                    requirement=str(declared.requirement),
                    key=declared.key,
                    sources=[_source_report(s) for s in found],
                    local=lines.get(declared.key, as_written),
                    publish=published.get(declared.key, as_written),
                )
            )
    known = list(findings.problems)
    if report["mode"] == "publish":
        findings.problems.extend(p for p in publish_findings.problems if p not in known)
    else:
        report["publish_problems"] = [_problem(p) for p in publish_findings.problems if p not in known]
    report["problems"] = [_problem(p) for p in findings.problems]
    report["warnings"] = [_problem(p) for p in findings.warnings + publish_findings.warnings]
    return report


def format_report(report: Report) -> str:
    """The report for people."""
    out = [f"{report['project']} ({report['pyproject']}), {report['mode']} mode", ""]
    for item in report["requirements"]:
        out.append(f"{item['requirement']}  [{item['key']}]")
        if not item["sources"] and canonicalize_name(Requirement(item["requirement"]).name) == canonicalize_name(
            report["project"]
        ):
            out.append("  the project itself: a self-reference to its extras, built as written")
        elif not item["sources"]:
            out.append("  no source: stays as written")
        for source in item["sources"]:
            detail = f" version {source['version']}" if source["version"] else ""
            guard = f" when {source['marker']}" if source["marker"] else ""
            out.append(f"  source : {source['kind']} {source['location']}{detail}{guard}  [{source['key']}]")
        if item["sources"]:
            for line in item["local"]:
                out.append(f"  local  : {line}")
            for line in item["publish"]:
                out.append(f"  publish: {line}")
            if not item["publish"]:
                out.append("  publish: none, see the problems below")
        out.append("")
    sections = (
        ("problem", "problems", report["problems"]),
        ("warning", "warnings", report["warnings"]),
        ("problem in publish mode only", "problems in publish mode only", report["publish_problems"]),
    )
    for one, many, entries in sections:
        if entries:
            out.append(f"{len(entries)} {one if len(entries) == 1 else many}:")
            for entry in entries:
                who = f"dependency `{entry['dependency']}` " if entry["dependency"] else ""
                out.append(f"  - {who}(`{entry['key']}`): {entry['message']}\n    fix: {entry['fix']}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"
