"""What the wrapper hands the wrapped backend, and what it leaves behind when it fails (issue 9, points 3, 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcelift.backends import wrapper


def test_sourcelift_settings_never_reach_the_wrapped_backend() -> None:
    settings = {
        "sourcelift-mode": "publish",
        "sourcelift-cache": "off",
        "cmake.build-type": "Debug",
    }
    assert wrapper._inner_settings(settings) == {"cmake.build-type": "Debug"}
    assert wrapper._inner_settings({"sourcelift-mode": ["local", "publish"]}) == {}
    assert wrapper._inner_settings(None) is None
    assert wrapper._inner_settings({}) == {}
    assert settings["sourcelift-mode"] == "publish"  # the caller's mapping is not modified


@pytest.mark.parametrize("key", ["sourcelift.mode", "sourcelift_mode", "sourcelift-moed", "Sourcelift-Mode"])
def test_a_mistyped_setting_of_ours_stops_the_build(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Found trying real projects: `-C sourcelift.mode=publish` was dropped, and a "publish" build wrote
    local-mode direct references.  Now every hook that passes settings on refuses it, with the fix."""
    with pytest.raises(SystemExit) as stopped:
        wrapper._inner_settings({key: "publish", "sourcelift-anything": "x", "cmake.build-type": "Debug"})
    assert stopped.value.code != 0
    err = capsys.readouterr().err
    assert f"the config setting `{key}` is not one of sourcelift's (`sourcelift-mode`, `sourcelift-cache`)" in err
    assert "the config setting `sourcelift-anything` is not one of sourcelift's" in err  # every one at once
    assert "did you mean `sourcelift-mode`?" in err and "fix: spell it as sourcelift reads it" in err
    assert "Traceback" not in err and "cmake.build-type" not in err


def test_the_wrapped_backend_gets_its_own_prepared_metadata_or_none(tmp_path: Path) -> None:
    ours = tmp_path / "app-1.0.dist-info"
    ours.mkdir()
    assert wrapper._inner_metadata_directory(str(ours)) is None  # a directory sourcelift did not prepare
    own = tmp_path / wrapper.INNER_METADATA / "app-1.0.dist-info"
    own.mkdir(parents=True)
    assert wrapper._inner_metadata_directory(str(ours)) == str(own)
    assert wrapper._inner_metadata_directory(None) is None


class Inner:
    """A wrapped backend whose prepared METADATA the wrapper must not touch."""

    @staticmethod
    def prepare_metadata_for_build_wheel(directory: str, config_settings: object = None) -> str:
        assert config_settings == {"other": "1"}
        dist_info = Path(directory) / "app-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: app\nVersion: 1.0\nRequires-Dist: prebuilt\n")
        return dist_info.name


def test_prepare_keeps_the_backends_own_metadata_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Plan:
        def rewrite_line(self, value: str, findings: object) -> list[str] | None:
            return ["prebuilt @ file:///store/prebuilt-0.1.0-py3-none-any.whl"] if value == "prebuilt" else None

        def warn_unbacked_written(self, value: str, findings: object) -> None:
            pass

        def populate_store(self) -> None:
            pass

    monkeypatch.setattr(wrapper, "_plan", lambda settings: Plan())
    monkeypatch.setattr(wrapper, "_load_inner", lambda: Inner)
    name = wrapper.prepare_metadata_for_build_wheel(str(tmp_path), {"sourcelift-mode": "local", "other": "1"})
    assert "prebuilt @ file:///store/" in (tmp_path / name / "METADATA").read_text()
    own = Path(wrapper._inner_metadata_directory(str(tmp_path / name)) or "")
    assert (own / "METADATA").read_text().endswith("Requires-Dist: prebuilt\n")


def test_a_failed_finish_removes_the_backends_artifact(tmp_path: Path) -> None:
    artifact = tmp_path / "app-1.0.tar.gz"
    artifact.write_bytes(b"raw")

    def fail() -> None:
        raise SystemExit(1)

    with pytest.raises(SystemExit):
        wrapper._remove_on_failure(artifact, fail)
    assert list(tmp_path.iterdir()) == []
    kept = tmp_path / "app-1.0-py3-none-any.whl"
    kept.write_bytes(b"ok")
    wrapper._remove_on_failure(kept, lambda: None)
    assert kept.exists()


def test_a_config_problem_stops_the_build_with_the_sources_problems_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`explain` listed both problems; `pip wheel` only the config's, as the wrapper stopped at it."""
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n'
        '[project]\nname = "app"\nversion = "1.0"\n'
        '[tool.uv]\nsources = 5\n[tool.sourcelift]\nstrategies = "exact"\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(tmp_path.parent / "store"))
    wrapper._pyproject.cache_clear()
    wrapper._config.cache_clear()
    with pytest.raises(SystemExit):
        wrapper.get_requires_for_build_wheel()
    err = capsys.readouterr().err
    assert "2 problems" in err and "Traceback" not in err
    assert "1. `tool.sourcelift.strategies`: must be a table" in err
    assert "2. `tool.uv.sources`: must be a table" in err
    assert [p.name for p in tmp_path.iterdir()] == ["pyproject.toml"]  # nothing written into the tree


def test_the_dependencies_a_build_may_lack_are_the_ones_the_plugin_declares() -> None:
    """The modules a build without isolation may lack map to exactly the plugin's declared dependencies."""
    from packaging.requirements import Requirement

    from sourcelift._compat import tomllib
    from sourcelift.errors import DEPENDENCIES

    plugin = Path(__file__).resolve().parents[2] / "plugin" / "pyproject.toml"
    declared = tomllib.loads(plugin.read_text())["project"]["dependencies"]
    assert sorted(DEPENDENCIES.values()) == sorted(str(Requirement(line)).split(";")[0] for line in declared)


BLOCKED_IMPORT_PROBE = r"""
import sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == sys.argv[1]:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Blocked())
if sys.argv[2] == "import":
    import sourcelift.build as backend
    assert callable(getattr(backend, "build_editable")) and not hasattr(backend, "build_something")
    backend.build_wheel("/nonexistent")
else:
    from sourcelift._git import with_git_blob
    from sourcelift.errors import MissingDependency
    try:
        with_git_blob("https://example.invalid/r.git", None, "x.whl", print)
    except MissingDependency as error:
        print(error.render())
"""


@pytest.mark.parametrize(
    ("module", "where", "requirement"),
    [("packaging", "import", "packaging>=24.2"), ("git", "git", "gitpython>=3.1")],
)
def test_a_dependency_missing_without_isolation_is_named_with_how_to_install_it(
    module: str, where: str, requirement: str, tmp_path: Path
) -> None:
    """Not a frontend's traceback of `import sourcelift.build` (pip 26.0 on Python 3.9 printed its own
    internals), nor "internal error ... a bug in sourcelift", nor "needs git" for an absent gitpython."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT_PROBE, module, where],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == (1 if where == "import" else 0), output
    assert "Traceback" not in output and "internal error" not in output, output
    assert f"sourcelift needs `{requirement}`, which the Python that runs this build cannot import" in output
    assert f'-m pip install "{requirement}"`' in output and "build without isolation" in output, output


@pytest.mark.parametrize(
    ("requires", "listed"),
    [('["sourcelift", "setuptools>=61"]', True), ('["sourcelift"]', False)],
)
def test_an_unimportable_wrapped_backend_says_where_to_install_it(
    requires: str, listed: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed in `build-system.requires` already (a build without isolation): install it there; not listed: list it."""
    (tmp_path / "pyproject.toml").write_text(
        f'[build-system]\nrequires = {requires}\nbuild-backend = "sourcelift.build"\n'
        '[project]\nname = "app"\nversion = "1.0"\n[tool.sourcelift]\nbackend = "setuptools.build_meta"\n'
    )
    monkeypatch.chdir(tmp_path)
    wrapper._pyproject.cache_clear()
    error = wrapper._unimportable_backend(str(tmp_path), "setuptools.build_meta", ModuleNotFoundError("gone"))
    text = str(error)
    assert text.startswith("cannot import the build backend `setuptools.build_meta` named in `tool.sourcelift.backend`")
    if listed:
        assert "`build-system.requires` lists `setuptools>=61`, but a build without isolation" in text
        assert '-m pip install "setuptools>=61"`), or build with isolation' in text
    else:
        assert "fix: add the distribution that provides `setuptools` to `build-system.requires`" in text
    wrapper._pyproject.cache_clear()
