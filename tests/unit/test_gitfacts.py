"""Git facts read from disk agree with what git itself says, in the shapes repositories come in."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcelift.artifacts.store import Store
from sourcelift.errors import Findings
from sourcelift.gitfacts import Head, Repository, cache_remote_url, find_repository, parse_config
from sourcelift.rewrite.plan import make_plan
from tests.support import clone, git, init_repo

from .conftest import write_tree


def repository(path: Path) -> Repository:
    found = find_repository(path)
    assert isinstance(found, Repository), found
    return found


def rev_parse(repo: Path, *args: str) -> str:
    return git("rev-parse", *args, cwd=repo).strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", {"README": "x\n", "sub/dir/file.txt": "y\n"})
    init_repo(root)
    return root


def test_head_branch_and_commit_from_loose_and_packed_refs(repo: Path) -> None:
    commit = rev_parse(repo, "HEAD")
    assert repository(repo / "sub" / "dir").head() == Head(commit, "main")
    assert repository(repo).top == repo.resolve()
    git("pack-refs", "--all", "--prune", cwd=repo)
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert repository(repo).head() == Head(commit, "main")
    git("checkout", "--quiet", "--detach", cwd=repo)
    assert repository(repo).head() == Head(commit, None)


def test_an_unborn_branch_has_no_commit(tmp_path: Path) -> None:
    git("init", "--quiet", "--initial-branch=trunk", tmp_path / "new", cwd=tmp_path)
    assert repository(tmp_path / "new").head() == Head(None, "trunk")


def test_a_linked_worktree_reads_its_own_head_and_the_shared_refs(repo: Path, tmp_path: Path) -> None:
    git("worktree", "add", "--quiet", "-b", "feature", tmp_path / "wt", cwd=repo)
    (tmp_path / "wt" / "new.txt").write_text("z\n")
    git("add", "new.txt", cwd=tmp_path / "wt")
    git("commit", "--quiet", "--no-gpg-sign", "-m", "feature", cwd=tmp_path / "wt")
    git("remote", "add", "origin", "https://example.com/r.git", cwd=repo)
    found = repository(tmp_path / "wt")
    assert found.top == (tmp_path / "wt").resolve()
    assert found.head() == Head(rev_parse(tmp_path / "wt", "HEAD"), "feature")
    assert found.remote_url("feature") == "https://example.com/r.git"  # the main repository's config
    assert repository(repo).head() == Head(rev_parse(repo, "HEAD"), "main")


def test_the_tracked_remote_wins_over_origin(repo: Path) -> None:
    git("remote", "add", "origin", "https://example.com/origin.git", cwd=repo)
    git("remote", "add", "upstream", "https://example.com/upstream.git", cwd=repo)
    assert repository(repo).remote_url("main") == "https://example.com/origin.git"
    git("config", "branch.main.remote", "upstream", cwd=repo)
    assert repository(repo).remote_url("main") == "https://example.com/upstream.git"
    assert repository(repo).remote_url(None) == "https://example.com/origin.git"


def test_config_syntax_as_git_reads_it(tmp_path: Path, repo: Path) -> None:
    included = write_tree(tmp_path, {"extra.cfg": '[remote "inc"]\n\turl = https://example.com/included.git\n'})
    config = write_tree(
        tmp_path,
        {
            "config": (
                "# comment\n"
                '[Remote "Odd \\"name\\""]\n'
                '    URL = "https://example.com/a b.git" ; trailing comment\n'
                "[remote.legacy]\n"
                "\turl = https://example.com/legacy.git # another\n"
                "[core]\n"
                "\tbare\n"
                "\tlong = one \\\n"
                "two\n"
                f"[include]\n\tpath = {included / 'extra.cfg'}\n"
            )
        },
    )
    values = parse_config(config / "config")
    assert values['remote.Odd "name".url'] == ["https://example.com/a b.git"]
    assert values["remote.legacy.url"] == ["https://example.com/legacy.git"]
    assert values["core.bare"] == ["true"]
    assert values["core.long"] == ["one two"]
    assert values["remote.inc.url"] == ["https://example.com/included.git"]
    # the same answers as git's own reader
    for key in ('remote.Odd "name".url', "remote.legacy.url", "core.long"):
        assert git("config", "--file", str(config / "config"), "--get", key, cwd=repo).strip() == values[key][0]


def test_tag_refs_change_with_tags_and_not_with_packing(repo: Path) -> None:
    first = repository(repo).tag_refs()
    git("tag", "v1", cwd=repo)
    git("tag", "-a", "-m", "annotated", "v2", cwd=repo)
    loose = repository(repo).tag_refs()
    assert loose != first and b"refs/tags/v1" in loose and b"refs/tags/v2" in loose
    git("pack-refs", "--all", "--prune", cwd=repo)
    packed = repository(repo).tag_refs()
    assert b"refs/tags/v1" in packed and b"refs/tags/v2" in packed and b"^{}" in packed
    git("tag", "-d", "v1", cwd=repo)
    assert b"refs/tags/v1" not in repository(repo).tag_refs()


def test_redirecting_variables_and_reftable_give_no_facts(repo: Path, tmp_path: Path) -> None:
    assert "GIT_DIR" in str(find_repository(repo, {"GIT_DIR": str(repo / ".git")}))
    assert "not in a git work tree" in str(find_repository(tmp_path.parent.parent / "no-such-place"))
    git("config", "extensions.refStorage", "reftable", cwd=repo)
    assert "reftable" in str(repository(repo).unsupported())


def test_fetch_head_names_the_repository_a_cached_clone_came_from(tmp_path: Path, repo: Path) -> None:
    db = tmp_path / "db"
    git("init", "--quiet", db, cwd=tmp_path)
    git("fetch", "--quiet", str(repo), "main", cwd=db)
    assert cache_remote_url(db) == str(repo)
    git("fetch", "--quiet", f"file://{repo}", "HEAD", cwd=db)
    assert cache_remote_url(db) == f"file://{repo}"
    assert cache_remote_url(tmp_path / "nothing") is None


WHEEL = "prebuilt-1.0-py3-none-any.whl"


def uv_shaped_checkout(tmp_path: Path, *, fetched: bool) -> tuple[Path, Path, str]:
    """A project repository, a cache (CACHEDIR.TAG) holding a clone fetched from it the way uv does,
    and a checkout of that clone: (project checkout, upstream repository, commit)."""
    upstream = write_tree(
        tmp_path / "upstream",
        {
            "pyproject.toml": (
                '[project]\nname = "app"\nversion = "1"\ndependencies = ["lib"]\n'
                '[tool.uv.sources]\nlib = { path = "libs/lib" }\n'
            ),
            "libs/lib/pyproject.toml": '[project]\nname = "lib"\nversion = "1"\n',
        },
    )
    commit = init_repo(upstream)
    cache = tmp_path / "cache"
    (cache / "git-v2" / "db").mkdir(parents=True)
    (cache / "git-v2" / "checkouts").mkdir()
    (cache / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    db = cache / "git-v2" / "db" / "0123"
    git("init", "--quiet", db, cwd=cache)
    if fetched:
        git("fetch", "--quiet", f"file://{upstream}", "+refs/heads/*:refs/remotes/origin/*", cwd=db)
    else:
        git("pull", "--quiet", str(upstream), "main", cwd=db)
        (db / ".git" / "FETCH_HEAD").unlink()
    checkout = clone(db, cache / "git-v2" / "checkouts" / "abcd")
    git("checkout", "--quiet", commit, cwd=checkout)
    return checkout, upstream, commit


def test_a_checkout_of_uvs_cached_clone_names_the_repository_it_was_fetched_from(tmp_path: Path) -> None:
    checkout, upstream, commit = uv_shaped_checkout(tmp_path, fetched=True)
    plan, _ = make_plan(checkout, Store(tmp_path / "store"))
    assert plan.rewrite_line("lib", Findings()) == [
        f"lib @ git+file://localhost{upstream}@{commit}#subdirectory=libs/lib"
    ]


def test_a_cached_clone_that_does_not_say_its_origin_keeps_local_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkout, _, _ = uv_shaped_checkout(tmp_path, fetched=False)
    plan, _ = make_plan(checkout, Store(tmp_path / "store"))
    assert plan.rewrite_line("lib", Findings()) == [f"lib @ file://{checkout.resolve()}/libs/lib"]
    assert "does not say where it was fetched from" in capsys.readouterr().err


def test_fetch_head_drops_dot_git_and_the_local_path_gets_it_back(tmp_path: Path, repo: Path) -> None:
    bare = tmp_path / "project.git"
    git("clone", "--quiet", "--bare", str(repo), str(bare), cwd=tmp_path)
    db = tmp_path / "db"
    git("init", "--quiet", db, cwd=tmp_path)
    git("fetch", "--quiet", f"file://{bare}", "main", cwd=db)
    assert "project.git" not in (db / ".git" / "FETCH_HEAD").read_text()  # git's display form
    assert cache_remote_url(db) == f"file://{bare}"
