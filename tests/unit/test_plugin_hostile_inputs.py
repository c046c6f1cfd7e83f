"""Hostile inputs to the build plugin, driven through the wrapper's PEP 517 hooks in-process: each
must end in a build that works as the standards say or in sourcelift's error (exit code 1) naming
the key, never an internal error (exit code 3) or a Python exception escaping the hook."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from sourcelift import gitfacts
from sourcelift.artifacts.store import Store
from sourcelift.backends import wrapper
from sourcelift.errors import Findings, ProblemsError
from sourcelift.rewrite.plan import make_plan

BUILD_SYSTEM = '[build-system]\nrequires = ["sourcelift", "hatchling"]\nbuild-backend = "sourcelift.build"\n'


def prepare(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, list[str]]:
    """Run ``prepare_metadata_for_build_wheel`` on the project at ``root`` as a frontend does: the
    exit code (0 when it returned), what it printed, and the Requires-Dist lines it wrote."""
    from sourcelift.core_metadata import requires_dist

    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(root.parent / "store"))
    monkeypatch.setenv("SOURCELIFT_CACHE_DIR", str(root.parent / "cache"))
    monkeypatch.delenv("SOURCELIFT_MODE", raising=False)
    wrapper._pyproject.cache_clear()
    wrapper._config.cache_clear()
    output = root.parent / "metadata"
    output.mkdir(exist_ok=True)
    try:
        dist_info = wrapper.prepare_metadata_for_build_wheel(str(output), {})
    except SystemExit as exc:
        captured = capsys.readouterr()
        return (exc.code if isinstance(exc.code, int) else 1), captured.out + captured.err, []
    captured = capsys.readouterr()
    text = (output / dist_info / "METADATA").read_text(encoding="utf-8")
    return 0, captured.out + captured.err, requires_dist(text)


def write_project(root: Path, body: str, files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(BUILD_SYSTEM + body, encoding="utf-8")
    for relative, text in (files or {}).items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


LIB = '[project]\nname = "dep"\nversion = "1.0"\n'


def test_a_dynamic_entry_that_is_an_array_is_no_internal_error(tmp_path: Path) -> None:
    """`dynamic = [[]]` made read_project hash a list ("internal error: TypeError: unhashable type");
    sourcelift plans the sources and leaves the field's own check to the backend (hatchling: "Field #1
    of field `project.dynamic` must be a string")."""
    root = write_project(
        tmp_path / "app",
        '[project]\nname = "app"\nversion = "1.0"\ndynamic = [[], "dependencies"]\n'
        '[tool.uv.sources]\ndep = { path = "lib" }\n',
        {"lib/pyproject.toml": LIB},
    )
    plan, _ = make_plan(root, Store(tmp_path / "store"))
    assert plan.dynamic_dependencies


def _finishes(function: Callable[[], object], fifos: list[Path]) -> bool:
    """Whether ``function`` returns within 10 s; a reader left blocked on one of ``fifos`` is then freed."""
    thread = threading.Thread(target=function, daemon=True)
    thread.start()
    thread.join(10)
    for fifo in fifos:
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # a blocked reader sees end of file
    return not thread.is_alive()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_git_files_that_are_fifos_do_not_block_the_build(tmp_path: Path) -> None:
    """A branch ref, `packed-refs` or an `[include] path` that is a FIFO blocked the build forever in
    open() (`pip wheel .` never returned); they now read as absent, as any unreadable git file does."""
    git_dir = tmp_path / "app" / ".git"
    (git_dir / "refs" / "heads").mkdir(parents=True)
    (git_dir / "HEAD").write_text("ref: refs/heads/main\n")
    fifos = [git_dir / "refs" / "heads" / "main", git_dir / "packed-refs", tmp_path / "included"]
    for fifo in fifos:
        os.mkfifo(fifo)
    (git_dir / "config").write_text(f'[include]\n\tpath = {tmp_path / "included"}\n[remote "origin"]\n\turl = x\n')
    repository = gitfacts.find_repository(tmp_path / "app", environ={})
    assert isinstance(repository, gitfacts.Repository)
    heads: list[gitfacts.Head | None] = []
    assert _finishes(lambda: heads.append(repository.head()), fifos)
    assert heads == [gitfacts.Head(None, "main")]
    assert _finishes(repository.config, fifos)
    assert repository.config() == {"remote.origin.url": ["x"]}


@pytest.mark.parametrize(
    "remote",
    [
        "https://github.com/o/r.git#egg=evil",  # the fragment swallowed `@COMMIT#subdirectory=lib`
        "user:SECRET-TOKEN@github.com:o/r.git",  # scp-like host `user`: the token ended up in the line
        "https://github.com/o/r r.git",  # stopped the build, blaming the source
        "ext::sh -c touch% /tmp/x",
    ],
)
def test_a_remote_url_no_git_line_can_name_leaves_the_directory_a_file_url(
    remote: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The remote of the checkout names a committed directory source as `git+URL@COMMIT#subdirectory=`;
    a remote URL that is no valid git source URL wrote a broken or leaking line, or stopped the build.
    It now counts as no remote: the directory keeps its `file:` URL, with a note."""
    from tests.support.git import git, init_repo

    root = write_project(
        tmp_path / "app",
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["dep"]\n'
        "[tool.hatch.build.targets.wheel]\nbypass-selection = true\n"
        '[tool.uv.sources]\ndep = { path = "lib" }\n',
        {"lib/pyproject.toml": LIB},
    )
    init_repo(root)
    git("config", "remote.origin.url", remote, cwd=root)
    git("update-ref", "refs/remotes/origin/main", "HEAD", cwd=root)
    git("config", "branch.main.remote", "origin", cwd=root)
    code, output, lines = prepare(root, monkeypatch, capsys)
    assert code == 0, output
    assert lines == [f"dep @ {(root / 'lib').as_uri()}"]
    assert "no provenance recorded: the repository's remote URL" in output
    assert "SECRET-TOKEN" not in output


WORKSPACE_APP = (
    '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["dep"]\n'
    "[tool.uv.sources]\ndep = { workspace = true }\n[tool.uv.workspace]\n"
)


def test_two_workspace_members_of_one_name_stop_the_build(tmp_path: Path) -> None:
    """`dep` and `DEP` (one canonical name) in two members: the build silently took the last one in
    sorted order (`dep @ file:///.../lib2`); uv refuses such a workspace, and so does sourcelift now."""
    root = write_project(
        tmp_path / "app",
        WORKSPACE_APP + 'members = ["libs/*"]\n',
        {"libs/lib/pyproject.toml": LIB, "libs/lib2/pyproject.toml": LIB.replace('"dep"', '"DEP"')},
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, Store(tmp_path / "store"))
    (problem,) = info.value.problems
    assert problem.key == "tool.uv.sources.dep"
    assert "2 members named 'dep' ('libs/lib', 'libs/lib2')" in problem.message
    assert "exclude" in problem.fix


@pytest.mark.parametrize("key", ["members", "exclude"])
@pytest.mark.parametrize("value", ["5", '"libs/old"', "[5]", '[["libs/old"]]', "{}"])
def test_workspace_globs_that_are_not_an_array_of_strings_stop_the_build(tmp_path: Path, key: str, value: str) -> None:
    """`exclude = "libs/old"` (a string, not an array) was skipped without a word, so the member it
    meant to leave out stayed in and the build used it; `members` of the wrong type said only that
    the workspace has no such member."""
    patterns = {"members": f"members = {value}\n", "exclude": f'members = ["libs/*"]\nexclude = {value}\n'}[key]
    root = write_project(tmp_path / "app", WORKSPACE_APP + patterns, {"libs/old/pyproject.toml": LIB})
    with pytest.raises(ProblemsError) as info:
        make_plan(root, Store(tmp_path / "store"))
    keys = [problem.key for problem in info.value.problems]
    assert f"{root / 'pyproject.toml'}:tool.uv.workspace.{key}" in keys, info.value.problems


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_cache_tag_or_an_in_tree_backend_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    """The build asks each parent of a `file:` remote whether it is a cache (`CACHEDIR.TAG`), and
    explain reads an in-tree backend module (`backend-path`) for the wrapper: both used open(), which
    blocks on a FIFO until a writer comes; a FIFO now reads as absent."""
    from sourcelift.explain import checks
    from sourcelift.rewrite import checkout

    (tmp_path / "remote" / "r.git").mkdir(parents=True)
    (tmp_path / "_build").mkdir()
    fifos = [tmp_path / "remote" / "CACHEDIR.TAG", tmp_path / "_build" / "inner.py"]
    for fifo in fifos:
        os.mkfifo(fifo)
    found: list[object] = []
    url = (tmp_path / "remote" / "r.git").as_uri()
    assert _finishes(lambda: found.append(checkout._cache_directory(url)), fifos)
    assert _finishes(lambda: found.append(checks._in_tree_wrapper(tmp_path, "inner", ["_build"])), fifos)
    assert found == [None, False]


@pytest.mark.parametrize("entry", ["5", "[]", '""', "{ file = 5 }", "{ git = 1 }", "{ file = 'a', env = 'B' }"])
def test_a_malformed_cache_keys_entry_stops_the_project_own_build(
    tmp_path: Path, entry: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`[tool.sourcelift] cache-keys = [5]` passed this project's builds, local and publish, and broke
    only the publish build of another project that computes this one's version; it is now reported
    with the rest of `[tool.sourcelift]`."""
    root = write_project(
        tmp_path / "app", f'[project]\nname = "app"\nversion = "1.0"\n[tool.sourcelift]\ncache-keys = [{entry}]\n'
    )
    code, output, _ = prepare(root, monkeypatch, capsys)
    assert code == 1, output
    assert "`tool.sourcelift.cache-keys`: `tool.sourcelift.cache-keys[0]` is" in output, output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_git_status_that_never_answers_is_given_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's `git status` read a config `[include] path` that is a FIFO and waited for it forever
    (`pip wheel .` never returned, though sourcelift's own reads skip the FIFO); a git command now has
    GIT_TIMEOUT seconds, then it is killed and the build goes on as without git."""
    from tests.support.git import init_repo

    root = write_project(tmp_path / "app", '[project]\nname = "app"\nversion = "1.0"\n', {"lib/pyproject.toml": LIB})
    init_repo(root)
    os.mkfifo(tmp_path / "included")
    with (root / ".git" / "config").open("a") as config:
        config.write(f"[include]\n\tpath = {tmp_path / 'included'}\n")
    monkeypatch.setattr(gitfacts, "GIT_TIMEOUT", 1.0, raising=False)
    repository = gitfacts.find_repository(root, environ={})
    assert isinstance(repository, gitfacts.Repository)
    answers: list[object] = []
    query = gitfacts.StatusQuery(repository, ["lib"], environ={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    assert _finishes(lambda: answers.append(query.result()), [tmp_path / "included"])
    (answer,) = answers
    assert isinstance(answer, str) and "timed out" in answer, answer


@pytest.mark.parametrize("where", ["dependencies", "optional-dependencies"])
def test_a_requirement_with_a_line_break_in_a_marker_value_is_a_problem(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """packaging parses `dep ; platform_release == 'x<newline>y'` and renders a marker it cannot parse
    again: an extra's requirement ended in "internal error: InvalidMarker" (exit code 3), and explain
    of a main dependency in "internal error: InvalidRequirement"."""
    requirement = 'dep ; platform_release == \\"x\\ny\\"'
    table = {
        "dependencies": f'dependencies = ["{requirement}"]\n',
        "optional-dependencies": f'[project.optional-dependencies]\ne = ["{requirement}"]\n',
    }[where]
    root = write_project(
        tmp_path / "app",
        f'[project]\nname = "app"\nversion = "1.0"\n{table}[tool.uv.sources]\ndep = {{ path = "lib" }}\n',
        {"lib/pyproject.toml": LIB},
    )
    code, output, _ = prepare(root, monkeypatch, capsys)
    assert code == 1, output
    key = "project.dependencies[0]" if where == "dependencies" else "project.optional-dependencies.e[0]"
    assert f"`{key}`: 'dep ; platform_release == \"x\\ny\"' contains a control character (U+000A)" in output
    from sourcelift.explain import explain

    report = explain(root, Store(tmp_path / "store"), mode="local")
    assert key in str(report["problems"]), report["problems"]


def test_the_build_messages_show_terminal_controls_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source named `"dep\\u001b[2J"` reached the build log raw in the unused-source warning, and a key
    with a bidirectional override raw in the problem that stops the build (`\\x1b[2J` clears the
    terminal); both are now shown as escapes, as the command shows them."""
    body = (
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["dep"]\n'
        "[tool.hatch.build.targets.wheel]\nbypass-selection = true\n[tool.uv.sources]\n"
    )
    warned = write_project(
        tmp_path / "warned", body + '"dep\\u001b[2J" = { path = "lib" }\n', {"lib/pyproject.toml": LIB}
    )
    code, output, _ = prepare(warned, monkeypatch, capsys)
    assert code == 0 and "\x1b" not in output and "dependency `dep\\x1b[2J`" in output, output
    stopped = write_project(
        tmp_path / "stopped", body + 'dep = { path = "lib", "p\\u202eth" = 1 }\n', {"lib/pyproject.toml": LIB}
    )
    code, output, _ = prepare(stopped, monkeypatch, capsys)
    assert code == 1 and "\u202e" not in output and "unknown key `p\\u202eth`" in output, output


@pytest.mark.parametrize(
    ("source", "key", "words"),
    [
        # the escape reached METADATA: `dep @ file:///...; platform_machine == "<ESC>[31m"`
        ('{ path = "lib", marker = "platform_machine == \'\\u001b[31m\'" }', "marker", "control character (U+001B)"),
        # `dep @ git+https://e.com@main`: installers read `e.com` as user info and `main` as the host
        ('{ git = "https://e.com", rev = "main" }', "git", "names no repository path"),
        # `dep @ git+https://e.com/r.git?ref=x@main`: the revision is part of the query, the clone is the default branch
        ('{ git = "https://e.com/r.git?ref=x", rev = "main" }', "git", "has a query (`?ref=x`)"),
    ],
)
def test_source_values_that_would_write_a_wrong_line_are_problems(
    tmp_path: Path, source: str, key: str, words: str
) -> None:
    root = write_project(
        tmp_path / "app",
        f'[project]\nname = "app"\nversion = "1.0"\ndependencies = ["dep"]\n[tool.uv.sources]\ndep = {source}\n',
        {"lib/pyproject.toml": LIB},
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, Store(tmp_path / "store"))
    (problem,) = info.value.problems
    assert problem.key == f"tool.uv.sources.dep.{key}" and words in problem.message, problem


@pytest.mark.parametrize(
    ("pyproject", "words"),
    [
        ("", "holds no project"),  # publish mode wrote `dep==0.0.0`: setuptools' fallback built UNKNOWN 0.0.0
        ("[tool.black]\nline-length = 99\n", "holds no project"),
        ('[project]\nname = 5\nversion = "1"\n', "`project.name` is 5, not a string"),  # passed as `dep`
    ],
)
def test_a_directory_source_that_names_no_project_is_a_problem(tmp_path: Path, pyproject: str, words: str) -> None:
    root = write_project(
        tmp_path / "app",
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["dep"]\n[tool.uv.sources]\ndep = { path = "lib" }\n',
        {"lib/pyproject.toml": pyproject},
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, Store(tmp_path / "store"))
    (problem,) = info.value.problems
    assert problem.key == "tool.uv.sources.dep.path" and words in problem.message, problem


def test_a_directory_with_setup_files_or_a_backend_keeps_its_name_to_the_backend(tmp_path: Path) -> None:
    """What the check above must not refuse: a setup.py project with a tools-only pyproject.toml, and a
    backend that reads the name from its own table (flit 2's `[tool.flit.metadata]`)."""
    files = {
        "a/pyproject.toml": "[tool.black]\n",
        "a/setup.py": "",
        "b/pyproject.toml": '[build-system]\nrequires = ["flit_core<3"]\nbuild-backend = "flit_core.buildapi"\n',
    }
    root = write_project(
        tmp_path / "app",
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["a", "b"]\n'
        '[tool.uv.sources]\na = { path = "a" }\nb = { path = "b" }\n',
        files,
    )
    make_plan(root, Store(tmp_path / "store"))


@pytest.mark.parametrize("value", ["x\\\\ny", "a\\\\b"])  # TOML text: a backslash, then `n` or `b`
@pytest.mark.parametrize("where", ["dependencies", "extra", "source"])
def test_a_backslash_packaging_reads_as_an_escape_in_a_marker_is_a_problem(
    tmp_path: Path, value: str, where: str
) -> None:
    """packaging reads `\\n` and `\\b` inside a quoted marker value as escapes: `'x\\ny'` made every build
    of an extra's requirement (and publish-mode builds) end in "internal error: InvalidMarker", and
    `'a\\b'` reached METADATA as a backspace.  Each is now a problem naming the key."""
    marker = f"platform_release == '{value}'"
    declared = {
        "dependencies": f'dependencies = ["dep ; {marker}"]\n',
        "extra": f'[project.optional-dependencies]\ne = ["dep ; {marker}"]\n',
        "source": 'dependencies = ["dep"]\n',
    }[where]
    source = f'dep = {{ path = "lib", marker = "{marker}" }}' if where == "source" else 'dep = { path = "lib" }'
    root = write_project(
        tmp_path / "app",
        f'[project]\nname = "app"\nversion = "1.0"\n{declared}[tool.uv.sources]\n{source}\n',
        {"lib/pyproject.toml": LIB},
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, Store(tmp_path / "store"))
    (problem,) = info.value.problems
    key = {
        "dependencies": "project.dependencies[0]",
        "extra": "project.optional-dependencies.e[0]",
        "source": "tool.uv.sources.dep.marker",
    }[where]
    assert problem.key == key and "backslash" in problem.message, problem


@pytest.mark.parametrize("value", ["a\\\\b", "a\\u001bb"])  # TOML text: a backslash and `b`; an escape character
def test_a_poetry_marker_packaging_cannot_write_back_is_a_problem(tmp_path: Path, value: str) -> None:
    """poetry-core refuses the marker packaging renders from `'a\\b'` (a backspace) or one holding an
    escape character: publish-mode builds of such a poetry project ended in "internal error:
    InvalidMarkerError"; the poetry reader now reports the key."""
    root = write_project(
        tmp_path / "app",
        '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\n'
        '[tool.poetry]\nname = "app"\nversion = "1.0"\ndescription = ""\nauthors = []\n'
        '[tool.poetry.dependencies]\npython = "^3.8"\n'
        f'dep = {{ path = "lib", markers = "platform_release == \'{value}\'" }}\n',
        {"lib/pyproject.toml": LIB},
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, Store(tmp_path / "store"))
    (problem,) = info.value.problems
    assert problem.key == "tool.poetry.dependencies.dep.markers" and "not a valid PEP 508 marker" in problem.message


@pytest.mark.parametrize("requires", ["5", "true", '"hatchling"'])
def test_a_publish_sdist_of_a_build_system_requires_that_is_no_array_is_an_error(
    tmp_path: Path, requires: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`requires = 5` (frontends refuse it; a hook called directly does not) ended the publish-mode sdist in
    "internal error: TypeError: object of type 'Integer' has no len()" while restoring `[build-system]`."""
    root = write_project(tmp_path / "app", '[project]\nname = "app"\nversion = "1.0"\n')
    text = (
        (root / "pyproject.toml")
        .read_text()
        .replace('requires = ["sourcelift", "hatchling"]', f"requires = {requires}")
    )
    (root / "pyproject.toml").write_text(text)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCELIFT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("SOURCELIFT_MODE", "publish")
    wrapper._pyproject.cache_clear()
    wrapper._config.cache_clear()
    (tmp_path / "dist").mkdir()
    with pytest.raises(SystemExit) as info:
        wrapper.build_sdist(str(tmp_path / "dist"))
    output = capsys.readouterr().err
    assert info.value.code == 1 and "`build-system.requires` in pyproject.toml is" in output, output
    assert list((tmp_path / "dist").iterdir()) == []


def test_a_poetry_line_poetry_core_cannot_read_is_left_to_poetry_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python = "===1.2.3"` on a path dependency: sourcelift's line `dep==1.0; python_full_version ===
    "1.2.3"` went through poetry-core's parser to learn how poetry-core writes it, which raised, and the
    publish build ended in "internal error: InvalidMarkerError"; the build now reaches poetry-core, which
    refuses the constraint itself (as it does in local mode, and without sourcelift)."""
    pytest.importorskip("poetry.core")
    root = write_project(
        tmp_path / "app",
        '[tool.sourcelift]\nbackend = "poetry.core.masonry.api"\nmode = "publish"\n'
        '[tool.poetry]\nname = "app"\nversion = "1.0"\ndescription = ""\nauthors = []\n'
        '[tool.poetry.dependencies]\npython = "^3.8"\ndep = { path = "lib", python = "===1.2.3" }\n',
        {"lib/pyproject.toml": LIB, "app/__init__.py": ""},
    )
    with pytest.raises(Exception) as info:  # poetry-core's own refusal, whatever its class
        prepare(root, monkeypatch, capsys)
    assert "===1.2.3" in str(info.value) and "internal error" not in capsys.readouterr().err


def test_a_git_url_whose_query_is_only_credentials_is_written_without_it(tmp_path: Path) -> None:
    # the query check runs on what the redactor leaves: a token parameter is removed, not refused
    root = write_project(
        tmp_path / "app",
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["dep"]\n'
        '[tool.uv.sources]\ndep = { git = "https://e.com/r.git?private_token=abc", rev = "main" }\n',
    )
    plan, findings = make_plan(root, Store(tmp_path / "store"))
    assert plan.declared_lines(Findings())["project.dependencies[0]"] == ["dep @ git+https://e.com/r.git@main"]
    assert "abc" not in str(findings.warnings) and findings.warnings


def test_a_workspace_root_that_cannot_be_parsed_is_named_when_no_workspace_is_found(tmp_path: Path) -> None:
    # uv stops at the broken root; sourcelift passed it by and said only "no uv workspace above"
    (tmp_path / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["packages/*"\n')
    root = write_project(
        tmp_path / "packages" / "app",
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["lib"]\n'
        "[tool.uv.sources]\nlib = { workspace = true }\n",
    )
    with pytest.raises(ProblemsError) as info:
        make_plan(root, Store(tmp_path / "store"))
    (problem,) = info.value.problems
    assert "no uv workspace above" in problem.message
    assert f"{tmp_path / 'pyproject.toml'} cannot be parsed" in problem.message, problem
    assert problem.fix == "correct that pyproject.toml"


def test_metadata_prepared_twice_into_one_directory_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the second call was an internal error (FileExistsError), and its clean-up removed the first's dist-info
    root = write_project(tmp_path / "app", '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["dep"]\n')
    assert prepare(root, monkeypatch, capsys) == (0, "", ["dep"])
    (root / "pyproject.toml").write_text(
        BUILD_SYSTEM + '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["dep>=2"]\n', encoding="utf-8"
    )
    assert prepare(root, monkeypatch, capsys) == (0, "", ["dep>=2"])


def test_an_archive_path_that_is_a_link_or_a_directory_in_the_repository_says_so(tmp_path: Path) -> None:
    # git stores a symbolic link as its target's text: the "archive" was that text ("not a zip archive")
    import subprocess

    from sourcelift._git import with_git_blob
    from sourcelift.errors import ConfigError

    repo = tmp_path / "repo"
    (repo / "vendor" / "sub").mkdir(parents=True)
    (repo / "vendor" / "dep-1.0-py3-none-any.whl").write_bytes(b"PK\x05\x06" + bytes(18))
    (repo / "vendor" / "sub" / "file").write_text("x")
    (repo / "dep-1.0-py3-none-any.whl").symlink_to("vendor/dep-1.0-py3-none-any.whl")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}  # fmt: skip
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", "-C", str(repo), *command], check=True, env=env)
    url = repo.as_uri()
    assert with_git_blob(url, None, "vendor/dep-1.0-py3-none-any.whl", lambda stream: stream.read(2)) == b"PK"
    with pytest.raises(ConfigError, match=r"is a symbolic link in .* \(to 'vendor/dep-1.0-py3-none-any.whl'\)"):
        with_git_blob(url, None, "dep-1.0-py3-none-any.whl", lambda stream: stream.read())
    with pytest.raises(ConfigError, match="is a directory in"):
        with_git_blob(url, None, "vendor/sub", lambda stream: stream.read())
