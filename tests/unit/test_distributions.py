"""What an index shows of the two distributions: long description, URLs, license (no build needed)."""

from __future__ import annotations

import sys

import pytest

from tests.support import REPO_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9 and 3.10
    import tomli as tomllib


@pytest.mark.parametrize("project", ["plugin", "frontend_hook"])
def test_long_description_urls_and_license(project: str) -> None:
    root = REPO_ROOT / project
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "MIT" and meta["license-files"] == ["LICENSE"]
    # hatchling takes license files from the project directory only: each keeps a copy of the root's
    assert (root / "LICENSE").read_text() == (REPO_ROOT / "LICENSE").read_text()
    assert (REPO_ROOT / "LICENSE").read_text().startswith("MIT License\n")
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(meta["urls"])
    readme = (root / meta["readme"]).read_text()
    assert "../" not in readme and len(readme.splitlines()) > 20
    assert "-V" in readme or "Requires-Dist" in readme


def test_readme_opens_with_what_it_is_and_a_quick_start() -> None:
    text = (REPO_ROOT / "README.md").read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:4] == ["## Quick start", "## How it compares", "## Troubleshooting", "## Reference"]
    opening = text[: text.index("## Quick start")]
    assert "python3 tasks.py demo" in opening and "python3 tasks.py test" in opening
    assert "is not available yet" not in text
    for peer in ("uv build --no-sources", "hatch-cada", "una", "poetry-plugin-mono-repo-deps"):
        assert peer in text[: text.index("## Troubleshooting")], peer
    for trouble in ("gitignore", "Git LFS pointer", "another machine", "`uv sync`"):
        assert trouble in text[text.index("## Troubleshooting") : text.index("## Reference")], trouble
