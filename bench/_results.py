"""The one shape every benchmark reports its figures in, for ``bench/run_all.py``'s table.

A script given ``--json FILE`` writes a list of figures there, each::

    {"figure": "...", "median": 12.3, "baseline": "...", "baseline_median": 11.0,
     "ratio": 1.12, "target": "<= 1.10", "met": false, "unit": "ms"}

``baseline``/``baseline_median``/``ratio`` are ``null`` for an absolute figure
(e.g. sourcelift's own milliseconds); ``target`` is a readable bound.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["Figure", "absolute", "ratio", "write"]

Figure = dict[str, Any]


def ratio(figure: str, median: float, baseline: str, baseline_median: float, limit: float, unit: str = "ms") -> Figure:
    value = median / baseline_median
    return {
        "figure": figure,
        "median": median,
        "baseline": baseline,
        "baseline_median": baseline_median,
        "ratio": value,
        "target": f"<= {limit:.2f}x",
        "met": value <= limit,
        "unit": unit,
    }


def absolute(figure: str, median: float, limit: float, unit: str = "ms") -> Figure:
    return {
        "figure": figure,
        "median": median,
        "baseline": None,
        "baseline_median": None,
        "ratio": None,
        "target": f"<= {limit:g} {unit}",
        "met": median <= limit,
        "unit": unit,
    }


def write(path: Path | None, figures: list[Figure]) -> None:
    if path is not None:
        path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
