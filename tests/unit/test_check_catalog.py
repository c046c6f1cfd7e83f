"""The catalogue of checks: stable IDs in families, and a README section (cause and fix) for each."""

from __future__ import annotations

import re

from sourcelift_hook.check import CHECKS
from sourcelift_hook.check.catalog import FAMILIES, LEVELS
from sourcelift_hook.check.command import FORMATS
from sourcelift_hook.check.model import Report
from sourcelift_hook.check.render import render
from tests.support import REPO_ROOT


def test_ids_levels_and_families() -> None:
    for check_id, check in CHECKS.items():
        assert re.fullmatch(r"SL[1-6][0-9]{2}", check_id) and check.id == check_id
        assert check.level in LEVELS and check.title and check.fix
        assert check_id[:3] in FAMILIES
    assert list(CHECKS) == sorted(CHECKS)


def test_readme_has_a_section_with_cause_and_fix_per_check() -> None:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### `sourcelift check`") :]
    section = section[: section.index("\n### ", 1)]
    headings = re.findall(r"^##### (SL\d{3}): ", section, flags=re.MULTILINE)
    assert headings == list(CHECKS)
    for body in re.split(r"^##### ", section, flags=re.MULTILINE)[1:]:
        assert "*Cause:*" in body and "*Fix:*" in body, body


def test_every_format_renders() -> None:
    assert FORMATS == ("human", "json", "github")
    outputs = {fmt: render(Report([], []), fmt) for fmt in FORMATS}
    assert outputs["json"].startswith("{") and outputs["github"].startswith("sourcelift check: 0 artifacts")
    assert outputs["human"].endswith("0 artifacts checked: 0 errors, 0 warnings: publishable\n")
