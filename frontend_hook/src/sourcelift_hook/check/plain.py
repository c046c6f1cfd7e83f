"""SL3xx: whether an sdist builds a wheel with a plain frontend when sourcelift cannot be installed.

The build itself is :func:`~sourcelift_hook.check.builds.build_wheel_from_sdist`;
this module decides what its outcome means.  An sdist that lists sourcelift in
``build-system.requires`` says openly that it needs it (SL302, a warning: its
users' index must have sourcelift), and is then built with sourcelift
available.  One that does not, yet fails to build because something asked for
sourcelift, would fail for every user without it (SL301).
"""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .archives import Archive, parse_pyproject
from .errors import BuildFailed
from .model import Finding, finding

__all__ = ["build_failed", "declares_sourcelift", "refused_sourcelift"]

# What pip (inside pypa/build's isolated environment) says when a requirement cannot be had
_UNAVAILABLE = (
    re.compile(r"No matching distribution found for ([^\s;]+)"),
    re.compile(r"Could not find a version that satisfies the requirement ([^\s;]+)"),
    re.compile(r"Because ([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the package registry"),
)
_OFFLINE = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "NewConnectionError",
    "ConnectionError",
    "Connection refused",
)


def declares_sourcelift(sdist: Archive) -> list[Finding]:
    """SL302 when the sdist's ``build-system.requires`` names sourcelift; else nothing."""
    if sdist.pyproject is None:
        return []
    data, _ = parse_pyproject(sdist.pyproject)
    if data is None:
        return []  # SL100 reports it
    build_system = data.get("build-system")
    requires = build_system.get("requires", []) if isinstance(build_system, dict) else []
    for index, text in enumerate(requires if isinstance(requires, list) else []):
        try:
            name = canonicalize_name(Requirement(str(text)).name)
        except InvalidRequirement:
            continue
        if name == "sourcelift":
            return [
                finding(
                    "SL302",
                    sdist.display,
                    f"build-system.requires names `{text}`: building this sdist needs sourcelift from the "
                    "index its users build from",
                    location=f"pyproject.toml: build-system.requires[{index}]",
                )
            ]
    return []


def refused_sourcelift(sdist: Archive, tail: list[str]) -> Finding:
    """SL301 for an sdist whose plain build asked for sourcelift, with the builder's lines that say so."""
    lines: list[str] = []
    for line in tail:
        text = line.strip().lstrip("<>| ").strip()  # build indents pip's output with `<`
        if "sourcelift" in text.lower() and text.lower() != "sourcelift" and text not in lines:
            lines.append(text)
    detail = "; ".join(lines[-2:]) if lines else "the build environment could not be set up"
    return finding(
        "SL301",
        sdist.display,
        "building a wheel from the sdist asks for sourcelift, which it does not declare and a plain "
        f"frontend's index may not have: {detail}",
        location="pyproject.toml: build-system",
    )


def build_failed(artifact: str, error: BuildFailed) -> Finding:
    """SL303 when the build could not run (a requirement unavailable, no network), else SL304; with the
    builder's last lines, so the report says what was tried and what to change."""
    text = "\n".join(error.tail)
    tail = "; ".join(line.strip().lstrip("<>| ").strip() for line in error.tail[-6:] if line.strip())
    for pattern in _UNAVAILABLE:
        match = pattern.search(text)
        if match:
            name = match.group(1).rstrip(").,")
            sourcelift = name.lower().startswith("sourcelift")
            fix = (
                "sourcelift is not on the index the builder uses: publish it there, or point the builder at its "
                "wheel (PIP_FIND_LINKS=DIR); or build the sdist in publish mode so that it needs no sourcelift"
                if sourcelift
                else f"make `{name}` available to the builder (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS)"
            )
            return finding(
                "SL303",
                artifact,
                f"{error.step} could not run: the builder cannot install `{name}`, a build requirement; "
                f"the checks that need that build did not run. Builder: {tail}",
                fix=fix + ", or skip the rebuild of given sdists with `--ignore SL3`",
                location="pyproject.toml: build-system.requires",
            )
    if any(marker in text for marker in _OFFLINE):
        return finding(
            "SL303",
            artifact,
            f"{error.step} could not run: the builder has no network to fetch the build requirements; the checks "
            f"that need that build did not run. Builder: {tail}",
            fix="run the check where the index is reachable, or give the builder a local wheelhouse "
            "(PIP_FIND_LINKS=DIR with PIP_NO_INDEX=1), or skip the rebuild of given sdists with `--ignore SL3`",
        )
    if error.returncode is None:  # the sdist could not be unpacked: no build ran
        return finding(
            "SL303",
            artifact,
            f"{error.step} failed, so no wheel could be built from it: {tail}",
            fix="rebuild the sdist with a standard build backend: installers cannot unpack it either",
        )
    return finding(
        "SL304",
        artifact,
        f"{error.step} failed{error.code}: {tail}",
    )
