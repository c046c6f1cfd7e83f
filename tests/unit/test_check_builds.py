"""What a failed build means for `sourcelift check`: a finding (SL303, SL304), never an exit-2 failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcelift_hook.check.api import check_paths
from sourcelift_hook.check.errors import BuildFailed
from sourcelift_hook.check.plain import build_failed

PIP_NO_MATCH = [
    "* Installing packages in isolated environment:",
    "  - sourcelift",
    "  - hatchling",
    "> /usr/bin/python -m pip --python /tmp/x install --use-pep517 --no-warn-script-location -r /tmp/req.txt",
    "< ERROR: Could not find a version that satisfies the requirement sourcelift (from versions: none)",
    "< ERROR: No matching distribution found for sourcelift",
]


def test_a_build_requirement_the_builder_cannot_install_is_sl303_with_a_fix_naming_it() -> None:
    found = build_failed("demo-1.0.tar.gz", BuildFailed("building a wheel from demo-1.0.tar.gz", 1, PIP_NO_MATCH))
    assert found.id == "SL303" and found.level == "error"
    assert "cannot install `sourcelift`" in found.message and "No matching distribution" in found.message
    assert "PIP_FIND_LINKS" in found.fix and "publish mode" in found.fix
    other = [line.replace("sourcelift", "hatch-fancy-pypi-readme>=22") for line in PIP_NO_MATCH]
    found = build_failed("demo-1.0.tar.gz", BuildFailed("building", 1, other))
    assert "`hatch-fancy-pypi-readme>=22`" in found.message and "make `hatch-fancy-pypi-readme>=22` available" in (
        found.fix
    )


def test_no_network_is_sl303_and_a_backend_failure_is_sl304() -> None:
    offline = [
        "< WARNING: Retrying (Retry(total=4)) after connection broken by 'NewConnectionError(...: "
        "Failed to establish a new connection: [Errno 101] Network is unreachable')'"
    ]
    assert build_failed("a", BuildFailed("building", 1, offline)).id == "SL303"
    crashed = ["Traceback (most recent call last):", "ModuleNotFoundError: No module named 'no_such_backend'"]
    found = build_failed("a", BuildFailed("building the sdist of a", 1, crashed))
    assert found.id == "SL304" and "no_such_backend" in found.message and "exit code 1" in found.message


def test_without_pypa_build_every_static_finding_of_an_sdist_is_still_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcelift_hook.check import api

    from .check_builders import make_sdist, metadata

    local = ("Requires-Dist", "prebuilt @ file:///home/me/vendor/prebuilt-1.0-py3-none-any.whl")
    path = make_sdist(tmp_path, pkg_info=metadata(fields=[local]))

    def missing() -> None:
        from sourcelift_hook.check.errors import UsageError

        raise UsageError("pypa/build is not installed for /usr/bin/python")

    monkeypatch.setattr(api, "require_build", missing)
    report = check_paths([path], config=tmp_path / "none.toml")
    ids = [f.id for f in report.findings]
    assert ids == ["SL101", "SL303"] and report.exit_code == 1  # SL401 leaves a Requires-Dist URL to SL101


def _sdist(path: Path, members: dict[str, bytes]) -> Path:
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_an_sdist_is_unpacked_only_within_bounds_and_inside_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcelift_hook.check import builds

    members = {"demo-1.0/pyproject.toml": b"[project]\n", "demo-1.0/big.bin": b"\0" * 4096}
    sdist = _sdist(tmp_path / "demo-1.0.tar.gz", members)
    assert builds.extract_sdist(sdist, tmp_path / "ok") == tmp_path / "ok" / "demo-1.0"
    monkeypatch.setattr(builds, "MAX_UNPACKED", 4096)
    with pytest.raises(BuildFailed) as raised:
        builds.extract_sdist(sdist, tmp_path / "big")
    assert "unpacks to 2 files of 4106 bytes" in raised.value.tail[0]
    assert not (tmp_path / "big" / "demo-1.0" / "big.bin").exists()  # refused before anything is written
    monkeypatch.setattr(builds, "MAX_UNPACKED", 4 * 1024**3)
    escaping = _sdist(tmp_path / "evil-1.0.tar.gz", {"evil-1.0/pyproject.toml": b"", "../outside.txt": b"x"})
    with pytest.raises(BuildFailed, match="failed"):
        builds.extract_sdist(escaping, tmp_path / "evil")
    assert not (tmp_path / "outside.txt").exists()
