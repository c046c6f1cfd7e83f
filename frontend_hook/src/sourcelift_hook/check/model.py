"""What ``sourcelift check`` reports: findings, the artifacts they are about, and the whole report.

The JSON form (``Report.as_json``) is versioned: :data:`SCHEMA_VERSION` changes
only when a key changes meaning or disappears; new keys may be added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from .catalog import CHECKS, ERROR, WARNING

__all__ = [
    "SCHEMA_VERSION",
    "ArtifactJSON",
    "ArtifactRef",
    "Finding",
    "FindingJSON",
    "Report",
    "ReportJSON",
    "finding",
]

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Finding:
    """One problem with one artifact."""

    id: str
    artifact: str
    """The artifact's display name (as given, or the file name of a built one)."""
    message: str
    fix: str
    location: str | None = None
    """Where in the artifact: a metadata field, ``pyproject.toml: project.dependencies[0]``, a member."""

    @property
    def level(self) -> str:
        return CHECKS[self.id].level

    def as_json(self) -> FindingJSON:
        return {
            "id": self.id,
            "level": self.level,
            "artifact": self.artifact,
            "location": self.location,
            "message": self.message,
            "fix": self.fix,
        }


def finding(
    check_id: str, artifact: str, message: str, *, fix: str | None = None, location: str | None = None
) -> Finding:
    """A finding of ``check_id``, with the catalogue's fix unless a more precise one is given."""
    return Finding(check_id, artifact, message, fix if fix is not None else CHECKS[check_id].fix, location)


@dataclass(frozen=True)
class ArtifactRef:
    """An artifact that was checked."""

    display: str
    filename: str
    kind: str
    """``wheel`` or ``sdist``."""
    name: str | None
    version: str | None
    built: bool
    """Built by ``sourcelift check`` from the project (not given on the command line)."""

    def as_json(self) -> ArtifactJSON:
        return {
            "artifact": self.display,
            "filename": self.filename,
            "kind": self.kind,
            "name": self.name,
            "version": self.version,
            "built": self.built,
        }


@dataclass
class Report:
    """Everything one run found, in a stable order (artifact, then check ID)."""

    artifacts: list[ArtifactRef]
    findings: list[Finding]
    strict: bool = False
    project: str | None = None
    """The project directory that was built, as given; ``None`` when files were checked."""
    notes: list[str] = field(default_factory=list)
    """What was not checked and why (e.g. no wheel to compare an sdist with)."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]

    @property
    def exit_code(self) -> int:
        """0 when publishable, 1 with an error-level finding (or any finding under ``strict``)."""
        failing = self.findings if self.strict else self.errors
        return 1 if failing else 0

    def for_artifact(self, display: str) -> list[Finding]:
        return [f for f in self.findings if f.artifact == display]

    def as_json(self) -> ReportJSON:
        return {
            "version": SCHEMA_VERSION,
            "project": self.project,
            "strict": self.strict,
            "exit_code": self.exit_code,
            "summary": {
                "artifacts": len(self.artifacts),
                "errors": len(self.errors),
                "warnings": len(self.warnings),
            },
            "artifacts": [a.as_json() for a in self.artifacts],
            "findings": [f.as_json() for f in self.findings],
            "notes": list(self.notes),
        }


class FindingJSON(TypedDict):
    id: str
    level: str
    artifact: str
    location: str | None
    message: str
    fix: str


class ArtifactJSON(TypedDict):
    artifact: str
    filename: str
    kind: str
    name: str | None
    version: str | None
    built: bool


class SummaryJSON(TypedDict):
    artifacts: int
    errors: int
    warnings: int


class ReportJSON(TypedDict):
    version: str
    project: str | None
    strict: bool
    exit_code: int
    summary: SummaryJSON
    artifacts: list[ArtifactJSON]
    findings: list[FindingJSON]
    notes: list[str]
