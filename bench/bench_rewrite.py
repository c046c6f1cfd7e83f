#!/usr/bin/env python3
"""Benchmark: rewriting a big wheel's METADATA and RECORD, against copying the file.

A wheel of native code (a 20 MiB shared library, a 20 MiB data file) gets its Requires-Dist
rewritten and sourcelift's provenance file added, as every local-mode build does.  The baseline is
the least any rewrite costs, a copy of the file (``shutil.copyfile``); the rewrite through
:mod:`zipfile`, which compresses every member again (how sourcelift rewrote wheels before, and still
does for uncommon layouts), is timed in the same rounds for reference.  Interleaved rounds in this
process::

    .venv/bin/python bench/bench_rewrite.py [--rounds 9] [--megabytes 20]

Standard library and sourcelift's source tree only.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import shutil
import statistics
import sys
import time
import zipfile
from pathlib import Path

from _common import EXIT_MISSED, ROOT, Broken, add_common_options, in_workdir
from _results import ratio, write

sys.path.insert(0, str(ROOT / "plugin" / "src"))

from sourcelift.artifacts import _zipcopy
from sourcelift.artifacts import wheel as wheel_module

TARGET = 3.0
LINE = "dep @ file:///somewhere/dep"


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(path: Path, megabytes: int) -> None:
    rng = io.BytesIO(os.urandom(megabytes * 1024 * 1024))  # data that does not compress
    library = (b"\x7fELF" + bytes(range(256)) * 64 + os.urandom(1024)) * (megabytes * 1024 // 17)
    files = {
        "pkg/__init__.py": b"from ._native import *\n",
        "pkg/_native.so": library,
        "pkg/data.bin": rng.getvalue(),
        "pkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nRequires-Dist: dep\n\n",
        "pkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: false\nTag: py3-none-any\n",
    }
    rows = "".join(f"{name},{record_hash(data)},{len(data)}\n" for name, data in files.items())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("pkg-1.0.dist-info/RECORD", rows + "pkg-1.0.dist-info/RECORD,,\n")


def transform(value: str) -> list[str] | None:
    return [LINE] if value == "dep" else None


def rewrite(wheel: Path) -> None:
    wheel_module.rewrite_wheel(wheel, transform, add={"sourcelift-provenance.json": b"{}\n"})


def rewrite_through_zipfile(wheel: Path) -> None:
    real = wheel_module.copy_with_changes

    def unsupported(*args: object) -> None:
        raise _zipcopy.Unsupported("the benchmark's reference: through zipfile")

    wheel_module.copy_with_changes = unsupported  # type: ignore[assignment]
    try:
        rewrite(wheel)
    finally:
        wheel_module.copy_with_changes = real


def check(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read("pkg-1.0.dist-info/METADATA").decode()
        if f"Requires-Dist: {LINE}" not in metadata or archive.testzip() is not None:
            raise Broken(f"the rewritten wheel is wrong:\n{metadata}")


def run(options: argparse.Namespace, work: Path) -> int:
    original = work / "original.whl"
    make_wheel(original, options.megabytes)
    size = original.stat().st_size / 1e6
    times: dict[str, list[float]] = {"copy": [], "rewrite": [], "zipfile": []}
    for round_index in range(options.rounds + 1):  # the first round warms the caches and checks
        for name, step in (("copy", None), ("rewrite", rewrite), ("zipfile", rewrite_through_zipfile)):
            target = work / f"{name}.whl"
            shutil.copyfile(original, target)
            start = time.perf_counter()
            if step is None:
                shutil.copyfile(target, work / "copied.whl")
            else:
                step(target)
            elapsed = (time.perf_counter() - start) * 1e3
            if round_index == 0:
                if step is not None:
                    check(target)
                continue
            times[name].append(elapsed)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"a {size:.1f} MB wheel, {options.rounds} interleaved rounds, in-process")
    print(f"  copying the file (baseline)                   median {medians['copy']:8.1f} ms")
    print(f"  sourcelift's rewrite                          median {medians['rewrite']:8.1f} ms")
    print(f"  rewrite through zipfile (before; reference)   median {medians['zipfile']:8.1f} ms")
    figure = ratio(f"rewrite of a {size:.0f} MB wheel", medians["rewrite"], "copying the file", medians["copy"], TARGET)
    verdict = "met" if figure["met"] else "MISSED"
    print(f"  ratio rewrite/copy {figure['ratio']:.2f}  target <= {TARGET:.2f}x  {verdict}")
    print(f"  the rewrite through zipfile took {medians['zipfile'] / medians['rewrite']:.1f}x sourcelift's")
    write(options.json, [figure])
    return EXIT_MISSED if options.check and not figure["met"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9, help="measured rounds (9)")
    parser.add_argument("--megabytes", type=int, default=20, help="size of each of the two big members (20)")
    parser.add_argument("--json", type=Path, help="also write the figures there (for bench/run_all.py)")
    add_common_options(parser)
    options = parser.parse_args(argv)
    return in_workdir("sourcelift-bench-rewrite-", options.keep, lambda work: run(options, work))


if __name__ == "__main__":
    sys.exit(main())
