#!/usr/bin/env python3
"""Run every benchmark and print one table: each figure's median, its baseline's median from the
same run, the ratio and the target.

    .venv/bin/python bench/run_all.py [--quick] [--only NAME ...] [--markdown]

Each script runs in turn with ``--json``; what it prints goes to the terminal as it runs, and the
table comes last.  ``--quick`` runs fewer rounds (a smoke run, not figures to quote).  A script that
fails (a BROKEN benchmark) is listed with its exit code, and the exit code is 2.  Standard library only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (script, arguments for a full run, arguments for a quick run)
BENCHES: dict[str, tuple[str, list[str], list[str]]] = {
    "build-git": ("bench_build.py", ["--tree", "git"], ["--tree", "git", "--rounds", "3"]),
    "build-plain": ("bench_build.py", ["--tree", "plain"], ["--tree", "plain", "--rounds", "3"]),
    "workspace": ("bench_workspace.py", [], ["--rounds", "1", "--extras", "20"]),
    "fan-in": ("bench_publish.py", [], ["--rounds", "1", "--members", "40"]),
    "versions": ("bench_versions.py", [], ["--rounds", "2", "--members", "40"]),
    "frontend": ("bench_frontend.py", [], ["--rounds", "3", "--dists", "400"]),
    "rewrite": ("bench_rewrite.py", [], ["--rounds", "2", "--megabytes", "4"]),
}


def table(figures: list[dict], markdown: bool) -> str:
    header = ["figure", "median", "baseline", "baseline median", "ratio", "target", ""]
    rows = []
    for f in figures:
        unit = f.get("unit", "ms")
        rows.append(
            [
                f["figure"],
                f"{f['median']:.1f} {unit}",
                f["baseline"] or "-",
                f"{f['baseline_median']:.1f} {unit}" if f["baseline_median"] is not None else "-",
                f"{f['ratio']:.2f}" if f["ratio"] is not None else "-",
                f["target"],
                "met" if f["met"] else "MISSED",
            ]
        )
    if markdown:
        lines = ["| " + " | ".join([*header[:-1], "result"]) + " |", "|" + " --- |" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller inputs: a smoke run")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), help="run only these")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs the scripts")
    options = parser.parse_args(argv)
    figures: list[dict] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sourcelift-bench-all-") as scratch:
        for name in options.only or list(BENCHES):
            script, full, quick = BENCHES[name]
            out = Path(scratch) / f"{name}.json"
            command = [options.python, str(HERE / script), *(quick if options.quick else full), "--json", str(out)]
            print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
            code = subprocess.call(command)
            if code != 0 or not out.exists():
                failed.append(f"{name} (exit code {code})")
                continue
            figures.extend(json.loads(out.read_text(encoding="utf-8")))
    print("\n" + table(figures, options.markdown))
    for item in failed:
        print(f"FAILED: {item}")
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
