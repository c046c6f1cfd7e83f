#!/usr/bin/env python3
"""Benchmark of `sourcelift check`: (a) the checks alone on a large wheel, (b) a whole check against build + twine.

(a) A wheel of ``--wheel-mb`` MB (default 50: many modules, half compressible
    text, half random bytes, a correct RECORD) is generated, then read and
    checked in this process ``--check-runs`` times (``read_archive`` +
    ``run_checks``: every member decompressed once and hashed against RECORD).
    Target: median <= 1 s.  Each run must find nothing (it is a clean wheel), and
    a copy with one changed byte must be caught (SL604), or the bench says BROKEN.

(b) On a copy of example-projects/project-in-git, interleaved round by round:
    - candidate: ``sourcelift check PROJECT`` (publish-mode sdist, a wheel from it
      with sourcelift unavailable, the checks), the command installed in a fresh
      venv from a local wheelhouse;
    - baseline: ``python -m build PROJECT`` (sdist, then a wheel from it) with the
      same venv's build, then ``twine check dist/*``.
    Target: ratio of the medians candidate/baseline <= 1.15.  Both must succeed
    (the check finds nothing, twine says PASSED) or the bench says BROKEN.

Every build is offline against the wheelhouse (``--find-links``, or one built
first from this tree and the public index, as the test suite does).  Run it
with the development environment (it has build and twine)::

    .venv/bin/python bench/bench_check.py [--rounds 5] [--wheel-mb 50] [--check-runs 7] [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from _common import EXIT_MISSED, ROOT, Broken, add_common_options, in_workdir, use_repository

use_repository()

from tests.support import create_venv, find_uv, offline_environ  # noqa: E402
from tests.support.wheelhouse import build_wheelhouse  # noqa: E402
from tests.support.wheels import record_hash  # noqa: E402

PROJECT = ROOT / "example-projects" / "project-in-git"
MAX_CHECK_S = 1.0
MAX_RATIO = 1.15


# --------------------------------------------------------------------------- (a) the checks alone


def generate_wheel(path: Path, megabytes: float, seed: int = 1) -> int:
    """A clean wheel of about ``megabytes`` MB of file data; returns the number of files."""
    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    members: dict[str, bytes] = {}
    total, index = 0, 0
    while total < target:
        size = min(rng.randint(4_000, 400_000), target - total) or 1
        if index % 2:
            data = rng.randbytes(size)  # incompressible, like compiled extensions and data files
        else:
            line = f"VALUE_{index} = {rng.random()!r}  # generated module\n".encode()
            data = (line * (size // len(line) + 1))[:size]
        members[f"big/module_{index:05d}.py"] = data
        total += size
        index += 1
    dist_info = "big-1.0.dist-info"
    members[f"{dist_info}/METADATA"] = b"Metadata-Version: 2.4\nName: big\nVersion: 1.0\nSummary: generated\n\n"
    members[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    rows = []
    for name, data in members.items():
        rows.append([name, record_hash(data), str(len(data))])
    rows.append([f"{dist_info}/RECORD", "", ""])
    record = io.StringIO()
    csv.writer(record, lineterminator="\n").writerows(rows)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in [*members.items(), (f"{dist_info}/RECORD", record.getvalue().encode())]:
            zf.writestr(name, data)
    return len(members)


def corrupt_copy(wheel: Path, dest: Path) -> None:
    """The same wheel with one byte of one module changed (RECORD kept): SL604 must catch it."""
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "big/module_00000.py":
                data = bytes([data[0] ^ 1]) + data[1:]
            dst.writestr(info.filename, data)


def bench_checks(work: Path, megabytes: float, runs: int) -> float:
    from sourcelift_hook.check import read_archive, run_checks

    wheel = work / "big-1.0-py3-none-any.whl"
    files = generate_wheel(wheel, megabytes)
    size = wheel.stat().st_size
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        findings, _ = run_checks([read_archive(wheel)])
        times.append(time.perf_counter() - start)
        if findings:
            raise Broken(f"the clean generated wheel has findings: {findings[:3]}")
    bad = work / "bad" / wheel.name
    bad.parent.mkdir()
    corrupt_copy(wheel, bad)
    if [f.id for f in run_checks([read_archive(bad)])[0]] != ["SL604"]:
        raise Broken("a changed byte in the generated wheel was not reported as SL604")
    best, med = min(times), statistics.median(times)
    print(f"(a) checks alone: a {megabytes:g} MB wheel ({files} files, {size / 1e6:.1f} MB compressed), {runs} runs")
    print(f"    median {med:.3f} s, best {best:.3f} s  ({megabytes / med:.0f} MB/s)   target <= {MAX_CHECK_S:.2f} s")
    return med


# --------------------------------------------------------------------------- (b) check against build + twine


def timed(cmd: list[str], *, env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start, proc


def candidate(sourcelift: Path, project: Path, env: dict[str, str], cwd: Path) -> float:
    elapsed, proc = timed([str(sourcelift), "check", "--format", "json", str(project)], env=env, cwd=cwd)
    if proc.returncode != 0:
        raise Broken(f"sourcelift check exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    report = json.loads(proc.stdout)
    if report["findings"] or len(report["artifacts"]) != 2:
        raise Broken(f"sourcelift check did not check two clean artifacts: {proc.stdout}")
    return elapsed


def baseline(python: Path, project: Path, env: dict[str, str], cwd: Path) -> float:
    out = cwd / "dist"
    shutil.rmtree(out, ignore_errors=True)
    build_s, proc = timed([str(python), "-m", "build", "--outdir", str(out), str(project)], env=env, cwd=cwd)
    if proc.returncode != 0:
        raise Broken(f"python -m build exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    files = sorted(str(p) for p in out.iterdir())
    twine_s, proc = timed([sys.executable, "-m", "twine", "check", *files], env=env, cwd=cwd)
    if proc.returncode != 0 or proc.stdout.count("PASSED") != 2:
        raise Broken(f"twine check did not pass both files:\n{proc.stdout}\n{proc.stderr}")
    return build_s + twine_s


def bench_end_to_end(work: Path, wheelhouse: Path, rounds: int, warmup: int) -> float:
    env = offline_environ(find_links=[wheelhouse], scratch=work / "scratch", store=work / "store")
    env["SOURCELIFT_CACHE_DIR"] = str(work / "sourcelift-cache")
    env["NO_COLOR"] = "1"
    venv = create_venv(work / "venv", env=env, uv=find_uv())
    subprocess.run(venv.pip("install", "sourcelift-hook"), env=env, check=True, capture_output=True)
    project = shutil.copytree(PROJECT, work / "project", ignore=shutil.ignore_patterns("dist", "build", "*.egg-info"))
    cand, base = [], []
    for index in range(warmup + rounds):
        c = candidate(venv.bin("sourcelift"), project, env, work)
        b = baseline(venv.python, project, env, work)
        if index >= warmup:
            cand.append(c)
            base.append(b)
    c_med, b_med = statistics.median(cand), statistics.median(base)
    ratio = c_med / b_med
    print(f"(b) project-in-git, {rounds} interleaved rounds after {warmup} warm-up")
    for label, values, med in (
        ("candidate  sourcelift check PATH", cand, c_med),
        ("baseline   build + twine", base, b_med),
    ):
        print(f"    {label:<34} median {med:6.2f} s  ({', '.join(f'{t:.2f}' for t in values)})")
    print(f"    ratio candidate/baseline {ratio:.3f}   target <= {MAX_RATIO:.2f}")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds of (b) (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds of (b) first (default 1)")
    parser.add_argument("--wheel-mb", type=float, default=50.0, help="size of the generated wheel of (a) (default 50)")
    parser.add_argument("--check-runs", type=int, default=7, help="runs of (a) (default 7)")
    parser.add_argument("--find-links", type=Path, help="a complete wheelhouse (default: build one, as the tests do)")
    add_common_options(parser)
    args = parser.parse_args(argv)
    return in_workdir("sourcelift-bench-check-", args.keep, lambda work: run(args, work))


def run(args: argparse.Namespace, work: Path) -> int:
    (work / "a").mkdir()
    check_s = bench_checks(work / "a", args.wheel_mb, args.check_runs)
    wheelhouse = args.find_links
    if wheelhouse is None:
        print("building the wheelhouse (sourcelift, sourcelift-hook, build dependencies) ...", flush=True)
        wheelhouse = build_wheelhouse(work / "wheelhouse")
    ratio = bench_end_to_end(work / "b", wheelhouse.resolve(), args.rounds, args.warmup)
    missed = [
        name
        for name, ok in (("checks alone <= 1 s", check_s <= MAX_CHECK_S), ("ratio <= 1.15", ratio <= MAX_RATIO))
        if not ok
    ]
    print("targets: " + ("all met" if not missed else "MISSED " + ", ".join(missed)))
    return EXIT_MISSED if missed and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
