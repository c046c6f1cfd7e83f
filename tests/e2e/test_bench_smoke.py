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
