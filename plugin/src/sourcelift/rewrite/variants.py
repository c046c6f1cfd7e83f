"""Sets of vendored wheels told apart by markers: derived, checked, made disjoint.

A dependency may be backed by one wheel per platform, either as a hand-written
``[tool.uv.sources]`` list of ``path`` + ``marker`` entries or as a
``[tool.sourcelift.variants]`` glob.  Markers and tags speak about the same
environments in two languages; this module compares them on a sample of concrete
environments (every CPython and PyPy minor version around ``requires-python``, on
the platforms the wheels name), which is exact for the variables a derived marker
uses (``implementation_name``, ``python_version``, ``sys_platform``,
``platform_machine``) and a close sample for hand-written ones.

Everything here is pure: it reads wheel names (and, for variant labels, nothing
else) and reports into :class:`~sourcelift.errors.Findings`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging import tags as _tags
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from ..artifacts.wheel_tags import TagMarker, UnsupportedTag, WheelName, marker_for_tags, parse_wheel_name
from ..errors import Findings
from ..readers.variants import VARIANTS_KEY, is_variant_set
from .markers import CannotNegate, conjoin, negate_any

__all__ = [
    "VARIANTS_KEY",
    "Environment",
    "VariantWheel",
    "check_marker_list",
    "check_sources",
    "is_variant_set",
    "make_disjoint",
    "overlapping_pairs",
    "sample_environments",
    "summarize",
    "uncovered",
    "uv_sources_text",
]

_LINUX_MACHINES = ("x86_64", "aarch64", "i686", "ppc64le", "s390x", "armv7l")
_MAC_MACHINES = ("arm64", "x86_64")
_WINDOWS = {"AMD64": "win_amd64", "x86": "win32", "ARM64": "win_arm64"}
_SYSTEM = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}


@dataclass(frozen=True)
class Environment:
    """One concrete environment: how a marker sees it and which tags an installer accepts there."""

    implementation: str
    python: tuple[int, int]
    sys_platform: str
    machine: str
    libc: str | None = None
    """``glibc`` or ``musl`` on Linux."""
    platforms: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        impl = "CPython" if self.implementation == "cpython" else "PyPy"
        where = {"linux": f"Linux ({self.libc})", "darwin": "macOS", "win32": "Windows"}[self.sys_platform]
        return f"{impl} {self.python[0]}.{self.python[1]} on {where} {self.machine}"

    def installs(self, wheel: WheelName, *, either_libc: bool = False) -> bool:
        """Whether an installer here accepts one of the wheel's tags; with ``either_libc``, also
        when it would on the same machine with the other C library (which no marker can tell)."""
        if self.tags & wheel.tags:
            return True
        if either_libc and self.libc is not None:
            other = "musl" if self.libc == "glibc" else "glibc"
            twin = Environment(
                self.implementation,
                self.python,
                self.sys_platform,
                self.machine,
                other,
                _linux_platforms(self.machine, other),
            )
            return bool(twin.tags & wheel.tags)
        return False

    def marker_environment(self, extra: str = "") -> dict[str, str]:
        version = f"{self.python[0]}.{self.python[1]}"
        return {
            "implementation_name": self.implementation,
            "implementation_version": f"{version}.0" if self.implementation == "cpython" else "7.3.17",
            "os_name": "nt" if self.sys_platform == "win32" else "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython" if self.implementation == "cpython" else "PyPy",
            "platform_release": "",
            "platform_system": _SYSTEM[self.sys_platform],
            "platform_version": "",
            "python_full_version": f"{version}.0",
            "python_version": version,
            "sys_platform": self.sys_platform,
            "extra": extra,
        }

    def holds(self, marker: Marker | None, extras: Iterable[str] = ()) -> bool:
        if marker is None:
            return True
        # a marker guarded by an extra holds where that extra is requested
        return any(marker.evaluate(self.marker_environment(extra)) for extra in ("", *extras))

    @functools.cached_property
    def tags(self) -> frozenset[_tags.Tag]:
        nodot = f"{self.python[0]}{self.python[1]}"
        if self.implementation == "cpython":
            found = set(_tags.cpython_tags(self.python, [f"cp{nodot}"], self.platforms))
            found |= set(_tags.compatible_tags(self.python, f"cp{nodot}", self.platforms))
        else:
            found = set(_tags.generic_tags(f"pp{nodot}", [f"pypy{nodot}_pp73"], self.platforms))
            found |= set(_tags.compatible_tags(self.python, f"pp{nodot}", self.platforms))
        return frozenset(found)


def _linux_platforms(machine: str, libc: str) -> tuple[str, ...]:
    # the newest libc any current wheel asks for, so that versions are never what differs
    if libc == "glibc":
        floor = 5 if machine in ("x86_64", "i686") else 17
        plats = [f"manylinux_2_{minor}_{machine}" for minor in range(40, floor - 1, -1)]
        plats += [
            f"{alias}_{machine}"
            for alias, needs in (("manylinux2014", 17), ("manylinux2010", 12), ("manylinux1", 5))
            if needs >= floor
        ]
    else:
        plats = [f"musllinux_1_{minor}_{machine}" for minor in range(3, -1, -1)]
    return (*plats, f"linux_{machine}")


def sample_environments(
    requires_python: SpecifierSet | None = None, machines: Iterable[tuple[str, str]] = ()
) -> list[Environment]:
    """CPython 3.6-3.16 and PyPy 3.8-3.11 (as ``requires-python`` allows) on Linux (glibc, musl),
    macOS and Windows, with the usual machines and any other ``(sys_platform, machine)`` given."""
    pythons = [(3, minor) for minor in range(6, 17)]
    if requires_python is not None:
        pythons = [p for p in pythons if requires_python.contains(f"{p[0]}.{p[1]}", prereleases=True)]
    linux = set(_LINUX_MACHINES) | {m for s, m in machines if s == "linux"}
    mac = set(_MAC_MACHINES)
    platforms: list[tuple[str, str, str | None, tuple[str, ...]]] = []
    for machine in sorted(linux):
        for family in ("glibc", "musl"):
            platforms.append(("linux", machine, family, _linux_platforms(machine, family)))
    for machine in sorted(mac):
        platforms.append(("darwin", machine, None, tuple(_tags.mac_platforms((15, 0), machine))))
    for machine, platform in _WINDOWS.items():
        platforms.append(("win32", machine, None, (platform,)))
    envs = []
    for sys_platform, machine, libc, plats in platforms:
        for python in pythons:
            envs.append(Environment("cpython", python, sys_platform, machine, libc, plats))
            if (3, 8) <= python <= (3, 11):
                envs.append(Environment("pypy", python, sys_platform, machine, libc, plats))
    return envs


@dataclass
class VariantWheel:
    """One wheel of a set, with the marker its line gets."""

    path: Path
    wheel: WheelName
    derived: TagMarker
    marker: Marker | None
    """The line's guard: the derived marker, and for a variant label the user's marker for it."""
    key: str


def derive(
    path: Path, wheel: WheelName, key: str, label_markers: dict[str, str], findings: Findings, dependency: str
) -> VariantWheel | None:
    """The wheel with the marker derived from its tags (and its label's marker, for a variant wheel)."""
    try:
        derived = marker_for_tags(wheel.tags)
    except UnsupportedTag as exc:
        findings.error(
            key,
            f"{wheel.filename}: {exc}",
            "vendor wheels for CPython or PyPy on Linux, macOS or Windows, or write this dependency's source by hand",
            dependency=dependency,
        )
        return None
    marker = derived.marker
    if wheel.variant_label is not None:
        chosen = label_markers.get(wheel.variant_label)
        if chosen is None:
            findings.error(
                key,
                f"{wheel.filename} is a variant wheel (label `{wheel.variant_label}`), and installers without "
                "variant support cannot choose between variants",
                f"give the label a marker, e.g. `[{key}.labels]` `{wheel.variant_label} = \"extra == 'gpu'\"`",
                dependency=dependency,
            )
            return None
        marker = conjoin(marker, chosen)
    return VariantWheel(path, wheel, derived, marker, key)


def overlapping_pairs(
    branches: Sequence[VariantWheel], envs: Sequence[Environment], extras: Iterable[str] = ()
) -> list[tuple[VariantWheel, VariantWheel, Environment]]:
    """Pairs of branches whose markers both hold in some environment (with any of ``extras``
    requested), with one such environment."""
    points = _points(envs, extras)
    holds = [[env.holds(b.marker, requested) for env, requested in points] for b in branches]
    found = []
    for first in range(len(branches)):
        for second in range(first + 1, len(branches)):
            both = next((env for n, (env, _) in enumerate(points) if holds[first][n] and holds[second][n]), None)
            if both is not None:
                found.append((branches[first], branches[second], both))
    return found


def _points(envs: Sequence[Environment], extras: Iterable[str]) -> list[tuple[Environment, tuple[str, ...]]]:
    """Each environment with no extra requested, and with each extra requested alone (installers include
    a line when its marker holds for no extra or for one of the requested extras)."""
    requests: list[tuple[str, ...]] = [(), *((extra,) for extra in extras)]
    return [(env, requested) for env in envs for requested in requests]


def make_disjoint(
    branches: Sequence[VariantWheel],
    findings: Findings,
    dependency: str,
    envs: Sequence[Environment] = (),
    extras: Iterable[str] = (),
) -> None:
    """In the order given, each branch loses the environments an earlier one it overlaps already has
    (with no ``envs`` to compare on, every earlier one)."""
    points = _points(envs, extras)
    earlier: list[tuple[Marker | None, list[bool]]] = []
    for branch in branches:
        mine = [env.holds(branch.marker, requested) for env, requested in points]
        shadowing = [marker for marker, theirs in earlier if not envs or any(a and b for a, b in zip(mine, theirs))]
        if None in shadowing:
            findings.error(
                branch.key,
                f"{branch.wheel.filename} is never used: an earlier wheel in `order` installs everywhere",
                "remove it, or order it first",
                dependency=dependency,
            )
        elif shadowing:
            try:
                branch.marker = conjoin(branch.marker, negate_any([m for m in shadowing if m is not None]))
            except CannotNegate as exc:
                findings.error(
                    branch.key,
                    f"cannot order {branch.wheel.filename} after the others: {exc}",
                    "use markers with ==, !=, <, <=, >, >=, in, not in",
                    dependency=dependency,
                )
        earlier.append((branch.marker, mine))


def check_marker_list(
    entries: Sequence[tuple[WheelName, Marker | None, str]],
    envs: Sequence[Environment],
    findings: Findings,
    dependency: str,
    extras: Iterable[str] = (),
) -> None:
    """Hand-written ``path`` + ``marker`` entries: each marker must admit only environments where its
    wheel installs, and some of them."""
    extras = tuple(extras)
    for wheel, marker, key in entries:
        tag_text = ", ".join(sorted(str(t) for t in wheel.tags))
        try:
            derived = marker_for_tags(wheel.tags).marker
        except UnsupportedTag:
            continue  # a platform the sample does not describe: nothing to compare with
        wrong = next(
            (env for env in envs if env.holds(marker, extras) and not env.installs(wheel, either_libc=True)),
            None,
        )
        if wrong is not None:
            findings.error(
                key,
                f"the marker `{marker}` admits {wrong.label}, where {wheel.filename} (tags {tag_text}) cannot be "
                "installed",
                f"narrow the marker to the wheel's tags, e.g. `{derived}`, "
                "or list the wheels in `[tool.sourcelift.variants]` and let sourcelift derive the markers",
                dependency=dependency,
            )
            continue
        installable = [env for env in envs if env.installs(wheel)]
        if installable and not any(env.holds(marker, extras) for env in installable):
            findings.error(
                key,
                f"the marker `{marker}` excludes every environment where {wheel.filename} (tags {tag_text}) can be "
                "installed, so this entry is never used",
                f"use the wheel's own marker, e.g. `{derived}`",
                dependency=dependency,
            )


def uncovered(
    markers: Sequence[Marker | None], wheels: Sequence[WheelName], envs: Sequence[Environment]
) -> list[Environment]:
    """Supported environments (on a platform some wheel covers) that no marker admits."""
    covered_platforms = {(env.sys_platform, env.machine) for env in envs if any(env.installs(w) for w in wheels)}
    return [
        env
        for env in envs
        if (env.sys_platform, env.machine) in covered_platforms and not any(env.holds(m) for m in markers)
    ]


def uv_sources_text(pyproject_text: str, dependency: str, entries: Sequence[tuple[str, Marker | None]]) -> str:
    """``pyproject_text`` with ``[tool.uv.sources] <dependency>`` set to a list of ``path`` + ``marker``
    entries (paths relative to the project, POSIX separators); every other byte stays as it was.

    >>> print(uv_sources_text('[project]\\nname = "a"\\n', "native", [("w/n.whl", Marker("os_name == 'nt'"))]))
    [project]
    name = "a"
    <BLANKLINE>
    [tool.uv.sources]
    native = [
        {path = "w/n.whl", marker = "os_name == 'nt'"},
    ]
    <BLANKLINE>
    """
    import tomlkit  # only `explain --uv-sources --write` rewrites TOML
    from tomlkit.items import Table

    document = tomlkit.parse(pyproject_text)
    array = tomlkit.array()
    array.multiline(True)
    for path, marker in entries:
        item = tomlkit.inline_table()
        item["path"] = path
        if marker is not None:
            text = str(marker)
            item["marker"] = text if "'" in text else text.replace('"', "'")  # reads as users write them
        array.append(item)
    tool = document.get("tool")
    if tool is None:
        document.add(tomlkit.nl())
        tool = tomlkit.table(is_super_table=True)
        document["tool"] = tool
    uv = tool.get("uv")
    if uv is None:
        uv = tomlkit.table(is_super_table=True)
        tool["uv"] = uv
    sources = uv.get("sources")
    if sources is None:
        sources = tomlkit.table()
        uv["sources"] = sources
    if not isinstance(sources, (Table, dict)):
        raise TypeError("`tool.uv.sources` is not a table")
    sources[dependency] = array
    return tomlkit.dumps(document)


def summarize(envs: Sequence[Environment], most: int = 6) -> str:
    """``CPython 3.12, 3.13 on Linux (glibc) x86_64; ...`` for a list of environments."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for env in envs:
        impl, rest = env.label.split(" ", 1)
        version, where = rest.split(" on ", 1)
        groups.setdefault((where, impl, ""), []).append(version)
    parts = [f"{impl} {', '.join(versions)} on {where}" for (where, impl, _), versions in groups.items()]
    shown = "; ".join(parts[:most])
    return shown + (f"; and {len(parts) - most} more platforms" if len(parts) > most else "")


def check_sources(
    name: str,
    sources: Sequence[Any],
    requires_python: SpecifierSet | None,
    findings: Findings,
    extras: Iterable[str] = (),
) -> None:
    """Hand-written marker lists of vendored wheels (``[tool.uv.sources]`` ``path`` + ``marker``): each
    marker checked against its wheel's tags, and the environments no entry covers named."""
    from ..model import ResolvedArchive

    entries = [
        (s, parse_wheel_name(s.filename))
        for s in sources
        if isinstance(s, ResolvedArchive)
        and s.filename.endswith(".whl")
        and s.marker is not None
        and not is_variant_set([s])
    ]
    if not entries:
        return
    envs = sample_environments(requires_python)
    check_marker_list([(wheel, s.marker, s.key) for s, wheel in entries], envs, findings, name, extras)
    missing = uncovered([s.marker for s, _ in entries], [w for _, w in entries], envs)
    if missing:
        findings.warning(
            entries[0][0].key.split("[")[0],
            f"no entry of the list covers {summarize(missing)}; there the plain requirement is emitted",
            "add wheels for those environments, or list them in `[tool.sourcelift.variants]` to check the set",
            dependency=name,
        )


_VARIANT_JSON_LIMIT = 1 << 20  # variant.json is a small document; refuse to read more


def describe_variant(path: Path, filename: str) -> dict[str, Any]:
    """``{"tags", "label", "properties"}`` of a vendored wheel, properties from its
    ``*.dist-info/variant.json`` (PEP 825, draft) for its label; unreadable parts are left empty."""
    import json
    import zipfile

    wheel = parse_wheel_name(filename)
    properties: list[str] = []
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/variant.json")]
            if len(names) == 1 and archive.getinfo(names[0]).file_size <= _VARIANT_JSON_LIMIT:
                document = json.loads(archive.read(names[0]).decode("utf-8"))
                properties = _properties(document, wheel.variant_label)
    except (OSError, zipfile.BadZipFile, ValueError, RecursionError):
        properties = []
    return {"tags": sorted(str(t) for t in wheel.tags), "label": wheel.variant_label, "properties": properties}


def _properties(document: Any, label: str | None) -> list[str]:
    """``namespace :: feature :: value`` strings: from ``{"variants": {label: {ns: {feature: [values]}}}}``,
    or from a document that is that inner mapping itself."""
    if isinstance(document, dict) and isinstance(document.get("variants"), dict):
        document = document["variants"].get(label) if label is not None else None
    if not isinstance(document, dict):
        return []
    found = []
    for namespace, features in document.items():
        if not isinstance(features, dict):
            continue
        for feature, values in features.items():
            for value in values if isinstance(values, list) else [values]:
                found.append(f"{namespace} :: {feature} :: {value}")
    return sorted(found)


def uv_sources_entries(root: Path, data: dict[str, Any]) -> tuple[dict[str, list[tuple[str, Marker | None]]], Findings]:
    """The ``[tool.uv.sources]`` list matching each ``[tool.sourcelift.variants]`` entry of the project at
    ``root``: ``{dependency: [(path, marker), ...]}``, and the problems reading the variants."""
    import copy

    from packaging.utils import canonicalize_name

    from ..readers._base import ReadContext
    from ..readers.variants import READER, variant_table

    table = variant_table(data) or {}
    names = {canonicalize_name(n) for n in table}
    data = copy.deepcopy(data)
    uv_sources = data.get("tool", {}).get("uv", {}).get("sources")
    if isinstance(uv_sources, dict):  # the lists being rewritten must not be compared with themselves
        for raw in [n for n in uv_sources if canonicalize_name(n) in names]:
            del uv_sources[raw]
    findings = Findings()
    project = data.get("project")
    context = ReadContext(root, root / "pyproject.toml", data, findings, project if isinstance(project, dict) else None)
    READER.read(context)
    entries = {
        name: [(getattr(s, "path", ""), s.marker) for s in sources]
        for name, sources in context.sources.items()
        if is_variant_set(sources)
    }
    return entries, findings
