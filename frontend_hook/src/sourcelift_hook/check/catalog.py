"""Every check of ``sourcelift check``: its stable ID, level, what it finds and the usual fix.

IDs never change meaning; a retired check keeps its number unused.  Families
(the first digit) group what a check looks at, so that ``--select`` and
``--ignore`` take a prefix: ``SL1`` is every upload rule, ``SL10`` the first ten.
The README has a section per ID with the same cause and fix.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHECKS", "ERROR", "FAMILIES", "LEVELS", "WARNING", "Check"]

ERROR = "error"
WARNING = "warning"
LEVELS = (ERROR, WARNING)

FAMILIES = {
    "SL1": "what PyPI rejects at upload",
    "SL2": "the sdist and the wheel agree",
    "SL3": "the sdist builds with a plain frontend, without sourcelift (and the builds could run)",
    "SL4": "leaks: local paths and credentials",
    "SL5": "tool-specific sources left in the sdist",
    "SL6": "the wheel's RECORD",
    "SL7": "direct references to wheels, against their markers",
}


@dataclass(frozen=True)
class Check:
    id: str
    level: str
    title: str
    fix: str
    """The usual fix; a finding may give a more precise one."""


def _checks(*checks: Check) -> dict[str, Check]:
    return {check.id: check for check in checks}


CHECKS: dict[str, Check] = _checks(
    # ---------------------------------------------------------------- SL1: upload rules
    Check(
        "SL100",
        ERROR,
        "the artifact cannot be read, or has no core metadata",
        "rebuild the artifact with a standard build backend",
    ),
    Check(
        "SL101",
        ERROR,
        "a Requires-Dist is a direct reference (a URL)",
        "build in publish mode (`-C sourcelift-mode=publish`), which turns sources into version specifiers",
    ),
    Check(
        "SL102",
        ERROR,
        "a Provides-Dist or Obsoletes-Dist is a direct reference, or does not parse",
        "give a plain requirement (a name and a version specifier) in that field",
    ),
    Check("SL103", ERROR, "the version is a local version (`+local`)", "release a version without a `+local` part"),
    Check(
        "SL104",
        ERROR,
        "Metadata-Version is missing or not one PyPI accepts (1.0, 1.1, 1.2, 2.1 to 2.5)",
        "upgrade the build backend",
    ),
    Check("SL105", ERROR, "Name is missing or not a valid project name", "fix `project.name`"),
    Check("SL106", ERROR, "Version is missing or not a valid PEP 440 version", "fix `project.version`"),
    Check(
        "SL107",
        ERROR,
        "the file name does not match the metadata's normalized name and version",
        "let the build backend name the file; do not rename artifacts",
    ),
    Check(
        "SL108",
        ERROR,
        "the sdist is not named `{normalized_name}-{version}.tar.gz` (PEP 625)",
        "upgrade the build backend; do not rename or repack sdists",
    ),
    Check("SL109", ERROR, "a classifier is unknown or deprecated", "use a classifier from the trove-classifiers list"),
    Check(
        "SL110",
        ERROR,
        "a Project-URL has no label, a label over 32 characters, or no URL",
        "shorten the label in `[project.urls]`",
    ),
    Check(
        "SL111",
        ERROR,
        "a URL field (Home-page, Download-URL, Project-URL) is not a valid URL",
        "give an absolute URL such as `https://example.org/docs`",
    ),
    Check(
        "SL112",
        ERROR,
        "Summary is longer than 512 characters or has more than one line",
        "shorten `project.description` to one line of at most 512 characters",
    ),
    Check(
        "SL113",
        ERROR,
        "License and License-Expression are both present",
        "keep only `project.license` as an SPDX expression string (PEP 639)",
    ),
    Check(
        "SL114",
        ERROR,
        "a Dynamic value is not a field that may be dynamic",
        "list only real core metadata fields other than Name, Version and Metadata-Version in `Dynamic`",
    ),
    Check(
        "SL115",
        ERROR,
        "a License-File is not in the archive",
        "include the license file in the artifact, or correct `project.license-files`",
    ),
    Check(
        "SL116",
        ERROR,
        "an Author-email or Maintainer-email address is not valid",
        "give addresses as `name@example.org` in `project.authors` / `project.maintainers`",
    ),
    Check(
        "SL117",
        ERROR,
        "a field is invalid under the core metadata specification",
        "fix the field named in the message (pypa/packaging's validator, which PyPI runs, rejects it)",
    ),
    # ---------------------------------------------------------------- SL2: sdist and wheel agree
    Check(
        "SL201",
        ERROR,
        "a field that the sdist's PKG-INFO does not mark Dynamic differs in the wheel (PEP 643)",
        "make the field static in the sdist and the wheel alike, or mark it dynamic",
    ),
    Check(
        "SL202",
        WARNING,
        "a field differs between the sdist and the wheel (the sdist's Metadata-Version is below 2.2)",
        "upgrade the build backend so that PKG-INFO is Metadata-Version 2.2 or later, and make the fields agree",
    ),
    # ---------------------------------------------------------------- SL3: plain frontend, no sourcelift
    Check(
        "SL301",
        ERROR,
        "the sdist does not build a wheel when sourcelift cannot be installed",
        "build the sdist in publish mode (standards-only), or list sourcelift in build-system.requires",
    ),
    Check(
        "SL302",
        WARNING,
        "the sdist declares sourcelift in build-system.requires",
        "publish sourcelift where your users build from, or build the sdist in publish mode with the wrapper backend",
    ),
    Check(
        "SL303",
        ERROR,
        "a build could not run: a build requirement (or sourcelift) is unavailable to the builder, or no network",
        "make the requirement the message names available to the builder (PIP_INDEX_URL, PIP_FIND_LINKS), "
        "or skip the rebuild of given sdists with `--ignore SL3`",
    ),
    Check(
        "SL304",
        ERROR,
        "the build backend failed to build the sdist or a wheel from it",
        "run the build the message names yourself (`python -m build`) and fix what its output shows",
    ),
    # ---------------------------------------------------------------- SL4: leaks
    Check("SL401", ERROR, "a `file:` URL", "build in publish mode, or remove the local URL"),
    Check("SL402", ERROR, "an absolute path inside a home directory", "remove the path, or make it relative"),
    Check(
        "SL403",
        ERROR,
        "an absolute path inside a temporary directory",
        "remove the path, or make it relative to the project: a temporary directory is a place on the machine "
        "that made the artifact (a build directory is gone after the build), not on the machines it goes to",
    ),
    Check("SL404", WARNING, "an absolute Windows path (drive letter)", "remove the path, or make it relative"),
    Check(
        "SL405",
        ERROR,
        "credentials in a URL (`user:password@`, a token as user name, or a token parameter)",
        "remove the credentials and revoke them; let the installer take them from its keyring or netrc",
    ),
    # ---------------------------------------------------------------- SL5: tool-specific sources
    Check(
        "SL501",
        ERROR,
        "a `[tool.uv.sources]` path source of a requirement names a file the sdist lacks",
        "build the sdist in publish mode (which removes the sources it consumed), or include the file",
    ),
    Check(
        "SL502",
        WARNING,
        "a `[tool.uv.sources]` workspace source is left in the sdist, which holds no workspace member of that name",
        "remove the entry from the sdist's pyproject.toml: sourcelift's wrapper backend does, in either mode, "
        "for every member the sdist does not hold",
    ),
    Check(
        "SL503",
        ERROR,
        "a hatch `{root:uri}` reference names a file the sdist lacks",
        "build the sdist in publish mode, or include the file",
    ),
    Check(
        "SL504",
        ERROR,
        "a pdm `${PROJECT_ROOT}` reference names a file the sdist lacks",
        "build the sdist in publish mode, or include the file",
    ),
    Check(
        "SL505",
        WARNING,
        "a tool-specific source that no requirement of the project uses names a file the sdist lacks",
        "remove the source from the sdist, or include the file",
    ),
    Check(
        "SL506",
        WARNING,
        "a requirement names a workspace member the sdist holds, and `[tool.uv.sources]` has no entry for it",
        "keep `name = { workspace = true }` in the sdist's `[tool.uv.sources]`: sourcelift's wrapper backend "
        "keeps the entries of the members a workspace root's sdist holds",
    ),
    # ---------------------------------------------------------------- SL6: RECORD
    Check(
        "SL601",
        ERROR,
        "the wheel has no RECORD, or it does not parse",
        "rebuild the wheel with a standard build backend; do not edit wheels by hand",
    ),
    Check("SL602", ERROR, "a file of the wheel is not listed in RECORD", "rebuild the wheel; do not add files to it"),
    Check(
        "SL603",
        ERROR,
        "a RECORD entry names a file the wheel lacks",
        "rebuild the wheel; do not remove files from it",
    ),
    Check("SL604", ERROR, "a file's hash differs from its RECORD entry", "rebuild the wheel; do not edit files in it"),
    Check("SL605", ERROR, "a file's size differs from its RECORD entry", "rebuild the wheel; do not edit files in it"),
    Check(
        "SL606",
        ERROR,
        "a RECORD entry has no hash or no size, or a hash algorithm weaker than sha256",
        "rebuild the wheel with a standard build backend",
    ),
    Check(
        "SL607",
        WARNING,
        "RECORD lists a hash or size for itself",
        "leave RECORD's own hash and size empty (the wheel specification says so)",
    ),
    Check(
        "SL608",
        ERROR,
        "a RECORD entry, a member or a link points outside the archive (absolute, `..`, drive letter), "
        "or an sdist holds a device or FIFO, or a name is too long for any file system",
        "rebuild the artifact with a standard build backend; installers refuse such members, or could write "
        "outside the installation directory",
    ),
    Check(
        "SL609",
        WARNING,
        "RECORD's hashes are right but written in hexadecimal, not urlsafe base64",
        "rebuild the wheel with a backend that writes them right; for uv_build, raise its floor in "
        '`build-system.requires` to `"uv_build>=0.8.13"`',
    ),
    # ---------------------------------------------------------------- SL7: wheels under markers
    Check(
        "SL701",
        ERROR,
        "a direct reference names a wheel whose tags contradict the line's marker",
        "guard the line with the wheel's own marker (list vendored wheels in `[tool.sourcelift.variants]` to "
        "have it derived)",
    ),
)
