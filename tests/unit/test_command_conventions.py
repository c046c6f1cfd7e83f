"""The command's conventions (pip's and uv's), through ``main([...])``, and its one error boundary.

Exit codes: 0 done, 1 problems found, 2 usage error, 3 internal error (the same in the build
backend), 130 interrupted.  No input ends in a traceback.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import sourcelift
import sourcelift_hook
from sourcelift.errors import EXIT_INTERNAL, EXIT_USAGE, ProblemsError, SourceliftError, exit_code, render_error
from sourcelift_hook.check.errors import BuildFailed, CheckError
from sourcelift_hook.check.errors import UsageError as CheckUsageError
from sourcelift_hook.cli import main
from sourcelift_hook.console import Console, use_color
from sourcelift_hook.errors import HookError, UsageError
from tests.support import REPO_ROOT

from .hook_builders import install_dist
from .test_hook_origin import Scene

SUBCOMMANDS = ("explain", "record", "provenance", "freeze", "check")


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    scene = Scene(tmp_path)
    scene.install()
    return scene


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1"\ndependencies = ["requests"]\n')
    return root


# ------------------------------------------------------------------ exceptions and exit codes


def test_one_root_per_distribution_and_one_usage_error() -> None:
    assert issubclass(HookError, SourceliftError) and issubclass(UsageError, HookError)
    assert CheckUsageError is UsageError  # check has no UsageError of its own
    assert issubclass(CheckError, HookError) and issubclass(BuildFailed, CheckError)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ProblemsError([]), 1),
        (HookError("x"), 1),
        (BuildFailed("building the sdist", 1, []), 1),
        (UsageError("x"), 2),
        (UsageError(["a", "b"]), 2),
        (RuntimeError("bug"), 3),
        (KeyboardInterrupt(), 130),
    ],
)
def test_one_mapping_from_errors_to_exit_codes(error: BaseException, code: int) -> None:
    assert exit_code(error) == code


def test_usage_error_lists_every_problem() -> None:
    assert UsageError("one", "do this").render() == "sourcelift: error: one\n  fix: do this"
    assert UsageError(["a", "b"]).render() == "sourcelift: error: 2 problems\n  1. a\n  2. b"


def test_an_internal_error_is_one_message_with_the_traceback_only_on_request() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        plain, debug = render_error(error), render_error(error, debug=True)
    assert plain.startswith("sourcelift: internal error: RuntimeError: boom\n") and "exit code 3" in plain
    assert "Traceback" not in plain and "Traceback (most recent call last)" in debug


def test_error_messages_never_show_credentials() -> None:
    leaked = RuntimeError("cannot fetch https://user:s3cr3t@example.com/r.git?private_token=t0k3n")
    for text in (render_error(leaked), render_error(leaked, debug=True), render_error(HookError(str(leaked)))):
        assert "s3cr3t" not in text and "t0k3n" not in text and "example.com/r.git" in text


def test_the_backend_exits_with_the_same_code(tmp_path: Path) -> None:
    """An internal error in the wrapper backend ends the build with exit code 3, as in the command."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "1"\n[tool.sourcelift]\nbackend = "no_such_backend_module_x"\n'
    )
    code = (
        "import sourcelift.backends.wrapper as w\n"
        "def boom(*a, **k): raise RuntimeError('planted')\n"
        "w._config = boom\n"
        "w.get_requires_for_build_wheel()\n"
    )
    paths = [str(REPO_ROOT / "plugin" / "src")]
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": ":".join(paths)},
        check=False,
    )
    assert proc.returncode == EXIT_INTERNAL, proc.stderr
    assert "sourcelift: internal error: RuntimeError: planted" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ the error boundary


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["record", "--style", "nope"],
        ["freeze", "--format", "json"],
        ["explain", "--format", "xml"],
        ["--color", "sometimes", "record"],
        ["check", "--list", "--bogus"],
        ["pip", "--style"],
        ["pip", "--color", "weird", "list"],
    ],
)
def test_every_usage_error_is_exit_2_without_systemexit_or_traceback(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("sourcelift: error: ") and "fix: see `sourcelift" in err and "Traceback" not in err


def test_explain_is_inside_the_boundary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[project\nname = \xff")
    assert main(["explain", str(tmp_path)]) in (1, 3)
    assert "Traceback" not in capsys.readouterr().err
    assert main(["explain", str(tmp_path / "missing")]) == 2
    assert "missing does not exist" in capsys.readouterr().err


def test_an_internal_error_in_explain_is_exit_3(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(root: Path, **options: object) -> None:  # explain takes mode= and isolated=
        raise ValueError("planted")

    monkeypatch.setattr("sourcelift.explain.explain", boom)
    monkeypatch.delenv("SOURCELIFT_DEBUG", raising=False)
    assert main(["explain", str(project)]) == 3
    err = capsys.readouterr().err
    assert "internal error: ValueError: planted" in err and "Traceback" not in err


def test_interrupted_is_130(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupt(root: Path, **options: object) -> None:  # explain takes mode= and isolated=
        raise KeyboardInterrupt

    monkeypatch.setattr("sourcelift.explain.explain", interrupt)
    assert main(["explain", str(project)]) == 130
    assert capsys.readouterr().err == "sourcelift: interrupted\n"


def test_help_is_exit_0_for_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    for command in SUBCOMMANDS:
        assert main([command, "--help"]) == 0
        out = capsys.readouterr().out
        for option in ("-q, --quiet", "-v, --verbose", "--color", "--format"):
            assert option in out, (command, option)
    assert main(["pip", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--style {default,uv,pr1798}" in out and "PIP_ARGS" in out and "--color" in out


# ------------------------------------------------------------------ -V, --format, -q/-v, --color, stderr


def test_version_names_both_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("-V", "--version"):
        assert main([flag]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"sourcelift-hook {sourcelift_hook.__version__} (the command), ")
        assert f"sourcelift {sourcelift.__version__} (the plugin); Python 3." in out and out.count("\n") == 1


def test_the_versions_are_those_of_the_distributions() -> None:
    for project, module in (("plugin", sourcelift), ("frontend_hook", sourcelift_hook)):
        text = (REPO_ROOT / project / "pyproject.toml").read_text()
        assert f'\nversion = "{module.__version__}"\n' in text


def test_format_json_and_its_alias_on_every_reporting_command(
    scene: Scene, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["explain", str(project)], ["provenance", "--path", str(scene.site)]):
        assert main([*argv, "--format", "json"]) == 0
        spelled = json.loads(capsys.readouterr().out)
        assert main([*argv, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == spelled
        assert main([*argv, "--format", "text"]) == 0
        assert not capsys.readouterr().out.startswith("{")
    assert main(["record", "--path", str(scene.site), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["version"] == "1" and document["changed"] == ["lib-a", "prebuilt"]
    assert document["style"] == "default" and document["problems"] == []
    assert main(["record", "--path", str(scene.site), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == ["lib-a", "prebuilt"]


def test_freeze_and_check_keep_their_formats(scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["freeze", "--path", str(scene.site), "--format", "requirements"]) == 0
    assert "prebuilt @ " in capsys.readouterr().out
    assert main(["check", "--list", "--format", "text"]) == 0
    assert "SL1xx" in capsys.readouterr().out


def test_problems_go_to_stderr_and_the_report_to_stdout(scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provenance", "--path", str(scene.site), "prebuilt", "nope"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("prebuilt 0.1.0: archive in git\n") and "nope" not in captured.out
    assert captured.err == "sourcelift: problem: nope: is not installed in this environment\n"


def test_quiet_and_verbose_on_every_subcommand(
    scene: Scene, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["record", "-q", "--path", str(scene.site)]) == 0
    assert capsys.readouterr() == ("", "")  # it recorded; -q drops the summary
    assert main(["-q", "record", "--path", str(empty)]) == 0  # before the subcommand too
    assert capsys.readouterr() == ("", "")
    assert main(["record", "--path", str(empty)]) == 0
    assert capsys.readouterr().out == (
        f"sourcelift: nothing to record: no distribution installed in {empty} is described by a provenance entry\n"
    )
    for argv in (["explain", str(project)], ["provenance", "--path", str(scene.site)], ["check", "--list"]):
        assert main([*argv, "-qq"]) == 0 and main([*argv, "-v"]) == 0
    assert main(["freeze", "-v", "--path", str(empty)]) == 0
    assert capsys.readouterr().err.endswith(f"sourcelift: nothing to export: no installed distribution in {empty}\n")
    assert main(["freeze", "--quiet", "--path", str(empty)]) == 0
    assert capsys.readouterr().err == ""


def test_verbose_says_what_was_read(scene: Scene, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provenance", "--path", str(scene.site), "-v"]) == 0
    assert f"sourcelift: 4 installed distributions in {scene.site}\n" in capsys.readouterr().err
    assert main(["provenance", "--path", str(scene.site)]) == 0
    assert "installed distributions in" not in capsys.readouterr().err
    assert main(["explain", str(project), "-v", "--json"]) == 0
    assert capsys.readouterr().err == f"sourcelift: read {project / 'pyproject.toml'} (local mode)\n"


def test_freeze_into_a_missing_directory_is_a_clean_error(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for target in (tmp_path / "missing" / "req.txt", tmp_path):
        assert main(["freeze", "--path", str(scene.site), "-o", str(target)]) == 1
        err = capsys.readouterr().err
        assert f"sourcelift: error: cannot write {target}: " in err and "fix: give -o a file path" in err


def test_a_closed_stdout_is_not_an_error(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def closed(report: object) -> str:
        raise BrokenPipeError

    monkeypatch.setattr("sourcelift_hook.report.format_report", closed)
    assert main(["provenance", "--path", str(scene.site)]) == 141
    assert capsys.readouterr().err == ""


def test_freeze_into_a_file_says_so(scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "req.txt"
    assert main(["freeze", "--path", str(scene.site), "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"sourcelift: wrote requirements of {scene.site} to {out}\n"
    assert "prebuilt @ " in out.read_text()


def test_provenance_of_an_empty_environment_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provenance", "--path", str(tmp_path)]) == 0
    assert capsys.readouterr() == ("", f"sourcelift: no installed distribution in {tmp_path}\n")


def test_color_choice_and_environment() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    pipe = io.StringIO()
    assert use_color(Tty(), "auto", {}) and not use_color(pipe, "auto", {})
    assert not use_color(Tty(), "auto", {"NO_COLOR": "1"}) and use_color(pipe, "auto", {"FORCE_COLOR": "1"})
    assert not use_color(Tty(), "auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"})  # NO_COLOR wins
    assert use_color(Tty(), "auto", {"NO_COLOR": ""})  # set but empty: ignored
    assert use_color(pipe, "always", {"NO_COLOR": "1"}) and not use_color(Tty(), "never", {"FORCE_COLOR": "1"})
    console = Console(color="always", stdout=pipe, stderr=pipe, environ={})
    console.error("sourcelift: error: x")
    assert pipe.getvalue() == "sourcelift: \033[31merror:\033[0m x\n"


def test_color_option_reaches_the_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--color", "always", "explain", str(project / "missing")]) == 2
    assert "\033[31merror:" in capsys.readouterr().err
    assert main(["explain", str(project / "missing"), "--color", "never"]) == 2
    assert "\033[" not in capsys.readouterr().err


def test_sourcelift_pip_shares_pips_verbosity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr("sourcelift_hook.pipcmd.run_pip", lambda args: calls.append(args) or 0)
    site = tmp_path / "t"
    install_dist(site, "x", "1")
    assert main(["pip", "install", "--target", str(site), "x"]) == 0
    assert "nothing to record" in capsys.readouterr().out
    assert main(["pip", "-q", "install", "--target", str(site), "x"]) == 0
    assert main(["-q", "pip", "--color", "never", "--", "install", "--target", str(site), "x"]) == 0
    assert capsys.readouterr() == ("", "")
    assert calls[1] == ["-q", "install", "--target", str(site), "x"]  # pip gets its -q as well
    assert calls[2] == ["install", "--target", str(site), "x"]
