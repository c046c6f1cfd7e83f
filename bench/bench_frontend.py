#!/usr/bin/env python3
"""Benchmark: `sourcelift provenance` and `sourcelift freeze` against `pip freeze` on one generated environment.

The environment (default 2,000 installed distributions) is written into a temporary
``site-packages``: every distribution has METADATA (with a description body, as real ones
have), RECORD, INSTALLER, WHEEL and a package of a few files; a mix of ``direct_url.json``
kinds (none, archive, VCS, directory, uv's archive-in-git form); some distributions carry a
sourcelift provenance document whose entries describe archives and directories installed
next to them (the archives are real wheels in a generated store, so that provenance checks
them for real).  Then, interleaved, each in a fresh process::

    python -m pip freeze --path SITE                        (baseline)
    python -m sourcelift_hook provenance --path SITE        (candidate 1)
    python -m sourcelift_hook freeze --path SITE            (candidate 2)

Run it with the development environment::

    .venv/bin/python bench/bench_frontend.py [--dists 2000] [--rounds 15] [--check]

Standard library only (with tests/support/wheels.py of this checkout).  See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from _common import EXIT_MISSED, ROOT, Broken, add_common_options, in_workdir, use_repository

use_repository()

from tests.support.wheels import record_hash  # noqa: E402
from tests.support.wheels import wheel_bytes as _wheel_bytes  # noqa: E402

SOURCES = [ROOT / "frontend_hook" / "src", ROOT / "plugin" / "src"]
MAX_RATIO = 0.5
COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPO = "https://example.com/org/monorepo.git"
DESCRIPTION = "".join(f"Line {i} of a long description: with a colon, and Name: not-a-header.\n" for i in range(120))


def files_of(name: str, version: str, salt: str) -> dict[str, bytes]:
    module = name.replace("-", "_")
    return {
        f"{module}/__init__.py": f"__version__ = {version!r}  # {salt}\n".encode(),
        f"{module}/core.py": (f"def run():\n    return {name!r}\n" * 20).encode(),
        f"{module}/py.typed": b"",
    }


def metadata(name: str, version: str, requires: list[str]) -> bytes:
    head = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        "Summary: generated for the sourcelift frontend benchmark",
        "License: MIT",
        "Classifier: Programming Language :: Python :: 3",
    ]
    head += [f"Requires-Dist: {line}" for line in requires]
    return ("\n".join(head) + "\n\n" + DESCRIPTION).encode()


def wheel_bytes(name: str, version: str, files: dict[str, bytes]) -> bytes:
    """The suite's wheel builder, stored uncompressed as before, with this benchmark's METADATA."""
    return _wheel_bytes(name, version, meta=metadata(name, version, []), files=files, compression=zipfile.ZIP_STORED)


def install(
    site: Path, name: str, version: str, files: dict[str, bytes], extra: dict[str, bytes], requires: list[str]
) -> None:
    dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
    everything = dict(files)
    everything[f"{dist_info}/METADATA"] = metadata(name, version, requires)
    everything[f"{dist_info}/INSTALLER"] = b"pip\n"
    everything[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    for file, data in extra.items():
        everything[f"{dist_info}/{file}"] = data
    rows = [f"{path},{record_hash(data)},{len(data)}" for path, data in sorted(everything.items())]
    rows.append(f"{dist_info}/RECORD,,")
    everything[f"{dist_info}/RECORD"] = ("\n".join(rows) + "\n").encode()
    for path, data in everything.items():
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def generate(site: Path, store: Path, count: int, seed: int = 7) -> dict[str, int]:
    """Write ``count`` installed distributions; returns how many of each origin it made."""
    rng = random.Random(seed)
    kinds = {"index": 0, "archive": 0, "vcs": 0, "directory": 0, "uv": 0, "archive-in-git": 0, "directory-in-git": 0}
    owners = max(1, count // 40)  # distributions with a provenance document
    plan = []
    for index in range(count):
        name = f"pkg-{index:05d}"
        if index < owners:
            plan.append((name, "owner"))
            continue
        roll = rng.random()
        kind = (
            "index"
            if roll < 0.55
            else "archive"
            if roll < 0.70
            else "vcs"
            if roll < 0.80
            else "directory"
            if roll < 0.88
            else "uv"
            if roll < 0.92
            else "in-git"
        )
        plan.append((name, kind))
    in_git = [name for name, kind in plan if kind == "in-git"]
    assigned: dict[str, list[str]] = {}
    for position, name in enumerate(in_git):
        assigned.setdefault(plan[position % owners][0], []).append(name)
    entries_of: dict[str, list[dict[str, object]]] = {}
    uv_copies: dict[str, list[str]] = {}
    for index, (name, kind) in enumerate(plan):
        if kind == "owner":
            continue  # written last, with its provenance document
        version = f"1.{len(name) % 7}.{name[-1]}"
        files = files_of(name, version, kind)
        extra: dict[str, bytes] = {}
        if kind == "archive":
            url = f"https://files.example.com/{name}-{version}-py3-none-any.whl"
            digest = hashlib.sha256(name.encode()).hexdigest()
            extra["direct_url.json"] = json.dumps({"url": url, "archive_info": {"hashes": {"sha256": digest}}}).encode()
        elif kind == "vcs":
            extra["direct_url.json"] = json.dumps(
                {"url": REPO, "vcs_info": {"vcs": "git", "commit_id": COMMIT}}
            ).encode()
        elif kind == "directory":
            source = store.parent / "src" / name
            source.mkdir(parents=True)
            extra["direct_url.json"] = json.dumps({"url": source.as_uri(), "dir_info": {}}).encode()
        elif kind == "uv":
            # uv's own record of an archive in the repository; a dependent built from the same commit names
            # the store copy (`sourcelift freeze` checks that wheel against the installed files)
            data = wheel_bytes(name, version, files)
            stored = (
                store
                / "sha256"
                / hashlib.sha256(data).hexdigest()
                / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
            )
            stored.parent.mkdir(parents=True, exist_ok=True)
            stored.write_bytes(data)
            owner = plan[index % owners][0]
            uv_copies.setdefault(owner, []).append(f"{name} @ {stored.as_uri()}")
            record = {"url": REPO, "vcs_info": {"vcs": "git", "commit_id": COMMIT}, "path": f"vendor/{name}.whl"}
            extra["direct_url.json"] = json.dumps(record).encode()
        elif kind == "in-git":
            owner = next(o for o, members in assigned.items() if name in members)
            entries = entries_of.setdefault(owner, [])
            if len(entries) % 2 == 0:  # an archive in the repository, copied into the store
                data = wheel_bytes(name, version, files)
                digest = hashlib.sha256(data).hexdigest()
                filename = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
                stored = store / "sha256" / digest / filename
                stored.parent.mkdir(parents=True, exist_ok=True)
                stored.write_bytes(data)
                url = stored.as_uri()
                extra["direct_url.json"] = json.dumps(
                    {"url": url, "archive_info": {"hashes": {"sha256": digest}}}
                ).encode()
                entries.append(
                    {
                        "name": name,
                        "kind": "archive",
                        "url": REPO,
                        "commit_id": COMMIT,
                        "requested_revision": "main",
                        "path": f"vendor/{filename}",
                        "subdirectory": None,
                        "filename": filename,
                        "sha256": digest,
                        "state": "committed",
                        "emitted": [f"{name} @ {url}"],
                    }
                )
                kind = "archive-in-git"
            else:  # a workspace member, built in a temporary clone that is gone
                url = f"file:///tmp/pip-install-gone/{owner}/packages/{name}"
                extra["direct_url.json"] = json.dumps({"url": url, "dir_info": {}}).encode()
                entries.append(
                    {
                        "name": name,
                        "kind": "directory",
                        "url": REPO,
                        "commit_id": COMMIT,
                        "requested_revision": "main",
                        "path": f"packages/{name}",
                        "subdirectory": None,
                        "filename": None,
                        "sha256": None,
                        "state": "committed",
                        "emitted": [f"{name} @ {url}"],
                    }
                )
                kind = "directory-in-git"
        kinds[kind] += 1
        install(site, name, version, files, extra, [])
    for name, kind in plan:
        if kind != "owner":
            continue
        version = f"1.{len(name) % 7}.{name[-1]}"
        entries = entries_of.get(name, [])
        document = {"version": "1", "generator": "sourcelift 0.1.0", "entries": entries}
        extra = {
            "direct_url.json": json.dumps({"url": REPO, "vcs_info": {"vcs": "git", "commit_id": COMMIT}}).encode(),
            "sourcelift-provenance.json": (json.dumps(document, indent=2, sort_keys=True) + "\n").encode(),
        }
        requires = [line for entry in entries for line in entry["emitted"]]  # type: ignore[union-attr]
        requires += uv_copies.get(name, [])
        install(site, name, version, files_of(name, version, kind), extra, requires)
        kinds["vcs"] += 1
    return kinds


def child_env(pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "SOURCELIFT_"))}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in SOURCES)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - start, proc


def verify(label: str, proc: subprocess.CompletedProcess[str], kinds: dict[str, int], count: int) -> str | None:
    """What is wrong with a run's output, or None."""
    if proc.returncode != 0:
        return f"{label} exited {proc.returncode}: {proc.stderr[-2000:]}"
    if label == "pip freeze":
        lines = [line for line in proc.stdout.splitlines() if line.startswith("pkg-")]
        return None if len(lines) == count else f"pip freeze listed {len(lines)} of {count}"
    if label == "provenance":
        report = json.loads(proc.stdout)
        seen: dict[str, int] = {}
        for dist in report["distributions"]:
            seen[dist["origin"]] = seen.get(dist["origin"], 0) + 1
            if dist["checks"] is not None and dist["checks"]["files"] != "ok":
                return f"provenance: files of {dist['name']} do not match"
        wanted = kinds["archive-in-git"] + kinds["uv"]
        if len(report["distributions"]) != count or seen.get("archive-in-git", 0) != wanted:
            return f"provenance: {len(report['distributions'])} distributions, origins {seen}"
        if seen.get("directory-in-git", 0) != kinds["directory-in-git"]:
            return f"provenance: origins {seen}"
        return None
    lines = [line for line in proc.stdout.splitlines() if line.startswith("pkg-")]
    return None if len(lines) == count else f"freeze listed {len(lines)} of {count}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dists", type=int, default=2000, help="installed distributions to generate (default 2000)")
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (default 15), after 2 warm-up rounds")
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs all three (needs pip)")
    add_common_options(parser, check="exit 1 when the target ratio is missed")
    args = parser.parse_args(argv)
    return in_workdir("sourcelift-bench-frontend-", args.keep, lambda work: run(args, work))


def run(args: argparse.Namespace, work: Path) -> int:
    site = work / "lib" / "python3" / "site-packages"
    site.mkdir(parents=True)
    start = time.perf_counter()
    kinds = generate(site, work / "store", args.dists)
    print(
        f"environment: {args.dists} distributions in {site} ({time.perf_counter() - start:.1f} s to write); "
        + ", ".join(f"{k} {v}" for k, v in kinds.items())
    )
    env = child_env(work / "pycache")
    commands = {
        "pip freeze": [args.python, "-m", "pip", "freeze", "--path", str(site)],
        "provenance": [args.python, "-m", "sourcelift_hook", "provenance", "--json", "--path", str(site)],
        "freeze": [args.python, "-m", "sourcelift_hook", "freeze", "--path", str(site)],
    }
    times: dict[str, list[float]] = {label: [] for label in commands}
    order = list(commands)
    for round_number in range(args.rounds + 2):
        for label in order:
            elapsed, proc = timed(commands[label], env)
            problem = verify(label, proc, kinds, args.dists)
            if problem is not None:
                raise Broken(problem)
            if round_number >= 2:
                times[label].append(elapsed)
        order = order[1:] + order[:1]  # rotate, so that no command always runs first
    base = statistics.median(times["pip freeze"])
    print(f"rounds: {args.rounds} (after 2 warm-up rounds), interleaved, each a fresh process")
    print(f"  baseline  pip freeze --path               median {base * 1e3:8.1f} ms")
    missed = False
    for label in ("provenance", "freeze"):
        median = statistics.median(times[label])
        ratio = median / base
        missed |= ratio > MAX_RATIO
        print(
            f"  candidate sourcelift {label:<10} --path    median {median * 1e3:8.1f} ms   "
            f"ratio candidate/baseline {ratio:.2f} (target <= {MAX_RATIO})"
        )
    if missed:
        print("target missed")
    return EXIT_MISSED if (missed and args.check) else 0


if __name__ == "__main__":
    raise SystemExit(main())
