#!/usr/bin/env python3
"""Benchmark: a livekit/agents-shaped workspace member, in local and publish mode, cold and warm.

The generated workspace (in a git repository with a remote) has a top member
``agents`` with ``--extras`` optional-dependency extras (default 69), each naming one
plugin member (``plugins/plugin-NN``); the sources are ``workspace = true`` entries
of the workspace root, inherited by ``agents``.  Every version is dynamic, from
hatchling's ``[tool.hatch.version] path``, as in livekit/agents.  Every measured build
is a fresh interpreter calling the PEP 517 ``build_wheel`` hook in ``agents``::

    plain     hatchling.build.build_wheel (the baseline; it ignores the sources)
    local     sourcelift.build.build_wheel (git+URL@COMMIT#subdirectory lines)
    warm      publish mode, the version cache filled by the cold build
    cold      publish mode, an empty version cache: every plugin's backend runs
    backend   one plugin's version computed by its backend, in-process (the slowest of
              three plugins; the unit the cold target is stated in)

Rounds are interleaved.  Targets: local / plain <= 1.10, warm / plain <= 1.10,
cold / (backend + plain) <= 3.  Every wheel's Requires-Dist is checked; a wrong one
prints BROKEN and exits 2.

    .venv/bin/python bench/bench_workspace.py [--extras 69] [--rounds 5] [--json FILE] [--check] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from _common import EXIT_MISSED, ROOT, Broken, add_common_options, in_workdir
from _results import ratio, write

PLUGIN_SRC = ROOT / "plugin" / "src"
REMOTE = "https://example.com/acme/agents.git"
LOCAL_RATIO = WARM_RATIO = 1.10
COLD_RATIO = 3.0

CHILD = r"""
import sys
sys.path.insert(0, sys.argv[1])
backend, out = sys.argv[2], sys.argv[3]
if backend == "plain":
    import hatchling.build as hooks
    settings = None
else:
    import sourcelift.build as hooks
    settings = {"sourcelift-mode": backend}
print(hooks.build_wheel(out, settings))
"""

BACKEND_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from sourcelift.versions import directory_version
spent = []
for member in sys.argv[2:]:
    start = time.perf_counter()
    found = directory_version(Path(member), None)
    spent.append((time.perf_counter() - start) * 1e3)
    assert found.how == "backend", found
print(json.dumps(spent))
"""

# --stages: where a build's own time goes, timed in the build process (no profiler).  Private names
# are looked up best effort; a stage that no longer exists is left out.
STAGES_CHILD = r"""
import importlib, json, sys, time
sys.path.insert(0, sys.argv[1])
backend, out = sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
import hatchling.build
t1 = time.perf_counter()
import sourcelift.build
t2 = time.perf_counter()
spent = {}
def timed(owner, attribute, label):
    function = getattr(owner, attribute, None)
    if not callable(function):
        return
    spent[label] = 0.0  # in this order; 0.0: not run in this mode
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + (time.perf_counter() - start) * 1e3
    setattr(owner, attribute, wrapper)
wrapper_module = importlib.import_module("sourcelift.backends.wrapper")
plan_module = importlib.import_module("sourcelift.rewrite.plan")
timed(wrapper_module, "_plan", "plan (before the backend)")
timed(plan_module, "read_project", "  read the project and its requirements")
timed(plan_module, "resolve_sources", "  resolve the sources (members, versions)")
timed(plan_module.Plan, "declared_lines", "  render the declared lines")
publisher = importlib.import_module("sourcelift.rewrite.publish").Publisher
timed(publisher, "prefetch", "  versions of the members (publish)")
timed(plan_module, "_checkout", "  git facts (start git status)")
timed(hatchling.build, "build_wheel", "the wrapped backend's build_wheel")
timed(wrapper_module, "_finish_wheel", "rewrite (after the backend)")
timed(wrapper_module, "_transform", "  render the written lines")
timed(wrapper_module, "rewrite_wheel", "  rewrite METADATA and RECORD")
t3 = time.perf_counter()
sourcelift.build.build_wheel(out, {"sourcelift-mode": backend})
t4 = time.perf_counter()
spent["sourcelift.build.build_wheel, all of it"] = (t4 - t3) * 1e3
spent["import sourcelift.build (gross: packaging too)"] = (t2 - t1) * 1e3
print(json.dumps(spent))
"""


def stages(python: str, top: Path, out: Path, envs: dict[str, dict[str, str]], rounds: int) -> None:
    """Print the median of each stage of a local and a warm publish build (``--stages``)."""
    found: dict[str, dict[str, list[float]]] = {mode: {} for mode in envs}
    for _ in range(rounds):
        for mode, env in envs.items():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            backend = "local" if mode == "local" else "publish"
            proc = subprocess.run(
                [python, "-c", STAGES_CHILD, str(PLUGIN_SRC), backend, str(out)],
                cwd=top,
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise Broken(f"the {mode} stages build failed:\n{proc.stderr}")
            for label, value in json.loads(proc.stdout.strip().splitlines()[-1]).items():
                found[mode].setdefault(label, []).append(value)
    print(f"\nwhere a build's time goes (in-process timers, medians of {rounds} fresh processes, ms):")
    labels = list(dict.fromkeys(label for values in found.values() for label in values))
    print(f"  {'stage':<44}" + "".join(f"{mode:>10}" for mode in found))
    for label in labels:
        cells = "".join(
            f"{statistics.median(found[mode][label]):10.1f}" if label in found[mode] else f"{'-':>10}" for mode in found
        )
        print(f"  {label:<44}{cells}")


def plugin(index: int) -> str:
    return f"plugin-{index:02d}"


def make_workspace(root: Path, extras: int) -> str:
    """Write and commit the workspace; return the commit."""
    names = [plugin(i) for i in range(extras)]
    sources = "\n".join(f"{name} = {{ workspace = true }}" for name in ["agents", *names])
    (root / "plugins").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[tool.uv.workspace]\nmembers = ["agents", "plugins/*"]\n\n[tool.uv.sources]\n{sources}\n', encoding="utf-8"
    )
    (root / ".gitignore").write_text("__pycache__/\ndist/\n", encoding="utf-8")
    optional = "\n".join(f'{name.replace("plugin-", "p")} = ["{name}>=1.0"]' for name in names)
    agents = root / "agents"
    (agents / "agents").mkdir(parents=True)
    (agents / "agents" / "version.py").write_text('__version__ = "1.2.3"\n', encoding="utf-8")
    (agents / "agents" / "__init__.py").write_text("", encoding="utf-8")
    (agents / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n\n'
        '[tool.sourcelift]\nbackend = "hatchling.build"\n\n'
        '[project]\nname = "agents"\ndynamic = ["version"]\ndependencies = ["packaging"]\n\n'
        f"[project.optional-dependencies]\n{optional}\n\n"
        '[tool.hatch.version]\npath = "agents/version.py"\n\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["agents"]\n',
        encoding="utf-8",
    )
    for index, name in enumerate(names):
        directory = root / "plugins" / name
        package = name.replace("-", "_")
        (directory / package).mkdir(parents=True)
        (directory / package / "__init__.py").write_text("", encoding="utf-8")
        (directory / package / "version.py").write_text(f'__version__ = "1.0.{index}"\n', encoding="utf-8")
        (directory / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
            f'[project]\nname = "{name}"\ndynamic = ["version"]\ndependencies = ["agents>=1.0"]\n\n'
            f'[tool.hatch.version]\npath = "{package}/version.py"\n\n'
            f'[tool.hatch.build.targets.wheel]\npackages = ["{package}"]\n',
            encoding="utf-8",
        )
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="b@example.com")
    env.update(GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="b@example.com")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    for args in (
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "--all"],
        ["commit", "--quiet", "--no-gpg-sign", "-m", "workspace"],
        ["remote", "add", "origin", REMOTE],
        ["update-ref", "refs/remotes/origin/main", "HEAD"],  # as pushed: HEAD is on the remote
    ):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def build(python: str, top: Path, backend: str, out: Path, env: dict[str, str]) -> tuple[float, Path]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [python, "-c", CHILD, str(PLUGIN_SRC), backend, str(out)], cwd=top, env=env, capture_output=True, text=True
    )
    elapsed = (time.perf_counter() - start) * 1e3
    if proc.returncode != 0:
        raise Broken(f"the {backend} build failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, out / proc.stdout.strip().splitlines()[-1]


def requires_dist(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(name).decode()
    return [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Requires-Dist: ")]


def expect(wheel: Path, extras: int, mode: str, commit: str) -> None:
    wanted = ["packaging"]
    for index in range(extras):
        name, extra = plugin(index), plugin(index).replace("plugin-", "p")
        if mode == "plain":
            head = f"{name}>=1.0"
        elif mode == "local":
            head = f"{name} @ git+{REMOTE}@{commit}#subdirectory=plugins/{name} "
        else:
            head = f"{name}==1.0.{index},>=1.0"  # the default strategy pins the version found
        wanted.append(f'{head}; extra == "{extra}"')
    found = [line.replace("'", '"') for line in requires_dist(wheel)]  # hatchling quotes markers with '
    if sorted(found) != sorted(wanted):
        missing = sorted(set(wanted) - set(found))[:2]
        raise Broken(f"{mode}: unexpected Requires-Dist, e.g. {sorted(set(found) - set(wanted))[:2]} for {missing}")


def run(options: argparse.Namespace, work: Path) -> int:
    extras = options.extras
    commit = make_workspace(work / "ws", extras)
    top = work / "ws" / "agents"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCELIFT_", "PIP_"))}
    env["SOURCELIFT_STORE_DIR"] = str(work / "store")
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["SOURCELIFT_CACHE_DIR"] = str(work / "local-cache")  # local mode's (never the user's own cache)
    warm_env = {**env, "SOURCELIFT_CACHE_DIR": str(work / "warm-cache")}
    cold_cache = work / "cold-cache"
    cold_env = {**env, "SOURCELIFT_CACHE_DIR": str(cold_cache)}
    out = work / "out"
    sample = [str(work / "ws" / "plugins" / plugin(i)) for i in (0, extras // 2, extras - 1)]

    def backend_run() -> float:
        proc = subprocess.run(
            [options.python, "-c", BACKEND_CHILD, str(PLUGIN_SRC), *sample], env=env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise Broken(f"a plugin's version could not be computed:\n{proc.stderr}")
        return float(max(json.loads(proc.stdout)))

    # one unmeasured round: checks every variant, warms the OS and byte-code caches and the warm cache
    for mode, mode_env in (("plain", env), ("local", env), ("publish", warm_env)):
        _, wheel = build(options.python, top, mode, out, mode_env)
        expect(wheel, extras, mode, commit)
    backend_run()
    times: dict[str, list[float]] = {"plain": [], "local": [], "warm": [], "cold": [], "backend": []}
    for _ in range(options.rounds):
        times["plain"].append(build(options.python, top, "plain", out, env)[0])
        times["local"].append(build(options.python, top, "local", out, env)[0])
        elapsed, wheel = build(options.python, top, "publish", out, warm_env)
        times["warm"].append(elapsed)
        shutil.rmtree(cold_cache, ignore_errors=True)
        elapsed, wheel = build(options.python, top, "publish", out, cold_env)
        times["cold"].append(elapsed)
        expect(wheel, extras, "publish", commit)
        times["backend"].append(backend_run())
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"livekit-shaped member: {extras} extras, each a workspace plugin with a dynamic version; "
        f"{options.rounds} interleaved rounds, fresh process each"
    )
    for name, label in (
        ("plain", "plain hatchling (baseline)"),
        ("local", "sourcelift, local mode (git+URL@COMMIT lines)"),
        ("warm", "sourcelift, publish mode, warm version cache"),
        ("cold", f"sourcelift, publish mode, empty cache ({extras} backend runs)"),
        ("backend", "one plugin's backend run (slowest of 3), in-process"),
    ):
        values = ", ".join(f"{v:.0f}" for v in times[name])
        print(f"  {label:<62} median {medians[name]:8.1f} ms   [{values}]")
    figures = [
        ratio("livekit-shaped member, local mode", medians["local"], "plain hatchling", medians["plain"], LOCAL_RATIO),
        ratio("livekit-shaped member, publish warm", medians["warm"], "plain hatchling", medians["plain"], WARM_RATIO),
        ratio(
            "livekit-shaped member, publish cold",
            medians["cold"],
            "slowest backend run + plain",
            medians["backend"] + medians["plain"],
            COLD_RATIO,
        ),
    ]
    for figure in figures:
        state = "ok" if figure["met"] else "MISSED"
        print(f"  {figure['figure']:<44} ratio {figure['ratio']:.2f}  target {figure['target']}  {state}")
    write(options.json, figures)
    if options.stages:
        stages(options.python, top, out, {"local": env, "warm": warm_env}, max(options.rounds, 7))
    return EXIT_MISSED if options.check and not all(f["met"] for f in figures) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--extras", type=int, default=69, help="plugin members, one extra each (69)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (5)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with hatchling and packaging")
    parser.add_argument("--json", type=Path, help="also write the figures there (for bench/run_all.py)")
    parser.add_argument(
        "--stages", action="store_true", help="also print where a local and a warm build's own time goes"
    )
    add_common_options(parser)
    options = parser.parse_args(argv)
    return in_workdir("sourcelift-bench-workspace-", options.keep, lambda work: run(options, work))


if __name__ == "__main__":
    raise SystemExit(main())
