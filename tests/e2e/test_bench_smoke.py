"""The benchmark still runs against the current plugin (its timings are not asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_build.py"


def test_bench_builds_and_checks_both_wheels() -> None:
    proc = subprocess.run([sys.executable, BENCH, "--rounds", "1"], capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    # exit 2 means a built wheel was wrong (the bench verifies Requires-Dist); timings never fail it here
    assert proc.returncode == 0, output
    assert "ratio candidate/baseline" in output and "import + own work" in output, output


def test_bench_check_runs_and_verifies_both_sides(wheelhouse: Path) -> None:
    bench = BENCH.with_name("bench_check.py")
    command = [sys.executable, bench, "--rounds", "1", "--warmup", "0", "--wheel-mb", "2", "--check-runs", "1"]
    proc = subprocess.run([*command, "--find-links", wheelhouse], capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    # exit 2 means a side failed or checked the wrong thing (a clean wheel with findings, a missed corruption)
    assert proc.returncode == 0, output
    assert "(a) checks alone: a 2 MB wheel" in output and "ratio candidate/baseline" in output, output


def test_bench_versions_discovers_every_member() -> None:
    bench = BENCH.with_name("bench_versions.py")
    command = [sys.executable, bench, "--members", "6", "--rounds", "1"]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    # exit 2 means a wrong version, or an answer from the wrong place (cache vs backend); timings never fail it here
    assert proc.returncode == 0, output
    assert "6 members (2 dynamic" in output and "ratio warm/cold" in output, output


def test_bench_frontend_runs_and_verifies_every_command() -> None:
    bench = BENCH.with_name("bench_frontend.py")
    proc = subprocess.run(
        [sys.executable, bench, "--dists", "60", "--rounds", "1"], capture_output=True, text=True, check=False
    )
    output = proc.stdout + proc.stderr
    # exit 2 means a command failed or listed the wrong distributions; timings never fail it here
    assert proc.returncode == 0, output
    assert "environment: 60 distributions" in output and output.count("to uv pip freeze") == 2, output


def test_bench_rewrite_checks_the_rewritten_wheel() -> None:
    bench = BENCH.with_name("bench_rewrite.py")
    proc = subprocess.run(
        [sys.executable, bench, "--megabytes", "2", "--rounds", "1"], capture_output=True, text=True, check=False
    )
    output = proc.stdout + proc.stderr
    # exit 2 means the rewritten wheel was wrong; timings never fail it here
    assert proc.returncode == 0, output
    assert "ratio rewrite/copy" in output and "rewrite through zipfile" in output, output


def test_run_all_prints_one_table_of_the_figures() -> None:
    """One command runs the benchmarks (here two, with small inputs) and ends with the table."""
    command = [sys.executable, BENCH.with_name("run_all.py"), "--quick", "--only", "workspace", "build-plain"]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    # exit 2 means a benchmark broke (a wrong wheel, a failed build); missed targets never fail it
    assert proc.returncode == 0, output
    table = output[output.rindex("\nfigure") :]
    for figure in (
        "livekit-shaped member, local mode",
        "livekit-shaped member, publish warm",
        "livekit-shaped member, publish cold",
        "wheel build, outside git (wall)",
    ):
        assert figure in table, table
    assert "slowest backend run + plain" in table and "plain hatchling" in table, table
