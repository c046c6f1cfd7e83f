#!/usr/bin/env python3
"""Benchmark: version discovery of every member of a generated 200-member workspace, cold and warm cache.

The workspace (:func:`make_workspace`) is a uv workspace in a git repository: a
chain (member i depends on member i-1) plus fan-in (the top member depends on
all others); a share of the members has a dynamic version, computed by the
member's own build backend.  Every measured round is a fresh interpreter, as a
build process is, that calls ``sourcelift.versions.directory_version`` for every
member and times each call::

    cold    empty cache: every dynamic member runs its backend (the baseline)
    warm    the cache filled by the cold round: no backend runs

Run it with the development environment::

    .venv/bin/python bench/bench_versions.py [--members 200] [--dynamic 0.5] [--rounds 5]
        [--backend tiny|hatchling|hatch-vcs] [--check] [--keep]

Standard library only (the measured interpreter needs what sourcelift imports:
packaging, tomli below Python 3.11, and hatchling/hatch-vcs for those backends).
Target: warm discovery at most 5 ms per member.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from _common import EXIT_MISSED, ROOT, Broken, add_common_options, in_workdir

PLUGIN_SRC = ROOT / "plugin" / "src"
MAX_WARM_MS = 5.0
BACKENDS = ("tiny", "hatchling", "hatch-vcs")
TAG_VERSION = "1.0.0"
MANIFEST = "bench-workspace.json"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@sourcelift.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@sourcelift.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}

# A PEP 517 backend kept in each dynamic member (backend-path): it reads the
# version the way hatchling's `[tool.hatch.version] path` source does, without
# importing hatchling, so a cold discovery costs an interpreter start, not a
# hatchling import.  Wheels and sdists are hatchling's.
TINY_BACKEND = '''\
"""Version from src/<package>/__init__.py; wheels and sdists by hatchling."""
import os
import re


def _name_and_version():
    name = os.path.basename(os.getcwd())
    package = name.replace("-", "_")
    with open(os.path.join("src", package, "__init__.py"), encoding="utf-8") as stream:
        version = re.search(r'__version__ = "([^"]+)"', stream.read()).group(1)
    return name, package, version


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    name, package, version = _name_and_version()
    dist_info = "%s-%s.dist-info" % (package, version)
    os.makedirs(os.path.join(metadata_directory, dist_info))
    with open(os.path.join(metadata_directory, dist_info, "METADATA"), "w", encoding="utf-8") as stream:
        stream.write("Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (name, version))
    return dist_info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import hatchling.build

    return hatchling.build.build_wheel(wheel_directory, config_settings)


def build_sdist(sdist_directory, config_settings=None):
    import hatchling.build

    return hatchling.build.build_sdist(sdist_directory, config_settings)
'''

# One measured round: a fresh interpreter discovers every member's version.
ROUND_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
t0 = time.perf_counter()
from sourcelift.versions import VersionCache, directory_version
t1 = time.perf_counter()
from pathlib import Path
cache = VersionCache(Path(sys.argv[2]))
members = json.loads(sys.argv[3])
calls = []
for member in members:
    start = time.perf_counter()
    found = directory_version(Path(member), cache)
    calls.append([member, (time.perf_counter() - start) * 1e3, found.how, found.version])
t2 = time.perf_counter()
# the same again in this process: the steady state once git's answers are known
again = []
for member in members:
    start = time.perf_counter()
    found = directory_version(Path(member), cache)
    again.append([member, (time.perf_counter() - start) * 1e3, found.how, found.version])
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "total_ms": (t2 - t1) * 1e3, "calls": calls, "again": again}))
"""


def _git(*args: str, cwd: Path) -> None:
    env = {**os.environ, **GIT_ENV}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _dynamic_indices(count: int, dynamic: bool | float) -> set[int]:
    """Which of the ``count`` members below the top have a dynamic version, spread evenly."""
    share = 1.0 if dynamic is True else 0.0 if dynamic is False else float(dynamic)
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"dynamic must be a bool or a share between 0 and 1, not {dynamic!r}")
    return {index for index in range(count) if int((index + 1) * share) > int(index * share)}


def member_name(index: int) -> str:
    return f"member-{index:03d}"


def make_workspace(root: Path, members: int, dynamic: bool | float, backend: str = "tiny") -> Path:
    """Write a uv workspace of ``members`` members into ``root`` (a new directory) and commit it.

    Member i (``packages/member-<i>``) depends on member i-1; the top member (the
    last) depends on all others and uses ``sourcelift.build``.  ``dynamic`` (True,
    False or a share) decides how many of the others take their version from
    their backend: ``tiny`` (an in-tree backend, see :data:`TINY_BACKEND`),
    ``hatchling`` (``[tool.hatch.version] path``) or ``hatch-vcs`` (the tag
    ``v1.0.0``, made on the one commit).  Static member i is version ``1.0.<i>``,
    and so is a dynamic one, except with hatch-vcs (``1.0.0``).  ``bench-workspace.json``
    at the root lists every member with its expected version.  Returns ``root``.
    """
    if members < 2:
        raise ValueError("a workspace needs at least 2 members (a chain and its top)")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    root.mkdir(parents=True)
    names = [member_name(index) for index in range(members)]
    top = members - 1
    dynamic_set = _dynamic_indices(top, dynamic)
    sources = "\n".join(f"{name} = {{ workspace = true }}" for name in names)
    (root / "pyproject.toml").write_text(
        f'[tool.uv.workspace]\nmembers = ["packages/*"]\n\n[tool.uv.sources]\n{sources}\n', encoding="utf-8"
    )
    (root / ".gitignore").write_text("__pycache__/\ndist/\nbuild/\n", encoding="utf-8")
    manifest = {}
    for index, name in enumerate(names):
        directory = root / "packages" / name
        package = name.replace("-", "_")
        (directory / "src" / package).mkdir(parents=True)
        version = f"1.0.{index}"
        (directory / "src" / package / "__init__.py").write_text(f'__version__ = "{version}"\n', encoding="utf-8")
        # the chain (i depends on i-1), and the fan-in (the top depends on all)
        dependencies = [n for n in names if n != name] if index == top else names[max(index - 1, 0) : index]
        deps = ", ".join(f'"{dependency}"' for dependency in dependencies)
        wheel_table = f'[tool.hatch.build.targets.wheel]\npackages = ["src/{package}"]\n'
        if index in dynamic_set:
            if backend == "tiny":
                (directory / "_backend").mkdir()
                (directory / "_backend" / "tiny_backend.py").write_text(TINY_BACKEND, encoding="utf-8")
                build = (
                    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "tiny_backend"\n'
                    'backend-path = ["_backend"]\n'
                )
                hatch_version = f'[tool.hatch.version]\npath = "src/{package}/__init__.py"\n'
            elif backend == "hatchling":
                build = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
                hatch_version = f'[tool.hatch.version]\npath = "src/{package}/__init__.py"\n'
            else:
                build = '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n'
                hatch_version = (
                    '[tool.hatch.version]\nsource = "vcs"\nraw-options = { search_parent_directories = true }\n'
                )
                version = TAG_VERSION
            project = f'[project]\nname = "{name}"\ndynamic = ["version"]\ndependencies = [{deps}]\n'
            text = f"{build}\n{project}\n{hatch_version}\n{wheel_table}"
        else:
            if index == top:
                build = (
                    '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n\n'
                    '[tool.sourcelift]\nbackend = "hatchling.build"\n'
                )
            else:
                build = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
            project = f'[project]\nname = "{name}"\nversion = "{version}"\ndependencies = [{deps}]\n'
            text = f"{build}\n{project}\n{wheel_table}"
        (directory / "pyproject.toml").write_text(text, encoding="utf-8")
        manifest[str(directory.relative_to(root).as_posix())] = {"version": version, "dynamic": index in dynamic_set}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    _git("init", "--quiet", "--initial-branch=main", cwd=root)
    _git("add", "--all", cwd=root)
    _git("commit", "--quiet", "--no-gpg-sign", "-m", "generated workspace", cwd=root)
    if backend == "hatch-vcs":
        _git("tag", f"v{TAG_VERSION}", cwd=root)
    return root


def _round(python: str, plugin_src: Path, cache_dir: Path, members: list[Path], env: dict[str, str]) -> dict:
    argv = [python, "-c", ROUND_CHILD, str(plugin_src), str(cache_dir), json.dumps([str(m) for m in members])]
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise Broken(f"a discovery round failed (exit code {result.returncode}):\n{result.stderr.strip()}")
    data: dict = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def _check(data: dict, expected: dict[str, dict], root: Path, cold: bool) -> None:
    for key in ("calls", "again"):
        for member, _ms, how, version in data[key]:
            relative = Path(member).relative_to(root).as_posix()
            want = expected[relative]
            if version != want["version"]:
                raise Broken(f"{relative}: discovered {version}, expected {want['version']}")
            wanted_how = "static" if not want["dynamic"] else ("backend" if cold and key == "calls" else "cache")
            if how != wanted_how:
                raise Broken(f"{relative}: answered from {how!r}, expected {wanted_how!r} ({key}, cold={cold})")


def _per_kind(calls: list, expected: dict[str, dict], root: Path, dynamic: bool) -> list[float]:
    return [
        ms
        for member, ms, _how, _v in calls
        if expected[Path(member).relative_to(root).as_posix()]["dynamic"] is dynamic
    ]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run(options: argparse.Namespace, workdir: Path) -> int:
    root = make_workspace(workdir / "workspace", options.members, options.dynamic, options.backend)
    expected = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    members = [root / relative for relative in expected]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOURCELIFT_", "GIT_DIR", "PIP_BUILD_TRACKER"))
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")  # no byte code written into the work tree or the workspace
    cache_dir = workdir / "cache"
    dynamic_count = sum(1 for item in expected.values() if item["dynamic"])
    print(
        f"workspace: {len(members)} members ({dynamic_count} dynamic, backend {options.backend!r}), "
        f"chain + fan-in, in git at {root}"
    )
    _round(options.python, options.plugin_src, workdir / "warm-up-cache", members[:2], env)  # fill byte code
    cold = _round(options.python, options.plugin_src, cache_dir, members, env)
    _check(cold, expected, root, cold=True)
    warm = [_round(options.python, options.plugin_src, cache_dir, members, env) for _ in range(options.rounds)]
    for data in warm:
        _check(data, expected, root, cold=False)

    cold_dynamic = _median(_per_kind(cold["calls"], expected, root, True))
    cold_static = _median(_per_kind(cold["calls"], expected, root, False))
    warm_dynamic = _median([ms for data in warm for ms in _per_kind(data["calls"], expected, root, True)])
    warm_static = _median([ms for data in warm for ms in _per_kind(data["calls"], expected, root, False)])
    steady_dynamic = _median([ms for data in warm for ms in _per_kind(data["again"], expected, root, True)])
    first_dynamic = _median(
        [next((ms for ms in _per_kind(data["calls"], expected, root, True)), float("nan")) for data in warm]
    )
    warm_total = _median([data["total_ms"] for data in warm])
    warm_per_member = warm_total / len(members)
    imports = _median([data["import_ms"] for data in warm])

    print("\ncold (empty cache; every dynamic member runs its backend), 1 round:")
    print(f"  dynamic member, median       {cold_dynamic:9.2f} ms   (baseline: a backend run)")
    print(f"  static member, median        {cold_static:9.2f} ms")
    print(f"  all {len(members)} members               {cold['total_ms']:9.1f} ms")
    print(f"warm (cache filled), {options.rounds} rounds, each a fresh process:")
    print(f"  dynamic member, median       {warm_dynamic:9.3f} ms")
    print(f"  static member, median        {warm_static:9.3f} ms")
    print(f"  first dynamic member         {first_dynamic:9.2f} ms   (includes git's answers, asked once per process)")
    print(f"  dynamic member, steady state {steady_dynamic:9.3f} ms   (second pass in the same process)")
    print(f"  all {len(members)} members, median total {warm_total:9.1f} ms = {warm_per_member:.3f} ms per member")
    print(f"  import sourcelift.versions   {imports:9.2f} ms   (once per process, not in the totals)")
    ratio = warm_dynamic / cold_dynamic if dynamic_count else float("nan")
    print(f"\nratio warm/cold (dynamic member medians): {ratio:.4f}")
    worst = max(warm_dynamic if dynamic_count else 0.0, warm_per_member)
    met = worst <= MAX_WARM_MS
    print(
        f"target: warm discovery <= {MAX_WARM_MS:.0f} ms per member "
        f"(median {warm_dynamic:.3f} ms, whole process {warm_per_member:.3f} ms per member): "
        + ("met" if met else "MISSED")
    )
    return 0 if met or not options.check else EXIT_MISSED


def _share(text: str) -> bool | float:
    lowered = text.lower()
    if lowered in ("true", "all"):
        return True
    if lowered in ("false", "none"):
        return False
    return float(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200, help="workspace members, the top one included (200)")
    parser.add_argument(
        "--dynamic", type=_share, default=0.5, help="share of dynamic versions: 0..1, true, false (0.5)"
    )
    parser.add_argument("--backend", choices=BACKENDS, default="tiny", help="what computes dynamic versions (tiny)")
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds, each a fresh process (5)")
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs the discovery")
    parser.add_argument("--plugin-src", type=Path, default=PLUGIN_SRC, help="sourcelift source tree (plugin/src)")
    add_common_options(parser, check="exit 1 when the target is missed")
    options = parser.parse_args(argv)
    return in_workdir("sourcelift-bench-versions-", options.keep, lambda workdir: run(options, workdir))


if __name__ == "__main__":
    sys.exit(main())
