"""`sourcelift record`, `pip`, `provenance` and `freeze` against environments real installers made.

The examples are pushed to a bare repository (the only thing kept, with the archive store);
pip and uv install them with `git+file://`; every temporary directory of the install (and the
work tree the bare repository came from) is deleted before anything is checked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.support import Venv, bare_clone, clone, create_venv, emitted_repository, git, git_url, run
from tests.support.examples import BY_NAME, Example
from tests.unit.hook_builders import assert_record_consistent, record_hash, snapshot

pytestmark = pytest.mark.e2e

PIG = BY_NAME["project-in-git"]
WORKSPACE = BY_NAME["uv-workspace"]
TOKEN = "s3cr3t-t0ken-4-tests"


def own_bare_repository(example_repo: Callable[[Example], Path], example: Example, where: Path) -> Path:
    """A bare repository of the example; the work tree it was pushed from is deleted."""
    where.mkdir(parents=True, exist_ok=True)
    work = clone(example_repo(example), where / "work")
    bare = bare_clone(work, where / f"{example.name}.git")
    shutil.rmtree(work)
    return bare


def requirement(example: Example, bare: Path, commit: str | None = None) -> str:
    url = git_url(bare)
    if commit:
        url += f"@{commit}"
    if example.subdirectory:
        url += f"#subdirectory={example.subdirectory}"
    return f"{example.distribution} @ {url}"


def hook_venv(path: Path, env: Mapping[str, str], uv: str) -> Venv:
    """A fresh venv with sourcelift-hook installed from the wheelhouse (by uv: it is quicker)."""
    venv = create_venv(path, env=env, uv=uv)
    run(venv.uv_pip("install", "--no-index", "sourcelift-hook"), env=env)
    return venv


def install(tool: str, venv: Venv, spec: str, env: Mapping[str, str], uv: str, scratch: Path) -> None:
    """Install with pip or uv; the installer's temporary directories are deleted afterwards."""
    tmp = scratch / f"tmp-{venv.path.name}"
    tmp.mkdir(parents=True)
    local = {**env, "TMPDIR": str(tmp)}
    if tool == "pip":
        run(venv.pip("install", spec), env=local, cwd=scratch)
    else:
        run(venv.uv_pip("install", "--no-index", spec), env=local, cwd=scratch)
    shutil.rmtree(tmp)


def sourcelift(
    venv: Venv, *args: str | os.PathLike[str], env: Mapping[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    return run([venv.bin("sourcelift"), *args], env=env, check=check)


def dist_info(site: Path, name: str) -> Path:
    stem = name.replace("-", "_")
    [found] = [d for d in site.glob("*.dist-info") if d.name.lower().startswith(stem + "-")]
    return found


def direct_url(site: Path, name: str) -> dict[str, object]:
    return json.loads((dist_info(site, name) / "direct_url.json").read_text())


def installed_files(site: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """name -> (version, {file: RECORD hash}) for files installed into site-packages (no metadata, no scripts)."""
    result = {}
    for info in site.glob("*.dist-info"):
        metadata = (info / "METADATA").read_text().split("\n\n", 1)[0]
        fields = dict(line.split(": ", 1) for line in metadata.splitlines() if ": " in line)
        files = {}
        for line in (info / "RECORD").read_text().splitlines():
            path, digest, _ = line.rsplit(",", 2)
            if digest and not path.startswith("../") and ".dist-info/" not in path:
                files[path] = digest
        result[fields["Name"].lower().replace("_", "-")] = (fields["Version"], files)
    return result


def assert_same_installation(original: Path, rebuilt: Path, names: set[str]) -> None:
    old, new = installed_files(original), installed_files(rebuilt)
    for name in names:
        assert name in new, f"{name} was not reinstalled"
        assert new[name] == old[name], f"{name} differs after reinstalling"


def frozen_names(requirements: str) -> set[str]:
    names = set()
    for line in requirements.splitlines():
        if line and not line.startswith(("#", "-")):
            names.add(line.split("==")[0].split(" @ ")[0].strip().lower().replace("_", "-"))
    return names


class Installed:
    def __init__(self, venv: Venv, site: Path, pristine: Path, spec: str, bare: Path) -> None:
        self.venv = venv
        self.site = site
        self.pristine = pristine  # a copy of site-packages right after the install, before `record`
        self.spec = spec
        self.bare = bare


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("frontend-hook")


@pytest.fixture(scope="module")
def pig_bare(example_repo: Callable[[Example], Path], scratch: Path) -> Path:
    return own_bare_repository(example_repo, PIG, scratch / "pig")


@pytest.fixture(scope="module")
def pig_pip(
    build_once: Callable[[str, Callable[[Path], None]], Path],
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    uv_bin: str,
) -> Installed:
    """project-in-git installed by pip from a bare repository, then `sourcelift record`.

    Built once per test session (tests only read it); ``pristine`` keeps site-packages as pip left it.
    """

    def build(dest: Path) -> None:
        bare = own_bare_repository(example_repo, PIG, dest)
        venv = hook_venv(dest / "venv", offline_env, uv_bin)
        install("pip", venv, requirement(PIG, bare), offline_env, uv_bin, dest)
        site = venv.site_packages(offline_env)
        shutil.copytree(site, dest / "pristine", symlinks=True)
        out = sourcelift(venv, "record", env=offline_env).stdout
        assert "recorded the origin of prebuilt (style default)" in out

    dest = build_once("frontend-hook-pig-pip", build)
    venv = Venv(dest / "venv")
    bare = dest / f"{PIG.name}.git"
    return Installed(venv, venv.site_packages(offline_env), dest / "pristine", requirement(PIG, bare), bare)


def test_pip_install_then_record_then_pip_freeze_reinstalls(
    pig_pip: Installed,
    offline_env: dict[str, str],
    store_dir: Path,
    uv_bin: str,
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    site = pig_pip.site
    record = direct_url(site, "prebuilt")
    # the store URL exactly as project-in-git's Requires-Dist names it: no hash fragment for pip freeze to print
    assert set(record) == {"url", "archive_info"} and record["archive_info"] == {}
    assert str(record["url"]).startswith(store_dir.resolve().as_uri() + "/sha256/")
    origin = json.loads((dist_info(site, "prebuilt") / "sourcelift-origin.json").read_text())
    assert origin["entry"]["url"] == pig_pip.bare.resolve().as_uri()
    assert (
        origin["entry"]["path"] == "vendor/prebuilt-0.1.0-py3-none-any.whl" and origin["entry"]["state"] == "committed"
    )
    assert origin["original_direct_url"]["archive_info"]["hashes"]["sha256"] == origin["entry"]["sha256"]
    assert_record_consistent(dist_info(site, "prebuilt"))
    # every reader parses every record
    inspect = json.loads(run(pig_pip.venv.pip("inspect"), env=offline_env).stdout)
    by_name = {item["metadata"]["name"]: item for item in inspect["installed"]}
    assert by_name["prebuilt"]["direct_url"] == record
    assert by_name["project-in-git"]["direct_url"]["vcs_info"]["vcs"] == "git"
    uv_freeze = run(pig_pip.venv.uv_pip("freeze"), env=offline_env).stdout
    assert f"prebuilt @ {record['url']}" in uv_freeze.splitlines()
    uv_list = json.loads(run(pig_pip.venv.uv_pip("list", "--format", "json"), env=offline_env).stdout)
    assert {"name": "prebuilt", "version": "0.1.0"} in [{k: d[k] for k in ("name", "version")} for d in uv_list]
    # pip freeze -> a fresh venv -> pip install -r: the same distributions, the same files
    frozen = run(pig_pip.venv.pip("freeze"), env=offline_env).stdout
    assert f"prebuilt @ {record['url']}" in frozen.splitlines()
    (tmp_path / "requirements.txt").write_text(frozen)
    fresh = make_venv()
    run(fresh.pip("install", "-r", tmp_path / "requirements.txt"), env=offline_env, cwd=tmp_path)
    assert_same_installation(site, fresh.site_packages(offline_env), frozen_names(frozen))


def test_record_twice_changes_nothing_and_styles_switch_back(
    pig_pip: Installed, offline_env: dict[str, str], tmp_path: Path
) -> None:
    copy = tmp_path / "site-packages"
    shutil.copytree(pig_pip.pristine, copy, symlinks=True)
    run_record = lambda *style: sourcelift(pig_pip.venv, "record", "--path", copy, *style, env=offline_env)  # noqa: E731
    run_record()
    first = snapshot(copy)
    prebuilt = dist_info(copy, "prebuilt").name
    # the same bytes as the record written into the live environment
    assert {k: v for k, v in first.items() if k.startswith(prebuilt)} == {
        k: v for k, v in snapshot(pig_pip.site).items() if k.startswith(prebuilt)
    }
    assert "nothing changed" in run_record().stdout
    assert snapshot(copy) == first
    run_record("--style", "uv")
    uv_record = direct_url(copy, "prebuilt")
    assert uv_record["path"] == "vendor/prebuilt-0.1.0-py3-none-any.whl" and "subdirectory" not in uv_record
    run_record("--style", "pr1798")
    assert direct_url(copy, "prebuilt")["file"] == "vendor/prebuilt-0.1.0-py3-none-any.whl"
    assert_record_consistent(dist_info(copy, "prebuilt"))
    run_record()
    assert snapshot(copy) == first


def test_a_record_killed_at_any_write_leaves_whole_files_and_a_rerun_completes_it(
    pig_pip: Installed, offline_env: dict[str, str], tmp_path: Path
) -> None:
    # the two distributions that matter (copying all of site-packages at every crash point is slow)
    pristine = tmp_path / "pristine"
    for name in (dist_info(pig_pip.pristine, "prebuilt"), dist_info(pig_pip.pristine, PIG.distribution)):
        shutil.copytree(name, pristine / name.name)
    shutil.copytree(pig_pip.pristine / "prebuilt", pristine / "prebuilt")
    reference = tmp_path / "reference"
    shutil.copytree(pristine, reference)
    sourcelift(pig_pip.venv, "record", "--path", reference, env=offline_env)
    expected = snapshot(reference)
    assert expected != snapshot(pristine)
    copy = tmp_path / "site-packages"
    crash_point = 0
    while True:
        crash_point += 1
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(pristine, copy)
        env = {**offline_env, "SOURCELIFT_TEST_CRASH_AT": str(crash_point)}
        killed = sourcelift(pig_pip.venv, "record", "--path", copy, env=env, check=False)
        if killed.returncode == 0:
            break  # past the last crash point: the run completed
        assert killed.returncode == -9, killed.stderr
        journal_left = False
        for info in copy.glob("*.dist-info"):
            for file in info.iterdir():
                if file.name.startswith(".") or not file.is_file():
                    continue  # a temporary file (never the file itself), or a directory such as licenses/
                data = file.read_bytes()
                if file.suffix == ".json":
                    json.loads(data)  # whole
                if file.name == "RECORD":
                    assert all(line.count(",") >= 2 for line in data.decode().splitlines())
                journal_left |= file.name == "sourcelift-journal.json"
        report = sourcelift(pig_pip.venv, "provenance", "--path", copy, "--json", env=offline_env, check=False)
        if journal_left:
            assert report.returncode == 1 and '"journal":"pending"' in report.stdout
        sourcelift(pig_pip.venv, "record", "--path", copy, env=offline_env)
        assert snapshot(copy) == expected, f"killed at crash point {crash_point}"
        assert_record_consistent(dist_info(copy, "prebuilt"))
    assert crash_point > 8  # journal, three files, journal removal: each before and after


@pytest.mark.parametrize("mode", ["w", "w:gz"])
def test_from_tar_gives_the_live_answer(
    pig_pip: Installed, offline_env: dict[str, str], tmp_path: Path, mode: str
) -> None:
    layer = tmp_path / "layer.tar"
    with tarfile.open(layer, mode) as archive:
        archive.add(pig_pip.venv.path, arcname="opt/venv")
    live = json.loads(sourcelift(pig_pip.venv, "provenance", "--json", "--path", pig_pip.site, env=offline_env).stdout)
    from_tar = json.loads(sourcelift(pig_pip.venv, "provenance", "--json", "--from-tar", layer, env=offline_env).stdout)
    assert from_tar["environment"]["kind"] == "tar"
    assert from_tar["distributions"] == live["distributions"]
    assert {d["name"]: d["origin"] for d in live["distributions"]}["prebuilt"] == "archive-in-git"
    live_freeze = sourcelift(pig_pip.venv, "freeze", "--path", pig_pip.site, env=offline_env).stdout
    tar_freeze = sourcelift(pig_pip.venv, "freeze", "--from-tar", layer, env=offline_env).stdout
    assert live_freeze.splitlines()[1:] == tar_freeze.splitlines()[1:]  # the first line names the location


def test_sourcelift_pip_keeps_pips_exit_status_and_records_into_target(
    pig_pip: Installed, offline_env: dict[str, str], tmp_path: Path
) -> None:
    commit = git("rev-parse", "HEAD", cwd=pig_pip.bare).strip()
    target = tmp_path / "target"
    spec = requirement(PIG, pig_pip.bare, commit)
    done = sourcelift(pig_pip.venv, "pip", "install", "--target", target, spec, env=offline_env)
    assert "recorded the origin of prebuilt" in done.stdout
    assert (dist_info(target, "prebuilt") / "sourcelift-origin.json").is_file()
    direct = run(pig_pip.venv.pip("install", "does-not-exist-anywhere==1"), env=offline_env, check=False)
    wrapped = sourcelift(pig_pip.venv, "pip", "install", "does-not-exist-anywhere==1", env=offline_env, check=False)
    assert direct.returncode != 0 and wrapped.returncode == direct.returncode
    assert "recorded" not in wrapped.stdout


def test_style_uv_leaves_uv_nothing_to_do(
    pig_bare: Path, offline_env: dict[str, str], uv_bin: str, scratch: Path, tmp_path: Path
) -> None:
    venv = hook_venv(tmp_path / "venv", offline_env, uv_bin)
    spec = requirement(PIG, pig_bare)
    sourcelift(venv, "pip", "--style", "uv", "install", spec, env=offline_env)
    site = venv.site_packages(offline_env)
    assert direct_url(site, "prebuilt")["path"] == "vendor/prebuilt-0.1.0-py3-none-any.whl"
    again = run(venv.uv_pip("install", "--no-index", spec), env=offline_env, cwd=tmp_path)
    output = again.stdout + again.stderr
    assert "Checked 2 packages" in output or "Audited 2 packages" in output, output
    assert "Installed" not in output and "Uninstalled" not in output, output
    assert run(venv.pip("inspect"), env=offline_env).returncode == 0


def test_uv_install_freeze_and_pylock_rebuild_it(
    pig_bare: Path,
    offline_env: dict[str, str],
    uv_bin: str,
    wheelhouse: Path,
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    venv = hook_venv(tmp_path / "venv", offline_env, uv_bin)
    install("uv", venv, requirement(PIG, pig_bare), offline_env, uv_bin, tmp_path)
    site = venv.site_packages(offline_env)
    assert direct_url(site, "prebuilt")["path"] == "vendor/prebuilt-0.1.0-py3-none-any.whl"  # uv's own form
    report = json.loads(sourcelift(venv, "provenance", "prebuilt", "--json", env=offline_env).stdout)
    assert report["distributions"][0]["origin"] == "archive-in-git"
    frozen = sourcelift(venv, "freeze", env=offline_env).stdout
    (tmp_path / "requirements.txt").write_text(frozen)
    fresh = make_venv()
    run(fresh.pip("install", "-r", tmp_path / "requirements.txt"), env=offline_env, cwd=tmp_path)
    assert_same_installation(site, fresh.site_packages(offline_env), frozen_names(frozen))
    lock = sourcelift(venv, "freeze", "--format", "pylock", "--find-links", wheelhouse, env=offline_env).stdout
    (tmp_path / "pylock.toml").write_text(lock)
    locked = make_venv()
    run(
        locked.uv_pip("install", "--no-index", "-r", tmp_path / "pylock.toml"),
        env=offline_env,
    )
    assert_same_installation(site, locked.site_packages(offline_env), frozen_names(frozen))


def test_a_token_in_the_remote_url_never_reaches_the_environment(
    example_repo: Callable[[Example], Path], offline_env: dict[str, str], uv_bin: str, tmp_path: Path
) -> None:
    work = clone(example_repo(PIG), tmp_path / "work")
    git("remote", "set-url", "origin", f"https://ci-bot:{TOKEN}@example.invalid/org/project-in-git.git", cwd=work)
    venv = hook_venv(tmp_path / "venv", offline_env, uv_bin)
    install("pip", venv, str(work), offline_env, uv_bin, tmp_path)
    sourcelift(venv, "record", env=offline_env)
    site = venv.site_packages(offline_env)
    origin = json.loads((dist_info(site, "prebuilt") / "sourcelift-origin.json").read_text())
    assert origin["entry"]["url"] == "https://example.invalid/org/project-in-git.git"
    provenance = sourcelift(venv, "provenance", "--json", env=offline_env).stdout
    frozen = sourcelift(venv, "freeze", env=offline_env).stdout
    assert TOKEN not in provenance + frozen
    for file in venv.path.rglob("*"):
        if file.is_file() and not file.is_symlink():
            assert TOKEN.encode() not in file.read_bytes(), file


def tamper_wheel(wheel: Path) -> None:
    """Change one file of a wheel (its RECORD row too): still a valid wheel of the same name and version."""
    with zipfile.ZipFile(wheel) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    [module] = [name for name in members if name.endswith("/__init__.py")]
    members[module] += b"\nTAMPERED = True\n"
    [record_name] = [name for name in members if name.endswith(".dist-info/RECORD")]
    rows = []
    for row in members[record_name].decode().splitlines():
        if row.startswith(module + ","):
            row = f"{module},{record_hash(members[module])},{len(members[module])}"
        rows.append(row)
    members[record_name] = ("\n".join(rows) + "\n").encode()
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_a_tampered_archive_is_not_claimed(
    example_repo: Callable[[Example], Path], offline_env: dict[str, str], uv_bin: str, tmp_path: Path
) -> None:
    work = clone(example_repo(PIG), tmp_path / "work")
    tamper_wheel(work / "vendor" / "prebuilt-0.1.0-py3-none-any.whl")  # modified, not committed
    venv = hook_venv(tmp_path / "venv", offline_env, uv_bin)
    install("pip", venv, str(work), offline_env, uv_bin, tmp_path)
    site = venv.site_packages(offline_env)
    before = snapshot(dist_info(site, "prebuilt"))
    recorded = sourcelift(venv, "record", env=offline_env)
    assert "does not describe it" in recorded.stderr and "recorded the origin" not in recorded.stdout
    assert snapshot(dist_info(site, "prebuilt")) == before
    assert not (dist_info(site, "prebuilt") / "sourcelift-origin.json").exists()
    report = json.loads(sourcelift(venv, "provenance", "prebuilt", "--json", env=offline_env).stdout)
    [prebuilt] = report["distributions"]
    assert prebuilt["origin"] == "archive" and prebuilt["git"] is None
    assert [f["state"] for f in prebuilt["flagged"]] == ["modified"]


def test_uv_workspace_members_get_vcs_info_and_reinstall(
    example_repo: Callable[[Example], Path],
    offline_env: dict[str, str],
    uv_bin: str,
    wheelhouse: Path,
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    bare = own_bare_repository(example_repo, WORKSPACE, tmp_path / "ws")
    commit = git("rev-parse", "HEAD", cwd=bare).strip()
    venv = hook_venv(tmp_path / "venv", offline_env, uv_bin)
    install("pip", venv, requirement(WORKSPACE, bare), offline_env, uv_bin, tmp_path)
    site = venv.site_packages(offline_env)
    # app's wheel names lib-a as git+URL@COMMIT#subdirectory (built in a clone with a remote), so pip's own
    # record is already the repository, not its temporary clone
    assert direct_url(site, "lib-a")["vcs_info"]["commit_id"] == commit  # type: ignore[index]
    sourcelift(venv, "record", env=offline_env)
    for member, path in (("lib-a", "packages/lib-a"), ("lib-b", "packages/lib-b")):
        record = direct_url(site, member)
        # the repository as app's line names it (`file://localhost/`, which pip 23 reads too)
        assert record["url"] == emitted_repository(str(bare)) and record["subdirectory"] == path
        assert record["vcs_info"]["commit_id"] == commit  # type: ignore[index]
        assert_record_consistent(dist_info(site, member))
    inspect = json.loads(run(venv.pip("inspect"), env=offline_env).stdout)
    by_name = {item["metadata"]["name"]: item for item in inspect["installed"]}
    assert by_name["lib-b"]["direct_url"] == direct_url(site, "lib-b")
    frozen = run(venv.pip("freeze"), env=offline_env).stdout
    assert f"lib-a @ git+{emitted_repository(str(bare))}@{commit}#subdirectory=packages/lib-a" in frozen.splitlines()
    # the complete list goes in with --no-deps (what pip freeze lists is the whole installation)
    (tmp_path / "requirements.txt").write_text(frozen)
    fresh = make_venv()
    run(fresh.pip("install", "--no-deps", "-r", tmp_path / "requirements.txt"), env=offline_env, cwd=tmp_path)
    assert_same_installation(site, fresh.site_packages(offline_env), frozen_names(frozen))
    lock = sourcelift(venv, "freeze", "--format", "pylock", "--find-links", wheelhouse, env=offline_env).stdout
    assert "[packages.tool.sourcelift]" in lock
    (tmp_path / "pylock.toml").write_text(lock)
    locked = make_venv()
    run(
        locked.uv_pip("install", "--no-index", "-r", tmp_path / "pylock.toml"),
        env=offline_env,
    )
    assert_same_installation(site, locked.site_packages(offline_env), frozen_names(frozen))
