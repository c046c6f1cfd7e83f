"""The three outputs of a report: for people, JSON (versioned), and GitHub workflow annotations."""

from __future__ import annotations

import json

from ..console import printable, use_color
from .catalog import ERROR
from .model import Report

__all__ = ["render", "render_github", "render_human", "render_json", "use_color"]


_RED, _YELLOW, _GREEN, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[32m", "\033[1m", "\033[2m", "\033[0m"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_human(report: Report, *, color: bool = False) -> str:
    """Findings grouped per artifact, each with its fix, then notes and one summary line.

    >>> from .model import ArtifactRef
    >>> print(render_human(Report([ArtifactRef("a-1.tar.gz", "a-1.tar.gz", "sdist", "a", "1", False)], [])), end="")
    a-1.tar.gz: no findings
    <BLANKLINE>
    1 artifact checked: 0 errors, 0 warnings: publishable
    """

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    shown = printable  # what a finding quotes from an artifact is shown, never acted on by the terminal

    lines: list[str] = []
    for artifact in report.artifacts:
        found = report.for_artifact(artifact.display)
        if not found:
            lines.append(f"{paint(shown(artifact.display), _BOLD)}: {paint('no findings', _GREEN)}")
            continue
        lines.append(paint(shown(artifact.display), _BOLD))
        for item in found:
            level = paint(item.level, _RED if item.level == ERROR else _YELLOW)
            where = f" [{shown(item.location)}]" if item.location else ""
            lines.append(f"  {paint(item.id, _BOLD)} {level}: {shown(item.message)}{paint(where, _DIM)}")
            lines.append(f"      fix: {shown(item.fix)}")
    orphans = [f for f in report.findings if f.artifact not in {a.display for a in report.artifacts}]
    for item in orphans:  # the project whose sdist could not be built (SL303, SL304): no artifact to name
        level = paint(item.level, _RED if item.level == ERROR else _YELLOW)
        lines.append(f"{paint(shown(item.artifact), _BOLD)}: {paint(item.id, _BOLD)} {level}: {shown(item.message)}")
        lines.append(f"      fix: {shown(item.fix)}")
    lines.append("")
    for note in report.notes:
        lines.append(f"note: {shown(note)}")
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "publishable" if report.exit_code == 0 else "NOT publishable"
    if report.exit_code and not errors:
        verdict += " (--strict counts warnings)"
    summary = (
        f"{_plural(len(report.artifacts), 'artifact')} checked: "
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}: {verdict}"
    )
    lines.append(paint(summary, _GREEN if report.exit_code == 0 else _RED))
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    return json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, *, file: str | None = None) -> str:
    """One ``::error``/``::warning`` workflow command per finding.

    ``file`` is what the annotations attach to (the project's pyproject.toml when
    a project was built); by default each finding's artifact.
    """
    lines = []
    for item in report.findings:
        command = "error" if item.level == ERROR else "warning"
        target = file if file is not None else item.artifact
        where = f" [{item.location}]" if item.location else ""
        message = f"{item.artifact}: {item.message}{where}. Fix: {item.fix}"
        lines.append(f"::{command} file={_escape_property(target)},title={item.id}::{_escape_data(message)}")
    errors, warnings = len(report.errors), len(report.warnings)
    lines.append(
        f"sourcelift check: {_plural(len(report.artifacts), 'artifact')}, "
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    )
    return "\n".join(lines) + "\n"


def render(report: Report, fmt: str, *, color: bool = False, file: str | None = None) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "github":
        return render_github(report, file=file)
    return render_human(report, color=color)
