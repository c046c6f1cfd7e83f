#!/usr/bin/env python3
"""Benchmark: a publish-mode wheel build of the top member of a generated 200-member workspace.

Uses :func:`bench_versions.make_workspace` (a chain plus fan-in; the top member
depends on every other one through ``workspace = true`` sources).  Every
measured build is a fresh interpreter calling the PEP 517 ``build_wheel`` hook
in the top member's directory, as a frontend's build process does::

    plain      hatchling.build.build_wheel, every version static (the baseline)
    publish    sourcelift.build.build_wheel -C sourcelift-mode=publish, every version static
    cold       publish mode, half the members with dynamic versions, empty version cache
    warm       the same with the cache the cold build filled

Rounds are interleaved (plain, publish, cold, warm), so machine noise hits all.
Target: publish / plain at most 1.10 with static versions.  The cold and warm
figures show what the cache saves; per-member warm discovery is measured by
bench_versions.py.

    .venv/bin/python bench/bench_publish.py [--members 200] [--rounds 7] [--check] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, add_common_options, in_workdir
from bench_versions import make_workspace, member_name

PLUGIN_SRC = ROOT / "plugin" / "src"
MAX_RATIO = 1.10

CHILD = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
backend, out = sys.argv[2], sys.argv[3]
if backend == "plain":
    import hatchling.build as hooks
    settings = None
else:
    import sourcelift.build as hooks
    settings = {"sourcelift-mode": "publish"}
print(hooks.build_wheel(out, settings))
"""


def build(python: str, top: Path, backend: str, out: Path, env: dict[str, str]) -> tuple[float, Path]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [python, "-c", CHILD, str(PLUGIN_SRC), backend, str(out)],
        cwd=top,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = (time.perf_counter() - start) * 1e3
    if proc.returncode != 0:
        raise SystemExit(f"{backend} build failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, out / proc.stdout.strip().splitlines()[-1]


def requires_dist(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(name).decode()
    return [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Requires-Dist: ")]


def expect(wheel: Path, members: int, what: str, pinned: bool) -> None:
    lines = requires_dist(wheel)
    wanted = [f"{member_name(i)}==1.0.{i}" if pinned else member_name(i) for i in range(members - 1)]
    if sorted(lines) != sorted(wanted):
        raise SystemExit(f"{what}: unexpected Requires-Dist, e.g. {lines[:3]} (wanted e.g. {wanted[:3]})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200, help="workspace members, the top one included (200)")
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (7)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with hatchling and packaging")
    add_common_options(parser, check="exit 1 when the target is missed")
    options = parser.parse_args(argv)
    return in_workdir("sourcelift-bench-publish-", options.keep, lambda work: run(options, work))


def run(options: argparse.Namespace, work: Path) -> int:
    members = options.members
    static = make_workspace(work / "static", members, False)
    dynamic = make_workspace(work / "dynamic", members, 0.5)
    top = Path("packages") / member_name(members - 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCELIFT_", "PIP_"))}
    env["SOURCELIFT_STORE_DIR"] = str(work / "store")
    # byte-code for every module in one temporary cache, warmed by the unmeasured round: like an
    # installed backend (pip compiles on install), and nothing written into the source tree
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cache = work / "cache"
    times: dict[str, list[float]] = {"plain": [], "publish": [], "cold": [], "warm": []}
    # one unmeasured round: checks every variant, warms the OS caches and the byte-code cache
    _, wheel = build(options.python, static / top, "plain", work / "out", env)
    expect(wheel, members, "plain", pinned=False)
    _, wheel = build(options.python, static / top, "publish", work / "out", {**env, "SOURCELIFT_NO_CACHE": "1"})
    expect(wheel, members, "publish", pinned=True)
    warm = {**env, "SOURCELIFT_CACHE_DIR": str(work / "warmup-cache")}
    build(options.python, dynamic / top, "publish", work / "out", warm)
    for _ in range(options.rounds):
        elapsed, _ = build(options.python, static / top, "plain", work / "out", env)
        times["plain"].append(elapsed)
        elapsed, _ = build(options.python, static / top, "publish", work / "out", {**env, "SOURCELIFT_NO_CACHE": "1"})
        times["publish"].append(elapsed)
        shutil.rmtree(cache, ignore_errors=True)
        cached = {**env, "SOURCELIFT_CACHE_DIR": str(cache)}
        elapsed, wheel = build(options.python, dynamic / top, "publish", work / "out", cached)
        times["cold"].append(elapsed)
        expect(wheel, members, "cold", pinned=True)
        elapsed, wheel = build(options.python, dynamic / top, "publish", work / "out", cached)
        times["warm"].append(elapsed)
        expect(wheel, members, "warm", pinned=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    dynamic_members = (members - 1) // 2
    print(f"{members}-member workspace, top member's wheel, {options.rounds} interleaved rounds, fresh process each")
    for name, label in (
        ("plain", "plain hatchling, static versions (baseline)"),
        ("publish", "sourcelift publish mode, static versions"),
        ("cold", f"publish mode, {dynamic_members} dynamic versions, cold cache"),
        ("warm", f"publish mode, {dynamic_members} dynamic versions, warm cache"),
    ):
        values = ", ".join(f"{v:.0f}" for v in times[name])
        print(f"  {label:<58} median {medians[name]:8.1f} ms   [{values}]")
    ratio = medians["publish"] / medians["plain"]
    saved = (medians["cold"] - medians["warm"]) / max(dynamic_members, 1)
    print(f"  overhead ratio publish / plain: {ratio:.3f} (target <= {MAX_RATIO:.2f})")
    print(f"  warm cache saves {saved:.1f} ms per dynamic member against cold")
    extra = (medians["warm"] - medians["publish"]) / max(dynamic_members, 1)
    print(f"  warm over static: {extra:.2f} ms per dynamic member")
    if options.check and ratio > MAX_RATIO:
        print("target missed")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
