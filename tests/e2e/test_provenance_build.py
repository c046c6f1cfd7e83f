"""Provenance recorded at build time, through real frontends.

Each example is pushed to a bare repository (what users install from). Then:
``pip wheel`` of a clone, ``pip install git+file://...`` and ``python -m build``
(sdist, then the wheel from it) must each give wheels whose ``.dist-info`` holds
``sourcelift-provenance.json`` naming the bare repository's ``file://`` URL, the
commit, the path of every vendored archive or directory and its sha256; and
``pip inspect`` must still read the environment.
"""

from __future__ import annotations

import json
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name

from tests.support import Venv, bare_clone, clone, emitted_repository, file_url, git, git_url, run
from tests.support.examples import BY_NAME, Example
from tests.support.metadata import find_sdist, find_wheel, requirements_by_name, requires_dist, sha256_file

pytestmark = pytest.mark.e2e

DOCUMENT = "sourcelift-provenance.json"
EXAMPLES = [BY_NAME["project-in-git"], BY_NAME["uv-workspace"]]
example_param = pytest.mark.parametrize("example", EXAMPLES, ids=str)


@pytest.fixture
def bare(example: Example, example_repo: Callable[[Example], Path], tmp_path: Path) -> Path:
    return bare_clone(example_repo(example), tmp_path / f"{example.name}.git")


def location(example: Example, distribution: str) -> str | None:
    """Where ``distribution`` lies in the example's repository (``None`` at its root)."""
    if distribution == example.distribution:
        return example.subdirectory or None
    for deps in example.sources.values():
        for name, source in deps.items():
            if canonicalize_name(name) == canonicalize_name(distribution) and source.kind == "directory":
                return source.path
    raise AssertionError(f"{distribution} is not built from a directory of {example}")


def expected_entries(
    example: Example, distribution: str, metadata: str, *, repo: Path, tree: Path, commit: str
) -> list[dict[str, Any]]:
    """The entries a wheel of ``distribution`` must carry, its METADATA giving the emitted lines."""
    lines = requires_dist(metadata)
    entries = []
    for name, source in sorted(example.sources.get(distribution, {}).items()):
        archive = source.kind == "archive"
        entries.append(
            {
                "name": canonicalize_name(name),
                "kind": source.kind,
                "url": file_url(repo),
                "commit_id": commit,
                "requested_revision": "main",
                "path": source.path,
                "subdirectory": location(example, distribution),
                "filename": Path(source.path).name if archive else None,
                "sha256": sha256_file(tree / source.path) if archive else None,
                "state": "committed",
                "emitted": [line for line in lines if canonicalize_name(line.split(" ")[0]) == canonicalize_name(name)],
            }
        )
    return entries


def wheel_files(wheel: Path) -> tuple[str, dict[str, Any] | None]:
    """METADATA and the provenance document (``None`` when absent) of a wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        metadata = archive.read(f"{dist_info}/METADATA").decode()
        record = archive.read(f"{dist_info}/RECORD").decode()
        if f"{dist_info}/{DOCUMENT}" not in names:
            return metadata, None
        assert f"{dist_info}/{DOCUMENT}," in record, "the document is not listed in RECORD"
        return metadata, json.loads(archive.read(f"{dist_info}/{DOCUMENT}"))


def assert_wheels(example: Example, wheel_dir: Path, *, repo: Path, tree: Path, distributions: list[str]) -> None:
    commit = git("rev-parse", "HEAD", cwd=repo).strip()
    for distribution in distributions:
        metadata, document = wheel_files(find_wheel(wheel_dir, distribution))
        expected = expected_entries(example, distribution, metadata, repo=repo, tree=tree, commit=commit)
        if not expected:
            assert document is None, f"{distribution}: no archive or directory source, yet {document}"
            continue
        assert document is not None, f"{distribution}: no {DOCUMENT}"
        assert document["version"] == "1"
        assert document["entries"] == expected, distribution
        assert all(entry["emitted"] for entry in expected), expected  # each names a line the build wrote


def built_distributions(example: Example) -> list[str]:
    return [example.distribution, *(d for d in example.sources if d != example.distribution)]


@example_param
def test_pip_wheel_of_a_clone_records_the_repository(
    example: Example, bare: Path, offline_env: dict[str, str], tmp_path: Path
) -> None:
    tree = clone(bare, tmp_path / "clone")
    out = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--wheel-dir", out, example.project_dir(tree)], env=offline_env)
    assert_wheels(example, out, repo=bare, tree=tree, distributions=built_distributions(example))


@example_param
def test_build_sdist_then_wheel_carries_the_same_entries(
    example: Example, bare: Path, offline_env: dict[str, str], tmp_path: Path
) -> None:
    tree = clone(bare, tmp_path / "clone")
    out = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--outdir", out, example.project_dir(tree)], env=offline_env, cwd=tmp_path)
    # The wheel was built from the unpacked sdist, where there is no .git: its document comes from the sdist.
    assert_wheels(example, out, repo=bare, tree=tree, distributions=[example.distribution])
    with tarfile.open(find_sdist(out, example.distribution)) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        member = sdist.extractfile(f"{top}/.sourcelift/provenance.json")
        assert member is not None
        in_sdist = json.loads(member.read())
    _, in_wheel = wheel_files(find_wheel(out, example.distribution))
    assert in_wheel is not None and in_sdist["entries"] == in_wheel["entries"]


INSTALLED = r"""
import importlib.metadata as m, json, sys
out = {}
for name in sys.argv[1:]:
    dist = m.distribution(name)
    out[name] = {"metadata": dist.read_text("METADATA"), "document": dist.read_text("sourcelift-provenance.json"),
                 "record": dist.read_text("RECORD")}
print(json.dumps(out))
"""


@example_param
def test_pip_install_from_git_installs_the_document(
    example: Example,
    bare: Path,
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    venv = make_venv()
    url = git_url(bare, subdirectory=example.subdirectory or None)
    run(venv.pip("install", f"{example.distribution} @ {url}"), env=offline_env, cwd=tmp_path)
    distributions = built_distributions(example)
    out = run([venv.python, "-I", "-c", INSTALLED, *distributions], env=offline_env, cwd=tmp_path).stdout
    installed = json.loads(out)
    commit = git("rev-parse", "HEAD", cwd=bare).strip()
    for distribution in distributions:
        files = installed[distribution]
        assert files["document"] is not None, f"{distribution}: no {DOCUMENT} installed"
        assert f".dist-info/{DOCUMENT}," in files["record"]
        document = json.loads(files["document"])
        for entry in document["entries"]:
            # pip built in a temporary clone it has deleted since; the entry still names the repository
            assert entry["url"] == file_url(bare) and entry["commit_id"] == commit, entry
            assert entry["state"] == "committed", entry
            url = str(requirements_by_name(files["metadata"])[entry["name"]].url)
            assert entry["emitted"] == [line for line in requires_dist(files["metadata"]) if url in line], entry
        sources = example.sources[distribution]
        assert {(e["name"], e["path"]) for e in document["entries"]} == {
            (canonicalize_name(n), s.path) for n, s in sources.items()
        }
        for entry in document["entries"]:
            if entry["kind"] == "archive":
                assert entry["sha256"] == sha256_file(example.path / entry["path"])
    inspected = json.loads(run(venv.pip("inspect"), env=offline_env, cwd=tmp_path).stdout)
    names = {canonicalize_name(item["metadata"]["name"]) for item in inspected["installed"]}
    assert {canonicalize_name(d) for d in distributions} <= names


@pytest.mark.parametrize("example", [BY_NAME["uv-workspace"]], ids=str)
def test_uv_pip_install_records_the_repository_its_cache_was_fetched_from(
    example: Example,
    bare: Path,
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    uv_bin: str,
    tmp_path: Path,
) -> None:
    """uv builds in a checkout of its own clone inside its cache; the clone's FETCH_HEAD names the repository."""
    venv = make_venv()
    url = git_url(bare, subdirectory=example.subdirectory)
    run(
        venv.uv_pip("install", "--no-index", f"{example.distribution} @ {url}"),
        env=offline_env,
        cwd=tmp_path,
    )
    out = run([venv.python, "-I", "-c", INSTALLED, example.distribution], env=offline_env, cwd=tmp_path).stdout
    installed = json.loads(out)[example.distribution]
    assert installed["document"] is not None
    (entry,) = json.loads(installed["document"])["entries"]
    commit = git("rev-parse", "HEAD", cwd=bare).strip()
    assert (entry["url"], entry["commit_id"], entry["path"], entry["state"]) == (
        file_url(bare),
        commit,
        "packages/lib-a",
        "committed",
    )
    assert entry["requested_revision"] is None  # the branch of uv's checkout is uv's, not the user's
    assert entry["emitted"] == [f"lib-a @ git+{emitted_repository(str(bare))}@{commit}#subdirectory=packages/lib-a"]


@pytest.mark.parametrize("example", [BY_NAME["project-in-git"]], ids=str)
def test_editable_install_carries_the_document(
    example: Example,
    bare: Path,
    offline_env: dict[str, str],
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    tree = clone(bare, tmp_path / "clone")
    venv = make_venv()
    run(venv.pip("install", "--editable", example.project_dir(tree)), env=offline_env, cwd=tmp_path)
    out = run([venv.python, "-I", "-c", INSTALLED, example.distribution], env=offline_env, cwd=tmp_path).stdout
    installed = json.loads(out)[example.distribution]
    assert installed["document"] is not None, "the editable wheel has no provenance document"
    (entry,) = json.loads(installed["document"])["entries"]
    assert entry["url"] == file_url(bare) and entry["path"] == example.sources[example.distribution]["prebuilt"].path
    assert entry["commit_id"] == git("rev-parse", "HEAD", cwd=bare).strip() and entry["state"] == "committed"
