"""The ``record``/``provenance``/``freeze``/``pip`` commands through ``main([...])``: output and exit codes."""

from __future__ import annotations

import json
import os
import sys
import tarfile
from pathlib import Path

import pytest

from sourcelift_hook import cli
from sourcelift_hook.cli import main
from sourcelift_hook.pipcmd import install_target

from .hook_builders import install_dist
from .test_hook_origin import Scene


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    scene = Scene(tmp_path)
    scene.install()
    return scene


def test_provenance_json_and_text(scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provenance", "--path", str(scene.site), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["version"] == "1" and report["environment"]["kind"] == "directory"
    assert [d["origin"] for d in report["distributions"]] == ["vcs", "directory-in-git", "index", "archive-in-git"]
    assert main(["provenance", "prebuilt", "--path", str(scene.site)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("prebuilt 0.1.0: archive in git\n") and "described   by app's provenance document" in out


def test_provenance_of_a_name_not_installed_is_a_problem(scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provenance", "nope", "--path", str(scene.site)]) == 1
    captured = capsys.readouterr()
    assert "sourcelift: problem: nope: is not installed" in captured.err and "nope" not in captured.out


def test_record_and_its_exit_codes(scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "--path", str(scene.site)]) == 0
    assert "recorded the origin of lib-a, prebuilt (style default)" in capsys.readouterr().out
    assert main(["record", "--path", str(scene.site)]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert main(["record", "--path", str(scene.site / "missing")]) == 2
    assert "missing does not exist" in capsys.readouterr().err


def test_record_cannot_write_into_a_tarball(scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layer = tmp_path / "layer.tar"
    with tarfile.open(layer, "w") as archive:
        archive.add(scene.site, arcname="usr/lib/python3.11/site-packages")
    assert main(["provenance", "--from-tar", str(layer), "--json"]) == 0
    assert main(["record", "--from-tar", str(layer)]) == 2
    err = capsys.readouterr().err
    assert "cannot write into a tarball" in err and "fix:" in err and "Traceback" not in err


def test_freeze_writes_a_file_atomically(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # pip's configuration is where index installs are looked up: none here but "no index"
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    for name in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "pylock.toml"
    assert main(["freeze", "--path", str(scene.site), "--format", "pylock", "-o", str(out)]) == 1  # other: no wheel
    assert 'lock-version = "1.0"' in out.read_text()
    assert "other: was installed from an index" in capsys.readouterr().err
    assert main(["freeze", "--path", str(scene.site)]) == 0


def test_freeze_names_a_missing_find_links_directory_and_an_output_that_is_no_file(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    missing = tmp_path / "no-wheels-here"
    args = ["freeze", "--path", str(scene.site), "--find-links", str(missing), "-o", str(fifo)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"--find-links {missing}: no such directory" in err and f"-o {fifo}: it is no regular file" in err
    assert fifo.exists() and not fifo.is_file()  # left as it was


def test_provenance_of_an_empty_name_is_a_usage_error(scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provenance", "--path", str(scene.site), ""]) == 2
    assert "an empty NAME names no distribution" in capsys.readouterr().err


def test_an_internal_error_is_one_line(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("sourcelift_hook.report.build_report", boom)
    monkeypatch.delenv("SOURCELIFT_DEBUG", raising=False)
    assert main(["provenance", "--path", str(scene.site)]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err
    assert main(["provenance", "-v", "--path", str(scene.site)]) == 3  # -v: the traceback, for a bug report
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["install", "x"], ("install", None, None, None, None, False)),
        (["-v", "--python", "/py", "install", "-t", "/t", "x"], ("install", "/py", "/t", None, None, False)),
        (["--log=l", "install", "--target=/t2", "x"], ("install", None, "/t2", None, None, False)),
        (
            ["install", "-t/t3", "--prefix", "/p", "--root=/r", "--user", "x"],
            ("install", None, "/t3", "/p", "/r", True),
        ),
        (["download", "--target", "/t", "x"], ("download", None, "/t", None, None, False)),
        (["list"], ("list", None, None, None, None, False)),
    ],
)
def test_where_pip_installs(args: list[str], expected: tuple[object, ...]) -> None:
    found = install_target(args, environ={})
    assert (found.command, found.python, found.target, found.prefix, found.root, found.user) == expected


def test_pip_environment_variables() -> None:
    found = install_target(["install", "x"], environ={"PIP_TARGET": "/env-t", "PIP_USER": "yes"})
    assert (found.target, found.user) == ("/env-t", True)


def test_sourcelift_pip_keeps_pips_exit_status_and_records_only_after_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[list[str]] = []
    codes = iter([3, 0, 0])
    monkeypatch.setattr("sourcelift_hook.pipcmd.run_pip", lambda args: calls.append(args) or next(codes))
    site = tmp_path / "t"
    install_dist(site, "x", "1")
    assert main(["pip", "install", "--target", str(site), "x"]) == 3  # failed: no record
    assert main(["pip", "--style", "uv", "install", "--target", str(site), "x"]) == 0
    assert main(["pip", "list"]) == 0
    assert calls == [["install", "--target", str(site), "x"]] * 2 + [["list"]]
    assert main(["pip", "--style", "nope", "install", "x"]) == 2
    assert main(["pip"]) == 2


def test_explain_still_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1"\ndependencies = ["requests"]\n')
    assert main(["explain", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["project"] == "demo"


def test_the_command_imports_little(tmp_path: Path) -> None:
    """`provenance` and `freeze` do not import the build-side library (the plugin), argparse, the errors (they
    import dataclasses) or zipfile, nor hashlib where nothing is to be hashed."""
    import subprocess

    site = tmp_path / "site"
    install_dist(site, "x", "1")
    heavy = (
        "sourcelift.explain",
        "sourcelift.rewrite",
        "sourcelift.errors",
        "sourcelift_hook.errors",
        "packaging",
        "tomllib",
        "email",
        "zipfile",
        "tarfile",
        "csv",
        "argparse",
        "dataclasses",
        "hashlib",
        "base64",
        "pathlib",
        "typing",  # 2.5 ms: `sourcelift._patterns` (through `sourcelift.urls`) imported it for a Generic base
    )
    code = (
        "import sys; from sourcelift_hook.cli import main; main(['freeze', '--path', sys.argv[1]]);"
        "main(['provenance', '--path', sys.argv[1]]);"
        f"heavy = sorted(m for m in sys.modules if m.startswith({heavy!r})); print('HEAVY', heavy)"
    )
    paths = [str(Path(cli.__file__).parents[1]), str(Path(cli.__file__).parents[3] / "plugin" / "src")]
    proc = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": ":".join(paths)},
    )
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY []"
