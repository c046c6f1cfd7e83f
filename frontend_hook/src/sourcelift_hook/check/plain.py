"""SL3xx: whether an sdist builds a wheel with a plain frontend when sourcelift cannot be installed.

The build itself is :func:`~sourcelift_hook.check.builds.build_wheel_from_sdist`;
this module decides what its outcome means.  An sdist that lists sourcelift in
``build-system.requires`` says openly that it needs it (SL302, a warning: its
users' index must have sourcelift), and is then built with sourcelift
available.  One that does not, yet fails to build because something asked for
sourcelift, would fail for every user without it (SL301).
"""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from sourcelift._compat import tomllib

from .archives import Archive
from .model import Finding, finding

__all__ = ["declares_sourcelift", "refused_sourcelift"]


def declares_sourcelift(sdist: Archive) -> list[Finding]:
    """SL302 when the sdist's ``build-system.requires`` names sourcelift; else nothing."""
    if sdist.pyproject is None:
        return []
    try:
        data = tomllib.loads(sdist.pyproject)
    except tomllib.TOMLDecodeError:
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
