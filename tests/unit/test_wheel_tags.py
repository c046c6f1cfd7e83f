"""Markers derived from wheel tags hold in exactly the environments whose tag list has one of them.

The environments are described twice: as the tag list ``packaging.tags`` computes for them
(the installer's view) and as a PEP 508 marker environment.  For every wheel and every
environment, the derived marker must agree with the tag intersection, except where a caveat
names the one thing a marker cannot see and the environment differs in exactly that.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from packaging import tags
from packaging.utils import InvalidWheelFilename

from sourcelift.artifacts.wheel_tags import UnsupportedTag, marker_for_tags, parse_wheel_name

PYTHONS = [(3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)]


def _linux_platforms(arch: str, glibc: tuple[int, int] | None, musl: tuple[int, int] | None) -> list[str]:
    plats: list[str] = []
    if glibc is not None:
        floor = 5 if arch in ("x86_64", "i686") else 17
        plats += [f"manylinux_2_{minor}_{arch}" for minor in range(glibc[1], floor - 1, -1)]
        plats += [
            legacy
            for legacy, needs in (("manylinux2014", 17), ("manylinux2010", 12), ("manylinux1", 5))
            if needs <= glibc[1] and needs >= floor
            for legacy in [f"{legacy}_{arch}"]
        ]
    if musl is not None:
        plats += [f"musllinux_1_{minor}_{arch}" for minor in range(musl[1], -1, -1)]
    return [*plats, f"linux_{arch}"]


@dataclass(frozen=True)
class Env:
    label: str
    implementation: str  # cpython | pypy
    python: tuple[int, int]
    sys_platform: str
    machine: str
    platforms: tuple[str, ...]
    differs_in: frozenset[str] = field(default_factory=frozenset)
    """Caveat kinds in which this environment may differ from what the marker assumes."""

    def tags(self) -> set[tags.Tag]:
        nodot = f"{self.python[0]}{self.python[1]}"
        if self.implementation == "cpython":
            found = set(tags.cpython_tags(self.python, [f"cp{nodot}"], self.platforms))
            found |= set(tags.compatible_tags(self.python, f"cp{nodot}", self.platforms))
        else:
            found = set(tags.generic_tags(f"pp{nodot}", [f"pypy{nodot}_pp73"], self.platforms))
            found |= set(tags.compatible_tags(self.python, f"pp{nodot}", self.platforms))
        return found

    def marker_environment(self) -> dict[str, str]:
        version = f"{self.python[0]}.{self.python[1]}"
        return {
            "implementation_name": self.implementation,
            "implementation_version": f"{version}.0" if self.implementation == "cpython" else "7.3.17",
            "os_name": "nt" if self.sys_platform == "win32" else "posix",
            "platform_machine": self.machine,
            "platform_release": "",
            "platform_system": {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[self.sys_platform],
            "platform_version": "",
            "python_full_version": f"{version}.1",
            "platform_python_implementation": "CPython" if self.implementation == "cpython" else "PyPy",
            "python_version": version,
            "sys_platform": self.sys_platform,
            "extra": "",
        }


def _environments() -> list[Env]:
    envs: list[Env] = []
    platforms: list[tuple[str, str, str, tuple[str, ...], frozenset[str]]] = []
    for arch in ("x86_64", "aarch64"):
        platforms.append(
            (f"glibc-{arch}", "linux", arch, tuple(_linux_platforms(arch, (2, 39), None)), frozenset({"libc"}))
        )
        platforms.append(
            (f"musl-{arch}", "linux", arch, tuple(_linux_platforms(arch, None, (1, 2))), frozenset({"libc"}))
        )
    # an old glibc: manylinux_2_28 wheels need more than it has
    platforms.append(
        ("glibc2.17-x86_64", "linux", "x86_64", tuple(_linux_platforms("x86_64", (2, 17), None)),
         frozenset({"libc", "glibc-version"}))
    )
    for arch in ("arm64", "x86_64"):
        platforms.append((f"macos15-{arch}", "darwin", arch, tuple(tags.mac_platforms((15, 0), arch)), frozenset()))
    platforms.append(
        ("macos10.13-x86_64", "darwin", "x86_64", tuple(tags.mac_platforms((10, 13), "x86_64")),
         frozenset({"macos-version"}))
    )
    platforms += [
        ("win-amd64", "win32", "AMD64", ("win_amd64",), frozenset()),
        ("win-32", "win32", "x86", ("win32",), frozenset()),
        ("win-arm64", "win32", "ARM64", ("win_arm64",), frozenset()),
    ]
    for (label, sys_platform, machine, plats, differs), python in itertools.product(platforms, PYTHONS):
        envs.append(Env(f"cp{python[0]}{python[1]}-{label}", "cpython", python, sys_platform, machine, plats, differs))
    for (label, sys_platform, machine, plats, differs) in platforms[:1] + platforms[-3:-2]:
        for python in [(3, 9), (3, 10)]:
            envs.append(
                Env(f"pp{python[0]}{python[1]}-{label}", "pypy", python, sys_platform, machine, plats, differs)
            )
    return envs


ENVIRONMENTS = _environments()

WHEELS = [
    "w-1.0-py3-none-any.whl",
    "w-1.0-py2.py3-none-any.whl",
    "w-1.0-py38-none-any.whl",
    "w-1.0-py3-none-manylinux_2_17_x86_64.whl",
    "w-1.0-py3-none-win_amd64.whl",
    "w-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "w-1.0-cp311-cp311-manylinux_2_28_x86_64.whl",
    "w-1.0-cp39-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
    "w-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
    "w-1.0-cp310-cp310-linux_x86_64.whl",
    "w-1.0-cp311-cp311-macosx_11_0_arm64.whl",
    "w-1.0-cp310-cp310-macosx_10_9_universal2.whl",
    "w-1.0-cp38-abi3-macosx_10_9_x86_64.whl",
    "w-1.0-cp312-cp312-macosx_14_0_x86_64.whl",
    "w-1.0-cp311-cp311-win_amd64.whl",
    "w-1.0-cp311-cp311-win32.whl",
    "w-1.0-cp312-cp312-win_arm64.whl",
    "w-1.0-cp311.cp312-cp311.cp312-win_amd64.whl",
    "w-1.0-cp313-cp313-manylinux_2_17_x86_64.musllinux_1_2_x86_64.whl",
    "w-1.0-pp310-pypy310_pp73-manylinux_2_17_x86_64.whl",
    "w-1.0-pp39-pypy39_pp73-win_amd64.whl",
    "w-1.0-cp311-none-any.whl",
]


@pytest.mark.parametrize("filename", WHEELS)
def test_marker_holds_exactly_where_a_tag_matches(filename: str) -> None:
    wheel = parse_wheel_name(filename)
    derived = marker_for_tags(wheel.tags)
    caveat_kinds = {c.kind for c in derived.caveats}
    wrong: list[str] = []
    for env in ENVIRONMENTS:
        installable = bool(env.tags() & wheel.tags)
        admitted = derived.marker is None or derived.marker.evaluate(env.marker_environment())
        if installable == admitted:
            continue
        # the marker may only over-admit, and only where a caveat names how this env differs
        if admitted and not installable and caveat_kinds & env.differs_in:
            continue
        wrong.append(f"{env.label}: tags say {installable}, marker {derived.marker} says {admitted}")
    assert not wrong, "\n".join(wrong)


def test_every_wheel_is_installable_somewhere_in_the_matrix() -> None:
    # guards the test above against an environment matrix that matches nothing
    for filename in WHEELS:
        wheel = parse_wheel_name(filename)
        assert any(env.tags() & wheel.tags for env in ENVIRONMENTS), filename


def test_pure_python_wheels_get_no_marker() -> None:
    for filename in ("w-1.0-py3-none-any.whl", "w-1.0-py2.py3-none-any.whl"):
        assert marker_for_tags(parse_wheel_name(filename).tags).marker is None


def test_caveats_name_what_markers_cannot_express() -> None:
    derived = marker_for_tags(parse_wheel_name("w-1.0-cp311-cp311-manylinux_2_28_x86_64.whl").tags)
    messages = " ".join(c.message for c in derived.caveats)
    assert "glibc 2.28 or newer" in messages
    mac = marker_for_tags(parse_wheel_name("w-1.0-cp311-cp311-macosx_11_0_arm64.whl").tags)
    assert any("macOS 11.0 or newer" in c.message for c in mac.caveats)
    assert marker_for_tags(parse_wheel_name("w-1.0-py3-none-any.whl").tags).caveats == ()


def test_compressed_tag_strings_are_accepted() -> None:
    a = marker_for_tags(["cp311-cp311-win_amd64", "cp312-cp312-win_amd64"]).marker
    b = marker_for_tags(parse_wheel_name("w-1.0-cp311.cp312-cp311.cp312-win_amd64.whl").tags).marker
    assert str(a) == str(b)


@pytest.mark.parametrize(
    ("filename", "label", "build"),
    [
        ("native-2.0-cp311-cp311-manylinux_2_17_x86_64-cu121.whl", "cu121", None),
        ("native-2.0-1-cp311-cp311-manylinux_2_17_x86_64-x86_64_v3.whl", "x86_64_v3", "1"),
        ("native-2.0-1-cp311-cp311-manylinux_2_17_x86_64.whl", None, "1"),
        ("native-2.0-cp311-cp311-manylinux_2_17_x86_64.whl", None, None),
    ],
)
def test_variant_file_names(filename: str, label: str | None, build: str | None) -> None:
    wheel = parse_wheel_name(filename)
    assert (wheel.name, wheel.version, wheel.variant_label, wheel.build) == ("native", "2.0", label, build)
    assert {str(t) for t in wheel.tags} == {"cp311-cp311-manylinux_2_17_x86_64"}


@pytest.mark.parametrize(
    "filename", ["native-2.0-py3-none-any-CUDA.whl", "native-2.0-py3-none-any-" + "a" * 17 + ".whl"]
)
def test_bad_variant_labels_are_refused(filename: str) -> None:
    with pytest.raises(InvalidWheelFilename, match="variant label"):
        parse_wheel_name(filename)


@pytest.mark.parametrize("tag", ["ip27-none-any", "cp311-cp311-freebsd_14_amd64", "cp311-weird-win_amd64"])
def test_unknown_tags_are_refused_by_name(tag: str) -> None:
    with pytest.raises(UnsupportedTag, match=tag.split("-")[0] if tag.startswith("ip") else "freebsd|weird"):
        marker_for_tags([tag])
