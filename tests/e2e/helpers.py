"""Assertions shared by the end-to-end tests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from packaging.utils import canonicalize_name

from tests.support import Venv, emitted_repository, file_url, git, run
from tests.support.examples import Example, Source
from tests.support.git import git_environ
from tests.support.metadata import (
    find_wheel,
    requirements_by_name,
    requires_dist,
    sha256_file,
    wheel_metadata_text,
)


def assert_source(
    requirement_line_owner: str,
    metadata_text: str,
    dependency: str,
    source: Source,
    *,
    tree: Path,
    store: Path,
) -> None:
    """``dependency`` in ``metadata_text`` is the direct reference ``source`` demands."""
    reqs = requirements_by_name(metadata_text)
    lines = requires_dist(metadata_text)
    req = reqs.get(canonicalize_name(dependency))
    assert req is not None, f"{requirement_line_owner}: no Requires-Dist for {dependency}: {lines}"
    assert req.url, f"{requirement_line_owner}: {dependency} is not a direct reference: {lines}"
    if source.kind == "archive":
        archive = tree / source.path
        pattern = re.escape(file_url(store)) + r"/sha256/([0-9a-f]{64})/" + re.escape(archive.name)
        match = re.fullmatch(pattern, req.url)
        assert match, (
            f"{requirement_line_owner}: {dependency} should point into the store "
            f"{file_url(store)}/sha256/<hex>/{archive.name}, got {req.url!r}"
        )
        stored = store / "sha256" / match.group(1) / archive.name
        assert stored.is_file(), f"{stored} (from {req.url}) does not exist"
        assert sha256_file(stored) == match.group(1), f"{stored} does not hash to its directory name"
        assert match.group(1) == sha256_file(archive), f"{stored} is not a copy of {archive}"
    else:
        expected = directory_url(tree, source.path)
        assert req.url == expected, f"{requirement_line_owner}: {dependency} should be {expected!r}, got {req.url!r}"


def directory_url(tree: Path, path: str) -> str:
    """The URL a build of ``tree`` gives the directory source at ``path``: its place in the repository
    (``git+REMOTE@HEAD#subdirectory=PATH``) in a git clone with a remote, whose remote-tracking refs
    contain HEAD, where it is unmodified; else its location."""
    remote = run(["git", "remote", "get-url", "origin"], cwd=tree, env=git_environ(), check=False)
    if remote.returncode != 0:
        return file_url(tree / path)
    changed = git("status", "--porcelain", "--untracked-files=all", "--", path, cwd=tree)
    if changed.strip():
        return file_url(tree / path)
    if not git("for-each-ref", "--contains", "HEAD", "refs/remotes/", cwd=tree).strip():
        return file_url(tree / path)  # HEAD the remote may not have
    url = emitted_repository(remote.stdout.strip())
    return f"git+{url}@{git('rev-parse', 'HEAD', cwd=tree).strip()}#subdirectory={path}"


def assert_wheel_sources(
    example: Example,
    wheel_dir: Path,
    *,
    tree: Path,
    store: Path,
    distributions: Mapping[str, Mapping[str, Source]] | None = None,
) -> None:
    """Every wheel of ``example`` in ``wheel_dir`` has the expected direct references."""
    expectations = example.sources if distributions is None else distributions
    for dist, deps in expectations.items():
        wheel = find_wheel(wheel_dir, dist)
        text = wheel_metadata_text(wheel)
        for dependency, source in deps.items():
            assert_source(wheel.name, text, dependency, source, tree=tree, store=store)


def assert_runs(example: Example, venv: Venv, env: Mapping[str, str], cwd: Path) -> None:
    """The installed code imports and runs, using its installed dependencies."""
    out = venv.run_python(example.code, env=env, cwd=cwd)
    assert out.strip() == example.output


def assert_installed_from_store(example: Example, venv: Venv, env: Mapping[str, str], cwd: Path, store: Path) -> None:
    """Installed archive dependencies came from the content-addressed store."""
    top = example.sources.get(example.distribution, {})
    for dependency, source in top.items():
        if source.kind != "archive":
            continue
        code = (
            "import importlib.metadata as m, sys; "
            f"sys.stdout.write(m.distribution({dependency!r}).read_text('direct_url.json') or '')"
        )
        direct_url = venv.run_python(code, env=env, cwd=cwd)
        assert file_url(store) + "/sha256/" in direct_url, (
            f"{dependency} was not installed from the store {store}: direct_url.json={direct_url!r}"
        )


def assert_local_sdist(sdist: Path) -> None:
    """A local-mode sdist says its Requires-Dist is dynamic, and carries its record and archives."""
    import hashlib
    import json
    import tarfile

    from tests.support.metadata import sdist_pkg_info_text

    assert "Dynamic: Requires-Dist" in sdist_pkg_info_text(sdist).splitlines(), sdist
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/", 1)[0]
        member = archive.extractfile(f"{top}/.sourcelift/local.json")
        assert member is not None
        record = json.loads(member.read())
        assert record["version"] == 1 and "for that machine only" in record["note"]
        archives = [entry for entries in record["sources"].values() for entry in entries if entry["kind"] == "archive"]
        for entry in archives:
            data = archive.extractfile(f"{top}/{entry['member']}")
            assert data is not None, entry
            assert hashlib.sha256(data.read()).hexdigest() == entry["sha256"], entry
