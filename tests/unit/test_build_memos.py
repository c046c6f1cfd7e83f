"""What a build computes once and reuses (issue 14 point 2): each memo gives what the general code
gives, and the work it saves is not done again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from sourcelift.artifacts.store import Store
from sourcelift.errors import Findings
from sourcelift.model import DeclaredRequirement, ResolvedDirectory
from sourcelift.readers import _toml
from sourcelift.rewrite import markers
from sourcelift.rewrite.local import CachedVersions
from sourcelift.rewrite.plan import Plan, make_plan
from sourcelift.urls import path_to_file_url
from sourcelift.versions import _gitstate
from sourcelift.versions.cache import VersionCache
from sourcelift.versions.fingerprint import member_fingerprint, version_environment
from tests.support.wheels import wheel_bytes

from .test_readers import WORKSPACE as READERS_WORKSPACE
from .test_readers import write_tree

WORKSPACE = {
    **READERS_WORKSPACE,
    "vendor/shared-1.0-py3-none-any.whl": wheel_bytes("shared", "1.0"),
    "own/shared-2.0-py3-none-any.whl": wheel_bytes("shared", "2.0"),
}


def declared(text: str, key: str, extra: str | None = None) -> DeclaredRequirement:
    return DeclaredRequirement(Requirement(text), key, extra)


def plan_of(*requirements: DeclaredRequirement) -> Plan:
    return Plan(Path("/nowhere"), {}, Store(Path("/nowhere/store")), list(requirements))


def test_a_line_the_backend_wrote_with_single_quotes_is_the_declared_requirement() -> None:
    cli = declared("tool>=1", "project.optional-dependencies.cli[0]", extra="cli")
    plain = declared('other; os_name == "nt"', "project.dependencies[0]")
    plan = plan_of(cli, plain)
    # hatchling's spelling of an extra's requirement, and of a marker
    found = plan._declared("tool>=1; extra == 'cli'")
    assert found is not None and found == Requirement('tool>=1; extra == "cli"')
    assert plan._declared("other; os_name == 'nt'") is plain.requirement
    assert plan._declared('other; os_name == "nt"') is plain.requirement
    assert plan._declared("other; os_name == 'posix'") is None


def test_swapping_quotes_never_stands_for_a_line_with_a_url() -> None:
    """In a URL a quote is not a delimiter: `'q'` and `"q"` are different URLs."""
    with_url = declared('pkg @ https://example.com/"q".whl ; os_name == "nt"', "project.dependencies[0]")
    plan = plan_of(with_url)
    assert plan._declared('pkg @ https://example.com/"q".whl ; os_name == "nt"') is with_url.requirement
    assert plan._declared("pkg @ https://example.com/'q'.whl ; os_name == 'nt'") is None
    # a marker value holding a quote is rendered with `"`: its single-quoted spelling is not swapped
    quoted = declared("""x; platform_version == "it's" """, "project.dependencies[0]")
    assert plan_of(quoted)._declared("x; platform_version == 'it\"s'") is None


def test_rewriting_a_hatchling_line_gives_what_parsing_it_gives(tmp_path: Path, store: Store) -> None:
    write_tree(tmp_path, WORKSPACE)
    app = tmp_path / "packages" / "app"
    text = (app / "pyproject.toml").read_text()
    extra = '[project.optional-dependencies]\ncli = ["lib-b>=1"]\n[tool.uv.sources]'
    (app / "pyproject.toml").write_text(text.replace("[tool.uv.sources]", extra, 1))
    plan, findings = make_plan(app, store)
    target = path_to_file_url(tmp_path / "packages" / "lib-b")
    assert plan.rewrite_line("lib-b>=1; extra == 'cli'", findings) == [f'lib-b @ {target} ; extra == "cli"']
    fresh, findings = make_plan(app, store)
    fresh._parsed_lines = {}  # nothing declared to look up: the line is parsed
    line = "lib-b>=1; extra == 'cli'"
    assert fresh.rewrite_line(line, findings) == plan.rewrite_line(line, findings)
    assert not findings.problems


def test_markers_are_parsed_once_and_shared() -> None:
    first = markers.conjoin(Marker('os_name == "nt"'), 'extra == "cli"')
    again = markers.conjoin('os_name == "nt"', Marker('extra == "cli"'))
    assert first is again
    assert str(first) == 'os_name == "nt" and extra == "cli"'
    assert markers.parsed_marker('python_version >= "3.9"') is markers.parsed_marker('python_version >= "3.9"')
    assert markers.conjoin(None, None) is None


def test_the_member_pyprojects_the_workspace_read_are_not_read_again(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, WORKSPACE)
    read: list[Path] = []
    real = _toml.read_toml

    def counted(path: Path) -> dict:
        read.append(path)
        return real(path)

    monkeypatch.setattr("sourcelift.rewrite.resolve.read_toml", counted)
    plan, findings = make_plan(tmp_path / "packages" / "app", store)
    assert plan.rewrite_line("lib-b", findings) == [f"lib-b @ {path_to_file_url(tmp_path / 'packages' / 'lib-b')}"]
    assert not [path for path in read if "lib-" in str(path)], read
    # a member the workspace has not read (a plain `path` source) is still read
    (tmp_path / "packages" / "app" / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["lib-a==2"]\n'
        '[tool.uv.sources]\nlib-a = { path = "../lib-a" }\n'
    )
    with pytest.raises(Exception, match="has version 1, which does not satisfy"):
        make_plan(tmp_path / "packages" / "app", store)
    assert (tmp_path / "packages" / "lib-a" / "pyproject.toml") in read


def test_a_cached_version_is_looked_up_once_per_source_and_specifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = VersionCache(tmp_path / "cache")
    member = tmp_path / "member"
    member.mkdir()
    cache._note_member(member.resolve(), "1.0")
    looked: list[Path] = []
    real = VersionCache.versions_seen

    def counted(self: VersionCache, path: Path) -> list[str]:
        looked.append(path)
        return real(self, path)

    monkeypatch.setattr(VersionCache, "versions_seen", counted)
    known = CachedVersions({"SOURCELIFT_CACHE_DIR": str(tmp_path / "cache")})
    source = ResolvedDirectory(name="member", key="tool.uv.sources.member", marker=None, extra=None, path=member)
    assert known(source, SpecifierSet(">=1")) is None  # every version it held satisfies it
    assert known(source, SpecifierSet(">=1")) is None  # the second render of the same line
    assert looked == [member.resolve()]
    assert known(source, SpecifierSet(">=2")) is None  # held 1.0, but no entry for the current tree
    assert len(looked) == 2


def test_a_fingerprint_is_the_same_with_the_version_environment_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "p"\ndynamic = ["version"]\n')
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "--no-gpg-sign", "-m", "c"], cwd=tmp_path, check=True)
    _gitstate.clear()
    environ = {**os.environ, "SETUPTOOLS_SCM_PRETEND_VERSION": "9", "HATCH_VCS_X": "1"}
    data = _toml.read_toml(project / "pyproject.toml")
    general = member_fingerprint(project, data, environ).digest
    assert general is not None
    assert member_fingerprint(project, data, environ, version_env=version_environment(environ)).digest == general
    raw = (project / "pyproject.toml").read_bytes()
    assert member_fingerprint(project, data, environ, pyproject=raw).digest == general  # bytes read once
    assert member_fingerprint(project, data, environ, pyproject=raw + b"\n").digest != general
    assert version_environment(environ) == [("HATCH_VCS_X", "1"), ("SETUPTOOLS_SCM_PRETEND_VERSION", "9")]
    changed = {**environ, "SETUPTOOLS_SCM_PRETEND_VERSION": "10"}
    assert member_fingerprint(project, data, changed).digest != general
    # the directories found to hold `.git` are remembered until clear()
    assert _gitstate.find_repo_root(project) == tmp_path
    (project / ".git").mkdir()
    assert _gitstate.find_repo_root(project) == tmp_path
    _gitstate.clear()
    assert _gitstate.find_repo_root(project) == project
    _gitstate.clear()


def test_the_string_predicates_agree_with_the_patterns_they_replace() -> None:
    """``is_lower_hex`` and ``is_top_member`` stand for regular expressions a build no longer compiles."""
    import random
    import re

    from sourcelift._patterns import is_lower_hex, is_top_member

    rng = random.Random(14)
    alphabet = "0123456789abcdefABCDEF/.-_:\\\x00 xyMETADApkg-INFOdist"
    samples = ["a" * 64, "0" * 40, "", "a.dist-info/METADATA", ".dist-info/METADATA", "x/PKG-INFO", "/PKG-INFO"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70))) for _ in range(20_000)]
    samples += [
        rng.choice(["", "p-1", "a/b"])
        + rng.choice([".dist-info", "", "/"])
        + rng.choice(["/METADATA", "/PKG-INFO", "METADATA"])
        for _ in range(2_000)
    ]
    for text in samples:
        assert is_lower_hex(text, 64) == bool(re.fullmatch(r"[0-9a-f]{64}", text)), text
        assert is_lower_hex(text, 40) == bool(re.fullmatch(r"[0-9a-f]{40}", text)), text
        metadata = bool(re.fullmatch(r"[^/]+\.dist-info/METADATA", text))
        assert is_top_member(text, ".dist-info", "METADATA") == metadata, text
        assert is_top_member(text, "", "PKG-INFO") == bool(re.fullmatch(r"[^/]+/PKG-INFO", text)), text


def test_store_and_wheel_names_are_checked_as_before(tmp_path: Path) -> None:
    from sourcelift.errors import ConfigError

    store = Store(tmp_path)
    digest = "ab" * 32
    assert store.path_for(digest, "a-1.0-py3-none-any.whl") == tmp_path / "sha256" / digest / "a-1.0-py3-none-any.whl"
    for name in ("", ".", "..", "a/b.whl", "a\\b.whl", "c:x.whl", "a\x00.whl"):
        with pytest.raises(ConfigError, match="not a plain file name and hash"):
            store.path_for(digest, name)
    for bad in ("AB" * 32, "ab" * 31, "ab" * 32 + "\n", "g" * 64):
        with pytest.raises(ConfigError):
            store.path_for(bad, "a.whl")


def test_the_collector_pauses_during_sourcelift_steps_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from sourcelift.backends import wrapper

    seen: list[bool] = []

    @wrapper._ours
    def step() -> str:
        seen.append(gc.isenabled())
        return "done"

    @wrapper._ours
    def failing() -> None:
        seen.append(gc.isenabled())
        raise ValueError("boom")

    assert gc.isenabled()
    assert step() == "done"
    with pytest.raises(SystemExit):
        failing()
    assert seen == [False, False] and gc.isenabled()  # restored, after an error too

    # what a step made and kept joins the oldest generation unexamined (examined, it would be in the middle one)
    @wrapper._ours
    def keeping() -> list[dict[str, int]]:
        return [{"n": n} for n in range(5000)]

    gc.collect()
    frozen = gc.get_freeze_count()
    kept = keeping()
    if frozen == 0:
        assert any(item is kept for item in gc.get_objects(generation=2))
    else:  # objects the process froze (CPython 3.12 freezes some at start-up) stay frozen: the usual resume
        assert gc.get_freeze_count() == frozen
        assert not any(item is kept for item in gc.get_objects(generation=2))
    gc.disable()
    try:
        step()
        assert not gc.isenabled()  # a collector the caller paused stays paused
    finally:
        gc.enable()


def test_git_started_early_answers_as_git_asked_late_and_is_stopped_when_unused(tmp_path: Path) -> None:
    import subprocess

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "pyproject.toml").write_text('[project]\nname = "m"\ndynamic = ["version"]\n')
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "--no-gpg-sign", "-m", "c"], cwd=tmp_path, check=True)
    (tmp_path / "untracked.txt").write_text("x")
    _gitstate.clear()
    late = _gitstate.repo_state(tmp_path, os.environ)
    _gitstate.clear()
    _gitstate.prestart(tmp_path / "m", os.environ)
    started = _gitstate._STARTED[tmp_path]
    early = _gitstate.repo_state(tmp_path, os.environ)
    assert early == late and not isinstance(early, str)
    assert early.dirty == {"untracked.txt": False} and "m" in early.trees
    assert not _gitstate._STARTED and all(p.returncode == 0 for p in started.running.values())
    # started, never asked: stopped and reaped, and a later question asks git again
    _gitstate.clear()
    _gitstate.prestart(tmp_path, os.environ)
    unused = _gitstate._STARTED[tmp_path]
    _gitstate.discard_started()
    assert not _gitstate._STARTED and all(p.returncode is not None for p in unused.running.values())
    assert _gitstate.repo_state(tmp_path, os.environ) == late
    _gitstate.clear()
    _gitstate.prestart(tmp_path.parent / "no-such-repository", os.environ)  # outside git: nothing started
    assert not _gitstate._STARTED


def test_a_line_of_a_directory_in_the_checkout_is_checked_once_with_its_final_form(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Local mode renders the declared lines before the backend runs (for their problems) and again
    with the checkout's `git status` (for what is written): a directory in the checkout is parsed
    and checked in the second rendering only, which still refuses a line that cannot be written."""
    from sourcelift.rewrite import plan as plan_module
    from tests.support import git, mark_pushed

    from .test_provenance import head, workspace_repo

    repo = workspace_repo(tmp_path)
    app = repo / "packages" / "app"
    checked: list[str] = []
    real = plan_module._checked_lines

    def counted(lines: list[str], *args: object, **kwargs: object) -> list[str]:
        checked.extend(lines)
        return real(lines, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_module, "_checked_lines", counted)
    plan, findings = make_plan(app, store)
    assert checked == []  # the first rendering: problems only
    final = f"lib @ git+https://example.com/org/ws.git@{head(repo)}#subdirectory=packages/lib"
    assert plan.rewrite_line("lib", findings) == [final]
    assert checked == [final]
    # a problem of the first rendering is still reported before the backend runs
    (app / "pyproject.toml").write_text((app / "pyproject.toml").read_text().replace('"lib"', '"lib>=2"'))
    git("commit", "-qam", "lib>=2", cwd=repo)
    mark_pushed(repo)
    with pytest.raises(Exception, match="has version 1, which does not satisfy"):
        make_plan(app, store)
    # a committed directory whose path has no safe `#subdirectory=` form keeps its file: URL
    (app / "pyproject.toml").write_text((app / "pyproject.toml").read_text().replace('"lib>=2"', '"lib"'))
    git("mv", "packages/lib", "packages/lib one", cwd=repo)
    text = (app / "pyproject.toml").read_text().replace('"../lib"', '"../lib one"')
    (app / "pyproject.toml").write_text(text)
    git("commit", "-qam", "a space", cwd=repo)
    mark_pushed(repo)
    plan, findings = make_plan(app, store)
    written = Findings()
    assert plan.rewrite_line("lib", written) == [f"lib @ {path_to_file_url(repo / 'packages' / 'lib one')}"]
    assert not written.problems
    # a line whose git form cannot be written (a remote URL with a space, let past the checkout's own
    # check of the remote URL) is refused when it is written
    from sourcelift.rewrite import checkout

    git("mv", "packages/lib one", "packages/lib", cwd=repo)
    (app / "pyproject.toml").write_text(text.replace('"../lib one"', '"../lib"'))
    git("commit", "-qam", "no space", cwd=repo)
    mark_pushed(repo)
    git("remote", "set-url", "origin", "https://example.com/org/a b.git", cwd=repo)
    monkeypatch.setattr(checkout, "check_url", lambda url, kind: None)
    plan, findings = make_plan(app, store)
    assert not findings.problems
    plan.rewrite_line("lib", written)
    (problem,) = written.problems
    assert "cannot be written safely" in problem.message and problem.key == "tool.uv.sources.lib", problem


def test_real_path_is_os_path_realpath_with_each_parent_resolved_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sourcelift import _files

    (tmp_path / "ws" / "plugins" / "a").mkdir(parents=True)
    (tmp_path / "ws" / "plugins" / "b").mkdir()
    (tmp_path / "elsewhere" / "c").mkdir(parents=True)
    (tmp_path / "ws" / "plugins" / "c").symlink_to(tmp_path / "elsewhere" / "c")  # a member that is a link
    (tmp_path / "ws" / "linked").symlink_to(tmp_path / "ws" / "plugins")  # a parent that is a link
    (tmp_path / "ws" / "dangling").symlink_to(tmp_path / "nowhere")
    monkeypatch.chdir(tmp_path / "ws")
    _files.forget_real_paths()
    paths = [
        tmp_path / "ws" / "plugins" / "a",
        tmp_path / "ws" / "plugins" / "b",
        tmp_path / "ws" / "plugins" / "c",
        tmp_path / "ws" / "linked" / "a",
        tmp_path / "ws" / "linked" / "c",
        tmp_path / "ws" / "linked" / ".." / "a",  # `..` after a link: not lexical
        tmp_path / "ws" / "dangling",
        tmp_path / "ws" / "plugins" / "missing",
        Path("plugins/a"),
        Path("linked/b"),
        Path("."),
        Path("/"),
        f"{tmp_path}/ws/plugins/a/",
        f"{tmp_path}//ws/./plugins/b",
    ]
    for path in paths:
        assert _files.real_path(path) == os.path.realpath(path), path

    # twenty members under one parent: the parent is resolved once, not twenty times
    resolved: list[str] = []
    real = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda p, *a, **k: resolved.append(p) or real(p, *a, **k))
    _files.forget_real_paths()
    for index in range(20):
        _files.real_path(tmp_path / "ws" / "plugins" / f"member-{index}")
    assert resolved == [str(tmp_path / "ws" / "plugins")]

    # a parent replaced by a link is seen once forgotten
    monkeypatch.setattr(os.path, "realpath", real)
    (tmp_path / "ws" / "plugins").rename(tmp_path / "moved")
    (tmp_path / "ws" / "plugins").symlink_to(tmp_path / "moved")
    _files.forget_real_paths()
    assert _files.real_path(tmp_path / "ws" / "plugins" / "b") == str(tmp_path / "moved" / "b")

    # a path is resolved once, and so is its answer: a member asked for again costs no lstat
    monkeypatch.setattr(os.path, "islink", lambda p: pytest.fail(f"checked again: {p}"))
    assert _files.real_path(tmp_path / "ws" / "plugins" / "b") == str(tmp_path / "moved" / "b")
    assert _files.real_path(tmp_path / "moved" / "b") == str(tmp_path / "moved" / "b")


def test_importing_the_backend_leaves_the_collector_as_the_caller_had_it() -> None:
    import subprocess
    import sys

    code = """if True:
        import gc, sys, typing  # typing: loaded before any backend runs (build.py imports it before the pause)
        import sourcelift  # the package (and the search for it) first: the question is sourcelift.build
        frozen = sys.argv[1] == "frozen"
        disabled = sys.argv[1] == "disabled"
        initial = gc.get_freeze_count()  # CPython 3.12 freezes a few hundred objects at start-up
        if frozen:
            gc.freeze()
        if disabled:
            gc.disable()
        gc.collect()  # counts at zero: the few objects made before the import pauses the collector trigger none
        collections = []
        def watch(phase, info):
            # after the pause only (the wrapper is imported during it): what the pause deferred
            if phase == "start" and "sourcelift.backends.wrapper" in sys.modules:
                collections.append(info["generation"])
        gc.callbacks.append(watch)
        import sourcelift.build
        assert gc.isenabled() is not disabled, "the caller's collector state changed"
        if frozen:
            assert gc.get_freeze_count() > initial, "the caller's frozen objects were thawed"
        else:
            assert gc.get_freeze_count() == initial, "objects left frozen, or the interpreter's thawed"
        if not frozen and not initial:
            # the import's objects joined the oldest generation unexamined: no collection walked them
            assert collections == [], collections
        print("ok")
    """
    import sourcelift

    env = {**os.environ, "PYTHONPATH": str(Path(sourcelift.__file__).parents[1])}
    for state in ("enabled", "disabled", "frozen"):
        result = subprocess.run([sys.executable, "-c", code, state], capture_output=True, text=True, env=env)
        assert result.returncode == 0 and result.stdout.strip() == "ok", (state, result.stderr)


def test_the_repository_root_of_each_directory_is_the_nearest_holding_git(tmp_path: Path) -> None:
    """find_repo_root remembers each directory's answer: siblings share their parents' walk, and a
    directory with its own `.git` (a nested repository) is its own root, before or after its parent."""
    from sourcelift.versions import _gitstate

    (tmp_path / ".git").mkdir()
    for name in ("a/x", "a/y", "b/inner/deep"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "b" / "inner" / ".git").write_text("gitdir: elsewhere\n")
    _gitstate.clear()
    try:
        assert _gitstate.find_repo_root(tmp_path / "a" / "x") == tmp_path
        assert _gitstate.find_repo_root(tmp_path / "b" / "inner" / "deep") == tmp_path / "b" / "inner"
        assert _gitstate.find_repo_root(tmp_path / "a" / "y") == tmp_path
        assert _gitstate.find_repo_root(tmp_path / "b") == tmp_path
        assert _gitstate.find_repo_root(tmp_path / "b" / "inner") == tmp_path / "b" / "inner"
    finally:
        _gitstate.clear()


def test_a_fingerprint_is_the_digest_of_its_parts_fed_one_by_one(tmp_path: Path) -> None:
    """member_fingerprint hashes its parts at once, with the interpreter's prefix made once per process:
    the digest is the one feeding each part to sha256 in turn gives (entries cached before stay warm)."""
    import hashlib
    import subprocess
    import sys

    from sourcelift.readers import _toml
    from sourcelift.versions import _gitstate
    from sourcelift.versions.fingerprint import SCHEMA, member_fingerprint

    project = tmp_path / "p"
    (project / "p").mkdir(parents=True)
    text = '[project]\nname = "p"\ndynamic = ["version"]\n[tool.hatch.version]\npath = "p/v.py"\n'
    (project / "pyproject.toml").write_text(text)
    (project / "p" / "v.py").write_text("__version__ = '1'\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "--no-gpg-sign", "-m", "c"], cwd=tmp_path, check=True)
    tree = subprocess.run(
        ["git", "rev-parse", "HEAD:p"], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout.strip()
    _gitstate.clear()
    directory = Path(os.path.realpath(project))
    environ = {"SETUPTOOLS_SCM_PRETEND_VERSION": "9"}
    try:
        found = member_fingerprint(directory, _toml.read_toml(project / "pyproject.toml"), environ).digest
    finally:
        _gitstate.clear()
    expected = hashlib.sha256()
    for part in [
        SCHEMA, sys.version, sys.implementation.cache_tag or "", str(directory), "tree", tree,
        "file", "pyproject.toml", hashlib.sha256(text.encode()).hexdigest(), "missing", "setup.py",
        "missing", "setup.cfg", "file", "p/v.py", hashlib.sha256(b"__version__ = '1'\n").hexdigest(),
        "version-env", "SETUPTOOLS_SCM_PRETEND_VERSION", "9",
    ]:  # fmt: skip
        raw = part.encode()
        expected.update(len(raw).to_bytes(8, "little"))
        expected.update(raw)
    assert found == expected.hexdigest()


@pytest.mark.parametrize(
    ("root", "directory"),
    [("/w", "/w"), ("/w", "/w/a"), ("/w", "/w/a/b"), ("/", "/"), ("/", "/a/b"), ("/w", "/wx/a"), ("/w/a", "/w")],
)
def test_a_directory_relative_to_the_repository_is_what_pathlib_says(root: str, directory: str) -> None:
    from sourcelift.versions._gitstate import RepoState

    state = RepoState(root=Path(root), head="", tags="", trees={}, dirty={})
    try:
        expected = Path(directory).relative_to(Path(root)).as_posix()
    except ValueError:
        with pytest.raises(ValueError):
            state.relative(Path(directory))
        return
    assert state.relative(Path(directory)) == expected
