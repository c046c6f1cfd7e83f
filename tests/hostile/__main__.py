"""``python -m tests.hostile``: run the whole corpus and print its counts (for reports)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from .corpus import project_cases, run_project_cases, summary
from .environments import CASES


def main() -> int:
    results = []
    with tempfile.TemporaryDirectory(prefix="sourcelift-corpus-") as scratch:
        (Path(scratch) / "projects").mkdir()
        results.extend(run_project_cases(project_cases(), Path(scratch) / "projects"))
        for number, case in enumerate(CASES):
            (Path(scratch) / f"e{number}").mkdir()
            results.append(case(Path(scratch) / f"e{number}"))
    for result in results:
        if result.outcome not in ("clean error", "correct success"):
            print(f"{result.name}: {result.outcome}: {result.detail}", file=sys.stderr)
    print(json.dumps(summary(results), indent=2))
    return 0 if all(r.outcome in ("clean error", "correct success") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
