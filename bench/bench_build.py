#!/usr/bin/env python3
"""Benchmark: the project-in-git wheel built by sourcelift's wrapper backend vs. plain hatchling.

Both builds run on the same copy of ``example-projects/project-in-git`` (plain
hatchling ignores ``[tool.uv.sources]``), interleaved round by round, each in a
fresh interpreter so that import costs count, exactly as a PEP 517 frontend
calls ``build_wheel``::

    python -c "import <backend>; <backend>.build_wheel(outdir)"     # cwd = project copy

Run it with the development environment (``python3 tasks.py test`` creates it)::

    .venv/bin/python bench/bench_build.py [--rounds 15] [--python PY] [--check] [--profile]

Standard library only; the measured interpreter needs hatchling (and what
sourcelift imports: packaging, plus tomli on Python < 3.11).  See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from _common import EXIT_MISSED, ROOT, Broken, add_common_options, in_workdir
from _results import absolute, write
from _results import ratio as ratio_figure

try:
    import resource
except ImportError:  # Windows: no CPU times of child processes
    resource = None  # type: ignore[assignment]

PLUGIN_SRC = ROOT / "plugin" / "src"
PROJECT = ROOT / "example-projects" / "project-in-git"

# Targets by tree: a plain directory, or a git checkout with a remote and an in-repo directory source.
TARGETS = {"plain": (1.10, 30.0), "git": (1.05, 10.0)}
EXPECTED_LINE = "Requires-Dist: prebuilt @ file://"
REMOTE = "https://example.com/acme/project-in-git.git"
EXTRA_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "extra"
version = "1.0"
"""


# The child processes.  BASELINE and CANDIDATE are what a frontend runs, and are
# timed from outside (wall clock); they print the wheel's name (and the file
# sourcelift was imported from) after the build.  PROBE runs the same candidate
# build instrumented, in separate processes, to time sourcelift's own share.

BASELINE_CHILD = r"""
import sys
import hatchling.build
name = hatchling.build.build_wheel(sys.argv[1])
print(name)
if len(sys.argv) > 2:
    print("\n".join(sorted(sys.modules)))
"""

CANDIDATE_CHILD = r"""
import sys
import sourcelift.build
name = sourcelift.build.build_wheel(sys.argv[1])
print(name)
print(sourcelift.build.__file__)
if len(sys.argv) > 2:
    print("\n".join(sorted(sys.modules)))
"""

# The probe: import hatchling.build, then (marginal mode) every module the
# baseline process ends up importing (hatchling's build imports packaging and
# more later anyway), then time `import sourcelift.build`: what sourcelift adds
# to the process.  Gross mode skips the preloading: sourcelift is charged for
# everything it imports first, as -X importtime would.  Then hatchling's
# build_wheel is wrapped with a timer: sourcelift's own work is the wrapper's
# build_wheel minus the inner hatchling build_wheel it calls.  Only `sys` and
# `time` (loaded at interpreter start-up anyway) are imported before the
# clocks; `json` after them.
PROBE_CHILD = r"""
import sys, time
import hatchling.build
if len(sys.argv) > 2:
    with open(sys.argv[2], encoding="utf-8") as stream:
        for module in stream.read().split():
            try:
                __import__(module)
            except Exception:
                pass
t1 = time.perf_counter()
import sourcelift.build
t2 = time.perf_counter()

inner_calls = []
def timed(function, spent):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)
    return wrapper

hatchling.build.build_wheel = timed(hatchling.build.build_wheel, inner_calls)
# A breakdown of sourcelift's own steps, best effort: private names may change.
steps = {}
wrapper_module = sys.modules.get("sourcelift.backends.wrapper")
for attribute, label in (("_plan", "plan"), ("_finish_wheel", "rewrite+store")):
    function = getattr(wrapper_module, attribute, None)
    if callable(function):
        steps[label] = []
        setattr(wrapper_module, attribute, timed(function, steps[label]))

t3 = time.perf_counter()
name = sourcelift.build.build_wheel(sys.argv[1])
t4 = time.perf_counter()
import json
print(json.dumps({
    "wheel": name,
    "sourcelift_file": sourcelift.build.__file__,
    "import_ms": (t2 - t1) * 1e3,
    "build_ms": (t4 - t3) * 1e3,
    "inner_calls": len(inner_calls),
    "inner_ms": sum(inner_calls) * 1e3,
    "steps_ms": {label: sum(spent) * 1e3 for label, spent in steps.items()},
}))
"""

# cProfile of sourcelift's own work in one build_wheel call: the profiler is off
# while the inner hatchling build_wheel runs.
PROFILE_CHILD = r"""
import cProfile, pstats, sys
import hatchling.build
import sourcelift.build
profile = cProfile.Profile()
real_build_wheel = hatchling.build.build_wheel
def inner_build_wheel(*args, **kwargs):
    profile.disable()
    try:
        return real_build_wheel(*args, **kwargs)
    finally:
        profile.enable()
hatchling.build.build_wheel = inner_build_wheel
profile.runcall(sourcelift.build.build_wheel, sys.argv[1])
rows = [
    (ct * 1e3, tt * 1e3, nc, f"{function} ({filename}:{line})")
    for (filename, line, function), (_, nc, tt, ct, _) in pstats.Stats(profile).stats.items()
]
def show(title, selected, key, count):
    print(title)
    print(f"  {'cum ms':>7} {'self ms':>7} {'calls':>6}  function")
    for cum, own, calls, where in sorted(selected, key=key, reverse=True)[:count]:
        print(f"  {cum:7.2f} {own:7.2f} {calls:6d}  {where}")
ours = [row for row in rows if "sourcelift" in row[3]]
show("sourcelift's functions by cumulative time:", ours, lambda row: row[0], 20)
show("all functions by self time:", rows, lambda row: row[1], 15)
"""


def median(values: list[float]) -> float:
    return statistics.median(values)


def children_cpu_ms() -> float:
    """User + system CPU time of the finished child processes so far (NaN without `resource`)."""
    if resource is None:
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1e3


def run_child(
    python: str, code: str, args: list[str], *, cwd: Path, env: dict[str, str], what: str
) -> tuple[float, float, list[str]]:
    """Run one child process; return its wall and CPU times in ms and its output lines."""
    argv = [python, "-c", code, *args]
    cpu = children_cpu_ms()
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    wall_ms = (time.perf_counter() - start) * 1e3
    cpu_ms = children_cpu_ms() - cpu
    if result.returncode != 0:
        raise Broken(
            f"the {what} build failed (exit code {result.returncode}):\n"
            f"{result.stderr.strip()}\n{result.stdout.strip()}"
        )
    lines = result.stdout.splitlines()
    if not lines:
        raise Broken(f"the {what} build printed nothing:\n{result.stderr}")
    return wall_ms, cpu_ms, lines


def reset_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)


def wheel_metadata(outdir: Path, name: str, what: str) -> str:
    wheel = outdir / name
    if not wheel.is_file():
        raise Broken(f"the {what} build returned {name!r}, but {wheel} does not exist")
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        if len(names) != 1:
            raise Broken(f"the {what} wheel {name} has {len(names)} METADATA files")
        return archive.read(names[0]).decode("utf-8")


def prebuilt_lines(metadata: str) -> list[str]:
    return [line for line in metadata.splitlines() if line.startswith("Requires-Dist: prebuilt")]


def make_git_tree(project: Path) -> str:
    """Add an in-repo directory source ``libs/extra``, commit the copy in a git repository whose
    ``origin`` is :data:`REMOTE`; return the commit."""
    (project / "libs" / "extra" / "extra").mkdir(parents=True)
    (project / "libs" / "extra" / "extra" / "__init__.py").write_text("")
    (project / "libs" / "extra" / "pyproject.toml").write_text(EXTRA_PYPROJECT)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = text.replace('dependencies = ["prebuilt"]', 'dependencies = ["prebuilt", "extra"]')
    text += 'extra = { path = "libs/extra" }\n'
    pyproject.write_text(text, encoding="utf-8")
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="b@example.com")
    env.update(GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="b@example.com")
    for args in (
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "--all", "--force"],
        ["commit", "--quiet", "--no-gpg-sign", "-m", "bench"],
        ["remote", "add", "origin", REMOTE],
        ["update-ref", "refs/remotes/origin/main", "HEAD"],  # as pushed: HEAD is on the remote
    ):
        subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, check=True, capture_output=True, text=True)
    return head.stdout.strip()


def check_extra(outdir: Path, name: str, what: str, expected: str | None) -> None:
    """In a git tree: the directory source's line (``None``: no such source)."""
    if expected is None:
        return
    lines = [
        line for line in wheel_metadata(outdir, name, what).splitlines() if line.startswith("Requires-Dist: extra")
    ]
    if lines != [expected]:
        raise Broken(f"the {what} wheel must contain `{expected}`; it has {lines}")


def check_baseline(outdir: Path, name: str) -> None:
    lines = prebuilt_lines(wheel_metadata(outdir, name, "baseline"))
    if lines != ["Requires-Dist: prebuilt"]:
        raise Broken(
            "plain hatchling should write a bare `Requires-Dist: prebuilt` (it ignores "
            f"[tool.uv.sources]); the wheel has {lines}"
        )


def check_candidate(outdir: Path, store: Path, name: str, sourcelift_file: str, plugin_src: Path) -> None:
    source = Path(sourcelift_file).resolve()
    if plugin_src.resolve() not in source.parents:
        raise Broken(f"the candidate imported sourcelift from {source}, not from {plugin_src}")
    lines = prebuilt_lines(wheel_metadata(outdir, name, "candidate"))
    if len(lines) != 1 or not lines[0].startswith(EXPECTED_LINE):
        raise Broken(
            f"the sourcelift wheel must contain `{EXPECTED_LINE}...`; it has {lines}. "
            "A benchmark of a broken build is meaningless."
        )
    url = lines[0].split(" @ ", 1)[1].split(" ;", 1)[0].strip()
    target = Path(url2pathname(urlsplit(url).path))
    if not target.is_file() or store.resolve() not in target.resolve().parents:
        raise Broken(f"the wheel points at {target}, which is not a file in the store {store}")


def preflight(python: str, env: dict[str, str]) -> dict[str, str]:
    code = (
        "import json, sys\n"
        "from importlib.metadata import version\n"
        "import hatchling.build\n"
        "print(json.dumps({'python': sys.version.split()[0], 'executable': sys.executable,\n"
        "                  'hatchling': version('hatchling')}))\n"
    )
    result = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise Broken(
            f"{python} cannot import hatchling.build; run the benchmark with the development "
            "environment (`python3 tasks.py test` creates .venv), e.g. "
            f"`.venv/bin/python bench/bench_build.py`, or pass --python.\n{result.stderr.strip()}"
        )
    info: dict[str, str] = json.loads(result.stdout)
    return info


def child_env(store: Path, pycache: Path, plugin_src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(plugin_src), env.get("PYTHONPATH", "")) if p)
    env["SOURCELIFT_STORE_DIR"] = str(store)
    # Byte-code for every module (stdlib, hatchling, sourcelift) goes to one
    # temporary cache, warmed before measuring: like an installed backend, and
    # nothing is written into the work tree.
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    for name in ("PYTHONDONTWRITEBYTECODE", "SOURCELIFT_DEBUG", "PYTHONPROFILEIMPORTTIME"):
        env.pop(name, None)
    return env


def extra_modules(baseline: list[str], candidate: list[str]) -> dict[str, list[str]]:
    """Modules the candidate process imported that plain hatchling never did, by top package."""
    grouped: dict[str, list[str]] = {}
    for name in sorted(set(candidate) - set(baseline)):
        grouped.setdefault(name.split(".", 1)[0], []).append(name)
    return grouped


IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


def profile_imports(python: str, env: dict[str, str], cwd: Path, preload: Path) -> None:
    """`-X importtime` of `import sourcelift.build` after what plain hatchling imports."""
    code = (
        "import sys, hatchling.build\n"
        f"for m in open({str(preload)!r}, encoding='utf-8').read().split():\n"
        "    try: __import__(m)\n"
        "    except Exception: pass\n"
        "print('--- sourcelift ---', file=sys.stderr, flush=True)\n"
        "import sourcelift.build\n"
    )
    selfs: dict[str, list[float]] = {}
    cumulative: dict[str, list[float]] = {}
    runs = 5
    for _ in range(runs):
        result = subprocess.run(
            [python, "-X", "importtime", "-c", code],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
        _, _, ours = result.stderr.partition("--- sourcelift ---")
        for line in ours.splitlines():
            match = IMPORTTIME.match(line)
            if match:
                name = match.group(4)
                selfs.setdefault(name, []).append(int(match.group(1)) / 1e3)
                cumulative.setdefault(name, []).append(int(match.group(2)) / 1e3)
    if "sourcelift.build" not in cumulative:
        print("\n(no -X importtime output for sourcelift.build)")
        return
    med_self = {name: median(values) for name, values in selfs.items()}
    med_cum = {name: median(values) for name, values in cumulative.items()}
    print(
        f"\n-X importtime of `import sourcelift.build` after every module plain hatchling imports"
        f"\n(median of {runs}; importtime itself inflates the times): "
        f"{med_cum['sourcelift.build']:.1f} ms, {len(med_self)} modules"
    )
    by_package: dict[str, float] = {}
    for name, value in med_self.items():
        package = name if name.startswith("sourcelift") else name.split(".", 1)[0]
        by_package[package] = by_package.get(package, 0.0) + value
    print("  self time by module (sourcelift) or top-level package (others):")
    for package, value in sorted(by_package.items(), key=lambda item: -item[1]):
        if value >= 0.1:
            print(f"    {value:7.1f} ms  {package}")


def profile_work(python: str, env: dict[str, str], cwd: Path, outdir: Path, store: Path) -> None:
    reset_dir(outdir)
    reset_dir(store)
    result = subprocess.run(
        [python, "-c", PROFILE_CHILD, str(outdir)], cwd=cwd, env=env, capture_output=True, text=True
    )
    print(
        "\ncProfile of sourcelift's own work in one build_wheel call (the profiler is off"
        "\nwhile hatchling's build_wheel runs; cProfile itself inflates the times):"
    )
    print(result.stdout.rstrip() or result.stderr.rstrip())


FLOOR_CHILD = r"""
import sys
import hatchling.build
for module in sys.argv[2:]:
    __import__(module)
print(hatchling.build.build_wheel(sys.argv[1]))
"""


def floor(python: str, env: dict[str, str], cwd: Path, outdir: Path, workdir: Path, modules: int, rounds: int) -> None:
    """``--floor``: what importing sourcelift costs a plain build, against as many empty modules.

    Three plain hatchling builds, interleaved: as they are; with ``import sourcelift.build`` first
    (imported, never used: its modules, their classes and the interpreter's teardown of them); with
    ``modules`` empty modules imported first (what any code split into that many modules pays)."""
    package = workdir / "floor" / "emptypkg"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    for index in range(modules):
        (package / f"m{index}.py").write_text(f"X = {index}\n")
    floor_env = dict(env, PYTHONPATH=os.pathsep.join([str(package.parent), env.get("PYTHONPATH", "")]))
    variants = {
        "plain hatchling build": [],
        "+ import sourcelift.build (unused)": ["sourcelift.build"],
        f"+ import {modules} empty modules": [f"emptypkg.m{index}" for index in range(modules)],
    }
    times: dict[str, list[float]] = {label: [] for label in variants}
    for round_ in range(rounds + 1):
        for label, imports in variants.items():
            reset_dir(outdir)
            wall, _, _ = run_child(python, FLOOR_CHILD, [str(outdir), *imports], cwd=cwd, env=floor_env, what=label)
            if round_:
                times[label].append(wall)
    base = median(times["plain hatchling build"])
    print(f"\nthe import floor (wall time, medians of {rounds} interleaved rounds):")
    for label, values in times.items():
        print(f"  {label:<46} {median(values):7.1f} ms   {median(values) - base:+6.1f} ms")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def stats_row(label: str, values: list[float]) -> str:
    return f"  {label:<46} {median(values):7.1f} ms   (min {min(values):.1f}, max {max(values):.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (default 15)")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter for the builds; it must import hatchling (default: this one)",
    )
    parser.add_argument("--profile", action="store_true", help="also print -X importtime and cProfile breakdowns")
    parser.add_argument(
        "--plugin-src",
        type=Path,
        default=PLUGIN_SRC,
        help="the sourcelift source tree to measure (default: plugin/src of this checkout)",
    )
    add_common_options(parser)
    parser.add_argument(
        "--tree",
        choices=sorted(TARGETS),
        default="git",
        help="git (default): a checkout with a remote and an in-repo directory source; plain: outside git",
    )
    parser.add_argument("--json", type=Path, help="also write the figures there (for bench/run_all.py)")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure what importing sourcelift costs a plain build, against as many empty modules",
    )
    options = parser.parse_args(argv)
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")
    return in_workdir("sourcelift-bench-", options.keep, lambda workdir: run(options, workdir))


def run(options: argparse.Namespace, workdir: Path) -> int:
    project = workdir / "project-in-git"
    store = workdir / "store"
    outdir = workdir / "out"
    preload = workdir / "baseline-modules.txt"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build", "dist"))
    max_ratio, max_own = TARGETS[options.tree]
    extra_base = extra_cand = None
    if options.tree == "git":
        commit = make_git_tree(project)
        extra_base = "Requires-Dist: extra"
        extra_cand = f"Requires-Dist: extra @ git+{REMOTE}@{commit}#subdirectory=libs/extra"
    plugin_src: Path = options.plugin_src.resolve()
    env = child_env(store, workdir / "pycache", plugin_src)
    python = options.python
    info = preflight(python, env)

    def baseline(modules: bool = False) -> tuple[float, float, list[str]]:
        reset_dir(outdir)
        args = [str(outdir), "modules"] if modules else [str(outdir)]
        wall, cpu, lines = run_child(python, BASELINE_CHILD, args, cwd=project, env=env, what="baseline")
        check_baseline(outdir, lines[0])
        check_extra(outdir, lines[0], "baseline", extra_base)
        return wall, cpu, lines[1:]

    def candidate(modules: bool = False) -> tuple[float, float, list[str]]:
        reset_dir(outdir)
        reset_dir(store)  # every build populates the store from scratch: the full cost
        args = [str(outdir), "modules"] if modules else [str(outdir)]
        wall, cpu, lines = run_child(python, CANDIDATE_CHILD, args, cwd=project, env=env, what="candidate")
        if len(lines) < 2:
            raise Broken(f"the candidate printed {lines}, expected the wheel and a path")
        check_candidate(outdir, store, lines[0], lines[1], plugin_src)
        check_extra(outdir, lines[0], "candidate", extra_cand)
        return wall, cpu, lines[2:]

    def probe(marginal: bool) -> dict:
        reset_dir(outdir)
        reset_dir(store)
        args = [str(outdir), str(preload)] if marginal else [str(outdir)]
        _, _, lines = run_child(python, PROBE_CHILD, args, cwd=project, env=env, what="probe")
        try:
            report: dict = json.loads(lines[-1])
        except ValueError:
            raise Broken(f"the probe printed no report: {lines}") from None
        if report["inner_calls"] != 1:
            raise Broken(
                "sourcelift.build.build_wheel called hatchling.build.build_wheel "
                f"{report['inner_calls']} times, expected once; the own-work measurement "
                "does not apply"
            )
        check_candidate(outdir, store, report["wheel"], report["sourcelift_file"], plugin_src)
        check_extra(outdir, report["wheel"], "probe", extra_cand)
        return report

    where = (
        "in a git checkout with a remote and an in-repo directory source" if options.tree == "git" else "outside git"
    )
    print(
        f"sourcelift build benchmark: the project-in-git wheel {where}, {options.rounds} rounds, "
        "interleaved, a fresh process per build"
    )
    print(
        f"  python {info['python']} ({info['executable']}), hatchling {info['hatchling']},\n"
        f"  sourcelift from {plugin_src}"
    )

    # Warm-up, not measured: byte-code caches, the OS file cache; and which
    # modules each side imports.
    for _ in range(2):
        *_, base_modules = baseline(modules=True)
        *_, cand_modules = candidate(modules=True)
    preload.write_text("\n".join(m for m in base_modules if m != "__main__"), encoding="utf-8")
    probe(marginal=True)
    probe(marginal=False)
    extra = extra_modules(base_modules, cand_modules)

    base_wall: list[float] = []
    cand_wall: list[float] = []
    base_cpu: list[float] = []
    cand_cpu: list[float] = []
    imports: list[float] = []
    gross_imports: list[float] = []
    work: list[float] = []
    steps: dict[str, list[float]] = {}
    started = time.perf_counter()
    for _ in range(options.rounds):
        wall, cpu, _ = baseline()
        base_wall.append(wall)
        base_cpu.append(cpu)
        wall, cpu, _ = candidate()
        cand_wall.append(wall)
        cand_cpu.append(cpu)
        report = probe(marginal=True)
        imports.append(report["import_ms"])
        work.append(report["build_ms"] - report["inner_ms"])
        for label, value in report["steps_ms"].items():
            steps.setdefault(label, []).append(value)
        gross_imports.append(probe(marginal=False)["import_ms"])
    elapsed = time.perf_counter() - started

    difference = median(cand_wall) - median(base_wall)
    ratio = median(cand_wall) / median(base_wall)
    own = [i + w for i, w in zip(imports, work)]
    ratio_ok = ratio <= max_ratio
    own_ok = median(own) <= max_own

    print(
        f'\nend to end: wall time of `python -c "import B; B.build_wheel(out)"`, cwd = the '
        f"project copy\n(medians of {options.rounds}; {elapsed:.1f} s with the probes below)"
    )
    print(stats_row("baseline   hatchling.build", base_wall))
    print(stats_row("candidate  sourcelift.build", cand_wall))
    print(f"  {'difference of the medians':<46} {difference:+7.1f} ms")
    print(f"  {'ratio candidate/baseline':<46} {ratio:7.3f}      target <= {max_ratio:.2f}   {verdict(ratio_ok)}")
    if resource is not None:
        print(stats_row("CPU time (user+sys), baseline", base_cpu))
        print(stats_row("CPU time (user+sys), candidate", cand_cpu))
        print(f"  {'ratio of the CPU-time medians [0]':<46} {median(cand_cpu) / median(base_cpu):7.3f}")

    print("\nsourcelift's own share, timed inside separate probe processes (same build,\ninterleaved with the above):")
    print(stats_row("import sourcelift.build, marginal [1]", imports))
    print(stats_row("own work in build_wheel [2]", work))
    for label, values in steps.items():
        print(stats_row(f"  of which {label}", values))
    print(
        f"  {'import + own work (median of the sums)':<46} {median(own):7.1f} ms   "
        f"target <= {max_own:.0f} ms   {verdict(own_ok)}"
    )
    print(f"  {'end-to-end difference not timed in-process [3]':<46} {difference - median(own):+7.1f} ms")
    print(stats_row("for reference: import, gross [4]", gross_imports))
    print(
        "  [0] a cross-check, less sensitive than wall time to other load on the machine.\n"
        "  [1] after hatchling.build and every module the plain hatchling build imports\n"
        "      anyway (packaging, ...): the import cost sourcelift adds to the process.\n"
        "  [2] sourcelift.build.build_wheel minus the hatchling.build.build_wheel it calls\n"
        "      (config, plan, rewriting the wheel, copying the archive into an empty store).\n"
        "  [3] mostly interpreter shutdown tearing down sourcelift's extra modules and\n"
        "      classes, plus noise; no in-process timer sees it.\n"
        "  [4] right after `import hatchling.build` only: also charged for modules that\n"
        "      hatchling's build_wheel would import later anyway; overstates the cost."
    )
    count = sum(len(names) for names in extra.values())
    print(f"\nmodules the candidate process imports and the baseline never does: {count}")
    for package, names in sorted(extra.items(), key=lambda item: (-len(item[1]), item[0])):
        shown = ", ".join(n for n in names if n != package) or package
        print(f"  {package} ({len(names)}): {shown}")

    label = "wheel build, git checkout" if options.tree == "git" else "wheel build, outside git"
    write(
        options.json,
        [
            ratio_figure(f"{label} (wall)", median(cand_wall), "plain hatchling", median(base_wall), max_ratio),
            absolute(f"{label}: sourcelift import + own work", median(own), max_own),
        ],
    )
    missed = not (ratio_ok and own_ok)
    print(f"\nresult: {'targets missed' if missed else 'all targets met'}")

    if options.profile:
        profile_imports(python, env, project, preload)
        profile_work(python, env, project, outdir, store)
    if options.floor:
        ours = len(extra.get("sourcelift", []))
        floor(python, env, project, outdir, workdir, ours, options.rounds)

    return EXIT_MISSED if missed and options.check else 0


if __name__ == "__main__":
    sys.exit(main())
