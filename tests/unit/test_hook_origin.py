"""Matching installed distributions to provenance entries, and writing what matched (``record``)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from sourcelift_hook import environment
from sourcelift_hook.directurl import parse
from sourcelift_hook.origin import resolve
from sourcelift_hook.record_command import JOURNAL_FILE, RecordState, record
from sourcelift_hook.styles import STYLES

from .hook_builders import (
    COMMIT,
    REPO,
    archive_entry,
    assert_record_consistent,
    directory_entry,
    document,
    install_dist,
    make_wheel,
    sha256_of,
    snapshot,
)

MEMBER_URL = "file:///tmp/pip-install-gone/app_1/packages/lib-a"


class Scene:
    def __init__(self, tmp_path: Path) -> None:
        self.site = tmp_path / "site"
        wheel = make_wheel(tmp_path / "built", "prebuilt", "0.1.0")
        self.sha = sha256_of(wheel)
        stored = tmp_path / "store" / "sha256" / self.sha / wheel.name
        stored.parent.mkdir(parents=True)
        stored.write_bytes(wheel.read_bytes())
        self.store_url = stored.as_uri()
        self.wheel = stored
        self.entries = [
            archive_entry("prebuilt", wheel, self.store_url),
            directory_entry("lib-a", "packages/lib-a", MEMBER_URL),
        ]

    def install(
        self, *, prebuilt: dict[str, object] | None = None, entries: list[dict[str, object]] | None = None
    ) -> None:
        install_dist(
            self.site,
            "app",
            "1.0",
            direct_url={"url": REPO, "vcs_info": {"vcs": "git", "commit_id": COMMIT}, "subdirectory": "packages/app"},
            provenance=document(*(self.entries if entries is None else entries)),
            requires=(f"prebuilt @ {self.store_url}", f"lib-a @ {MEMBER_URL}"),
        )
        pip_record = {
            "url": self.store_url,
            "archive_info": {"hash": f"sha256={self.sha}", "hashes": {"sha256": self.sha}},
        }
        install_dist(self.site, "prebuilt", "0.1.0", direct_url=prebuilt or pip_record)
        install_dist(self.site, "lib-a", "0.1.0", direct_url={"url": MEMBER_URL, "dir_info": {}})
        install_dist(self.site, "other", "2.0")

    def env(self) -> environment.Environment:
        return environment.from_paths([str(self.site)])

    def origins(self) -> dict[str, object]:
        origins, problems = resolve(self.env())
        assert not problems
        return {o.dist.key: o for o in origins}

    def direct_url(self, name: str) -> dict[str, object]:
        return json.loads(
            (self.site / f"{name.replace('-', '_')}-{self.version(name)}.dist-info/direct_url.json").read_text()
        )

    def dist_info(self, name: str) -> Path:
        return self.site / f"{name.replace('-', '_')}-{self.version(name)}.dist-info"

    @staticmethod
    def version(name: str) -> str:
        return {"app": "1.0", "prebuilt": "0.1.0", "lib-a": "0.1.0", "other": "2.0"}[name]


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    return Scene(tmp_path)


def test_matches_by_hash_by_directory_url_and_nothing_else(scene: Scene) -> None:
    scene.install()
    origins = scene.origins()
    kinds = {key: (o.kind, o.match) for key, o in origins.items()}  # type: ignore[attr-defined]
    assert kinds == {
        "app": ("vcs", None),
        "prebuilt": ("archive-in-git", "sha256"),
        "lib-a": ("directory-in-git", "directory-url"),
        "other": ("index", None),
    }
    assert origins["prebuilt"].owner.name == "app"  # type: ignore[attr-defined]


def test_a_name_alone_never_matches(scene: Scene, tmp_path: Path) -> None:
    other = make_wheel(tmp_path / "other", "prebuilt", "0.1.0", body="# another build\n")
    scene.install(
        entries=[archive_entry("prebuilt", other, scene.store_url), directory_entry("lib-a", "x", "file:///elsewhere")]
    )
    origins = scene.origins()
    assert origins["prebuilt"].kind == "archive" and origins["prebuilt"].entry is None  # type: ignore[attr-defined]
    assert origins["lib-a"].kind == "directory"  # type: ignore[attr-defined]


def test_an_uncommitted_archive_is_flagged_never_claimed(scene: Scene) -> None:
    scene.entries[0]["state"] = "modified"
    scene.install()
    origin = scene.origins()["prebuilt"]
    assert origin.entry is None and [e.state for e, _ in origin.flagged] == ["modified"]  # type: ignore[attr-defined]
    before = snapshot(scene.dist_info("prebuilt"))
    result = record(scene.env(), "default")
    assert "prebuilt" not in result.changed
    assert snapshot(scene.dist_info("prebuilt")) == before
    assert any("does not describe it" in f.message for f in result.findings)


def test_hash_of_the_installed_file_when_none_was_recorded(scene: Scene) -> None:
    scene.install(prebuilt={"url": scene.store_url, "archive_info": {}})
    assert scene.origins()["prebuilt"].match == "sha256-of-file"  # type: ignore[attr-defined]
    scene.wheel.write_bytes(b"replaced")
    assert scene.origins()["prebuilt"].entry is None  # type: ignore[attr-defined]


def test_uv_record_matches_by_commit_path_and_contents(scene: Scene) -> None:
    uv_record = {
        "url": REPO,
        "vcs_info": {"vcs": "git", "commit_id": COMMIT},
        "path": "vendor/prebuilt-0.1.0-py3-none-any.whl",
    }
    scene.install(prebuilt=uv_record)
    origin = scene.origins()["prebuilt"]
    assert (origin.kind, origin.match) == ("archive-in-git", "commit-path-contents")  # type: ignore[attr-defined]
    # the same record over other files (another build installed) is not that archive
    install_dist(scene.site, "prebuilt", "0.1.0", direct_url=uv_record, body="# another build\n")
    origin = scene.origins()["prebuilt"]
    assert origin.kind == "archive-in-git" and origin.entry is None  # type: ignore[attr-defined]


def test_provenance_reports_files_changed_after_install(scene: Scene) -> None:
    from sourcelift_hook.report import build_report, format_report, has_problems

    scene.install()
    report = build_report(scene.env(), ["prebuilt"])
    assert not has_problems(report)
    checks = report["distributions"][0]["checks"]  # type: ignore[index]
    assert checks["files"] == "ok" and checks["archive_sha256"] == "match" and checks["archive_contents"] == "match"
    (scene.site / "prebuilt" / "__init__.py").write_text("# changed after install\n")
    report = build_report(scene.env(), ["prebuilt"])
    assert has_problems(report)
    assert report["distributions"][0]["checks"]["modified"] == ["prebuilt/__init__.py"]  # type: ignore[index]
    assert "MODIFIED after install: prebuilt/__init__.py" in format_report(report)


def test_record_default_then_nothing_changes(scene: Scene) -> None:
    scene.install()
    result = record(scene.env(), "default")
    assert result.changed == ["lib-a", "prebuilt"] and not result.problems
    # the archive: the store URL exactly as app's Requires-Dist names it (no hash fragment there)
    assert scene.direct_url("prebuilt") == {"url": scene.store_url, "archive_info": {}}
    # the member whose temporary directory is gone: a VCS record pip freeze can reinstall, pip 23 too
    assert scene.direct_url("lib-a") == {
        "url": REPO.replace("file:///", "file://localhost/"),
        "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
        "subdirectory": "packages/lib-a",
    }
    for name in ("prebuilt", "lib-a"):
        assert_record_consistent(scene.dist_info(name))
        origin = json.loads((scene.dist_info(name) / "sourcelift-origin.json").read_text())
        assert origin["version"] == "1" and origin["described_by"]["name"] == "app"
    before = snapshot(scene.site)
    again = record(scene.env(), "default")
    assert again.changed == [] and again.unchanged == ["lib-a", "prebuilt"]
    assert snapshot(scene.site) == before


def test_styles_switch_back_and_forth(scene: Scene) -> None:
    scene.install()
    record(scene.env(), "default")
    default = snapshot(scene.site)
    record(scene.env(), "uv")
    assert scene.direct_url("prebuilt") == {
        "url": REPO,
        "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
        "path": "vendor/prebuilt-0.1.0-py3-none-any.whl",
    }
    record(scene.env(), "pr1798")
    pr = scene.direct_url("prebuilt")
    assert pr["file"] == "vendor/prebuilt-0.1.0-py3-none-any.whl" and "subdirectory" not in pr and "path" not in pr
    for name in ("prebuilt", "lib-a"):
        assert_record_consistent(scene.dist_info(name))
    record(scene.env(), "default")
    assert snapshot(scene.site) == default
    kept = json.loads((scene.dist_info("prebuilt") / "sourcelift-origin.json").read_text())
    assert kept["original_direct_url"]["archive_info"]["hashes"] == {"sha256": scene.sha}


@pytest.mark.parametrize("style", STYLES)
def test_every_style_writes_a_valid_credential_free_record(scene: Scene, style: str) -> None:
    for entry in scene.entries:
        entry["url"] = "https://user:s3cret@example.com/org/repo.git"
    scene.install()
    record(scene.env(), style)
    for name in ("prebuilt", "lib-a"):
        text = (scene.dist_info(name) / "direct_url.json").read_bytes()
        parsed, problem = parse(text)
        assert parsed is not None, problem
        assert sum(key in parsed for key in ("archive_info", "dir_info", "vcs_info")) == 1
        for file in scene.dist_info(name).iterdir():
            assert b"s3cret" not in file.read_bytes(), file


def test_an_existing_directory_keeps_dir_info_under_the_default_style(scene: Scene, tmp_path: Path) -> None:
    member = tmp_path / "work" / "packages" / "lib-a"
    member.mkdir(parents=True)
    scene.entries[1] = directory_entry("lib-a", "packages/lib-a", member.as_uri())
    scene.install()
    (scene.dist_info("lib-a") / "direct_url.json").write_text(json.dumps({"url": member.as_uri(), "dir_info": {}}))
    _refresh_record(scene.dist_info("lib-a"))
    record(scene.env(), "default")
    assert scene.direct_url("lib-a") == {"url": member.as_uri(), "dir_info": {}}
    assert (scene.dist_info("lib-a") / "sourcelift-origin.json").is_file()


def _refresh_record(dist_info: Path) -> None:
    from .hook_builders import record_hash

    lines = []
    for line in (dist_info / "RECORD").read_text().splitlines():
        path = line.rsplit(",", 2)[0]
        target = dist_info.parent / path
        if path.endswith("direct_url.json"):
            data = target.read_bytes()
            line = f"{path},{record_hash(data)},{len(data)}"
        lines.append(line)
    (dist_info / "RECORD").write_text("\n".join(lines) + "\n")


def test_an_interrupted_record_is_completed(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    from sourcelift_hook import record_command

    scene.install()
    real = record_command.write_atomic
    calls = []

    def crash_after_two(path: str, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:  # the journal and direct_url.json are written, then the process "dies"
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(record_command, "write_atomic", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        record(scene.env(), "default")
    monkeypatch.setattr(record_command, "write_atomic", real)
    half = scene.dist_info("lib-a")
    assert (half / JOURNAL_FILE).is_file()
    from sourcelift_hook.report import build_report, has_problems

    report = build_report(scene.env(), ["lib-a"])
    assert report["distributions"][0]["journal"] == "pending" and has_problems(report)  # type: ignore[index]
    result = record(scene.env(), "default")
    assert [(f.distribution, f.message) for f in result.findings if f.level == "note"][:1] == [
        ("lib-a", "completed an interrupted `sourcelift record`")
    ]
    assert not (half / JOURNAL_FILE).exists()
    assert_record_consistent(half)
    assert scene.direct_url("lib-a")["subdirectory"] == "packages/lib-a"


def test_a_journal_that_no_longer_fits_is_discarded(scene: Scene) -> None:
    scene.install()
    dist_info = scene.dist_info("prebuilt")
    garbage = base64.b64encode(b"garbage\n").decode()
    journal = json.dumps({"version": "3", "base": {"RECORD": "0" * 64}, "files": {"RECORD": garbage}}).encode()
    (dist_info / JOURNAL_FILE).write_bytes(journal)
    RecordState(str(dist_info.parent)).set(dist_info.name, hashlib.sha256(journal).hexdigest())  # as record does
    result = record(scene.env(), "default")
    assert any("discarded" in f.message for f in result.findings)
    assert not (dist_info / JOURNAL_FILE).exists()
    assert RecordState(str(dist_info.parent)).get(dist_info.name) is None
    assert_record_consistent(dist_info)


def test_a_journal_record_did_not_write_is_never_applied(scene: Scene) -> None:
    scene.install()
    dist_info = scene.dist_info("prebuilt")
    planted = json.dumps({"url": "https://attacker.example/p.whl", "archive_info": {}}).encode()
    record_bytes = (dist_info / "RECORD").read_bytes()
    journal = {
        "version": "3",
        "base": {"direct_url.json": hashlib.sha256((dist_info / "direct_url.json").read_bytes()).hexdigest()},
        "files": {"direct_url.json": base64.b64encode(planted).decode()},
    }
    (dist_info / JOURNAL_FILE).write_text(json.dumps(journal))
    result = record(scene.env(), "default")
    assert any("did not write" in f.message for f in result.findings)
    assert b"attacker" not in (dist_info / "direct_url.json").read_bytes()
    assert not (dist_info / JOURNAL_FILE).exists()
    assert (dist_info / "RECORD").read_bytes() != record_bytes  # record did its own work afterwards
    assert_record_consistent(dist_info)


def test_a_malformed_document_is_reported_not_fatal(scene: Scene) -> None:
    bad = dict(scene.entries[0], path="../../etc/passwd")
    scene.install(entries=[bad, scene.entries[1]])
    origins, problems = resolve(scene.env())
    assert ["not relative to the repository" in p.message for p in problems] == [True]
    assert {o.dist.key: o.kind for o in origins}["lib-a"] == "directory-in-git"


def test_leftovers_of_a_killed_run_are_removed_but_not_those_of_a_running_one(scene: Scene) -> None:
    import os
    import subprocess
    import sys

    scene.install()
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = int(done.stdout), os.getppid()
    dist_info = scene.dist_info("other")
    stale = dist_info / f".RECORD.{dead}.sourcelift-tmp"
    busy = dist_info / f".direct_url.json.{alive}.sourcelift-tmp"
    stale.write_text("half")
    busy.write_text("being written")
    record(scene.env(), "default")
    assert not stale.exists() and busy.exists()


def test_render_validates_with_packaging_direct_url_and_keeps_extensions() -> None:
    from sourcelift_hook.directurl import render

    uv_style = {"url": "https://h/r.git", "vcs_info": {"vcs": "git", "commit_id": "a" * 40}, "path": "v/x.whl"}
    assert json.loads(render(uv_style))["path"] == "v/x.whl"  # kept, though DirectUrl would drop it
    with pytest.raises(ValueError, match=r"invalid direct_url\.json"):
        render({"url": "https://h/x", "dir_info": {}})  # dir_info needs a file:// URL
    with pytest.raises(ValueError, match="credentials"):
        render({"url": "https://h/x.whl?token=S", "archive_info": {}})
