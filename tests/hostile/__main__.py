"""``python -m tests.hostile``: run the whole corpus and print its counts (for reports).

Run it from the repository's top with the development environment (``.venv/bin/python -m
tests.hostile``); the two source trees are put on the path as pytest's ``pythonpath`` setting does.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

_TOP = Path(__file__).resolve().parents[2]
for _tree in ("frontend_hook/src", "plugin/src"):
    if str(_TOP / _tree) not in sys.path:
        sys.path.insert(0, str(_TOP / _tree))

from .corpus import project_cases, run_project_cases, summary  # noqa: E402
from .environments import CASES  # noqa: E402


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
