"""SL7xx: direct references to wheels, checked against the markers that guard them.

A local-mode artifact (or any artifact with a direct reference) may point at a wheel
file under a marker; when the marker admits an environment the wheel's tags exclude,
an installer there is told to install a wheel it cannot use.  The comparison is the
one the build makes for vendored wheel sets (:mod:`sourcelift.rewrite.variants`).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from .archives import Archive
from .metadata import CoreMetadata
from .model import Finding, finding

__all__ = ["check_wheel_markers"]


def check_wheel_markers(archive: Archive, meta: CoreMetadata | None) -> list[Finding]:
    if meta is None:
        return []
    candidates = []
    for value in meta.get_all("Requires-Dist"):
        if ".whl" not in value or "@" not in value:
            continue
        candidates.append(value)
    if not candidates:
        return []
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.utils import InvalidWheelFilename

    from sourcelift.artifacts.wheel_tags import parse_wheel_name
    from sourcelift.errors import Findings
    from sourcelift.rewrite.variants import check_marker_list, sample_environments

    try:
        requires_python = SpecifierSet(meta.get("Requires-Python") or "")
    except InvalidSpecifier:
        requires_python = None
    extras = meta.get_all("Provides-Extra")
    envs = sample_environments(requires_python)
    out: list[Finding] = []
    for value in candidates:
        try:
            requirement = Requirement(value)
        except InvalidRequirement:
            continue  # SL117 reports it
        if requirement.url is None:
            continue
        filename = unquote(urlsplit(requirement.url).path.rsplit("/", 1)[-1])
        if not filename.endswith(".whl"):
            continue
        try:
            wheel = parse_wheel_name(filename)
        except InvalidWheelFilename:
            continue
        findings = Findings()
        check_marker_list([(wheel, requirement.marker, "Requires-Dist")], envs, findings, requirement.name, extras)
        for problem in findings.problems:
            out.append(
                finding("SL701", archive.display, f"Requires-Dist `{value}`: {problem.message}", fix=problem.fix,
                        location="Requires-Dist")
            )
    return out
