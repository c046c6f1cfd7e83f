"""The pre-loaded metadata API: the same provenance and freeze answers as the files on disk; the README example."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from sourcelift_hook import environment
from sourcelift_hook.errors import HookError
from sourcelift_hook.preloaded import Distribution, environment_of, freeze, provenance
from tests.support import REPO_ROOT

from .test_hook_origin import Scene


def preloaded(site: Path) -> list[Distribution]:
    """What an image analyser holds: each .dist-info file read into memory, nothing else."""
    found = []
    for info in sorted(site.glob("*.dist-info")):
        read = {f.name: f.read_bytes() for f in info.iterdir() if f.is_file()}
        direct_url = read.pop("direct_url.json", None)
        installer = read.pop("INSTALLER", None)
        found.append(
            Distribution(
                metadata=read.pop("METADATA"),
                record=read.pop("RECORD"),
                direct_url=direct_url,
                installer=installer.decode() if installer is not None else None,
                extra=read,
            )
        )
    return found


def test_the_same_provenance_and_freeze_answers_as_on_disk(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    scene.install()
    on_disk = environment.from_paths([str(scene.site)])
    in_memory = environment_of(preloaded(scene.site))
    assert in_memory.tree.kind == "memory" and in_memory.describe() == "pre-loaded metadata"
    disk_report, memory_report = provenance(on_disk), provenance(in_memory)
    assert memory_report["distributions"] == disk_report["distributions"]
    assert {d["name"]: d["origin"] for d in memory_report["distributions"]}["prebuilt"] == "archive-in-git"  # type: ignore[index,union-attr]
    disk_text, disk_problems = freeze(on_disk)
    memory_text, memory_problems = freeze(in_memory)
    assert memory_text.splitlines()[1:] == disk_text.splitlines()[1:]  # the first line names the location
    assert memory_problems == disk_problems == []


def test_given_files_are_checked_against_record(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    scene.install()
    dists = preloaded(scene.site)
    [prebuilt] = [d for d in dists if b"Name: prebuilt" in d.metadata]
    prebuilt.files = {"prebuilt/__init__.py": b"# changed\n"}
    report = provenance(environment_of(dists), ["prebuilt"])
    [checked] = report["distributions"]  # type: ignore[misc]
    assert checked["checks"]["files"] == "modified"  # type: ignore[index]


def test_every_bad_input_is_reported_at_once() -> None:
    good = Distribution(metadata="Name: a\nVersion: 1\n")
    with pytest.raises(HookError) as raised:
        environment_of(
            [good, Distribution(metadata="Name: a\nVersion: 1\n"), Distribution(metadata=b"Summary: no name\n")]
        )
    assert "a-1.dist-info is given twice" in raised.value.message
    assert "distribution #3: its METADATA has no Name or no Version" in raised.value.message
    with pytest.raises(HookError, match=r"setup\.py are not \.dist-info files"):
        environment_of([Distribution(metadata="Name: a\nVersion: 1\n", extra={"setup.py": b"import os"})])


def test_the_readme_example_runs_and_prints_what_the_readme_says() -> None:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Pre-loaded metadata (library API)") :]
    code = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    printed = re.search(r"prints\n\n```text\n(.*?)```", section, flags=re.DOTALL)
    assert code is not None and printed is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README.md", "exec"), {"__name__": "readme_example"})
    assert out.getvalue() == printed.group(1)
