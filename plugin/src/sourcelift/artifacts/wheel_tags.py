"""Wheel file names (PEP 427, PEP 825 variant labels) and the PEP 508 marker of their tags.

A wheel's tags say which environments can install it; a marker says the same in the
language a Requires-Dist line understands.  :func:`marker_for_tags` turns one into the
other: the marker holds in an environment exactly when that environment's tag list
(``packaging.tags.sys_tags()``) contains one of the wheel's tags, up to what markers
cannot see.  What they cannot see (a glibc or macOS version, musl against glibc, a
free-threaded or debug interpreter, a PyPy ABI, 32-bit Python on 64-bit Windows) is
returned as :class:`Caveat` entries for the caller to warn about.

>>> str(marker_for_tags(parse_wheel_name("n-1.0-cp39-cp39-win32.whl").tags).marker)
'implementation_name == "cpython" and python_version == "3.9" and sys_platform == "win32" and platform_machine == "x86"'
>>> marker_for_tags(parse_wheel_name("n-1.0-py3-none-any.whl").tags).marker is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from packaging.markers import Marker
from packaging.tags import Tag, parse_tag
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

__all__ = [
    "Caveat",
    "TagMarker",
    "UnsupportedTag",
    "WheelName",
    "marker_for_tags",
    "parse_wheel_name",
]

# PEP 825 (draft): a variant label ends the file name: 1-16 of [0-9a-z_.]
_VARIANT_LABEL = re.compile(r"^[0-9a-z_.]{1,16}$")
_INTERPRETER = re.compile(r"^(py|cp|pp)(\d)(\d*)$")
_CP_ABI = re.compile(r"^cp(\d)(\d+)([a-z]*)$")
_PYPY_ABI = re.compile(r"^pypy(\d)(\d+)_pp(\d)(\d+)$")
_LINUX = re.compile(
    r"^(?:(manylinux)_(\d+)_(\d+)_|(manylinux1|manylinux2010|manylinux2014)_|(musllinux)_(\d+)_(\d+)_|linux_)(.+)$"
)
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_MACOS = re.compile(r"^macosx_(\d+)_(\d+)_(.+)$")
# what each macOS architecture tag admits (packaging.tags._mac_binary_formats, read backwards)
_MACOS_MACHINES: dict[str, tuple[str, ...]] = {
    "arm64": ("arm64",),
    "x86_64": ("x86_64",),
    "i386": ("i386",),
    "ppc": ("ppc",),
    "ppc64": ("ppc64",),
    "universal2": ("arm64", "x86_64"),
    "intel": ("i386", "x86_64"),
    "fat": ("i386", "ppc"),
    "fat3": ("i386", "ppc", "x86_64"),
    "fat64": ("ppc64", "x86_64"),
    "fat32": ("i386", "ppc"),
    "universal": ("i386", "ppc", "ppc64", "x86_64"),
}
_WINDOWS_MACHINES = {"win_amd64": "AMD64", "win32": "x86", "win_arm64": "ARM64"}


class UnsupportedTag(ValueError):
    """A tag no marker can describe (an interpreter or platform sourcelift does not know)."""


@dataclass(frozen=True)
class WheelName:
    """What a wheel's file name says."""

    filename: str
    name: str
    """Canonical project name."""
    version: str
    build: str | None
    tags: frozenset[Tag]
    variant_label: str | None = None
    """PEP 825 variant label (the component after the platform tag), or ``None``."""


@dataclass(frozen=True)
class Caveat:
    """Something the wheel needs that a marker cannot express."""

    kind: str
    """``libc``, ``glibc-version``, ``musl-version``, ``macos-version``, ``free-threading``,
    ``debug-build``, ``pypy-abi`` or ``pointer-size``."""
    message: str


@dataclass(frozen=True)
class TagMarker:
    marker: Marker | None
    """``None``: every environment (a pure-Python wheel)."""
    caveats: tuple[Caveat, ...] = ()


def parse_wheel_name(filename: str) -> WheelName:
    """Parse a wheel file name, with or without a PEP 825 variant label.

    >>> parse_wheel_name("native-2.0-cp311-cp311-linux_x86_64-cu121.whl").variant_label
    'cu121'
    >>> parse_wheel_name("native-2.0-1-cp311-cp311-linux_x86_64.whl").build
    '1'
    """
    if not filename.endswith(".whl"):
        raise InvalidWheelFilename(f"{filename!r} is not a wheel file name (no .whl suffix)")
    parts = filename[: -len(".whl")].split("-")
    label: str | None = None
    # A python tag never starts with a digit and a build tag always does, so a sixth part
    # is a build tag when the third part starts with a digit, else a variant label.
    if len(parts) == 7 or (len(parts) == 6 and not parts[2][:1].isdigit()):
        label = parts[-1]
        if not _VARIANT_LABEL.match(label):
            raise InvalidWheelFilename(
                f"{filename!r}: {label!r} is not a wheel variant label (PEP 825: 1-16 of a-z, 0-9, _ and .)"
            )
        filename_core = "-".join(parts[:-1]) + ".whl"
    else:
        filename_core = filename
    name, version, build, tags = parse_wheel_filename(filename_core)
    build_text = f"{build[0]}{build[1]}" if build else None
    return WheelName(filename, canonicalize_name(name), str(version), build_text, frozenset(tags), label)


# ---------------------------------------------------------------- tags -> marker

# A python condition: (implementation_name or None, operator, "M.m" or "M") or None (any Python).
_PyCond = tuple[Optional[str], str, str]  # Optional: evaluated at run time on 3.9
# A platform condition: (sys_platform, platform_machine values) or None (any platform).
_PlatCond = tuple[str, tuple[str, ...]]
_NEVER: _PyCond = ("<never>", "", "")  # no interpreter has both tags (cp311-cp312-...)


def marker_for_tags(tags: Iterable[Tag | str]) -> TagMarker:
    """The marker of the environments that can install a wheel with these tags.

    Tags may be :class:`~packaging.tags.Tag` objects or compressed tag strings
    (``"cp311.cp312-abi3-manylinux_2_17_x86_64"``).  Raises :class:`UnsupportedTag`
    for an interpreter or platform no marker can describe.
    """
    expanded: set[Tag] = set()
    for tag in tags:
        expanded.update(parse_tag(tag) if isinstance(tag, str) else {tag})
    caveats: dict[str, Caveat] = {}
    by_platform: dict[_PlatCond | None, set[_PyCond | None]] = {}
    for tag in sorted(expanded, key=str):
        python = _python_condition(tag, caveats)
        if python is _NEVER:
            continue  # e.g. cp311-cp312-...: no interpreter has both
        platform = _platform_condition(tag.platform, caveats)
        by_platform.setdefault(platform, set()).add(python)
    if not by_platform:
        raise UnsupportedTag(f"no environment can install a wheel tagged {_tag_list(expanded)}")
    # the tags of a file name are a product, so the python part usually factors out
    groups: dict[frozenset[_PyCond | None], list[_PlatCond | None]] = {}
    for platform, pythons in by_platform.items():
        groups.setdefault(frozenset(pythons), []).append(platform)
    clauses = [_and(_python_marker(pythons), _platform_marker(platforms)) for pythons, platforms in groups.items()]
    text = None if None in clauses else _or(clauses)  # one branch for every environment: no marker
    ordered = tuple(caveats[key] for key in sorted(caveats))
    return TagMarker(Marker(text) if text else None, ordered)


def _tag_list(tags: Iterable[Tag]) -> str:
    return ", ".join(sorted(str(t) for t in tags))


def _python_condition(tag: Tag, caveats: dict[str, Caveat]) -> _PyCond | None:
    match = _INTERPRETER.match(tag.interpreter)
    if match is None:
        raise UnsupportedTag(
            f"interpreter tag {tag.interpreter!r} (in {tag}) is not py, cp or pp: no marker describes it"
        )
    kind, major, minor = match.group(1), match.group(2), match.group(3)
    version = f"{major}.{minor}" if minor else major
    implementation = {"py": None, "cp": "cpython", "pp": "pypy"}[kind]
    abi = tag.abi
    if abi == "none":
        if kind == "py":
            if not minor:
                return None if major == "3" else (None, "<", "3") if major == "2" else (None, "==", major)
            return (None, ">=", version)  # pyXY: that version and every later one of the same major
        return (implementation, "==", version)
    if abi == "abi3":
        if kind != "cp":
            return _NEVER
        caveats["free-threading-abi3"] = Caveat(
            "free-threading",
            f"{tag}: free-threaded CPython builds cannot load abi3 wheels (no marker tells them apart)",
        )
        return ("cpython", ">=", version)
    cp_abi = _CP_ABI.match(abi)
    if kind == "cp" and cp_abi is not None:
        if f"{cp_abi.group(1)}.{cp_abi.group(2)}" != version:
            return _NEVER
        flags = cp_abi.group(3)
        if "t" in flags:
            caveats[f"free-threading-{abi}"] = Caveat(
                "free-threading", f"{tag}: needs a free-threaded CPython build, which no marker can select"
            )
        if "d" in flags:
            caveats[f"debug-{abi}"] = Caveat("debug-build", f"{tag}: needs a debug CPython build")
        return ("cpython", "==", version)
    pypy_abi = _PYPY_ABI.match(abi)
    if kind == "pp" and pypy_abi is not None:
        if f"{pypy_abi.group(1)}.{pypy_abi.group(2)}" != version:
            return _NEVER
        caveats[f"pypy-{abi}"] = Caveat(
            "pypy-abi", f"{tag}: needs PyPy {pypy_abi.group(3)}.{pypy_abi.group(4)}.x (not expressed by the marker)"
        )
        return ("pypy", "==", version)
    raise UnsupportedTag(f"ABI tag {abi!r} (in {tag}) is not one sourcelift can describe with a marker")


def _platform_condition(platform: str, caveats: dict[str, Caveat]) -> _PlatCond | None:
    if platform == "any":
        return None
    if platform in _WINDOWS_MACHINES:
        if platform in ("win32", "win_amd64"):
            caveats["pointer-size"] = Caveat(
                "pointer-size",
                f"{platform}: 32-bit Python on 64-bit Windows reports platform_machine 'AMD64';"
                " the marker assumes a Python of the system's own width",
            )
        return ("win32", (_WINDOWS_MACHINES[platform],))
    linux = _LINUX.match(platform)
    if linux is not None:
        many, many_major, many_minor, legacy, musl, musl_major, musl_minor, arch = linux.groups()
        if many or legacy:
            glibc = (int(many_major), int(many_minor)) if many else _LEGACY_MANYLINUX[legacy]
            caveats[f"glibc-{glibc[0]}.{glibc[1]:03d}"] = Caveat(
                "glibc-version", f"{platform}: needs glibc {glibc[0]}.{glibc[1]} or newer"
            )
            caveats["libc-glibc"] = Caveat("libc", f"{platform}: needs glibc; a marker cannot tell glibc from musl")
        elif musl:
            caveats[f"musl-{musl_major}.{int(musl_minor):03d}"] = Caveat(
                "musl-version", f"{platform}: needs musl {musl_major}.{musl_minor} or newer"
            )
            caveats["libc-musl"] = Caveat("libc", f"{platform}: needs musl; a marker cannot tell musl from glibc")
        return ("linux", (arch,))
    macos = _MACOS.match(platform)
    if macos is not None:
        major, minor, arch = macos.groups()
        if arch not in _MACOS_MACHINES:
            raise UnsupportedTag(f"macOS architecture {arch!r} (in {platform}) is unknown")
        if (int(major), int(minor)) > (10, 9):
            caveats[f"macos-{int(major):03d}.{int(minor):03d}"] = Caveat(
                "macos-version", f"{platform}: needs macOS {major}.{minor} or newer"
            )
        return ("darwin", _MACOS_MACHINES[arch])
    raise UnsupportedTag(f"platform tag {platform!r} is not one sourcelift can describe with a marker")


def _python_marker(pythons: frozenset[_PyCond | None]) -> str | None:
    if None in pythons:
        return None
    by_impl: dict[str | None, list[tuple[str, str]]] = {}
    for condition in pythons:
        assert condition is not None
        implementation, operator, version = condition
        by_impl.setdefault(implementation, []).append((operator, version))
    clauses = []
    for implementation in sorted(by_impl, key=lambda i: i or ""):
        versions = _or([f'python_version {op} "{v}"' for op, v in _simplify(by_impl[implementation])])
        clauses.append(_and(f'implementation_name == "{implementation}"' if implementation else None, versions))
    return _or(clauses)


def _simplify(conditions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop ``== v`` and ``>= v`` conditions implied by the lowest ``>=`` of the same major."""
    lows = [c for c in conditions if c[0] == ">=" and "." in c[1]]
    if not lows:
        return sorted(set(conditions), key=_version_key)
    low = min(lows, key=_version_key)
    kept = {c for c in conditions if not ("." in c[1] and _version_key(c) >= _version_key(low))}
    kept.add(low)
    return sorted(kept, key=_version_key)


def _version_key(condition: tuple[str, str]) -> tuple[int, ...]:
    return tuple(int(p) for p in condition[1].split("."))


def _platform_marker(platforms: list[_PlatCond | None]) -> str | None:
    if None in platforms:
        return None
    machines: dict[str, set[str]] = {}
    for platform in platforms:
        assert platform is not None
        machines.setdefault(platform[0], set()).update(platform[1])
    clauses = []
    for sys_platform in sorted(machines):
        archs = _or([f'platform_machine == "{m}"' for m in sorted(machines[sys_platform])])
        clauses.append(_and(f'sys_platform == "{sys_platform}"', archs))
    return _or(clauses)


def _and(*parts: str | None) -> str | None:
    present = [p for p in parts if p]
    if not present:
        return None
    return " and ".join(f"({p})" if " or " in p else p for p in present)


def _or(parts: Iterable[str | None]) -> str | None:
    present = list(dict.fromkeys(p for p in parts if p))
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return " or ".join(f"({p})" if " and " in p or " or " in p else p for p in present)
