"""SL2xx: an sdist and the wheels of the same name and version say the same thing (PEP 643).

A field the sdist's PKG-INFO does not list under ``Dynamic`` is a promise: every
wheel built from that sdist has exactly that value.  Values are compared after
the normalization their specification allows (requirements and specifiers
re-serialized, names canonicalized, repeated fields as multisets), so that
``a (>=1)`` and ``a>=1`` agree.  Below Metadata-Version 2.2 PKG-INFO promises
nothing, and a difference is only a warning (SL202).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ._text import redact
from .archives import Archive
from .metadata import UNSET, CoreMetadata
from .model import Finding, finding

__all__ = ["check_agreement"]

_NOT_COMPARED = {"metadata-version", "dynamic"}
# fields a Metadata-Version before this one cannot carry: an sdist and a wheel of different metadata versions
# (tomli 2.5.0: flit-core's 2.5 sdist, a setuptools 2.4 wheel) are not compared on them
_INTRODUCED = {
    "import-name": "2.5",
    "import-namespace": "2.5",
    "license-expression": "2.4",
    "license-file": "2.4",
    "provides-extra": "2.1",
    "description-content-type": "2.1",
}
_SHOWN = 160


_DESCRIPTION_INDENT = re.compile(r"^(?: {8}| {7}\|| {0,7}$)")


def _requirement(value: str) -> str:
    """A requirement re-serialized, its name and extras normalized and the terms of its marker's top-level
    ``and`` sorted: backends order an extra's requirement their own way (``extra == "x" and (m)``, flit-core;
    ``(m) and extra == 'x'``, hatchling), and setuptools may spell a name otherwise in PKG-INFO than in the
    wheel (psutil 7.2.2: ``sphinx_rtd_theme``, ``sphinx-rtd-theme``); each pair says the same."""
    try:
        requirement = Requirement(value)
    except InvalidRequirement:
        return value
    requirement.name = canonicalize_name(requirement.name)
    requirement.extras = {canonicalize_name(extra) for extra in requirement.extras}
    if requirement.marker is not None:
        from sourcelift.rewrite.markers import conjoin, split_extra

        rest, extras = split_extra(requirement.marker)
        if extras:
            terms = sorted({str(rest), *extras} if rest is not None else set(extras))
            requirement.marker = conjoin(*terms)
    return str(requirement)


def _specifier(value: str) -> str:
    try:
        return str(SpecifierSet(value))
    except InvalidSpecifier:
        return value


def _version(value: str) -> str:
    try:
        return str(Version(value))
    except InvalidVersion:
        return value


_NORMALIZE: dict[str, Callable[[str], str]] = {
    "requires-dist": _requirement,
    "provides-dist": _requirement,
    "obsoletes-dist": _requirement,
    "requires-python": _specifier,
    "name": canonicalize_name,
    "version": _version,
    "provides-extra": canonicalize_name,
}


def _values(meta: CoreMetadata, field: str) -> list[str]:
    normalize = _NORMALIZE.get(field, str.strip)
    if field == "keywords":
        return sorted(k.strip() for value in meta.get_all(field) for k in value.split(",") if k.strip())
    values = sorted(normalize(value) for value in meta.get_all(field))
    return [] if values == [UNSET] else values


def _description(meta: CoreMetadata) -> str:
    if meta.body.strip():
        text = meta.body
    else:  # the `Description:` header: its continuation lines indented by 8 spaces, or by 7 and a `|`
        first, _, rest = (meta.raw("Description") or "").replace("\r\n", "\n").partition("\n")
        text = "\n".join([first, *(_DESCRIPTION_INDENT.sub("", line, count=1) for line in rest.split("\n"))])
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    described = "\n".join(lines).strip("\n")
    return "" if described.strip() == UNSET else described


def _generator(wheel: Archive) -> str | None:
    """The ``Generator`` of the wheel's WHEEL file (``poetry-core 2.5.0``), or ``None``."""
    for line in (wheel.wheel_file or "").splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip().lower() == "generator" and value.strip():
            return value.strip()[:80]
    return None


def _shown(values: list[str]) -> str:
    text = redact(", ".join(f"`{v}`" for v in values)) if values else "nothing"
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _titles(*metas: CoreMetadata) -> dict[str, str]:
    titles: dict[str, str] = {}
    for meta in metas:
        for key, _ in meta.fields:
            titles.setdefault(key.lower(), key)
    return titles


def check_agreement(
    sdist: Archive,
    sdist_meta: CoreMetadata,
    wheel: Archive,
    wheel_meta: CoreMetadata,
    *,
    artifact: str | None = None,
) -> list[Finding]:
    """SL201/SL202 findings for every field where ``wheel`` breaks ``sdist``'s promise.

    They go to the wheel, or to ``artifact`` (the sdist, when the wheel was only built to compare with).
    """
    target = artifact if artifact is not None else wheel.display
    source = "PKG-INFO" if artifact is not None else "METADATA"
    if artifact is not None:
        # the backend installed here may be newer than the one that made the sdist (`poetry-core>=1.0.0`)
        by = _generator(wheel)
        where = (
            f"in the wheel built from this sdist ({wheel.filename}{f', by {by}' if by else ''}), though PKG-INFO "
            "does not mark it Dynamic"
        )
    else:
        where = f"from the sdist {sdist.filename}, which does not mark it Dynamic"
    check_id = "SL201" if sdist_meta.metadata_version >= Version("2.2") else "SL202"
    dynamic = sdist_meta.dynamic
    titles = _titles(sdist_meta, wheel_meta)
    out: list[Finding] = []
    older = min(sdist_meta.metadata_version, wheel_meta.metadata_version)
    unknown = {field for field, since in _INTRODUCED.items() if older < Version(since)}
    fields = sorted((set(titles) - _NOT_COMPARED - {"description"}) - dynamic - unknown)
    for field in fields:
        ours, theirs = _values(sdist_meta, field), _values(wheel_meta, field)
        if ours != theirs:
            out.append(
                finding(
                    check_id,
                    target,
                    f"{titles[field]} differs {where}: the sdist says {_shown(ours)}, the wheel {_shown(theirs)}",
                    location=f"{source}: {titles[field]}",
                )
            )
    if "description" not in dynamic and _description(sdist_meta) != _description(wheel_meta):
        out.append(
            finding(
                check_id,
                target,
                f"the description (long description) differs {where}",
                location=f"{source}: Description",
            )
        )
    return out
